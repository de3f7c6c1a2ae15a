//! The real jweixin 1.6.0 code over the emulator, as an Android WeChat, in headless Chromium. One test binary:
//! a module per area, the helpers they share in `support`.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::disallowed_methods, reason = "test code: the size rules are for pages")]

#[path = "../common/mod.rs"]
mod common;
mod support;

mod answers;
mod config;
mod listeners;
mod mini_program;
mod one_shot;
mod open_tags;
mod share;
mod undocumented;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
