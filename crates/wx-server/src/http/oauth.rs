//! `GET /api/oauth/start`, `/api/oauth/callback` and `/api/oauth/me`: WeChat web authorisation ending in a
//! signed, HttpOnly, SameSite=Lax session cookie holding the openid.
//!
//! Anyone can get a state cookie from `start`, so the callback guards what it spends: each state starts one code
//! exchange, a failed code is remembered (both in [`ReplayCache`]), and exchanges are limited per client address
//! ([`ClientLimiter`]). Only a callback that passes all three calls WeChat.
//!
//! `start?account=<name>` signs in to another account of the server than the default one: the state cookie keeps
//! the name, so the callback exchanges the code with that account's appid and the session says whose openid it is.

use super::{SharedState, error::ApiError};
use crate::{
    Metrics,
    credentials::CredentialError,
    metrics::OauthRefusal,
    oauth::{
        self, Scope,
        cookie::SessionKey,
        limit::{ClientLimiter, client_key},
        replay::{self, Outcome, ReplayCache},
    },
    wechat::UpstreamError,
};
use axum::{
    Extension, Json,
    extract::{ConnectInfo, Query, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};
use std::{collections::HashMap, net::SocketAddr, sync::Arc};

/// The CSRF state cookie, bound to one start → callback round trip.
pub(crate) const STATE_COOKIE: &str = "wx_oauth_state";
/// The session cookie.
pub(crate) const SESSION_COOKIE: &str = "wx_session";
/// The state cookie lives as long as the replay cache remembers a used state.
const STATE_TTL: u64 = replay::STATE_LIFETIME.as_secs();
const SESSION_TTL: u64 = 7 * 86_400;
/// WeChat's codes are 32 characters; anything much longer is not one, and is not worth a call or a cache entry.
const MAX_CODE_BYTES: usize = 128;
/// Cookies of one name tried at most: each costs an HMAC, and a request can carry thousands.
const MAX_COOKIES_TRIED: usize = 8;

/// What the OAuth routes share.
pub(crate) struct OauthState {
    pub key: SessionKey,
    pub authorize_base: String,
    pub public_url: Option<String>,
    pub replays: ReplayCache<Session, UpstreamError>,
    pub limiter: ClientLimiter,
    pub metrics: Arc<Metrics>,
}

/// The session cookie's payload, which is also what `GET /api/oauth/me` answers: a value WeChat did not give is
/// left out (never `null`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Session {
    openid: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    nickname: Option<String>,
    /// The avatar's URL (`sns/userinfo`, `snsapi_userinfo` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    headimgurl: Option<String>,
    /// The unionid (an account bound to an open platform): from `sns/oauth2/access_token` or `sns/userinfo`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    unionid: Option<String>,
    scope: Scope,
    /// The account the openid belongs to (each account's openids are its own); absent for the default account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    account: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct PendingLogin {
    state: String,
    #[serde(rename = "ret")]
    return_path: String,
    /// `account=` of the start, absent for the default account: the callback exchanges the code as that account.
    #[serde(default, rename = "acct", skip_serializing_if = "Option::is_none")]
    account: Option<String>,
}

type Params = Query<HashMap<String, String>>;

/// The values of cookie `name` across the request's `Cookie` headers, in order (the first few).
fn cookies<'a>(headers: &'a HeaderMap, name: &'a str) -> impl Iterator<Item = &'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(move |h| oauth::cookie::find_all(h, name))
        .take(MAX_COOKIES_TRIED)
}

fn no_store(mut r: Response) -> Response {
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn redirect(location: &str, set_cookie: Option<String>) -> Response {
    let mut r = StatusCode::FOUND.into_response();
    // Every location here is checked or built by us, so this fallback is a guard: a 302 always says where to go.
    let location = HeaderValue::from_str(location).unwrap_or_else(|_| {
        tracing::warn!("an OAuth redirect target is not a valid header value: sending the browser to /");
        HeaderValue::from_static("/")
    });
    r.headers_mut().insert(header::LOCATION, location);
    if let Some(c) = set_cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        r.headers_mut().insert(header::SET_COOKIE, c);
    }
    no_store(r)
}

fn public_origin(o: &OauthState, headers: &HeaderMap) -> Option<String> {
    if let Some(u) = &o.public_url {
        return Some(u.clone());
    }
    let host = headers.get(header::HOST)?.to_str().ok()?;
    // A Host header is only a host[:port]; anything else is not used to build a URL.
    let ok = !host.is_empty() && host.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c));
    ok.then(|| format!("http://{host}"))
}

fn secure(o: &OauthState) -> bool {
    o.public_url.as_deref().is_some_and(|u| u.starts_with("https://"))
}

pub(super) async fn start(State(state): State<SharedState>, headers: HeaderMap, Query(q): Params) -> Response {
    let o = &state.oauth;
    let scope = match q.get("scope").map(String::as_str) {
        None => Scope::Base,
        Some(s) => match Scope::parse(s) {
            Some(scope) => scope,
            None => {
                return ApiError::bad_request(
                    "invalid_scope",
                    "scope is `base` (snsapi_base) or `userinfo` (snsapi_userinfo)",
                )
                .into_response();
            }
        },
    };
    // `account=<name>`: sign in to another account than the default one (its own appid and openids).
    let account = match state
        .accounts
        .chosen(q.get("account").map(String::as_str).filter(|n| !n.is_empty()))
    {
        Ok(account) => account,
        Err(e) => return e.into_response(),
    };
    let return_path = q.get("return").map_or("/", String::as_str);
    let Some(return_path) = oauth::return_path(return_path) else {
        return ApiError::bad_request(
            "invalid_return_path",
            "return must be a path on this site starting with a single `/` (e.g. /shop?id=1)",
        )
        .into_response();
    };
    let Some(origin) = public_origin(o, &headers) else {
        return ApiError::bad_request("no_host", "no usable Host header: set WX_PUBLIC_URL").into_response();
    };
    let nonce = wx_sign::nonce().and_then(|a| wx_sign::nonce().map(|b| a + &b));
    let Ok(csrf) = nonce else {
        return ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            error: "no_randomness",
            message: "no random source for the OAuth state".into(),
            errcode: None,
        }
        .into_response();
    };
    let pending = PendingLogin {
        state: csrf.clone(),
        return_path: return_path.into_owned(),
        account: (&*account.name != crate::settings::DEFAULT_ACCOUNT).then(|| account.name.to_string()),
    };
    let Ok(signed) = o.key.sign(&pending, STATE_TTL) else {
        return ApiError::bad_request("invalid_return_path", "cannot encode the return path").into_response();
    };
    let url = oauth::authorize_url(
        &o.authorize_base,
        &account.appid,
        &format!("{origin}/api/oauth/callback"),
        scope,
        &csrf,
    );
    let cookie = oauth::cookie::set_cookie(STATE_COOKIE, &signed, STATE_TTL, secure(o));
    redirect(&url, Some(cookie))
}

pub(super) async fn callback(
    State(state): State<SharedState>,
    // Put there by `http::serve`; absent when the router is served by something that does not record it.
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Query(q): Params,
) -> Response {
    let o = &state.oauth;
    let Some(csrf) = q.get("state") else {
        return ApiError::bad_request(
            "missing_state",
            "the callback has no state: start again at /api/oauth/start",
        )
        .into_response();
    };
    let mismatch = || {
        ApiError::forbidden(
            "oauth_state_mismatch",
            "the state does not match this browser's sign-in: start again at /api/oauth/start",
        )
        .into_response()
    };
    // The first state cookie that is ours and this callback's: a stale one of the same name may come first.
    let pending = cookies(&headers, STATE_COOKIE)
        .filter_map(|c| o.key.verify::<PendingLogin>(c))
        .find(|p| p.state.as_bytes() == csrf.as_bytes());
    let Some(pending) = pending else {
        return mismatch();
    };
    let Some(code) = q.get("code").filter(|c| !c.is_empty()) else {
        return ApiError::bad_request(
            "authorization_refused",
            "WeChat sent no code (the user declined): start again at /api/oauth/start",
        )
        .into_response();
    };
    if code.len() > MAX_CODE_BYTES || !code.bytes().all(|b| b.is_ascii_graphic()) {
        return ApiError::bad_request(
            "oauth_code_invalid",
            "the code is not one WeChat issues (printable ASCII, at most 128 characters): start again at \
             /api/oauth/start",
        )
        .into_response();
    }
    let client_addr = client_key(peer.map(|Extension(ConnectInfo(addr))| addr));
    // The account the sign-in started for; one removed since (a restart with other settings) is a new sign-in.
    let account = match pending.account.as_deref() {
        None => Some(state.accounts.default_account()),
        Some(name) => state.accounts.named(name),
    };
    let Some(account) = account else {
        return ApiError::bad_request(
            "unknown_account",
            "the sign-in started for an account this server no longer serves: start again at /api/oauth/start",
        )
        .into_response();
    };
    let client = &account.client;
    let outcome = o
        .replays
        .exchange(
            code,
            csrf,
            || o.limiter.try_take(client_addr),
            || async {
                let tokens = oauth::exchange_code(client, code).await?;
                let scope = if tokens.scope.contains("snsapi_userinfo") {
                    Scope::Userinfo
                } else {
                    Scope::Base
                };
                let info = match scope {
                    Scope::Userinfo => Some(oauth::userinfo(client, &tokens).await?),
                    Scope::Base => None,
                };
                let unionid = tokens
                    .unionid
                    .clone()
                    .or_else(|| info.as_ref().and_then(|i| i.unionid.clone()));
                Ok::<_, UpstreamError>(Session::bounded(
                    tokens.openid,
                    info,
                    unionid,
                    scope,
                    pending.account.clone(),
                ))
            },
        )
        .await;
    let result = match outcome {
        Outcome::Exchanged(result) => {
            if result.is_ok() {
                // A code WeChat issued to a consenting user: no abuse, so it does not count against the client.
                o.limiter.give_back(client_addr);
            }
            result
        }
        Outcome::Replayed(result) => result,
        Outcome::OtherState => return mismatch(),
        // A reload after the code's 5 minutes, by a browser that signed in with it, goes where it was going.
        Outcome::StateUsed if session(o, &headers).is_some() => return redirect(&pending.return_path, None),
        Outcome::StateUsed => {
            o.metrics.oauth_callback_refused(OauthRefusal::StateUsed);
            return ApiError::bad_request(
                "oauth_state_used",
                "this sign-in already exchanged a code (each state is good for one): start again at \
                 /api/oauth/start",
            )
            .into_response();
        }
        Outcome::Refused(wait) => {
            o.metrics.oauth_callback_refused(OauthRefusal::RateLimited);
            // Rounded up: a client that waits as told finds its exchange back.
            let secs = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
            let mut r = ApiError {
                status: StatusCode::TOO_MANY_REQUESTS,
                error: "oauth_rate_limited",
                message: format!(
                    "too many failed sign-ins from this address: wait {secs} s, then start again at /api/oauth/start"
                ),
                errcode: None,
            }
            .into_response();
            r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
            return r;
        }
    };
    let session = match result {
        Ok(s) => s,
        // A reload whose first exchange another instance made (its replay cache is not ours): the browser already
        // holds the session that exchange set, so it goes where it was going. Only a valid session of our own key.
        Err(e) if e.errcode() == Some(40163) && session(o, &headers).is_some() => {
            return redirect(&pending.return_path, None);
        }
        Err(e) if matches!(e.errcode(), Some(40029 | 40163 | 42003)) => {
            let errcode = e.errcode();
            return ApiError {
                status: StatusCode::BAD_REQUEST,
                error: "oauth_code_invalid",
                message: format!("{e}: the code is invalid, used or expired; start again at /api/oauth/start"),
                errcode,
            }
            .into_response();
        }
        Err(source) => {
            // The failure is remembered with the code, so a reload gets it again: the way on is a new sign-in.
            let mut e = ApiError::from(CredentialError {
                credential: "OAuth session",
                source,
            });
            e.message.push_str("; then start again at /api/oauth/start");
            return e.into_response();
        }
    };
    let Ok(value) = o.key.sign(&session, SESSION_TTL) else {
        return ApiError::bad_request("oauth_session", "cannot encode the session").into_response();
    };
    let cookie = oauth::cookie::set_cookie(SESSION_COOKIE, &value, SESSION_TTL, secure(o));
    redirect(&pending.return_path, Some(cookie))
}

/// Longest nickname kept (bytes, cut at a character boundary): real ones are a few dozen.
const MAX_NICKNAME_BYTES: usize = 128;
/// Longest avatar URL kept: WeChat's are about 150 bytes; a longer one is dropped rather than cut.
const MAX_AVATAR_URL_BYTES: usize = 512;
/// Longest unionid kept: WeChat's are 28 characters.
const MAX_UNIONID_BYTES: usize = 64;

impl Session {
    /// The session of a sign-in, each value WeChat gave bounded so that the cookie stays far below browsers'
    /// 4096 bytes (about 1.3 KB at most): a nickname is cut, an avatar URL that is too long or not `http(s)://` is
    /// dropped (a page puts it in `<img src>`), and so is an unlikely unionid.
    fn bounded(
        openid: String,
        info: Option<oauth::UserInfo>,
        unionid: Option<String>,
        scope: Scope,
        account: Option<String>,
    ) -> Self {
        let (nickname, headimgurl) = match info {
            Some(i) => {
                let mut nickname = i.nickname;
                if nickname.len() > MAX_NICKNAME_BYTES {
                    let mut end = MAX_NICKNAME_BYTES;
                    while !nickname.is_char_boundary(end) {
                        end -= 1;
                    }
                    nickname.truncate(end);
                }
                let lower = i.headimgurl.to_ascii_lowercase();
                let avatar = (lower.starts_with("https://") || lower.starts_with("http://"))
                    && i.headimgurl.len() <= MAX_AVATAR_URL_BYTES
                    && !i.headimgurl.chars().any(|c| c.is_control() || c.is_whitespace());
                (Some(nickname), avatar.then_some(i.headimgurl))
            }
            None => (None, None),
        };
        let unionid = unionid.filter(|u| !u.is_empty() && u.len() <= MAX_UNIONID_BYTES);
        Self {
            openid,
            nickname,
            headimgurl,
            unionid,
            scope,
            account,
        }
    }
}

/// The browser's session, if its cookie is one this server signed and still valid.
pub(super) fn session(o: &OauthState, headers: &HeaderMap) -> Option<Session> {
    // The first that verifies: a stale or foreign cookie of the same name (another path or a parent domain)
    // must not hide the valid one.
    cookies(headers, SESSION_COOKIE).find_map(|c| o.key.verify::<Session>(c))
}

pub(super) async fn me(State(state): State<SharedState>, headers: HeaderMap) -> Response {
    match session(&state.oauth, &headers) {
        Some(s) => no_store(Json(s).into_response()),
        None => ApiError {
            status: StatusCode::UNAUTHORIZED,
            error: "not_signed_in",
            message: "no valid session: sign in at /api/oauth/start?scope=base&return=/".into(),
            errcode: None,
        }
        .into_response(),
    }
}
