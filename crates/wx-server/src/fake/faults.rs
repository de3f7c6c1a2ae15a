//! Fault injection for the fake WeChat: the JSON accepted by `POST /test-only/faults`.

use serde::{Deserialize, Serialize};

/// Which fake endpoint a fault applies to.
///
/// ```
/// let e: wx_server::fake::Endpoint = serde_json::from_str(r#""stable_token""#).unwrap();
/// assert_eq!(e, wx_server::fake::Endpoint::StableToken);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Endpoint {
    /// `GET /cgi-bin/token`.
    Token,
    /// `POST /cgi-bin/stable_token`.
    StableToken,
    /// `GET /cgi-bin/ticket/getticket`.
    Getticket,
    /// `POST /cgi-bin/qrcode/create`.
    QrcodeCreate,
    /// `GET /sns/oauth2/access_token`.
    OauthAccessToken,
    /// Any account API path (menus, customer-service and template messages).
    AccountApi,
    /// Any WeChat path.
    Any,
}

/// What a faulty call answers.
///
/// JSON: `{"errcode": 45009}`, `{"http_status": 503}`, `"timeout"`, `"malformed_json"`, `"empty_ticket"`.
///
/// ```
/// use wx_server::fake::Fault;
/// assert_eq!(serde_json::from_str::<Fault>(r#"{"errcode":45009}"#).unwrap(), Fault::Errcode(45009));
/// assert_eq!(serde_json::from_str::<Fault>(r#""timeout""#).unwrap(), Fault::Timeout);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    /// `{"errcode": N, "errmsg": "<WeChat's message for N>"}` with HTTP 200, as WeChat does.
    Errcode(i64),
    /// An empty body with this HTTP status.
    HttpStatus(u16),
    /// No answer until the fake shuts down (the client's timeout fires).
    Timeout,
    /// HTTP 200 with a body that is not JSON.
    MalformedJson,
    /// errcode 0 with an empty `ticket` (or `access_token`).
    EmptyTicket,
}

/// One injected fault: the next `times` calls of `endpoint` (for `appid`, or any app) answer `fault`.
///
/// ```
/// let rule: wx_server::fake::FaultRule =
///     serde_json::from_str(r#"{"endpoint":"getticket","fault":{"errcode":45009},"times":2}"#).unwrap();
/// assert_eq!(rule.times, Some(2));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultRule {
    /// The endpoint.
    pub endpoint: Endpoint,
    /// The answer.
    pub fault: Fault,
    /// How many calls; absent means every call until cleared.
    #[serde(default)]
    pub times: Option<u32>,
    /// Only calls for this appid; absent means any app.
    #[serde(default)]
    pub appid: Option<String>,
}

/// The body of `POST /test-only/faults`. Every field is optional.
///
/// ```json
/// {
///   "clear": true,                 // drop all pending faults and reset latency/expires_in first
///   "latency_ms": 200,             // delay every WeChat-path answer
///   "expires_in": 4,               // lifetime (s) of credentials issued from now on
///   "inject": [                    // appended to the pending faults, matched in order
///     {"endpoint": "getticket", "fault": {"errcode": 40001}, "times": 1},
///     {"endpoint": "stable_token", "fault": "timeout", "times": 1, "appid": "wx0000000000demo"}
///   ]
/// }
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultRequest {
    /// Clear pending faults and reset latency and expires_in to the start-up options first.
    #[serde(default)]
    pub clear: bool,
    /// Latency added to each WeChat-path answer, in milliseconds.
    #[serde(default)]
    pub latency_ms: Option<u64>,
    /// Lifetime in seconds of tokens and tickets issued from now on (kept between 1 s and ten years).
    #[serde(default)]
    pub expires_in: Option<u64>,
    /// Faults to add.
    #[serde(default)]
    pub inject: Vec<FaultRule>,
}

/// WeChat's errmsg for the codes the fake is asked to produce.
pub(crate) fn errmsg(errcode: i64) -> &'static str {
    match errcode {
        -1 => "system error",
        40001 => "invalid credential, access_token is invalid or not latest",
        40002 => "invalid grant_type",
        40013 => "invalid appid",
        40014 => "invalid access_token",
        40029 => "invalid code",
        40030 => "invalid refresh_token",
        40097 => "invalid args",
        40163 => "code been used",
        42002 => "refresh_token expired",
        42003 => "code expired",
        47001 => "data format error",
        40125 => "invalid appsecret",
        40003 => "invalid openid",
        40007 => "invalid media_id",
        40008 => "invalid message type",
        40016 => "invalid button size",
        40017 => "invalid button type",
        40018 => "invalid button name size",
        40019 => "invalid button key size",
        40020 => "invalid button url size",
        40022 => "invalid sub button level",
        40023 => "invalid sub button size",
        40024 => "invalid sub button type",
        40025 => "invalid sub button name size",
        40026 => "invalid sub button key size",
        40027 => "invalid sub button url size",
        40037 => "invalid template_id",
        40054 => "invalid sub button url domain",
        40055 => "invalid button url domain",
        40165 => "invalid weapp pagepath",
        43004 => "require subscribe",
        44004 => "empty content",
        45008 => "article size out of limit",
        45015 => "response out of time limit",
        45047 => "out of response count limit",
        45072 => "command invalid",
        46003 => "menu no exist",
        48001 => "api unauthorized",
        65301 => "no such menuid",
        65302 => "no such user",
        65303 => "there is no selfmenu, please create selfmenu first",
        65304 => "match rule empty",
        40164 => "invalid ip 203.0.113.7 ipv6 ::ffff:203.0.113.7, not in whitelist",
        42001 => "access_token expired",
        45009 => "reach max api daily quota limit",
        45011 => "api minute-quota reach limit  mustslower  retry next minute",
        89503 => "risky ip, please confirm on the admin's WeChat",
        _ => "fake error",
    }
}
