//! The fake's users and tags, with WeChat's errcodes: 40003 an openid that is not the account's, 40097 a batch of
//! none or over 100 users or a remark over 30 characters, 40032 a tagging batch of none or over 50, 45056 over
//! 100 tags, 45157 a tag name taken, 45158 a tag name over 30 bytes, 45058 WeChat's own tags (0, 1, 2), 45159
//! no such tag, 45059 a user with 20 tags already. `user/get` pages by [`FakeOptions::follower_page_size`](crate::fake::FakeOptions::follower_page_size).

use super::{Reply, World, error};
use serde_json::{Value, json};

fn ok() -> Reply {
    Reply::Json(json!({"errcode": 0, "errmsg": "ok"}))
}

fn text<'a>(v: Option<&'a Value>, pointer: &str) -> &'a str {
    v.and_then(|v| v.pointer(pointer)).and_then(Value::as_str).unwrap_or("")
}

/// The first tag ids WeChat keeps for itself.
const RESERVED_TAGS: u64 = 3;

impl World {
    fn user_json(&self, appid: &str, openid: &str) -> Option<Value> {
        let f = self.accounts.get(appid)?.followers.get(openid)?;
        let unionid = format!("oFakeUnion-{openid}");
        Some(if f.subscribed {
            json!({"subscribe": 1, "openid": openid, "language": f.language, "subscribe_time": f.subscribe_time,
                   "unionid": unionid, "remark": f.remark, "groupid": 0, "tagid_list": f.tags,
                   "subscribe_scene": f.subscribe_scene, "qr_scene": 0, "qr_scene_str": f.qr_scene_str})
        } else {
            json!({"subscribe": 0, "openid": openid, "unionid": unionid})
        })
    }

    /// `GET /cgi-bin/user/info?openid&lang`.
    pub(crate) fn user_info(&mut self, access_token: &str, openid: &str) -> Reply {
        let appid = match self.account_call(access_token) {
            Ok(a) => a,
            Err(r) => return r,
        };
        self.user_json(&appid, openid).map_or_else(|| error(40003), Reply::Json)
    }

    /// `POST /cgi-bin/user/info/batchget {user_list:[{openid,lang}]}` (1 to 100).
    pub(crate) fn user_info_batch(&mut self, access_token: &str, body: Option<&Value>) -> Reply {
        let appid = match self.account_call(access_token) {
            Ok(a) => a,
            Err(r) => return r,
        };
        let list = body.and_then(|b| b.get("user_list")).and_then(Value::as_array);
        let Some(list) = list.filter(|l| (1..=100).contains(&l.len())) else {
            return error(40097);
        };
        let mut users = Vec::new();
        for u in list {
            match self.user_json(&appid, text(Some(u), "/openid")) {
                Some(v) => users.push(v),
                None => return error(40003),
            }
        }
        Reply::Json(json!({"user_info_list": users}))
    }

    /// Followers (subscribed) in openid order, after `next` (`""`: from the start), one page.
    fn openid_page(openids: Vec<&String>, next: &str, page: usize) -> Value {
        let rest: Vec<&String> = openids
            .into_iter()
            .filter(|o| next.is_empty() || o.as_str() > next)
            .collect();
        let chunk: Vec<&String> = rest.into_iter().take(page).collect();
        let next_openid = chunk.last().map_or(String::new(), |o| (*o).clone());
        if chunk.is_empty() {
            json!({"count": 0, "next_openid": ""})
        } else {
            json!({"count": chunk.len(), "data": {"openid": chunk}, "next_openid": next_openid})
        }
    }

    /// `GET /cgi-bin/user/get?next_openid` → `{total,count,data:{openid},next_openid}`.
    pub(crate) fn user_list(&mut self, access_token: &str, next: &str) -> Reply {
        let appid = match self.account_call(access_token) {
            Ok(a) => a,
            Err(r) => return r,
        };
        let page = self.opts.follower_page_size.clamp(1, 10_000);
        let Some(account) = self.accounts.get(&appid) else {
            return error(40013);
        };
        if !next.is_empty() && !account.followers.contains_key(next) {
            return error(40003);
        }
        let followers: Vec<&String> = account
            .followers
            .iter()
            .filter(|(_, f)| f.subscribed)
            .map(|(o, _)| o)
            .collect();
        let total = followers.len();
        let mut answer = Self::openid_page(followers, next, page);
        answer["total"] = json!(total);
        Reply::Json(answer)
    }

    /// `POST /cgi-bin/user/info/updateremark {openid,remark}`.
    pub(crate) fn user_remark(&mut self, access_token: &str, body: Option<&Value>) -> Reply {
        let appid = match self.account_call(access_token) {
            Ok(a) => a,
            Err(r) => return r,
        };
        let remark = text(body, "/remark").to_owned();
        if remark.chars().count() > 30 {
            return error(40097);
        }
        let openid = text(body, "/openid");
        match self.account_mut(&appid).and_then(|a| a.followers.get_mut(openid)) {
            Some(f) => {
                f.remark = remark;
                ok()
            }
            None => error(40003),
        }
    }

    /// `POST /cgi-bin/tags/create {tag:{name}}` → `{tag:{id,name}}`.
    pub(crate) fn tag_create(&mut self, access_token: &str, body: Option<&Value>) -> Reply {
        let appid = match self.account_call(access_token) {
            Ok(a) => a,
            Err(r) => return r,
        };
        let name = text(body, "/tag/name").to_owned();
        let Some(account) = self.account_mut(&appid) else {
            return error(40013);
        };
        if name.is_empty() || name.len() > 30 {
            return error(45158);
        }
        if account.tags.values().any(|n| *n == name) {
            return error(45157);
        }
        if account.tags.len() >= 100 {
            return error(45056);
        }
        let id = account.next_tag_id.max(100);
        account.next_tag_id = id + 1;
        account.tags.insert(id, name.clone());
        Reply::Json(json!({"tag": {"id": id, "name": name}}))
    }

    /// `GET /cgi-bin/tags/get` → `{tags:[{id,name,count}]}`.
    pub(crate) fn tag_list(&mut self, access_token: &str) -> Reply {
        let appid = match self.account_call(access_token) {
            Ok(a) => a,
            Err(r) => return r,
        };
        let Some(account) = self.accounts.get(&appid) else {
            return error(40013);
        };
        let tags: Vec<Value> = account
            .tags
            .iter()
            .map(|(id, name)| {
                let count = account.followers.values().filter(|f| f.tags.contains(id)).count();
                json!({"id": id, "name": name, "count": count})
            })
            .collect();
        Reply::Json(json!({"tags": tags}))
    }

    /// The tag id of a request that names an existing tag of the account's own (errcode otherwise).
    fn own_tag(&self, appid: &str, id: Option<u64>) -> Result<u64, i64> {
        let id = id.ok_or(45159)?;
        if id < RESERVED_TAGS {
            return Err(45058);
        }
        let account = self.accounts.get(appid).ok_or(40013)?;
        account.tags.contains_key(&id).then_some(id).ok_or(45159)
    }

    /// `POST /cgi-bin/tags/update {tag:{id,name}}`.
    pub(crate) fn tag_update(&mut self, access_token: &str, body: Option<&Value>) -> Reply {
        let appid = match self.account_call(access_token) {
            Ok(a) => a,
            Err(r) => return r,
        };
        let id = match self.own_tag(&appid, body.and_then(|b| b.pointer("/tag/id")).and_then(Value::as_u64)) {
            Ok(id) => id,
            Err(code) => return error(code),
        };
        let name = text(body, "/tag/name").to_owned();
        if name.is_empty() || name.len() > 30 {
            return error(45158);
        }
        let Some(account) = self.account_mut(&appid) else {
            return error(40013);
        };
        if account.tags.iter().any(|(i, n)| *n == name && *i != id) {
            return error(45157);
        }
        account.tags.insert(id, name);
        ok()
    }

    /// `POST /cgi-bin/tags/delete {tag:{id}}`: also untags its users.
    pub(crate) fn tag_delete(&mut self, access_token: &str, body: Option<&Value>) -> Reply {
        let appid = match self.account_call(access_token) {
            Ok(a) => a,
            Err(r) => return r,
        };
        let id = match self.own_tag(&appid, body.and_then(|b| b.pointer("/tag/id")).and_then(Value::as_u64)) {
            Ok(id) => id,
            Err(code) => return error(code),
        };
        if let Some(account) = self.account_mut(&appid) {
            account.tags.remove(&id);
            for f in account.followers.values_mut() {
                f.tags.retain(|t| *t != id);
            }
        }
        ok()
    }

    /// `POST /cgi-bin/user/tag/get {tagid,next_openid}` → `{count,data:{openid},next_openid}`.
    pub(crate) fn tag_members(&mut self, access_token: &str, body: Option<&Value>) -> Reply {
        let appid = match self.account_call(access_token) {
            Ok(a) => a,
            Err(r) => return r,
        };
        let id = match self.own_tag(&appid, body.and_then(|b| b.get("tagid")).and_then(Value::as_u64)) {
            Ok(id) => id,
            Err(code) => return error(code),
        };
        let page = self.opts.follower_page_size.clamp(1, 10_000);
        let Some(account) = self.accounts.get(&appid) else {
            return error(40013);
        };
        let members: Vec<&String> = account
            .followers
            .iter()
            .filter(|(_, f)| f.tags.contains(&id))
            .map(|(o, _)| o)
            .collect();
        Reply::Json(Self::openid_page(members, text(body, "/next_openid"), page))
    }

    /// `POST /cgi-bin/tags/members/batchtagging|batchuntagging {openid_list,tagid}`.
    pub(crate) fn tag_members_change(&mut self, access_token: &str, body: Option<&Value>, tagging: bool) -> Reply {
        let appid = match self.account_call(access_token) {
            Ok(a) => a,
            Err(r) => return r,
        };
        let list = body.and_then(|b| b.get("openid_list")).and_then(Value::as_array);
        let Some(list) = list.filter(|l| (1..=50).contains(&l.len())) else {
            return error(40032);
        };
        let openids: Vec<String> = list.iter().filter_map(Value::as_str).map(str::to_owned).collect();
        let id = match self.own_tag(&appid, body.and_then(|b| b.get("tagid")).and_then(Value::as_u64)) {
            Ok(id) => id,
            Err(code) => return error(code),
        };
        let Some(account) = self.account_mut(&appid) else {
            return error(40013);
        };
        // All or nothing, as a batch: check every user before changing any.
        for o in &openids {
            match account.followers.get(o) {
                None => return error(40003),
                Some(f) if tagging && !f.tags.contains(&id) && f.tags.len() >= 20 => return error(45059),
                Some(_) => {}
            }
        }
        for o in &openids {
            if let Some(f) = account.followers.get_mut(o) {
                f.tags.retain(|t| *t != id);
                if tagging {
                    f.tags.push(id);
                }
            }
        }
        ok()
    }

    /// `POST /cgi-bin/tags/getidlist {openid}` → `{tagid_list}`.
    pub(crate) fn user_tag_ids(&mut self, access_token: &str, body: Option<&Value>) -> Reply {
        let appid = match self.account_call(access_token) {
            Ok(a) => a,
            Err(r) => return r,
        };
        match self
            .accounts
            .get(&appid)
            .and_then(|a| a.followers.get(text(body, "/openid")))
        {
            Some(f) => Reply::Json(json!({"tagid_list": f.tags})),
            None => error(40003),
        }
    }
}
