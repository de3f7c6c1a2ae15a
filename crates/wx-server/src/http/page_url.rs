//! Checking the `url` a page asks to have signed: what the config endpoint accepts, and why not.

use super::error::ApiError;
use crate::settings::{JsDomain, JsPorts};

/// Longest page URL accepted, in bytes (after percent-decoding the query parameter).
pub const MAX_URL_LEN: usize = 4096;

/// The parameters of `GET /api/jssdk/config`.
#[derive(Debug, PartialEq, Eq)]
pub struct ConfigQuery {
    /// The page URL, decoded.
    pub url: String,
    /// `refresh=true`: the page saw `invalid signature` and wants a freshly fetched ticket.
    pub refresh: bool,
    /// `account=<name>`: the account to sign with, when the page's domain does not choose one (a server of
    /// several accounts); decoded.
    pub account: Option<String>,
}

/// Parses the raw query string by hand (rather than with a lenient extractor) so that a duplicate `url`,
/// a non-UTF-8 escape or a bad `refresh` is a precise 400.
///
/// ```
/// use wx_server::http::page_url::parse_config_query;
/// let q = parse_config_query(Some("url=https%3A%2F%2Fa.com%2F%3Fx%3D1&refresh=true")).unwrap();
/// assert_eq!((q.url.as_str(), q.refresh), ("https://a.com/?x=1", true));
/// assert_eq!(parse_config_query(Some("url=a&url=b")).unwrap_err().error, "duplicate_url");
/// ```
///
/// # Errors
/// A 400 [`ApiError`]: `missing_url`, `duplicate_url`, `url_not_utf8`, `url_too_long`, `bad_refresh`,
/// `duplicate_account`.
pub fn parse_config_query(raw: Option<&str>) -> Result<ConfigQuery, ApiError> {
    let mut url = None;
    let mut refresh = false;
    let mut account = None;
    for pair in raw.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "url" => {
                if url.is_some() {
                    return Err(ApiError::bad_request(
                        "duplicate_url",
                        "the url parameter appears more than once: pass it exactly once",
                    ));
                }
                if value.len() > MAX_URL_LEN * 3 {
                    return Err(too_long());
                }
                url = Some(decode(value)?);
            }
            "refresh" => {
                refresh = match value {
                    "true" | "1" => true,
                    "false" | "0" | "" => false,
                    _ => {
                        return Err(ApiError::bad_request(
                            "bad_refresh",
                            "refresh must be `true` or `false`",
                        ));
                    }
                };
            }
            "account" => {
                if account.is_some() {
                    return Err(ApiError::bad_request(
                        "duplicate_account",
                        "the account parameter appears more than once: pass it at most once",
                    ));
                }
                account = Some(decode(value)?);
            }
            _ => {} // cache busters and the like are ignored
        }
    }
    let url = url.filter(|u| !u.is_empty()).ok_or_else(|| {
        ApiError::bad_request(
            "missing_url",
            "pass the page URL as ?url=encodeURIComponent(location.href.split('#')[0])",
        )
    })?;
    if url.len() > MAX_URL_LEN {
        return Err(too_long());
    }
    Ok(ConfigQuery { url, refresh, account })
}

fn too_long() -> ApiError {
    ApiError::bad_request(
        "url_too_long",
        format!("the page URL is over {MAX_URL_LEN} bytes: shorten its query"),
    )
}

fn decode(value: &str) -> Result<String, ApiError> {
    // Form encoding: `+` is a space (encodeURIComponent writes `%2B` for a real plus).
    let plus_as_space = if value.contains('+') {
        std::borrow::Cow::Owned(value.replace('+', " "))
    } else {
        std::borrow::Cow::Borrowed(value)
    };
    percent_encoding::percent_decode_str(&plus_as_space)
        .decode_utf8()
        .map(std::borrow::Cow::into_owned)
        .map_err(|_| {
            ApiError::bad_request(
                "url_not_utf8",
                "the url parameter decodes to invalid UTF-8: encode it with encodeURIComponent",
            )
        })
}

/// Checks a page URL and returns the exact string to sign (the URL without `#…`, byte for byte).
///
/// The URL is parsed the way browsers parse it (WHATWG, the `url` crate) only to find its scheme and
/// host; the string signed is the one the page sent, because WeChat compares bytes.
///
/// ```
/// use wx_server::{JsDomain, JsPorts, http::page_url::check_page_url};
/// let domains = [JsDomain::parse("a.com").unwrap()];
/// let check = |url| check_page_url(url, &domains, JsPorts::Standard);
/// assert_eq!(check("https://h5.a.com/p?x=1#/share").unwrap(), "https://h5.a.com/p?x=1");
/// assert_eq!(check("https://a.com.evil.com/").unwrap_err().error, "domain_not_allowed");
/// assert_eq!(check("https://a.com:8443/").unwrap_err().error, "port_not_allowed");
/// assert_eq!(check("javascript:alert(1)").unwrap_err().error, "unsupported_scheme");
/// ```
///
/// # Errors
/// 400 `invalid_url`, `unsupported_scheme`, `url_has_userinfo`; 403 `domain_not_allowed`, `port_not_allowed`.
pub fn check_page_url<'a>(url: &'a str, domains: &[JsDomain], ports: JsPorts) -> Result<&'a str, ApiError> {
    let to_sign = wx_sign::url_for_signing(url);
    // The URL parser silently drops tabs/newlines and trims spaces; a location.href never has them, and
    // signing a string other than the one parsed would be wrong either way.
    if to_sign.is_empty() || to_sign.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(ApiError::bad_request(
            "invalid_url",
            "the page URL contains spaces or control characters: send location.href as is",
        ));
    }
    let parsed = url::Url::parse(to_sign)
        .map_err(|e| ApiError::bad_request("invalid_url", format!("the page URL is not a valid absolute URL ({e})")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(ApiError::bad_request(
            "unsupported_scheme",
            format!(
                "only http and https pages can use the JS-SDK, not `{}:`",
                parsed.scheme()
            ),
        ));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(ApiError::bad_request(
            "url_has_userinfo",
            "the page URL contains user:password@ before the host: sign the page's real URL",
        ));
    }
    let host = parsed.host_str().unwrap_or("");
    let port = parsed.port_or_known_default();
    if !domains.iter().any(|d| host_matches(d, host, port)) {
        return Err(ApiError::forbidden(
            "domain_not_allowed",
            format!(
                "`{host}` is not one of the account's JS safe domains (WX_JS_DOMAINS) or a subdomain of one: \
                 add it in the account settings and in WX_JS_DOMAINS"
            ),
        ));
    }
    if !ports.allows(port) {
        return Err(ApiError::forbidden(
            "port_not_allowed",
            format!(
                "the page is on port {}, and WeChat lets a real account's pages use the JS-SDK only on ports 80 and 443 \
                 (WX_JS_PORTS=standard): serve it on 80/443, or set WX_JS_PORTS=any for a test account",
                port.map_or_else(|| "?".to_owned(), |p| p.to_string())
            ),
        ));
    }
    Ok(to_sign)
}

fn host_matches(domain: &JsDomain, host: &str, port: Option<u16>) -> bool {
    let host_ok = host == domain.host
        || (host.len() > domain.host.len()
            && host.ends_with(domain.host.as_str())
            && host.as_bytes()[host.len() - domain.host.len() - 1] == b'.'
            // An IP literal has no subdomains.
            && domain.host.parse::<std::net::IpAddr>().is_err());
    host_ok && domain.port.is_none_or(|p| Some(p) == port)
}
