//! The whole verification path (query parsing, envelope, msg_signature) on arbitrary query and body: never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wx_push::{EncodingAesKey, PushCipher, PushQuery, PushVerifier};

fuzz_target!(|input: (&str, &[u8])| {
    let (query, body) = input;
    let Ok(key) = EncodingAesKey::parse("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG") else { return };
    let verifier = PushVerifier::new("token", Some(PushCipher::new(key, "wxid")));
    let _ = verifier.verify(&PushQuery::parse(query), body);
});
