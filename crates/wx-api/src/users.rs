//! Users and tags: `user/info` (single and batch), the follower list (`user/get`) as a stream, remarks, tags,
//! tagging and a user's tags.

use crate::{
    client::{AccountClient, Ok},
    error::{ApiError, InvalidRequest},
    token::TokenSource,
};
use futures::Stream;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// A user as `user/info` gives them (nickname and avatar are no longer returned there since 2021: they come
/// from OAuth's `sns/userinfo`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Follower {
    /// 1 follows, 0 does not (then only `openid` and perhaps `unionid` are given).
    pub subscribe: u8,
    /// The openid.
    pub openid: String,
    /// The client's language.
    #[serde(default)]
    pub language: String,
    /// When they followed, Unix seconds.
    #[serde(default)]
    pub subscribe_time: u64,
    /// Present when the account is bound to an open platform account.
    #[serde(default)]
    pub unionid: Option<String>,
    /// The account's remark.
    #[serde(default)]
    pub remark: String,
    /// Their tags.
    #[serde(default)]
    pub tagid_list: Vec<u64>,
    /// How they followed (`ADD_SCENE_QR_CODE`, `ADD_SCENE_SEARCH`, …).
    #[serde(default)]
    pub subscribe_scene: String,
    /// The QR scene id they followed from.
    #[serde(default)]
    pub qr_scene: u64,
    /// The QR scene string they followed from.
    #[serde(default)]
    pub qr_scene_str: String,
}

impl Follower {
    /// True while they follow the account.
    pub fn follows(&self) -> bool {
        self.subscribe == 1
    }
}

/// A user tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    /// Its id (0, 1 and 2 are WeChat's own).
    pub id: u64,
    /// Its name (≤ 30 bytes).
    pub name: String,
    /// Users with it (in `tags/get`).
    #[serde(default)]
    pub count: u64,
}

/// One page of openids (`user/get`, `user/tag/get`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct OpenidPage {
    /// Followers in all (`user/get` only).
    #[serde(default)]
    pub total: u64,
    /// On this page.
    pub count: u64,
    /// The page.
    #[serde(default)]
    pub data: OpenidList,
    /// Where the next page starts.
    #[serde(default)]
    pub next_openid: String,
}

/// WeChat's `data: {openid: […]}` (absent on an empty page).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct OpenidList {
    /// The openids.
    #[serde(default)]
    pub openid: Vec<String>,
}

#[derive(Deserialize)]
struct Batch {
    user_info_list: Vec<Follower>,
}

#[derive(Deserialize)]
struct Created {
    tag: Tag,
}

#[derive(Deserialize)]
struct Tags {
    tags: Vec<Tag>,
}

#[derive(Deserialize)]
struct TagIds {
    tagid_list: Vec<u64>,
}

fn invalid(field: &'static str, problem: String) -> ApiError {
    InvalidRequest::Field { field, problem }.into()
}

fn tag_name(name: &str) -> Result<(), ApiError> {
    if name.is_empty() || name.len() > 30 {
        return Err(invalid(
            "tag.name",
            format!("{name:?} is {} bytes; a tag name is 1 to 30 bytes", name.len()),
        ));
    }
    Ok(())
}

fn openid_list(openids: &[&str], max: usize) -> Result<(), ApiError> {
    if openids.is_empty() || openids.len() > max {
        return Err(invalid(
            "openid_list",
            format!("{} openids; WeChat takes 1 to {max}", openids.len()),
        ));
    }
    Ok(())
}

impl<S: TokenSource> AccountClient<S> {
    /// `GET /cgi-bin/user/info?openid=&lang=zh_CN`.
    ///
    /// # Errors
    /// [`ApiError::InvalidOpenid`] (40003).
    pub async fn user_info(&self, openid: &str) -> Result<Follower, ApiError> {
        crate::custom::openid(openid)?;
        self.get("/cgi-bin/user/info", &[("openid", openid), ("lang", "zh_CN")])
            .await
    }

    /// `POST /cgi-bin/user/info/batchget`: up to 100 users at once.
    ///
    /// # Errors
    /// [`ApiError::Invalid`] for none or over 100; [`ApiError::InvalidOpenid`].
    pub async fn user_info_batch(&self, openids: &[&str]) -> Result<Vec<Follower>, ApiError> {
        openid_list(openids, 100)?;
        let list: Vec<_> = openids.iter().map(|o| json!({"openid": o, "lang": "zh_CN"})).collect();
        let batch: Batch = self
            .post("/cgi-bin/user/info/batchget", &json!({"user_list": list}))
            .await?;
        Result::Ok(batch.user_info_list)
    }

    /// `GET /cgi-bin/user/get?next_openid=`: one page of followers (`""` starts).
    ///
    /// # Errors
    /// WeChat's errcodes.
    pub async fn follower_page(&self, next_openid: &str) -> Result<OpenidPage, ApiError> {
        self.get("/cgi-bin/user/get", &[("next_openid", next_openid)]).await
    }

    /// Every follower's openid, page after page (a page is fetched when the previous one is used up). The stream
    /// ends after a page with count 0 or without a next_openid; an error ends it after being yielded.
    ///
    /// ```no_run
    /// # async fn demo<S: wx_api::TokenSource>(client: wx_api::AccountClient<S>) -> Result<(), wx_api::ApiError> {
    /// use futures::TryStreamExt;
    /// let all: Vec<String> = client.followers().try_collect().await?;
    /// # let _ = all; Ok(()) }
    /// ```
    pub fn followers(&self) -> impl Stream<Item = Result<String, ApiError>> + '_ {
        // State: the page being handed out, and where the next one starts (None: no next page).
        let start = (Vec::<String>::new().into_iter(), Some(String::new()));
        futures::stream::unfold(start, move |(mut page, next)| async move {
            if let Some(openid) = page.next() {
                return Some((Result::Ok(openid), (page, next)));
            }
            let from = next?;
            match self.follower_page(&from).await {
                Result::Ok(p) => {
                    let more = (p.count > 0 && !p.next_openid.is_empty()).then_some(p.next_openid);
                    let mut page = p.data.openid.into_iter();
                    // An empty page ends the list.
                    page.next().map(|openid| (Result::Ok(openid), (page, more)))
                }
                Err(e) => Some((Err(e), (Vec::new().into_iter(), None))),
            }
        })
    }

    /// `POST /cgi-bin/user/info/updateremark`.
    ///
    /// # Errors
    /// [`ApiError::Invalid`] for a remark over 30 characters; [`ApiError::InvalidOpenid`].
    pub async fn update_remark(&self, openid: &str, remark: &str) -> Result<(), ApiError> {
        crate::custom::openid(openid)?;
        if remark.chars().count() > 30 {
            return Err(invalid("remark", "at most 30 characters".into()));
        }
        let _: Ok = self
            .post(
                "/cgi-bin/user/info/updateremark",
                &json!({"openid": openid, "remark": remark}),
            )
            .await?;
        Result::Ok(())
    }

    /// `POST /cgi-bin/tags/create`.
    ///
    /// # Errors
    /// [`ApiError::Invalid`] for a name over 30 bytes; WeChat's (45157 name taken, 45056 too many tags).
    pub async fn create_tag(&self, name: &str) -> Result<Tag, ApiError> {
        tag_name(name)?;
        let created: Created = self
            .post("/cgi-bin/tags/create", &json!({"tag": {"name": name}}))
            .await?;
        Result::Ok(created.tag)
    }

    /// `GET /cgi-bin/tags/get`.
    ///
    /// # Errors
    /// WeChat's errcodes.
    pub async fn tags(&self) -> Result<Vec<Tag>, ApiError> {
        let tags: Tags = self.get("/cgi-bin/tags/get", &[]).await?;
        Result::Ok(tags.tags)
    }

    /// `POST /cgi-bin/tags/update`.
    ///
    /// # Errors
    /// WeChat's (45058 a tag of WeChat's own, 45159 no such tag).
    pub async fn update_tag(&self, id: u64, name: &str) -> Result<(), ApiError> {
        tag_name(name)?;
        let _: Ok = self
            .post("/cgi-bin/tags/update", &json!({"tag": {"id": id, "name": name}}))
            .await?;
        Result::Ok(())
    }

    /// `POST /cgi-bin/tags/delete`.
    ///
    /// # Errors
    /// WeChat's (45058, 45159).
    pub async fn delete_tag(&self, id: u64) -> Result<(), ApiError> {
        let _: Ok = self.post("/cgi-bin/tags/delete", &json!({"tag": {"id": id}})).await?;
        Result::Ok(())
    }

    /// `POST /cgi-bin/user/tag/get {tagid,next_openid}`: one page of a tag's users.
    ///
    /// # Errors
    /// WeChat's (45159).
    pub async fn tag_members(&self, tagid: u64, next_openid: &str) -> Result<OpenidPage, ApiError> {
        self.post(
            "/cgi-bin/user/tag/get",
            &json!({"tagid": tagid, "next_openid": next_openid}),
        )
        .await
    }

    /// `POST /cgi-bin/tags/members/batchtagging`: up to 50 users.
    ///
    /// # Errors
    /// [`ApiError::Invalid`] for none or over 50; WeChat's (45159, 45059 a user with 20 tags, 40003).
    pub async fn tag_users(&self, tagid: u64, openids: &[&str]) -> Result<(), ApiError> {
        self.tagging("/cgi-bin/tags/members/batchtagging", tagid, openids).await
    }

    /// `POST /cgi-bin/tags/members/batchuntagging`: up to 50 users.
    ///
    /// # Errors
    /// As [`tag_users`](Self::tag_users).
    pub async fn untag_users(&self, tagid: u64, openids: &[&str]) -> Result<(), ApiError> {
        self.tagging("/cgi-bin/tags/members/batchuntagging", tagid, openids)
            .await
    }

    async fn tagging(&self, path: &str, tagid: u64, openids: &[&str]) -> Result<(), ApiError> {
        openid_list(openids, 50)?;
        let _: Ok = self
            .post(path, &json!({"openid_list": openids, "tagid": tagid}))
            .await?;
        Result::Ok(())
    }

    /// `POST /cgi-bin/tags/getidlist {openid}`: a user's tags.
    ///
    /// # Errors
    /// [`ApiError::InvalidOpenid`].
    pub async fn user_tags(&self, openid: &str) -> Result<Vec<u64>, ApiError> {
        crate::custom::openid(openid)?;
        let ids: TagIds = self.post("/cgi-bin/tags/getidlist", &json!({"openid": openid})).await?;
        Result::Ok(ids.tagid_list)
    }
}
