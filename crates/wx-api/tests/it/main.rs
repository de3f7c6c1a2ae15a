//! wx-api against wx-server's fake WeChat over loopback HTTP: one binary, one module per subject.

mod common;

mod custom;
mod media;
mod menu;
mod template;
mod token;
mod users;
