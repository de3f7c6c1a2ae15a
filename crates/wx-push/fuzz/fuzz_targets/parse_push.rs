//! The push parser on arbitrary bytes: never panics, whatever parses survives a write/parse round trip, and the
//! plain-shape fast path reads every body it takes exactly as quick-xml's reader does.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wx_push::{Push, PushBody, ReplyMessage};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Err(difference) = wx_push::oracle::fast_path_agrees(text)
    {
        panic!("the fast path and quick-xml disagree on {text:?}:\n{difference}");
    }
    if let Ok(push) = Push::parse(data) {
        // Unknown pushes are kept verbatim; known ones must re-parse to the same value. NaN coordinates are the
        // one value that cannot compare equal to itself.
        let xml = push.to_xml();
        let again = Push::parse(xml.as_bytes()).expect("written XML parses");
        if !matches!(push.body, PushBody::Unknown { .. }) && !format!("{push:?}").contains("NaN") {
            assert_eq!(again, push, "round trip of {xml}");
        }
    }
    let _ = ReplyMessage::parse(data);
});
