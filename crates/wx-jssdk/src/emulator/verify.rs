//! `preVerifyJSAPI`, checked the way WeChat's servers check `wx.config`.

/// What `wx.config` sent over the bridge.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct PreVerify {
    pub app_id: String,
    pub timestamp: String,
    pub nonce_str: String,
    pub signature: String,
    /// `verifyJsApiList` held at least one API (WeChat documents it as required, open tags or not).
    pub has_js_api_list: bool,
}

/// Why WeChat would refuse a config, as the text after `fail_` in the bridge's `err_msg`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// `config:invalid url domain`.
    InvalidUrlDomain,
    /// `config:invalid signature`.
    InvalidSignature,
    /// `config:fail` (a required field missing).
    MissingField,
}

impl Refusal {
    pub(crate) fn bridge_text(self) -> &'static str {
        match self {
            Refusal::InvalidUrlDomain => "fail_invalid url domain",
            Refusal::InvalidSignature => "fail_invalid signature",
            Refusal::MissingField => "fail",
        }
    }
}

/// The host of `url` (`https://a.com:8080/p` → `a.com:8080`), lowercased.
pub(crate) fn host_of(url: &str) -> String {
    let after_scheme = crate::text::split_once(url, "://").map_or(url, |(_, rest)| rest);
    // A byte position, and a character boundary: the three are ASCII.
    let end = after_scheme
        .bytes()
        .position(|b| matches!(b, b'/' | b'?' | b'#'))
        .unwrap_or(after_scheme.len());
    let authority = &after_scheme[..end];
    let host = crate::text::rsplit_once(authority, "@").map_or(authority, |(_, h)| h);
    host.to_ascii_lowercase()
}

/// Checks a config as WeChat does: required fields (a non-empty `jsApiList` among them), then the JS safe domain (when `allowed_domains` is set),
/// then the signature over `(ticket, nonceStr, timestamp, page_url)` for each ticket currently valid (a renewed
/// ticket overlaps the previous one until that one expires). No ticket (an unknown or mismatched appId) is
/// reported as WeChat does: `invalid signature`.
pub(crate) fn check_config(
    request: &PreVerify,
    tickets: &[&str],
    page_url: &str,
    allowed_domains: Option<&[String]>,
) -> Result<(), Refusal> {
    if request.app_id.is_empty()
        || request.timestamp.is_empty()
        || request.nonce_str.is_empty()
        || request.signature.is_empty()
        || !request.has_js_api_list
    {
        return Err(Refusal::MissingField);
    }
    if let Some(domains) = allowed_domains {
        let host = host_of(page_url);
        let hostname = host.split(':').next().unwrap_or(&host);
        if !domains
            .iter()
            .any(|d| d.eq_ignore_ascii_case(&host) || d.eq_ignore_ascii_case(hostname))
        {
            return Err(Refusal::InvalidUrlDomain);
        }
    }
    if !request.timestamp.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Refusal::InvalidSignature);
    }
    let url = page_url.split('#').next().unwrap_or(page_url);
    // WeChat compares the hex digest; the SDK sends whatever case the page gave.
    let matches = |ticket: &&str| {
        config_signature(ticket, &request.nonce_str, &request.timestamp, url).eq_ignore_ascii_case(&request.signature)
    };
    if tickets.iter().any(matches) {
        Ok(())
    } else {
        Err(Refusal::InvalidSignature)
    }
}

/// WeChat's config signature over the fields as the bridge received them: the timestamp is the text jweixin
/// sent (`timestamp + ""`), leading zeros and all. Built here rather than by wx-sign, so that the emulator checks
/// wx-sign's output instead of repeating it.
fn config_signature(ticket: &str, nonce_str: &str, timestamp: &str, url: &str) -> String {
    use sha1::{Digest, Sha1};
    use std::fmt::Write;
    let canonical = format!("jsapi_ticket={ticket}&noncestr={nonce_str}&timestamp={timestamp}&url={url}");
    Sha1::digest(canonical.as_bytes())
        .iter()
        .fold(String::with_capacity(40), |mut hex, byte| {
            let _ = write!(hex, "{byte:02x}");
            hex
        })
}

#[cfg(test)]
mod tests {
    use super::{PreVerify, Refusal, check_config, host_of};

    const TICKET: &str = "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg";

    fn request(sig: &str) -> PreVerify {
        PreVerify {
            app_id: "wx1".into(),
            timestamp: "1414587457".into(),
            nonce_str: "Wm3WZYTPz0wzccnW".into(),
            signature: sig.into(),
            has_js_api_list: true,
        }
    }

    #[test]
    fn checks_like_wechat() {
        // WeChat's own documented example.
        let good = "0f9de62fce790f9a083d5c99e95740ceb90c27ed";
        let url = "http://mp.weixin.qq.com?params=value";
        let domains = vec!["mp.weixin.qq.com".to_owned()];
        let other = vec!["example.com".to_owned()];
        type Case<'a> = (
            PreVerify,
            &'a [&'a str],
            &'a str,
            Option<&'a [String]>,
            Result<(), Refusal>,
        );
        let cases: Vec<Case> = vec![
            (request(good), &[TICKET], url, None, Ok(())),
            (
                request(good),
                &[TICKET],
                "http://mp.weixin.qq.com?params=value#frag",
                None,
                Ok(()),
            ),
            (request(&good.to_ascii_uppercase()), &[TICKET], url, None, Ok(())),
            (request(good), &[TICKET], url, Some(&domains), Ok(())),
            (
                request(good),
                &[TICKET],
                url,
                Some(&other),
                Err(Refusal::InvalidUrlDomain),
            ),
            (
                request(good),
                &[TICKET],
                "http://mp.weixin.qq.com?params=other",
                None,
                Err(Refusal::InvalidSignature),
            ),
            (
                request(good),
                &["another-ticket"],
                url,
                None,
                Err(Refusal::InvalidSignature),
            ),
            (request(good), &[], url, None, Err(Refusal::InvalidSignature)),
            // The previous ticket still overlaps the renewed one: either verifies.
            (request(good), &["renewed-ticket", TICKET], url, None, Ok(())),
            (
                request("0f9de62fce790f9a083d5c99e95740ceb90c27ee"),
                &[TICKET],
                url,
                None,
                Err(Refusal::InvalidSignature),
            ),
            (request(""), &[TICKET], url, None, Err(Refusal::MissingField)),
            // An empty jsApiList is a missing field, even with open tags.
            (
                PreVerify {
                    has_js_api_list: false,
                    ..request(good)
                },
                &[TICKET],
                url,
                None,
                Err(Refusal::MissingField),
            ),
            // The timestamp is signed as the text sent: with a leading zero it is another canonical string.
            (
                PreVerify {
                    timestamp: "01414587457".into(),
                    ..request(good)
                },
                &[TICKET],
                url,
                None,
                Err(Refusal::InvalidSignature),
            ),
            (
                PreVerify {
                    timestamp: "01414587457".into(),
                    // hashlib.sha1 of the canonical string with timestamp=01414587457.
                    ..request("6314a8b3b2f2c4da3942cbf4496ff7eba348f424")
                },
                &[TICKET],
                url,
                None,
                Ok(()),
            ),
            (
                PreVerify {
                    timestamp: "x".into(),
                    ..request(good)
                },
                &[TICKET],
                url,
                None,
                Err(Refusal::InvalidSignature),
            ),
        ];
        for (i, (req, ticket, url, domains, want)) in cases.into_iter().enumerate() {
            assert_eq!(check_config(&req, ticket, url, domains), want, "case {i}");
        }
    }

    #[test]
    fn hosts() {
        assert_eq!(host_of("https://A.com:8080/p?q#h"), "a.com:8080");
        assert_eq!(host_of("http://u:p@b.cn"), "b.cn");
        assert_eq!(host_of("http://127.0.0.1:3000?x"), "127.0.0.1:3000");
    }
}
