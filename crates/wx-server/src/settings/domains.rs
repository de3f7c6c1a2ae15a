//! The JS safe domains (`WX_JS_DOMAINS`) and the ports they allow (`WX_JS_PORTS`).

use super::{ConfigError, Settings, parse_list, spec::At};

/// One JS safe domain: a host, optionally with a port. A page's host matches it when equal or a
/// subdomain of it; a port, when given, must match too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsDomain {
    /// Lowercase host name or IP literal.
    pub host: String,
    /// The only port allowed, if any.
    pub port: Option<u16>,
}

impl JsDomain {
    /// Parses `host` or `host:port` (no scheme, no path).
    ///
    /// ```
    /// use wx_server::JsDomain;
    /// let d = JsDomain::parse("Example.com:8080").unwrap();
    /// assert_eq!((d.host.as_str(), d.port), ("example.com", Some(8080)));
    /// assert!(JsDomain::parse("https://example.com").is_err());
    /// ```
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] naming `WX_JS_DOMAINS`.
    pub fn parse(entry: &str) -> Result<Self, ConfigError> {
        let invalid = |why: &str| ConfigError::Invalid {
            var: "WX_JS_DOMAINS",
            message: format!("`{entry}` {why}; write a bare domain such as `h5.example.com` or `localhost:8080`"),
        };
        let entry = entry.trim();
        if entry.is_empty() || entry.contains("://") || entry.contains(['/', '@', '?', '#', ' ']) {
            return Err(invalid("is not a bare domain"));
        }
        // Let the URL parser normalise it exactly as it will normalise page URLs.
        let parsed = url::Url::parse(&format!("http://{entry}/")).map_err(|_| invalid("is not a valid host"))?;
        let host = parsed.host_str().ok_or_else(|| invalid("has no host"))?.to_owned();
        let port = if entry
            .rsplit_once(':')
            .is_some_and(|(_, p)| p.chars().all(|c| c.is_ascii_digit()))
            && !entry.ends_with(']')
        {
            parsed.port_or_known_default()
        } else {
            None
        };
        Ok(Self { host, port })
    }
}

/// Which page ports the JS safe domains allow. WeChat lets a real account's pages use the JS-SDK only on ports 80
/// and 443, while a test account (and the demo) may use any: signing a page WeChat will refuse anyway only hides
/// the problem until it is on a phone.
///
/// ```
/// use wx_server::JsPorts;
/// assert_eq!("standard".parse::<JsPorts>().unwrap(), JsPorts::Standard);
/// assert!(JsPorts::Standard.allows(Some(443)) && !JsPorts::Standard.allows(Some(8443)));
/// assert!(JsPorts::Any.allows(Some(8080)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum JsPorts {
    /// A domain listed without a port allows any port; one listed with a port, only that one.
    #[default]
    Any,
    /// Only 80 and 443, the ports a real account's JS safe domains are served on.
    Standard,
}

impl JsPorts {
    /// Whether a page on `port` (its explicit or scheme's default port) may be signed.
    pub fn allows(self, port: Option<u16>) -> bool {
        match self {
            JsPorts::Any => true,
            JsPorts::Standard => matches!(port, Some(80 | 443)),
        }
    }
}

impl std::str::FromStr for JsPorts {
    type Err = ConfigError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "any" => Ok(JsPorts::Any),
            "standard" => Ok(JsPorts::Standard),
            other => Err(ConfigError::Invalid {
                var: "WX_JS_PORTS",
                message: format!("`{other}`: use `standard` (80 and 443, a real account) or `any` (a test account)"),
            }),
        }
    }
}

pub(super) fn js_domains(s: &mut Settings, given: Option<String>, at: &At) -> Result<(), ConfigError> {
    match given {
        Some(list) => {
            s.js_domains = parse_list(&list)
                .iter()
                .map(|d| JsDomain::parse(d))
                .collect::<Result<_, _>>()?;
            if s.js_domains.is_empty() {
                return Err(at.invalid("the list is empty"));
            }
        }
        None if s.js_domains.is_empty() => {
            return Err(at.missing("set it to the account's JS safe domains, comma separated (e.g. h5.example.com)"));
        }
        None => {}
    }
    Ok(())
}

/// After the domains: a domain listed with a port must be one the ports allow.
pub(super) fn js_ports(s: &mut Settings, given: Option<String>, _: &At) -> Result<(), ConfigError> {
    if let Some(ports) = given {
        s.js_ports = ports.parse()?;
    }
    if let Some(d) = s
        .js_domains
        .iter()
        .find(|d| !d.port.is_none_or(|p| s.js_ports.allows(Some(p))))
    {
        return Err(ConfigError::Invalid {
            var: "WX_JS_DOMAINS",
            message: format!(
                "`{}:{}`: WX_JS_PORTS=standard allows pages only on ports 80 and 443; drop the port or use WX_JS_PORTS=any",
                d.host,
                d.port.unwrap_or_default()
            ),
        });
    }
    Ok(())
}
