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
/// A placeholder with no value (no such group, no scene) is left empty.
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
    Slot(String),
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
                    parts.push(Part::Slot(name));
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
            Part::Slot(name) => Some(name.as_str()),
            Part::Text(_) => None,
        })
    }

    /// The text with every placeholder filled from `ctx`.
    pub fn render(&self, ctx: &Context) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(text) => out.push_str(text),
                Part::Slot(name) => {
                    if let Some(value) = ctx.placeholder(name) {
                        out.push_str(&value);
                    }
                }
            }
        }
        out
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
