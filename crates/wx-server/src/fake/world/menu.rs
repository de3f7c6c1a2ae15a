//! The fake's custom menus, checked with WeChat's rules and errcodes (its own reading of the documentation,
//! independent of wx-api's checks, so the two keep each other honest): 40016 top-level button count, 40017 /
//! 40024 button type, 40018 / 40025 name length, 40019 / 40026 key length, 40020 / 40027 url length, 40022
//! sub-menu depth, 40023 sub-button count, 40055 / 40054 url not http(s), 40007 missing media_id / article_id,
//! 45009 the daily creation quota, 46003 no menu, 65301 no such conditional menu, 65302 no such user,
//! 65303 no default menu, 65304 empty match rule. Lengths are UTF-8 bytes.

use super::{Reply, World, error};
use serde_json::{Value, json};

const KEY_TYPES: [&str; 7] = [
    "click",
    "scancode_push",
    "scancode_waitmsg",
    "pic_sysphoto",
    "pic_photo_or_album",
    "pic_weixin",
    "location_select",
];

fn ok() -> Reply {
    Reply::Json(json!({"errcode": 0, "errmsg": "ok"}))
}

fn str_len(b: &Value, field: &str) -> Option<usize> {
    b.get(field).and_then(Value::as_str).map(str::len)
}

/// Errcodes for one level: (type, name, key, url, url domain).
struct Codes {
    kind: i64,
    name: i64,
    key: i64,
    url: i64,
    domain: i64,
    name_max: usize,
}

const TOP: Codes = Codes {
    kind: 40017,
    name: 40018,
    key: 40019,
    url: 40020,
    domain: 40055,
    name_max: 16,
};
const SUB: Codes = Codes {
    kind: 40024,
    name: 40025,
    key: 40026,
    url: 40027,
    domain: 40054,
    name_max: 60,
};

fn check_url(b: &Value, c: &Codes) -> Result<(), i64> {
    let url = b.get("url").and_then(Value::as_str).unwrap_or("");
    if url.is_empty() || url.len() > 1024 {
        return Err(c.url);
    }
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(c.domain);
    }
    Ok(())
}

fn check_leaf(b: &Value, c: &Codes) -> Result<(), i64> {
    let kind = b.get("type").and_then(Value::as_str).unwrap_or("");
    let within = |field: &str, max: usize| str_len(b, field).is_some_and(|n| (1..=max).contains(&n));
    match kind {
        k if KEY_TYPES.contains(&k) => within("key", 128).then_some(()).ok_or(c.key),
        "view" => check_url(b, c),
        "media_id" => within("media_id", 128).then_some(()).ok_or(40007),
        "article_id" | "article_view_limited" => within("article_id", 128).then_some(()).ok_or(40007),
        "miniprogram" => {
            check_url(b, c)?;
            (within("appid", 128) && within("pagepath", 1024))
                .then_some(())
                .ok_or(c.key)
        }
        _ => Err(c.kind),
    }
}

fn check_name(b: &Value, c: &Codes) -> Result<(), i64> {
    str_len(b, "name")
        .is_some_and(|n| (1..=c.name_max).contains(&n))
        .then_some(())
        .ok_or(c.name)
}

/// WeChat's rules for a `button` array; the errcode of the first rule broken.
fn check_buttons(buttons: Option<&Value>) -> Result<Vec<Value>, i64> {
    let top = buttons.and_then(Value::as_array).ok_or(40016)?;
    if top.is_empty() || top.len() > 3 {
        return Err(40016);
    }
    for b in top {
        check_name(b, &TOP)?;
        match b.get("sub_button").and_then(Value::as_array) {
            Some(subs) if !subs.is_empty() || b.get("type").is_none() => {
                if subs.is_empty() || subs.len() > 5 {
                    return Err(40023);
                }
                for s in subs {
                    if s.get("sub_button")
                        .and_then(Value::as_array)
                        .is_some_and(|x| !x.is_empty())
                    {
                        return Err(40022);
                    }
                    check_name(s, &SUB)?;
                    check_leaf(s, &SUB)?;
                }
            }
            _ if b.get("type").is_none() => return Err(40023),
            _ => check_leaf(b, &TOP)?,
        }
    }
    Ok(top.clone())
}

/// The buttons as `menu/get` shows them: every leaf gets WeChat's empty `sub_button`.
fn as_shown(buttons: &Value) -> Value {
    let mut shown = buttons.clone();
    if let Some(top) = shown.as_array_mut() {
        for b in top {
            match b.get_mut("sub_button").and_then(Value::as_array_mut) {
                Some(subs) => {
                    for s in subs {
                        s["sub_button"] = json!([]);
                    }
                }
                None => b["sub_button"] = json!([]),
            }
        }
    }
    shown
}

/// A button as `get_current_selfmenu_info` shows it: a sub-menu as `sub_button: {list}`, a button sending
/// material (`media_id`, `view_limited`) as `img`, `voice` or `video` with its `value` (the media id; a video's
/// URL), or `news` with `news_info` (the fake holds no news material, so its list is empty); others as created.
fn as_selfmenu(button: &Value, media: &std::collections::HashMap<String, super::media::Medium>) -> Value {
    let mut shown = button.clone();
    if let Some(subs) = button.get("sub_button").and_then(Value::as_array) {
        let list: Vec<Value> = subs.iter().map(|b| as_selfmenu(b, media)).collect();
        shown["sub_button"] = json!({ "list": list });
        return shown;
    }
    let kind = button.get("type").and_then(Value::as_str).unwrap_or("");
    if !matches!(kind, "media_id" | "view_limited") {
        return shown;
    }
    let id = button.get("media_id").and_then(Value::as_str).unwrap_or("");
    let name = button.get("name").cloned().unwrap_or(Value::Null);
    match media.get(id).map(|m| m.kind.as_str()) {
        Some("image") => json!({"type": "img", "name": name, "value": id}),
        Some("voice") => json!({"type": "voice", "name": name, "value": id}),
        Some("video") => {
            json!({"type": "video", "name": name, "value": format!("http://vweixinf.tc.qq.com/fake/{id}.mp4")})
        }
        _ => json!({"type": "news", "name": name, "value": id, "news_info": {"list": []}}),
    }
}

impl World {
    /// `GET /cgi-bin/get_current_selfmenu_info` → `{"is_menu_open","selfmenu_info":{"button":[…]}}`: the default
    /// menu as users see it; without one, `is_menu_open` 0 and no buttons.
    pub(crate) fn menu_selfmenu_info(&mut self, access_token: &str) -> Reply {
        let appid = match self.account_call(access_token) {
            Ok(a) => a,
            Err(r) => return r,
        };
        let Some(account) = self.accounts.get(&appid) else {
            return error(40013);
        };
        let Some(menu) = account.menu.as_ref().and_then(Value::as_array) else {
            return Reply::Json(json!({"is_menu_open": 0, "selfmenu_info": {"button": []}}));
        };
        let button: Vec<Value> = menu.iter().map(|b| as_selfmenu(b, &account.media)).collect();
        Reply::Json(json!({"is_menu_open": 1, "selfmenu_info": {"button": button}}))
    }

    /// `POST /cgi-bin/menu/create`.
    pub(crate) fn menu_create(&mut self, access_token: &str, body: Option<&Value>) -> Reply {
        let appid = match self.account_call(access_token) {
            Ok(a) => a,
            Err(r) => return r,
        };
        let quota = self.opts.menu_create_quota;
        let Some(account) = self.account_mut(&appid) else {
            return error(40013);
        };
        if account.menu_creates >= quota {
            return error(45009);
        }
        let Some(body) = body else {
            return error(47001);
        };
        match check_buttons(body.get("button")) {
            Ok(buttons) => {
                account.menu_creates += 1;
                account.menu = Some(Value::Array(buttons));
                ok()
            }
            Err(code) => error(code),
        }
    }

    /// `GET /cgi-bin/menu/get`.
    pub(crate) fn menu_get(&mut self, access_token: &str) -> Reply {
        let appid = match self.account_call(access_token) {
            Ok(a) => a,
            Err(r) => return r,
        };
        let Some(account) = self.account_mut(&appid) else {
            return error(40013);
        };
        let Some(menu) = &account.menu else {
            return error(46003);
        };
        let conditional: Vec<Value> = account
            .conditional
            .iter()
            .map(|c| json!({"button": as_shown(&c.button), "matchrule": c.matchrule, "menuid": c.menuid}))
            .collect();
        let mut answer = json!({"menu": {"button": as_shown(menu)}});
        if !conditional.is_empty() {
            answer["conditionalmenu"] = Value::Array(conditional);
        }
        Reply::Json(answer)
    }

    /// `GET /cgi-bin/menu/delete`: the default menu and every conditional one.
    pub(crate) fn menu_delete(&mut self, access_token: &str) -> Reply {
        let appid = match self.account_call(access_token) {
            Ok(a) => a,
            Err(r) => return r,
        };
        if let Some(account) = self.account_mut(&appid) {
            account.menu = None;
            account.conditional.clear();
        }
        ok()
    }

    /// `POST /cgi-bin/menu/addconditional` → `{"menuid":"…"}`.
    pub(crate) fn menu_add_conditional(&mut self, access_token: &str, body: Option<&Value>) -> Reply {
        let appid = match self.account_call(access_token) {
            Ok(a) => a,
            Err(r) => return r,
        };
        let Some(account) = self.account_mut(&appid) else {
            return error(40013);
        };
        let Some(body) = body else {
            return error(47001);
        };
        if account.menu.is_none() {
            return error(65303);
        }
        let rule = body.get("matchrule").and_then(Value::as_object);
        let conditions = [
            "tag_id",
            "client_platform_type",
            "language",
            "sex",
            "country",
            "province",
            "city",
        ];
        let has_condition = rule.is_some_and(|r| {
            conditions
                .iter()
                .any(|k| r.get(*k).and_then(Value::as_str).is_some_and(|v| !v.is_empty()))
        });
        if !has_condition {
            return error(65304);
        }
        match check_buttons(body.get("button")) {
            Ok(buttons) => {
                let menuid = account.next_menuid;
                account.next_menuid += 1;
                account.conditional.push(super::account::ConditionalRec {
                    menuid,
                    button: Value::Array(buttons),
                    matchrule: body.get("matchrule").cloned().unwrap_or(Value::Null),
                });
                Reply::Json(json!({"menuid": menuid.to_string()}))
            }
            Err(code) => error(code),
        }
    }

    /// `POST /cgi-bin/menu/delconditional {"menuid"}`.
    pub(crate) fn menu_del_conditional(&mut self, access_token: &str, body: Option<&Value>) -> Reply {
        let appid = match self.account_call(access_token) {
            Ok(a) => a,
            Err(r) => return r,
        };
        let Some(account) = self.account_mut(&appid) else {
            return error(40013);
        };
        let menuid = body.and_then(|b| b.get("menuid")).and_then(|m| match m {
            Value::String(s) => s.parse::<u64>().ok(),
            other => other.as_u64(),
        });
        let before = account.conditional.len();
        account.conditional.retain(|c| Some(c.menuid) != menuid);
        if account.conditional.len() == before {
            return error(65301);
        }
        ok()
    }

    /// `POST /cgi-bin/menu/trymatch {"user_id"}`: the newest conditional menu whose tag the user has, else the
    /// default. The fake knows no user's platform or language, so rules on those match no one.
    pub(crate) fn menu_try_match(&mut self, access_token: &str, body: Option<&Value>) -> Reply {
        let appid = match self.account_call(access_token) {
            Ok(a) => a,
            Err(r) => return r,
        };
        let Some(account) = self.account_mut(&appid) else {
            return error(40013);
        };
        let user = body
            .and_then(|b| b.get("user_id"))
            .and_then(Value::as_str)
            .unwrap_or("");
        let Some(follower) = account.followers.get(user) else {
            return error(65302);
        };
        let Some(menu) = &account.menu else {
            return error(46003);
        };
        // The newest conditional menu whose every criterion holds: the tag, the client's platform and language.
        // Sex and region are no longer known to WeChat (since 2021), so a rule naming them matches nobody.
        let matched = account.conditional.iter().rev().find(|c| {
            let given = |k: &str| c.matchrule.get(k).and_then(Value::as_str).filter(|v| !v.is_empty());
            let unknowable = ["sex", "country", "province", "city"]
                .iter()
                .any(|k| given(k).is_some());
            let tag = given("tag_id").is_none_or(|t| t.parse::<u64>().is_ok_and(|t| follower.tags.contains(&t)));
            let platform = given("client_platform_type").is_none_or(|p| follower.platform.as_deref() == Some(p));
            let language = given("language").is_none_or(|l| follower.language == l);
            let any = ["tag_id", "client_platform_type", "language"]
                .iter()
                .any(|k| given(k).is_some());
            any && !unknowable && tag && platform && language
        });
        let buttons = matched.map_or(menu, |c| &c.button);
        Reply::Json(json!({"button": as_shown(buttons)}))
    }
}
