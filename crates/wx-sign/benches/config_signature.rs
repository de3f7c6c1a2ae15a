//! One JS-SDK config signature, against the bare SHA-1 (+ hex) of the same canonical string as the baseline.
//! Native only: criterion does not build for wasm32, where `cargo clippy --all-targets` still compiles this file.

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use criterion::{Criterion, criterion_group};
    use sha1::{Digest, Sha1};
    use std::hint::black_box;

    const TICKET: &str = "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg";
    const URL: &str = "https://h5.example.com/share/index.html?from=singlemessage&isappinstalled=0&id=12345";
    const NONCE: &str = "Wm3WZYTPz0wzccnW";

    fn bench(c: &mut Criterion) {
        let canonical = wx_sign::canonical_config_string(TICKET, NONCE, 1414587457, URL).unwrap();
        c.bench_function("baseline_sha1_same_bytes", |b| {
            b.iter(|| format!("{:x}", Sha1::digest(black_box(canonical.as_bytes()))))
        });
        c.bench_function("sign_config", |b| {
            b.iter(|| wx_sign::sign_config(black_box(TICKET), black_box(NONCE), 1414587457, black_box(URL)))
        });
    }

    criterion_group!(benches, bench);
}

#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_main!(native::benches);

#[cfg(target_arch = "wasm32")]
fn main() {}
