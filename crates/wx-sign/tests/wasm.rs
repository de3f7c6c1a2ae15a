//! The same crate in a real browser (headless Chromium): Web Crypto for the nonce, the JS clock, and the
//! documented vector.
#![cfg(all(target_arch = "wasm32", target_os = "unknown"))]

use wasm_bindgen_test::*;
wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn signs_the_documented_vector_in_the_browser() {
    let s = wx_sign::sign_config(
        "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg",
        "Wm3WZYTPz0wzccnW",
        1414587457,
        "http://mp.weixin.qq.com?params=value",
    )
    .unwrap();
    assert_eq!(s.signature, "0f9de62fce790f9a083d5c99e95740ceb90c27ed");
}

#[wasm_bindgen_test]
fn nonce_and_clock_work_in_the_browser() {
    let a = wx_sign::nonce().unwrap();
    let b = wx_sign::nonce().unwrap();
    assert_eq!(a.len(), 16);
    assert_ne!(a, b);
    assert!(wx_sign::unix_timestamp() > 1_700_000_000);
}
