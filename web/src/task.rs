//! Running the page's async work (JS-SDK calls, the backend) in the browser's event loop.

use std::{future::Future, pin::Pin};

/// Runs `future` to completion in the background, through one boxed, non-generic entry to `spawn_local`
/// (ARCHITECTURE.md, "Size rules").
pub fn spawn(future: impl Future<Output = ()> + 'static) {
    spawn_boxed(Box::pin(future));
}

#[inline(never)]
fn spawn_boxed(future: Pin<Box<dyn Future<Output = ()>>>) {
    yew::platform::spawn_local(future);
}
