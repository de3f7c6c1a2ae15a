//! The XML guard every push body passes (in the same pass as reading it), and the writer replies and pushes are
//! built with.
//!
//! WeChat's XML is flat and never declares a DTD, so anything with a DOCTYPE, an entity other than the five
//! predefined ones, or deep nesting is refused outright: no entity is ever expanded (billion laughs, external
//! entities) and the work is linear in the body, which [`MAX_BODY_BYTES`] bounds.
//!
//! quick-xml's pull reader does the guarding. Bodies in the plain shape WeChat sends take a fast path first
//! ([`flat`]), which accepts only markup with nothing to guard against and hands everything else to quick-xml.

use std::borrow::Cow;

use quick_xml::Reader;
use quick_xml::events::Event;

mod flat;

#[cfg(feature = "oracle")]
pub(crate) use flat::oracle::fast_path_agrees;

/// The largest push body accepted (64 KiB). WeChat's pushes are a few hundred bytes; the server answers a larger
/// body with 413 before reading it.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// WeChat's deepest element is `SendPicsInfo/PicList/item/PicMd5Sum` under `xml`: depth 5.
const MAX_DEPTH: usize = 8;

/// Why a push or reply body is not acceptable XML. Each variant says what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The body is larger than [`MAX_BODY_BYTES`].
    #[error("the body is {len} bytes, more than the {limit}-byte limit")]
    TooLarge {
        /// The body length.
        len: usize,
        /// The limit, [`MAX_BODY_BYTES`].
        limit: usize,
    },
    /// The body is not UTF-8 (WeChat always sends UTF-8).
    #[error("the body is not UTF-8")]
    NotUtf8,
    /// The body declares a DOCTYPE; WeChat never does, and DTDs enable entity attacks.
    #[error("DOCTYPE declarations are refused")]
    Doctype,
    /// The body references an entity other than `&lt; &gt; &amp; &apos; &quot;` or a character reference.
    #[error("entity `&{0};` is refused: only the five predefined XML entities are allowed")]
    Entity(String),
    /// Elements nest deeper than any WeChat push.
    #[error("elements nest deeper than {0} levels")]
    TooDeep(usize),
    /// The body is not well-formed XML or does not have the expected shape.
    #[error("malformed XML: {0}")]
    Malformed(String),
    /// A field the message type requires is absent.
    #[error("`{msg_type}` lacks the required <{field}> element")]
    MissingField {
        /// The MsgType (and Event) being parsed.
        msg_type: String,
        /// The missing element.
        field: &'static str,
    },
    /// A numeric field does not hold a number.
    #[error("<{field}> should be a number, found `{value}`")]
    BadNumber {
        /// The element.
        field: &'static str,
        /// Its text.
        value: String,
    },
}

/// What one guarded pass over a body reports: elements opening and closing (the root at depth 1) and their text,
/// already unescaped. Text between elements (indentation) is reported too: visitors keep only their fields' text.
///
/// Text is borrowed from the body (`'a`) wherever it can be, so a visitor copies only what it keeps.
pub(crate) trait XmlVisitor<'a> {
    /// An element opens (an empty element opens and closes).
    fn start(&mut self, _depth: usize, _name: &str) {}
    /// A piece of text inside the innermost open element (an element's text may come in several pieces: CDATA
    /// sections and references split it).
    fn text(&mut self, _text: Cow<'a, str>) {}
    /// The innermost open element closes.
    fn end(&mut self) {}
}

/// The guard alone.
impl XmlVisitor<'_> for () {}

/// Adds a piece of an element's text to what came before. The first piece is kept as it came (borrowed from the
/// body, and usually the whole text); only text in several pieces is copied to be joined.
pub(crate) fn append<'a>(text: &mut Cow<'a, str>, piece: Cow<'a, str>) {
    if text.is_empty() {
        *text = piece;
    } else if !piece.is_empty() {
        text.to_mut().push_str(&piece);
    }
}

/// Checks size, encoding and structure, returning the body as text. Linear in the input and allocation-free
/// beyond the reader's own state.
pub(crate) fn guard(body: &[u8]) -> Result<&str, ParseError> {
    read(body, &mut ())
}

/// The guard and, in the same pass, the text of the root's children named in `names` (the first of each wins),
/// borrowed from the body where it can be: for the flat envelopes (`<xml><Encrypt>…`), which are read on every
/// encrypted push.
pub(crate) fn flat_fields<'a, const N: usize>(
    body: &'a [u8],
    names: [&str; N],
) -> Result<[Option<Cow<'a, str>>; N], ParseError> {
    struct Flat<'a, 'n, const N: usize> {
        names: [&'n str; N],
        fields: [Option<Cow<'a, str>>; N],
        open: Option<usize>,
    }
    impl<'a, const N: usize> XmlVisitor<'a> for Flat<'a, '_, N> {
        fn start(&mut self, depth: usize, name: &str) {
            self.open = None;
            if depth == 2
                && let Some(i) = self.names.iter().position(|n| *n == name)
                && let Some(field @ None) = self.fields.get_mut(i)
            {
                *field = Some(Cow::Borrowed(""));
                self.open = Some(i);
            }
        }
        fn text(&mut self, text: Cow<'a, str>) {
            if let Some(Some(field)) = self.open.and_then(|i| self.fields.get_mut(i)) {
                append(field, text);
            }
        }
        fn end(&mut self) {
            self.open = None;
        }
    }
    let mut flat = Flat {
        names,
        fields: std::array::from_fn(|_| None),
        open: None,
    };
    read(body, &mut flat)?;
    Ok(flat.fields)
}

/// The one pass every body gets: size, UTF-8, no DOCTYPE, only predefined and character references, bounded
/// depth; what passes is reported to `visitor`. Returns the body as text.
pub(crate) fn read<'a>(body: &'a [u8], visitor: &mut impl XmlVisitor<'a>) -> Result<&'a str, ParseError> {
    // Size first: an oversized body is refused before it is scanned for UTF-8.
    within_limit(body.len())?;
    let text = std::str::from_utf8(body).map_err(|_| ParseError::NotUtf8)?;
    read_text(text, visitor)
}

fn within_limit(len: usize) -> Result<(), ParseError> {
    if len > MAX_BODY_BYTES {
        return Err(ParseError::TooLarge {
            len,
            limit: MAX_BODY_BYTES,
        });
    }
    Ok(())
}

/// [`read`] for a body already known to be text (a verified push's XML): the same checks but UTF-8.
pub(crate) fn read_text<'a>(text: &'a str, visitor: &mut impl XmlVisitor<'a>) -> Result<&'a str, ParseError> {
    within_limit(text.len())?;
    match flat::scan(text) {
        Some(pieces) => {
            pieces.replay(visitor);
            Ok(text)
        }
        None => read_quick_xml(text, visitor),
    }
}

/// quick-xml's guarded pull reader: every body the plain fast path ([`flat`]) does not take.
fn read_quick_xml<'a>(text: &'a str, visitor: &mut impl XmlVisitor<'a>) -> Result<&'a str, ParseError> {
    let mut reader = Reader::from_str(text);
    let mut depth = 0usize;
    loop {
        let event = reader.read_event().map_err(|e| ParseError::Malformed(e.to_string()))?;
        match event {
            Event::DocType(_) => return Err(ParseError::Doctype),
            Event::GeneralRef(r) => {
                let piece = match &*r {
                    "lt" => Cow::Borrowed("<"),
                    "gt" => Cow::Borrowed(">"),
                    "amp" => Cow::Borrowed("&"),
                    "apos" => Cow::Borrowed("'"),
                    "quot" => Cow::Borrowed("\""),
                    name if r.is_char_ref() => match r.resolve_char_ref() {
                        // Rare in a push (the writer's `&#13;`): one small copy each.
                        Ok(Some(c)) => Cow::Owned(String::from(c)),
                        _ => return Err(ParseError::Malformed(format!("bad character reference `&{name};`"))),
                    },
                    name => return Err(ParseError::Entity(name.chars().take(32).collect())),
                };
                visitor.text(piece);
            }
            Event::Start(start) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(ParseError::TooDeep(MAX_DEPTH));
                }
                visitor.start(depth, start.name().as_ref());
            }
            Event::Empty(empty) => {
                visitor.start(depth + 1, empty.name().as_ref());
                visitor.end();
            }
            Event::Text(t) => visitor.text(t.xml10_content()),
            Event::CData(c) => visitor.text(c.xml10_content()),
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                visitor.end();
            }
            Event::Eof => return Ok(text),
            _ => {}
        }
    }
}

/// Deserializes a guarded body into a serde shape.
pub(crate) fn from_guarded<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, ParseError> {
    quick_xml::de::from_str(text).map_err(|e| ParseError::Malformed(e.to_string()))
}

/// Parses a number field with a typed error.
pub(crate) fn number<T: std::str::FromStr>(field: &'static str, value: &str) -> Result<T, ParseError> {
    value.trim().parse().map_err(|_| ParseError::BadNumber {
        field,
        value: value.chars().take(64).collect(),
    })
}

/// A small writer for WeChat's XML dialect: `<xml>` root, text in CDATA, numbers bare.
///
/// Element names are this crate's constants, so only text needs care, and CDATA needs none beyond splitting at
/// `]]>`: the document is appended straight to a `String` (a push's reply is on the hot path of `POST /wechat`).
pub(crate) struct XmlOut {
    out: String,
}

impl XmlOut {
    /// Opens `<xml>`.
    pub(crate) fn new() -> Self {
        Self::with_capacity(256)
    }

    /// Opens `<xml>` in a buffer sized for `capacity` bytes (an envelope knows its size up front).
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        let mut out = Self {
            out: String::with_capacity(capacity),
        };
        out.start("xml");
        out
    }

    pub(crate) fn start(&mut self, name: &str) {
        self.out.push('<');
        self.out.push_str(name);
        self.out.push('>');
    }

    pub(crate) fn end(&mut self, name: &str) {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    /// `<name><![CDATA[value]]></name>`, splitting the section wherever `value` contains `]]>` (as
    /// `]]` | `>`). A carriage return is written as `&#13;` between sections: XML parsers turn a literal CR (even
    /// inside CDATA) into LF.
    pub(crate) fn cdata(&mut self, name: &str, value: &str) {
        self.start(name);
        // Most text (and every base64 `Encrypt`) has neither: one section, one vectorised scan.
        if memchr::memchr2(b'\r', b']', value.as_bytes()).is_none() {
            self.section(value);
            self.end(name);
            return;
        }
        for (i, line) in value.split('\r').enumerate() {
            if i > 0 {
                self.out.push_str("&#13;");
            }
            if line.is_empty() && value.contains('\r') {
                continue;
            }
            let mut rest = line;
            while let Some(at) = rest.find("]]>") {
                self.section(&rest[..at + 2]);
                rest = &rest[at + 2..];
            }
            self.section(rest);
        }
        self.end(name);
    }

    fn section(&mut self, text: &str) {
        self.out.push_str("<![CDATA[");
        self.out.push_str(text);
        self.out.push_str("]]>");
    }

    /// `<name><![CDATA[base64]]></name>` encoded straight into the document (base64 needs no CDATA splitting);
    /// returns where the base64 text lies in [`as_str`](Self::as_str).
    pub(crate) fn base64_cdata(&mut self, name: &str, bytes: &[u8]) -> std::ops::Range<usize> {
        self.start(name);
        self.out.push_str("<![CDATA[");
        let start = self.out.len();
        base64_simd::STANDARD.encode_append(bytes, &mut self.out);
        let encoded = start..self.out.len();
        self.out.push_str("]]>");
        self.end(name);
        encoded
    }

    /// The document so far.
    pub(crate) fn as_str(&self) -> &str {
        &self.out
    }

    /// `<name>value</name>` for numbers.
    pub(crate) fn bare(&mut self, name: &str, value: impl std::fmt::Display) {
        use std::fmt::Write as _;
        self.start(name);
        // Writing into a String cannot fail.
        let _infallible = write!(self.out, "{value}");
        self.end(name);
    }

    /// Closes `<xml>` and returns the document.
    pub(crate) fn finish(mut self) -> String {
        self.end("xml");
        self.out
    }
}
