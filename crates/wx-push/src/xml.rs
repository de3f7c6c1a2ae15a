//! The XML guard every push body passes before serde sees it, and the writer replies and pushes are built with.
//!
//! WeChat's XML is flat and never declares a DTD, so anything with a DOCTYPE, an entity other than the five
//! predefined ones, or deep nesting is refused outright: no entity is ever expanded (billion laughs, external
//! entities) and the work is linear in the body, which [`MAX_BODY_BYTES`] bounds.

use quick_xml::Reader;
use quick_xml::Writer;
use quick_xml::events::{BytesCData, BytesEnd, BytesStart, BytesText, Event};

/// The largest push body accepted (64 KiB). WeChat's pushes are a few hundred bytes; the server answers a larger
/// body with 413 before reading it.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// WeChat's deepest element is `SendPicsInfo/PicList/item/PicMd5Sum` under `xml`: depth 5.
const MAX_DEPTH: usize = 8;

const PREDEFINED_ENTITIES: [&str; 5] = ["lt", "gt", "amp", "apos", "quot"];

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

/// Checks size, encoding and structure, returning the body as text. Linear in the input and allocation-free
/// beyond the reader's own state.
pub(crate) fn guard(body: &[u8]) -> Result<&str, ParseError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(ParseError::TooLarge {
            len: body.len(),
            limit: MAX_BODY_BYTES,
        });
    }
    let text = std::str::from_utf8(body).map_err(|_| ParseError::NotUtf8)?;
    let mut reader = Reader::from_str(text);
    let mut depth = 0usize;
    loop {
        match reader.read_event() {
            Ok(Event::DocType(_)) => return Err(ParseError::Doctype),
            Ok(Event::GeneralRef(r)) => {
                let name: &str = &r;
                if !r.is_char_ref() && !PREDEFINED_ENTITIES.contains(&name) {
                    return Err(ParseError::Entity(name.chars().take(32).collect()));
                }
            }
            Ok(Event::Start(_)) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(ParseError::TooDeep(MAX_DEPTH));
                }
            }
            Ok(Event::End(_)) => depth = depth.saturating_sub(1),
            Ok(Event::Eof) => return Ok(text),
            Ok(_) => {}
            Err(e) => return Err(ParseError::Malformed(e.to_string())),
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
pub(crate) struct XmlOut {
    writer: Writer<Vec<u8>>,
}

impl XmlOut {
    /// Opens `<xml>`.
    pub(crate) fn new() -> Self {
        let mut out = Self {
            writer: Writer::new(Vec::with_capacity(256)),
        };
        out.start("xml");
        out
    }

    // Writing into a Vec<u8> cannot fail, so the io::Result of each write carries nothing to handle.
    fn event(&mut self, event: Event<'_>) {
        let _infallible = self.writer.write_event(event);
    }

    pub(crate) fn start(&mut self, name: &str) {
        self.event(Event::Start(BytesStart::new(name)));
    }

    pub(crate) fn end(&mut self, name: &str) {
        self.event(Event::End(BytesEnd::new(name)));
    }

    /// `<name><![CDATA[value]]></name>`, splitting the section wherever `value` contains `]]>`. A carriage return
    /// is written as `&#13;` between sections: XML parsers turn a literal CR (even inside CDATA) into LF.
    pub(crate) fn cdata(&mut self, name: &str, value: &str) {
        self.start(name);
        for (i, line) in value.split('\r').enumerate() {
            if i > 0 {
                self.event(Event::Text(BytesText::from_escaped("&#13;")));
            }
            if !line.is_empty() || !value.contains('\r') {
                for part in BytesCData::escaped(line) {
                    self.event(Event::CData(part));
                }
            }
        }
        self.end(name);
    }

    /// `<name>value</name>` for numbers.
    pub(crate) fn bare(&mut self, name: &str, value: impl std::fmt::Display) {
        self.start(name);
        self.event(Event::Text(BytesText::new(&value.to_string())));
        self.end(name);
    }

    /// Closes `<xml>` and returns the document.
    pub(crate) fn finish(mut self) -> String {
        self.end("xml");
        let bytes = self.writer.into_inner();
        // Only &str went in, so the bytes are UTF-8; the lossy path is never taken.
        String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }
}
