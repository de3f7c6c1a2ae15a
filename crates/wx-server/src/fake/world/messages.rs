//! The fake's customer-service and template messages, with WeChat's rules: 40003 an openid that is not the
//! account's, 43004 a user who does not follow, 45015 outside the 48-hour window, 45047 past the per-window
//! message limit, 40008 an unknown msgtype, 45008 a news message with other than one article, 40007 a missing
//! media id or one the account does not have (not uploaded, or expired), 45072 a bad typing command, 40037 an unknown template_id. What was sent is recorded for
//! `GET /test-only/account`.

use super::{Reply, World, account::SERVICE_WINDOW, error};
use serde_json::{Value, json};

fn ok() -> Reply {
    Reply::Json(json!({"errcode": 0, "errmsg": "ok"}))
}

fn text<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

/// What a msgtype's object must hold: the errcode for a missing part, or None.
fn check_body(msg: &Value) -> Option<i64> {
    let msgtype = text(msg, "/msgtype");
    let has = |field: &str| !text(msg, &format!("/{msgtype}/{field}")).is_empty();
    match msgtype {
        "text" => (!has("content")).then_some(44004),
        "image" | "voice" | "mpnews" => (!has("media_id")).then_some(40007),
        "video" => (!has("media_id")).then_some(40007),
        "music" => (!has("thumb_media_id")).then_some(40007),
        "news" => {
            let n = msg
                .pointer("/news/articles")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            (n != 1).then_some(45008)
        }
        "mpnewsarticle" => (!has("article_id")).then_some(40007),
        "miniprogrampage" => (!(has("appid") && has("pagepath"))).then_some(40165),
        _ => Some(40008),
    }
}

impl World {
    /// The 48-hour window rule for `openid`: Ok, or the errcode.
    fn in_window(&mut self, appid: &str, openid: &str, counts: bool) -> Result<(), i64> {
        let now = self.account_now();
        let limit = self.opts.custom_message_limit;
        let account = self.accounts.get_mut(appid).ok_or(40013)?;
        let follower = account.followers.get_mut(openid).ok_or(40003)?;
        if !follower.subscribed {
            return Err(43004);
        }
        let open = follower
            .last_interaction
            .is_some_and(|at| now.saturating_duration_since(at) < SERVICE_WINDOW);
        if !open {
            return Err(45015);
        }
        if counts {
            if follower.sent_in_window >= limit {
                return Err(45047);
            }
            follower.sent_in_window += 1;
        }
        Ok(())
    }

    /// `POST /cgi-bin/message/custom/send`.
    pub(crate) fn custom_send(&mut self, access_token: &str, body: Option<&Value>) -> Reply {
        let appid = match self.account_call(access_token) {
            Ok(a) => a,
            Err(r) => return r,
        };
        let Some(msg) = body else {
            return error(47001);
        };
        if let Some(code) = check_body(msg) {
            return error(code);
        }
        // Every media id a message names must be one of the account's (uploaded, not expired): else 40007.
        let msgtype = text(msg, "/msgtype");
        let named = ["media_id", "thumb_media_id"]
            .iter()
            .map(|f| text(msg, &format!("/{msgtype}/{f}")))
            .filter(|id| !id.is_empty());
        if named.clone().any(|id| !self.media_known(&appid, id)) {
            return error(40007);
        }
        if let Err(code) = self.in_window(&appid, text(msg, "/touser"), true) {
            return error(code);
        }
        if let Some(account) = self.account_mut(&appid) {
            account.custom_sent.push(msg.clone());
        }
        ok()
    }

    /// `POST /cgi-bin/message/custom/typing`.
    pub(crate) fn custom_typing(&mut self, access_token: &str, body: Option<&Value>) -> Reply {
        let appid = match self.account_call(access_token) {
            Ok(a) => a,
            Err(r) => return r,
        };
        let Some(msg) = body else {
            return error(47001);
        };
        let command = text(msg, "/command");
        if command != "Typing" && command != "CancelTyping" {
            return error(45072);
        }
        if let Err(code) = self.in_window(&appid, text(msg, "/touser"), false) {
            return error(code);
        }
        if let Some(account) = self.account_mut(&appid) {
            account
                .custom_sent
                .push(json!({"touser": text(msg, "/touser"), "command": command}));
        }
        ok()
    }

    /// `POST /cgi-bin/message/template/send` → `{"errcode":0,"errmsg":"ok","msgid"}`; a `client_msg_id` seen
    /// before answers the first send's msgid and sends nothing.
    pub(crate) fn template_send(&mut self, access_token: &str, body: Option<&Value>) -> Reply {
        let appid = match self.account_call(access_token) {
            Ok(a) => a,
            Err(r) => return r,
        };
        let Some(msg) = body else {
            return error(47001);
        };
        let Some(account) = self.account_mut(&appid) else {
            return error(40013);
        };
        let touser = text(msg, "/touser");
        match account.followers.get(touser) {
            None => return error(40003),
            Some(f) if !f.subscribed => return error(43004),
            Some(_) => {}
        }
        let template_id = text(msg, "/template_id");
        if !account.templates.iter().any(|t| text(t, "/template_id") == template_id) {
            return error(40037);
        }
        if !msg.get("data").is_some_and(Value::is_object) {
            return error(47001);
        }
        let client_msg_id = text(msg, "/client_msg_id").to_owned();
        if let Some(msgid) = account
            .client_msg_ids
            .get(&client_msg_id)
            .filter(|_| !client_msg_id.is_empty())
        {
            return Reply::Json(json!({"errcode": 0, "errmsg": "ok", "msgid": msgid}));
        }
        let msgid = account.next_msgid;
        account.next_msgid += 1;
        if !client_msg_id.is_empty() {
            account.client_msg_ids.insert(client_msg_id, msgid);
        }
        account.template_sent.push(json!({"msgid": msgid, "body": msg}));
        Reply::Json(json!({"errcode": 0, "errmsg": "ok", "msgid": msgid}))
    }

    /// `GET /cgi-bin/template/get_all_private_template` → `{"template_list":[…]}`.
    pub(crate) fn template_list(&mut self, access_token: &str) -> Reply {
        let appid = match self.account_call(access_token) {
            Ok(a) => a,
            Err(r) => return r,
        };
        let templates = self
            .account_mut(&appid)
            .map(|a| a.templates.clone())
            .unwrap_or_default();
        Reply::Json(json!({"template_list": templates}))
    }

    /// `POST /cgi-bin/template/del_private_template {"template_id"}`.
    pub(crate) fn template_delete(&mut self, access_token: &str, body: Option<&Value>) -> Reply {
        let appid = match self.account_call(access_token) {
            Ok(a) => a,
            Err(r) => return r,
        };
        let id = body.map(|b| text(b, "/template_id")).unwrap_or("");
        let Some(account) = self.account_mut(&appid) else {
            return error(40013);
        };
        let before = account.templates.len();
        account.templates.retain(|t| text(t, "/template_id") != id);
        if account.templates.len() == before {
            return error(40037);
        }
        ok()
    }
}
