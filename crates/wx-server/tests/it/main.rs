//! wx-server's integration tests: one test binary, one module per subject, sharing the helpers in `common`
//! (compiled once, every helper used somewhere).

mod common;

mod accounts;
mod api;
mod cli;
mod connections;
mod faults;
mod oauth;
mod photos;
mod processes;
mod push;
mod push_cli;
mod push_guard;
mod push_shared;
mod qrcode;
mod rules;
mod secret_grep;
mod service;
mod static_files;
mod stores;
