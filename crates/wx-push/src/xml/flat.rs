//! The fast path for the XML WeChat actually sends: a root element, child elements without attributes, text in
//! CDATA sections or plain, whitespace between. Anything else (a declaration, a comment, a DOCTYPE, an attribute,
//! a reference, a carriage return, a name outside ASCII letters, digits and `_-.:`) makes [`scan`] give up, and
//! the body goes to quick-xml's guarded reader, which decides it.
//!
//! So this path never meets a DTD or an entity, has nothing to expand, and is one forward pass. For every body it
//! accepts, visitors see what quick-xml's reader would have shown them: the tests and the `parse_push` fuzz target
//! check exactly that. quick-xml's per-event cost was most of a push's parse, and a push is parsed twice in safe
//! mode (envelope, then message).

use memchr::{memchr, memchr2};

use super::{MAX_DEPTH, XmlVisitor};

/// One thing the pass found, in document order.
#[derive(Clone, Copy)]
enum Piece<'a> {
    /// An element opens, at this depth (the root at 1).
    Start(usize, &'a str),
    /// Text inside the innermost open element.
    Text(&'a str),
    /// The innermost open element closes.
    End,
}

/// More than any WeChat push holds (a `pic_photo_or_album` event with nine pictures has about 80); a longer body
/// goes to quick-xml.
const MAX_PIECES: usize = 160;

/// What [`scan`] accepted, for [`replay`](Pieces::replay): a visitor sees nothing of a body the fast path gives
/// up on halfway.
pub(super) struct Pieces<'a>(Vec<Piece<'a>>);

impl<'a> Pieces<'a> {
    fn push(&mut self, piece: Piece<'a>) -> Option<()> {
        if self.0.len() == MAX_PIECES {
            return None;
        }
        self.0.push(piece);
        Some(())
    }

    /// Shows the accepted body to `visitor`.
    pub(super) fn replay(&self, visitor: &mut impl XmlVisitor<'a>) {
        for piece in &self.0 {
            match *piece {
                Piece::Start(depth, name) => visitor.start(depth, name),
                Piece::Text(text) => visitor.text(text.into()),
                Piece::End => visitor.end(),
            }
        }
    }
}

/// The pieces of `text` when it is in the plain shape described above, `None` when quick-xml must decide.
pub(super) fn scan(text: &str) -> Option<Pieces<'_>> {
    let bytes = text.as_bytes();
    // A text message is about 20 pieces: one allocation, grown at most twice for the largest events.
    let mut pieces = Pieces(Vec::with_capacity(48));
    let mut open: [&str; MAX_DEPTH] = [""; MAX_DEPTH];
    let mut depth = 0;
    let mut at = skip_space(bytes, 0);
    loop {
        if bytes.get(at) != Some(&b'<') {
            // Text: only inside the root, and without references or carriage returns (quick-xml rewrites those).
            if depth == 0 {
                return None;
            }
            let end = at + memchr(b'<', bytes.get(at..)?)?;
            let piece = text.get(at..end)?;
            if memchr2(b'&', b'\r', piece.as_bytes()).is_some() {
                return None;
            }
            pieces.push(Piece::Text(piece))?;
            at = end;
            continue;
        }
        match bytes.get(at + 1)? {
            b'/' => {
                let name_end = name_end(bytes, at + 2)?;
                if bytes.get(name_end) != Some(&b'>') || depth == 0 || text.get(at + 2..name_end)? != open[depth - 1] {
                    return None;
                }
                depth -= 1;
                pieces.push(Piece::End)?;
                at = name_end + 1;
            }
            b'!' => {
                const OPEN: &[u8] = b"<![CDATA[";
                if depth == 0 || !bytes.get(at..)?.starts_with(OPEN) {
                    return None;
                }
                let start = at + OPEN.len();
                let end = start + cdata_end(bytes.get(start..)?)?;
                let piece = text.get(start..end)?;
                if memchr(b'\r', piece.as_bytes()).is_some() {
                    return None;
                }
                pieces.push(Piece::Text(piece))?;
                at = end + 3;
            }
            _ => {
                let name_end = name_end(bytes, at + 1)?;
                let name = text.get(at + 1..name_end)?;
                if depth == MAX_DEPTH {
                    return None;
                }
                pieces.push(Piece::Start(depth + 1, name))?;
                match bytes.get(name_end..name_end + 2)? {
                    [b'>', _] => {
                        open[depth] = name;
                        depth += 1;
                        at = name_end + 1;
                    }
                    b"/>" => {
                        pieces.push(Piece::End)?;
                        at = name_end + 2;
                    }
                    _ => return None,
                }
            }
        }
        if depth == 0 {
            // The root closed: only whitespace may follow.
            return (skip_space(bytes, at) == bytes.len()).then_some(pieces);
        }
    }
}

/// Where `]]>` starts in `bytes` (one vector scan for `]`, which base64 and most text never contain).
fn cdata_end(bytes: &[u8]) -> Option<usize> {
    let mut from = 0;
    loop {
        let at = from + memchr(b']', bytes.get(from..)?)?;
        if bytes.get(at..at + 3) == Some(b"]]>") {
            return Some(at);
        }
        from = at + 1;
    }
}

/// Where the element name starting at `from` ends; `None` for an empty name or one that does not start with a
/// letter or `_`.
fn name_end(bytes: &[u8], from: usize) -> Option<usize> {
    let first = *bytes.get(from)?;
    if !(first.is_ascii_alphabetic() || first == b'_') {
        return None;
    }
    let len = bytes[from..]
        .iter()
        .position(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':')))
        .unwrap_or(bytes.len() - from);
    Some(from + len)
}

/// The first position at or after `from` that is not a space, tab or line feed.
fn skip_space(bytes: &[u8], from: usize) -> usize {
    from + bytes
        .get(from..)
        .unwrap_or_default()
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t' | b'\n'))
        .unwrap_or(bytes.len().saturating_sub(from))
}

/// The check the tests and the fuzz target run: for a body the fast path takes, quick-xml's reader must accept it
/// and show a visitor the same elements and text.
#[cfg(any(test, feature = "oracle"))]
pub(crate) mod oracle {
    use std::borrow::Cow;

    use super::super::{XmlVisitor, read_quick_xml};

    /// What a visitor is shown, with text joined per element and text outside the root dropped (the fast path
    /// skips the whitespace there; no visitor reads it).
    #[derive(Debug, Default, PartialEq)]
    struct Shown {
        items: Vec<String>,
        depth: usize,
    }

    impl XmlVisitor<'_> for Shown {
        fn start(&mut self, depth: usize, name: &str) {
            self.depth = depth;
            self.items.push(format!("<{depth} {name}>"));
        }
        fn text(&mut self, text: Cow<'_, str>) {
            if self.depth == 0 || text.is_empty() {
                return;
            }
            match self.items.last_mut() {
                Some(last) if last.starts_with('"') => last.push_str(&text),
                _ => self.items.push(format!("\"{text}")),
            }
        }
        fn end(&mut self) {
            self.depth = self.depth.saturating_sub(1);
            self.items.push("/".to_owned());
        }
    }

    /// `Ok(true)` when the fast path takes `text` and agrees with quick-xml, `Ok(false)` when it leaves `text` to
    /// quick-xml, `Err` saying how they differ otherwise.
    pub(crate) fn fast_path_agrees(text: &str) -> Result<bool, String> {
        let Some(pieces) = super::scan(text) else {
            return Ok(false);
        };
        let mut fast = Shown::default();
        pieces.replay(&mut fast);
        let mut slow = Shown::default();
        read_quick_xml(text, &mut slow).map_err(|e| format!("the fast path took a body quick-xml refuses: {e}"))?;
        if fast == slow {
            Ok(true)
        } else {
            Err(format!("fast path {:?}\nquick-xml {:?}", fast.items, slow.items))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::oracle::fast_path_agrees;
    use crate::{Event, Message, Push, PushBody, ScanCodeInfo, Scene, SendLocationInfo, SendPicsInfo};

    fn push(body: PushBody) -> Push {
        Push {
            to_user_name: "gh_account".into(),
            from_user_name: "o_user".into(),
            create_time: 1_700_000_000,
            body,
        }
    }

    #[test]
    fn every_push_this_crate_writes_takes_the_fast_path_and_agrees_with_quick_xml() {
        let pushes = [
            PushBody::Message(Message::Text {
                content: "hi <there> & \"you\" ]]> again".into(),
                msg_id: 1,
            }),
            PushBody::Message(Message::Location {
                latitude: 23.1,
                longitude: 113.3,
                scale: 15,
                label: "广州".into(),
                msg_id: 2,
            }),
            PushBody::Event(Event::Subscribe {
                scene: Some(Scene {
                    value: "123".into(),
                    ticket: Some("t".into()),
                }),
            }),
            PushBody::Event(Event::ScanCodePush {
                key: "k".into(),
                info: ScanCodeInfo {
                    scan_type: "qrcode".into(),
                    scan_result: "r".into(),
                },
            }),
            PushBody::Event(Event::PicPhotoOrAlbum {
                key: "k".into(),
                pics: SendPicsInfo {
                    count: 9,
                    pic_md5_sums: (0..9).map(|i| format!("{i:032x}")).collect(),
                },
            }),
            PushBody::Event(Event::LocationSelect {
                key: "k".into(),
                location: SendLocationInfo {
                    latitude: 1.0,
                    longitude: 2.0,
                    scale: 3,
                    label: "l".into(),
                    poi_name: None,
                },
            }),
        ];
        for body in pushes {
            let xml = push(body).to_xml();
            assert_eq!(fast_path_agrees(&xml), Ok(true), "{xml}");
        }
    }

    #[test]
    fn plain_shapes_take_the_fast_path_and_agree_with_quick_xml() {
        for xml in [
            "<xml/>",
            " \n<xml>\n\t<A>text > with gt</A>\n</xml>\n",
            "<xml><A></A><B/><C><![CDATA[]]></C><D><![CDATA[a]]]]><![CDATA[>b]]></D></xml>",
            "<xml><A>one<![CDATA[two]]>three</A></xml>",
            "<xml><a.b-c:d_e>x</a.b-c:d_e></xml>",
            "<xml><A>]] ] ]]</A><B><![CDATA[] ]] ]>]]></B><C>a]]>b</C></xml>",
            "<xml><A>\tü 微信 😀</A></xml>",
            "<r><a><b><c><d><e><f><g>deep</g></f></e></d></c></b></a></r>",
        ] {
            assert_eq!(fast_path_agrees(xml), Ok(true), "{xml}");
        }
    }

    /// Everything outside the plain shape is quick-xml's to decide, including every body its guard refuses.
    #[test]
    fn anything_else_goes_to_quick_xml() {
        for xml in [
            "",
            "   ",
            "text",
            "<?xml version=\"1.0\"?><xml/>",
            "<!DOCTYPE x [<!ENTITY a \"b\">]><xml>&a;</xml>",
            "<xml><!-- comment --></xml>",
            "<xml><A>&amp;</A></xml>",
            "<xml><A>&#13;</A></xml>",
            "<xml><A a=\"1\">x</A></xml>",
            "<xml ><A/></xml>",
            "<xml><A>x</B></xml>",
            "<xml><A>x</A >",
            "<xml><A>x</A>",
            "<xml><A>a\r\nb</A></xml>",
            "<xml><A><![CDATA[a\rb]]></A></xml>",
            "<xml><A><![CDATA[unterminated</A></xml>",
            "<xml></xml>trailing",
            "<xml></xml><xml></xml>",
            "\u{feff}<xml/>",
            "<1a/>",
            "<é/>",
            "< xml/>",
            "<xml/ >",
            "<r><a><b><c><d><e><f><g><h>too deep</h></g></f></e></d></c></b></a></r>",
        ] {
            assert_eq!(fast_path_agrees(xml), Ok(false), "{xml:?}");
        }
        let long = format!("<xml>{}</xml>", "<A/>".repeat(super::MAX_PIECES));
        assert_eq!(fast_path_agrees(&long), Ok(false), "more pieces than any push");
    }
}
