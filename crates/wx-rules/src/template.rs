//! Reply templates: `{openid}`, `{1}`, `{scene}`, `{session.name}` … filled from the push, the rule's captures,
//! the session and the router's variables. `{{` and `}}` are literal braces.

use crate::context::Context;

/// A text with placeholders, parsed once when the rule is made.
///
/// | placeholder | value |
/// |---|---|
/// | `{openid}` | the follower (`FromUserName`) |
/// | `{account}` | the account (`ToUserName`) |
/// | `{content}` | the text message's content (a voice message's recognition) |
/// | `{msg_type}`, `{event}`, `{event_key}` | the push's `MsgType`, `Event`, `EventKey` |
/// | `{scene}` | the scene of a scene QR code (`subscribe` from a code, `SCAN`) |
/// | `{scan_type}`, `{scan_result}` | a menu scan's `ScanCodeInfo` (`scancode_push`, `scancode_waitmsg`) |
/// | `{0}`, `{1}`, … | the regular expression's groups (`{0}`: the whole match, or the keyword found) |
/// | `{name}` | a named group `(?P<name>…)`, else a router variable such as `{public_url}` |
/// | `{session.key}` | the session's value under `key` |
///
/// A placeholder with no value (no such group, no scene) is left empty. `{name|url}` percent-encodes the value
/// for a URL's query or path segment (every byte but letters, digits and `-_.~`, as `encodeURIComponent`), for a
/// link carrying what a follower sent or scanned: `{public_url}/?scene={scene|url}`.
///
/// ```
/// let t = wx_rules::Template::parse("{public_url}/?scene={scene|url}")?;
/// assert_eq!(t.placeholders().collect::<Vec<_>>(), ["public_url", "scene"]);
/// # Ok::<(), wx_rules::TemplateError>(())
/// ```
///
/// ```
/// let t = wx_rules::Template::parse("hi {openid}, {{literal}}")?;
/// assert_eq!(t.placeholders().collect::<Vec<_>>(), ["openid"]);
/// # Ok::<(), wx_rules::TemplateError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    /// A placeholder, and whether its value is percent-encoded (`|url`).
    Slot(String, bool),
}

/// A template that cannot be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TemplateError {
    /// `{` without its `}`.
    #[error("a `{{` is not closed by `}}` (write `{{{{` for a literal brace)")]
    Unclosed,
    /// `}` without a `{`.
    #[error("a `}}` has no `{{` before it (write `}}}}` for a literal brace)")]
    Unopened,
    /// `{}` or a name with spaces or braces.
    #[error("`{{{0}}}` is not a placeholder name (letters, digits, `_`, `.`)")]
    BadName(String),
    /// `{name|filter}` with a filter other than `url`.
    #[error("`|{0}` is not a placeholder filter (the one there is: `|url`, percent-encoding the value)")]
    UnknownFilter(String),
}

impl Template {
    /// Parses `text`.
    ///
    /// # Errors
    /// [`TemplateError`] for unbalanced braces or an empty or malformed name.
    pub fn parse(text: &str) -> Result<Self, TemplateError> {
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    literal.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    literal.push('}');
                }
                '}' => return Err(TemplateError::Unopened),
                '{' => {
                    let mut name = String::new();
                    loop {
                        match chars.next() {
                            Some('}') => break,
                            Some(c) => name.push(c),
                            None => return Err(TemplateError::Unclosed),
                        }
                    }
                    let encode = match name.split_once('|') {
                        Some((n, "url")) => {
                            name = n.to_owned();
                            true
                        }
                        Some((_, filter)) => return Err(TemplateError::UnknownFilter(filter.to_owned())),
                        None => false,
                    };
                    let valid = !name.is_empty()
                        && name.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '.')
                        && !name.starts_with('.')
                        && !name.ends_with('.');
                    if !valid {
                        return Err(TemplateError::BadName(name));
                    }
                    if !literal.is_empty() {
                        parts.push(Part::Text(std::mem::take(&mut literal)));
                    }
                    parts.push(Part::Slot(name, encode));
                }
                c => literal.push(c),
            }
        }
        if !literal.is_empty() {
            parts.push(Part::Text(literal));
        }
        Ok(Self { parts })
    }

    /// The placeholder names, in order.
    pub fn placeholders(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Slot(name, _) => Some(name.as_str()),
            Part::Text(_) => None,
        })
    }

    /// The text with every placeholder filled from `ctx`.
    pub fn render(&self, ctx: &Context) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(text) => out.push_str(text),
                Part::Slot(name, encode) => {
                    if let Some(value) = ctx.placeholder(name) {
                        if *encode {
                            percent_encode(&value, &mut out);
                        } else {
                            out.push_str(&value);
                        }
                    }
                }
            }
        }
        out
    }
}

/// `value` as `encodeURIComponent` writes it, minus `!*'()`: letters, digits and `-_.~` as they are, every other
/// byte of its UTF-8 as `%XX`.
fn percent_encode(value: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0F)]));
        }
    }
}

/// The names every push fills (the rest are groups, session values and router variables).
#[cfg_attr(not(feature = "toml"), allow(dead_code))]
pub(crate) const BUILT_IN: [&str; 9] = [
    "openid",
    "account",
    "content",
    "msg_type",
    "event",
    "event_key",
    "scene",
    "scan_type",
    "scan_result",
];
