/// Why a signature could not be computed. Each variant says what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// A field that WeChat signs was empty; an empty value always yields a signature WeChat rejects.
    #[error("`{0}` is empty: pass the value WeChat gave you (an empty {0} never signs correctly)")]
    Empty(&'static str),
    /// The URL given to the raw signer still carries a `#fragment`; WeChat signs the URL without it.
    #[error("the url contains `#`: sign the page URL without `#` and what follows (use `url_for_signing`)")]
    UrlHasFragment,
    /// The operating system or browser could not provide random bytes.
    #[error("no cryptographic random source is available: {0}")]
    RandomUnavailable(String),
}
