//! Safe-mode crypto at the public boundary, cross-checked against an independent implementation on Python's
//! `cryptography` package (tests/py/wechat_crypto.py): byte-exact ciphertexts for a fixed prefix, and each side
//! decrypting what the other encrypted.

use std::io::Write;
use std::process::{Command, Stdio};

use wx_push::{CryptoError, EncodingAesKey, PushCipher};

const KEY: &str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
const APPID: &str = "wx2c2769f8efd9abc2";
const PREFIX: [u8; 16] = *b"0123456789abcdef";

fn cipher() -> PushCipher {
    PushCipher::new(EncodingAesKey::parse(KEY).expect("valid key"), APPID)
}

/// Runs the Python implementation; a missing python3 or `cryptography` fails the test with what to install.
fn python(args: &[&str], stdin: &[u8]) -> String {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/py/wechat_crypto.py");
    let mut child = Command::new("python3")
        .arg(script)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 is needed for the cross-check (cargo xtask setup installs it)");
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(stdin)
        .expect("write to python");
    let out = child.wait_with_output().expect("python runs");
    assert!(
        out.status.success(),
        "python failed (is the `cryptography` package installed? `pip install cryptography`): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("python prints ASCII")
        .trim()
        .to_owned()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// XML lengths chosen around the 32-byte padding: the frame is 20 + len + 18 (appid) bytes.
fn messages() -> Vec<(&'static str, String)> {
    vec![
        ("empty XML", String::new()),
        ("frame one short of 64: pad 1", "x".repeat(25)),
        ("frame exactly 64: a whole pad block", "x".repeat(26)),
        ("frame one past 64: pad 31", "x".repeat(27)),
        ("frame exactly 96", "y".repeat(58)),
        ("non-ASCII", "<xml><Content><![CDATA[你好，世界 😀]]></Content></xml>".to_owned()),
        ("a real push", "<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName><CreateTime>1409735668</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[abcdteT]]></Content><MsgId>6054768590064713728</MsgId></xml>".to_owned()),
        ("4 KiB", "z".repeat(4096)),
    ]
}

#[test]
fn rust_and_python_produce_identical_ciphertexts_for_a_fixed_prefix() {
    for (name, xml) in messages() {
        let ours = cipher().encrypt_with_prefix(&xml, PREFIX).expect("encrypts");
        let theirs = python(&["encrypt", KEY, APPID, &hex(&PREFIX)], xml.as_bytes());
        assert_eq!(ours, theirs, "{name}");
    }
}

#[test]
fn python_decrypts_what_rust_encrypts_with_a_random_prefix() {
    for (name, xml) in messages() {
        let ours = cipher().encrypt(&xml).expect("encrypts");
        assert_eq!(
            python(&["decrypt", KEY, APPID], ours.as_bytes()),
            hex(xml.as_bytes()),
            "{name}"
        );
    }
}

#[test]
fn rust_decrypts_what_python_encrypts() {
    for (name, xml) in messages() {
        let theirs = python(
            &["encrypt", KEY, APPID, "ffeeddccbbaa99887766554433221100"],
            xml.as_bytes(),
        );
        assert_eq!(cipher().decrypt(&theirs), Ok(xml), "{name}");
    }
}

#[test]
fn random_prefixes_differ_between_encryptions() {
    let a = cipher().encrypt("<xml/>").expect("encrypts");
    let b = cipher().encrypt("<xml/>").expect("encrypts");
    assert_ne!(a, b);
}

#[test]
fn malformed_frames_are_typed_errors() {
    // Frames built by hand and encrypted raw by Python: (name, plaintext, expected).
    let frame = |len: u32, xml: &[u8], appid: &[u8], pad: &[u8]| {
        let mut p = PREFIX.to_vec();
        p.extend_from_slice(&len.to_be_bytes());
        p.extend_from_slice(xml);
        p.extend_from_slice(appid);
        p.extend_from_slice(pad);
        p
    };
    let pad_to_32 = |mut p: Vec<u8>| {
        let n = 32 - p.len() % 32;
        p.resize(p.len() + n, n as u8);
        p
    };
    let cases: Vec<(&str, Vec<u8>, CryptoError)> = vec![
        (
            "pad byte 0",
            [vec![1u8; 31], vec![0]].concat(),
            CryptoError::Padding { value: 0 },
        ),
        ("pad byte 33", vec![33u8; 64], CryptoError::Padding { value: 33 }),
        (
            "inconsistent pad",
            [vec![1u8; 29], vec![2, 3, 3]].concat(),
            CryptoError::Padding { value: 3 },
        ),
        (
            "length beyond the text",
            pad_to_32(frame(1000, b"<xml/>", APPID.as_bytes(), &[])),
            CryptoError::MessageLength {
                declared: 1000,
                available: 6 + 18,
            },
        ),
        (
            "shorter than the header",
            vec![16u8; 16].into_iter().chain([16u8; 16]).collect(),
            CryptoError::MessageLength {
                declared: 0,
                available: 0,
            },
        ),
        (
            "another account's appid",
            pad_to_32(frame(6, b"<xml/>", b"wx_someone_else", &[])),
            CryptoError::AppIdMismatch {
                expected: APPID.into(),
                found: "wx_someone_else".into(),
            },
        ),
        (
            "not UTF-8",
            pad_to_32(frame(2, &[0xff, 0xfe], APPID.as_bytes(), &[])),
            CryptoError::NotUtf8,
        ),
    ];
    for (name, plain, expected) in cases {
        assert_eq!(plain.len() % 16, 0, "{name}: test frame must be whole blocks");
        let encrypted = python(&["raw", KEY, APPID], hex(&plain).as_bytes());
        assert_eq!(cipher().decrypt(&encrypted), Err(expected), "{name}");
    }
}

#[test]
fn bad_ciphertext_encodings_are_typed_errors() {
    let cases = [
        ("not base64", "!!!!", CryptoError::CiphertextBase64),
        ("empty", "", CryptoError::CiphertextLength { len: 0 }),
        (
            "15 bytes",
            "AAAAAAAAAAAAAAAAAAAA",
            CryptoError::CiphertextLength { len: 15 },
        ),
    ];
    for (name, encrypted, expected) in cases {
        assert_eq!(cipher().decrypt(encrypted), Err(expected), "{name}");
    }
}

#[test]
fn a_wrong_key_never_yields_a_message() {
    let encrypted = cipher()
        .encrypt_with_prefix("<xml>secret</xml>", PREFIX)
        .expect("encrypts");
    let other = PushCipher::new(EncodingAesKey::parse(&"A".repeat(43)).expect("valid key"), APPID);
    assert!(other.decrypt(&encrypted).is_err());
}

#[test]
fn encoding_aes_keys_are_validated() {
    let cases: [(String, CryptoError); 5] = [
        ("a".repeat(42), CryptoError::KeyLength { found: 42 }),
        ("a".repeat(44), CryptoError::KeyLength { found: 44 }),
        (String::new(), CryptoError::KeyLength { found: 0 }),
        (format!("{}!", "a".repeat(42)), CryptoError::KeyBase64),
        (format!("{}é", "a".repeat(42)), CryptoError::KeyBase64),
    ];
    for (key, expected) in cases {
        assert_eq!(EncodingAesKey::parse(&key), Err(expected), "{key:?}");
    }
}

#[test]
fn the_key_matches_pythons_decoding_and_never_prints() {
    let key = EncodingAesKey::parse(KEY).expect("valid key");
    let script = "import base64,sys; print(base64.b64decode(sys.argv[1] + '=').hex())";
    let out = Command::new("python3")
        .args(["-c", script, KEY])
        .output()
        .expect("python3 runs");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), hex(key.as_bytes()));
    assert!(!format!("{key:?} {:?}", cipher()).contains(&hex(&key.as_bytes()[..4])));
    // The simulator's signer holds the server token: its Debug names neither.
    let signer = format!("{:?}", wx_push::PushSigner::safe("server-token-7", cipher()));
    assert!(
        !signer.contains("server-token-7") && !signer.contains(&hex(&key.as_bytes()[..4])),
        "{signer}"
    );
}

#[test]
fn sealed_replies_verify_and_open_and_tampering_is_caught() {
    let sealed = cipher()
        .seal("token", "<xml>reply</xml>", 1700000000, "nonce123")
        .expect("seals");
    assert_eq!(
        cipher().open_sealed("token", sealed.as_bytes()),
        Ok("<xml>reply</xml>".to_owned())
    );
    assert!(cipher().open_sealed("other-token", sealed.as_bytes()).is_err());
    let tampered = sealed.replace("<TimeStamp>1700000000", "<TimeStamp>1700000001");
    assert!(cipher().open_sealed("token", tampered.as_bytes()).is_err());
    assert_eq!(cipher().seal("", "<xml/>", 1, "n"), Err(CryptoError::EmptyToken));
}
