//! Every jweixin API, grouped as in WeChat's docs.

pub mod beacon;
pub mod card;
pub mod device;
pub mod image;
pub mod location;
pub mod menu;
pub mod mini_program;
pub mod misc;
pub mod pay;
pub mod scan;
pub mod share;
pub mod voice;

/// Options of APIs that take none (jweixin still needs an object for the callbacks).
#[derive(serde::Serialize)]
pub(crate) struct Empty {}
