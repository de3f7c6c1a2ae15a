//! One component or view helper per file.

pub mod button;
pub mod cell;
pub mod diagnostics_panel;
pub mod error_line;
pub mod home_panel;
pub mod location_panel;
pub mod me_panel;
pub mod not_in_wechat_notice;
pub mod page_head;
pub mod panel_switch;
pub mod photos_panel;
pub mod scan_panel;
pub mod select_field;
pub mod share_panel;
pub mod signature_debugger;
pub mod status_banner;
pub mod tab_bar;
pub mod text_field;
