//! The fake's OAuth web authorisation: the authorize page's codes, web access/refresh tokens and user info,
//! with WeChat's errcodes (40029 invalid code, 40163 used code, 42003 expired code, 40030 bad refresh_token).

use super::{Reply, World, error, fresh};
use crate::fake::faults::Endpoint;
use serde_json::json;
use std::time::{Duration, Instant};

/// A web access_token's lifetime (WeChat: 7200 s).
const WEB_TOKEN_LIFETIME: Duration = Duration::from_secs(7200);

pub(crate) struct CodeRec {
    appid: String,
    scope: String,
    issued: Instant,
    used: bool,
}

pub(crate) struct WebToken {
    appid: String,
    openid: String,
    scope: String,
    expires: Instant,
}

#[derive(Default)]
pub(crate) struct OauthWorld {
    codes: std::collections::HashMap<String, CodeRec>,
    tokens: std::collections::HashMap<String, WebToken>,
    refresh: std::collections::HashMap<String, (String, String, String)>,
}

/// The fake user who authorises: one per app.
pub(crate) fn fake_openid(appid: &str) -> String {
    format!("oFake-{appid}-user")
}

/// The fake user's nickname (non-ASCII, as real nicknames often are).
pub(crate) const FAKE_NICKNAME: &str = "假用户 Fake User";

/// The fake user's unionid: the fake's apps are all bound to one open platform account, so the user has the same
/// unionid in every app (while each app has its own openid).
pub(crate) const FAKE_UNIONID: &str = "oFakeUnion-user-0000000000";

/// The fake user's avatar path, under the fake's own routes (as `thirdwx.qlogo.cn/mmopen/<id>/132` is WeChat's):
/// `GET` it for a small SVG.
pub(crate) fn avatar_path(appid: &str) -> String {
    format!("/mmopen/fake-{appid}/132")
}

impl World {
    /// The authorize page: `Ok(code)` to redirect back with, or the error page's text.
    pub(crate) fn authorize(&mut self, appid: &str, response_type: &str, scope: &str) -> Result<String, &'static str> {
        if !self.apps.contains_key(appid) {
            return Err("appid 参数错误 (the fake does not know this appid)");
        }
        if response_type != "code" {
            return Err("response_type 参数错误 (must be code)");
        }
        if scope != "snsapi_base" && scope != "snsapi_userinfo" {
            return Err("scope 参数错误或没有 scope 权限 (snsapi_base or snsapi_userinfo)");
        }
        let now = Instant::now();
        let lifetime = self.opts.oauth_code_lifetime;
        self.oauth
            .codes
            .retain(|_, c| now.duration_since(c.issued) < lifetime * 2);
        let code = fresh("fakecode");
        self.oauth.codes.insert(
            code.clone(),
            CodeRec {
                appid: appid.to_owned(),
                scope: scope.to_owned(),
                issued: now,
                used: false,
            },
        );
        Ok(code)
    }

    fn web_tokens(&mut self, appid: &str, openid: &str, scope: &str, refresh_token: Option<String>) -> Reply {
        let access = fresh("fake-web-at-");
        let refresh = refresh_token.unwrap_or_else(|| fresh("fake-web-rt-"));
        self.oauth.tokens.insert(
            access.clone(),
            WebToken {
                appid: appid.to_owned(),
                openid: openid.to_owned(),
                scope: scope.to_owned(),
                expires: Instant::now() + WEB_TOKEN_LIFETIME,
            },
        );
        self.oauth
            .refresh
            .insert(refresh.clone(), (appid.to_owned(), openid.to_owned(), scope.to_owned()));
        let mut answer = json!({
            "access_token": access, "expires_in": WEB_TOKEN_LIFETIME.as_secs(), "refresh_token": refresh,
            "openid": openid, "scope": scope, "is_snapshotuser": 0,
        });
        // WeChat: `unionid` only with snsapi_userinfo, for an account bound to an open platform.
        if scope == "snsapi_userinfo" {
            answer["unionid"] = FAKE_UNIONID.into();
        }
        Reply::Json(answer)
    }

    /// `GET /sns/oauth2/access_token`.
    pub(crate) fn oauth_access_token(&mut self, appid: &str, secret: &str, code: &str, grant_type: &str) -> Reply {
        self.count(appid, |c| c.oauth_access_token += 1);
        if let Some(f) = self.take_fault(Endpoint::OauthAccessToken, appid) {
            return self.fault_reply(f, "access_token");
        }
        if let Err(reply) = self.check_app(appid, secret) {
            return reply;
        }
        if grant_type != "authorization_code" {
            return error(40002);
        }
        let lifetime = self.opts.oauth_code_lifetime;
        let Some(rec) = self.oauth.codes.get_mut(code).filter(|c| c.appid == appid) else {
            return error(40029);
        };
        if rec.used {
            return error(40163);
        }
        if rec.issued.elapsed() >= lifetime {
            return error(42003);
        }
        rec.used = true;
        let scope = rec.scope.clone();
        self.web_tokens(appid, &fake_openid(appid), &scope, None)
    }

    /// `GET /sns/oauth2/refresh_token`: a new access_token, the same refresh_token.
    pub(crate) fn oauth_refresh(&mut self, appid: &str, grant_type: &str, refresh_token: &str) -> Reply {
        if !self.apps.contains_key(appid) {
            return error(40013);
        }
        if grant_type != "refresh_token" {
            return error(40002);
        }
        let Some((app, openid, scope)) = self.oauth.refresh.get(refresh_token).cloned().filter(|r| r.0 == appid) else {
            return error(40030);
        };
        self.web_tokens(&app, &openid, &scope, Some(refresh_token.to_owned()))
    }

    /// `GET /sns/userinfo`; `visible_base` is where a browser reaches the fake (`http://host[:port][/mount]`), for
    /// `headimgurl`.
    pub(crate) fn oauth_userinfo(&mut self, access_token: &str, openid: &str, visible_base: &str) -> Reply {
        let Some(t) = self.oauth.tokens.get(access_token) else {
            return error(40001);
        };
        if t.expires <= Instant::now() {
            return error(42001);
        }
        if t.openid != openid {
            return Reply::Json(json!({"errcode": 40003, "errmsg": "invalid openid"}));
        }
        if t.scope != "snsapi_userinfo" {
            return Reply::Json(json!({"errcode": 48001, "errmsg": "api unauthorized"}));
        }
        let headimgurl = format!("{visible_base}{}", avatar_path(&t.appid));
        Reply::Json(json!({
            "openid": openid, "nickname": FAKE_NICKNAME, "sex": 0, "province": "", "city": "", "country": "",
            "headimgurl": headimgurl, "privilege": [], "unionid": FAKE_UNIONID,
        }))
    }
}
