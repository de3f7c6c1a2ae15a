//! Reading the TOML file (`WX_CONFIG`) into [`FileConfig`], without quoting a secret in its errors.

use super::{ConfigError, FileConfig};
use std::path::Path;

/// The file's values and its text (for the line numbers of later errors); none without a file.
pub(super) fn read(path: Option<&Path>) -> Result<(FileConfig, String), ConfigError> {
    let Some(path) = path else {
        return Ok((FileConfig::default(), String::new()));
    };
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::File {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    let config = toml::from_str::<FileConfig>(&text).map_err(|e| ConfigError::File {
        path: path.display().to_string(),
        message: toml_error(&text, &e),
    })?;
    Ok((config, text))
}

/// The 1-based line of byte `offset` in `text`.
pub(super) fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// A TOML error without the source excerpt toml's `Display` quotes: the offending line may hold a secret (a
/// misspelt `app_secret = "…"`). The line number stays; a message about a value (`invalid type: integer
/// \`20240101\``) loses its quoted literals, which toml reformats (`0x5EC12E7` as `99357415`), so no masking
/// of the source text could catch them all.
fn toml_error(text: &str, error: &toml::de::Error) -> String {
    let message = error.message().trim();
    // serde's errors about a value quote it; the parser's own (`invalid boolean`) quote only expected tokens.
    let message = if message.starts_with("invalid type") || message.starts_with("invalid value") {
        without_the_value(message)
    } else {
        message.to_owned()
    };
    match error.span() {
        Some(span) => format!("line {}: {message}", line_of(text, span.start)),
        None => message,
    }
}

/// `invalid type: string "<secret>", expected u64` → `invalid type: string, expected u64`: serde's wording
/// with the value left out, however it was quoted or escaped. Only the kind of value (serde's fixed words) and
/// what was expected are kept.
fn without_the_value(message: &str) -> String {
    const KINDS: [&str; 16] = [
        "boolean",
        "integer",
        "floating point",
        "character",
        "string",
        "byte array",
        "unit value",
        "Option value",
        "newtype struct",
        "sequence",
        "map",
        "enum",
        "unit variant",
        "newtype variant",
        "tuple variant",
        "struct variant",
    ];
    let (head, rest) = message.split_once(": ").unwrap_or((message, ""));
    let kind = KINDS
        .iter()
        .find(|k| rest.starts_with(*k))
        .map_or(String::new(), |k| format!(": {k}"));
    // The value comes before the last `, expected`; what follows is serde's description of the field's type.
    let expected = rest.rfind(", expected").map_or("", |at| &rest[at..]);
    format!("{head}{kind}{expected}")
}
