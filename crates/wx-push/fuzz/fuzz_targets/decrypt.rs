//! The safe-mode decryptor: arbitrary `Encrypt` text, arbitrary ciphertext bytes (so the padding and frame checks
//! see pseudo-random plaintexts) and arbitrary XML to encrypt. Never panics; what encrypts decrypts back.
#![no_main]

use base64::Engine as _;
use libfuzzer_sys::fuzz_target;
use wx_push::{EncodingAesKey, PushCipher};

fuzz_target!(|data: &[u8]| {
    let Ok(key) = EncodingAesKey::parse("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG") else { return };
    let cipher = PushCipher::new(key, "wx2c2769f8efd9abc2");
    // Whole AES blocks of fuzzer bytes, as WeChat would base64 them.
    let blocks = &data[..data.len() - data.len() % 16];
    let _ = cipher.decrypt(&base64::engine::general_purpose::STANDARD.encode(blocks));
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = cipher.decrypt(text);
        let _ = cipher.open_sealed("token", data);
        let encrypted = cipher.encrypt_with_prefix(text, [0x5a; 16]).expect("encrypts");
        assert_eq!(cipher.decrypt(&encrypted).as_deref(), Ok(text));
    }
});
