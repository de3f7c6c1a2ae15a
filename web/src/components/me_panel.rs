use crate::{
    api,
    components::{
        cell::{Look, cell},
        error_line::error_line,
        page_head::page_head,
    },
    effect::{Effect, no_cleanup},
    task::spawn,
    updater::Updater,
};
use wasm_bindgen::JsValue;
use wx_jssdk::WxError;
use yew::prelude::*;

/// What the "Me" panel keeps: the session `/api/oauth/me` answered, until it has.
#[derive(Clone, Default)]
pub struct MeState {
    me: Option<Result<JsValue, WxError>>,
}

/// The session's fields the panel shows: label, and element id (`me-` and the field's JSON name).
const ROWS: [(&str, &str); 4] = [
    ("openid", "me-openid"),
    ("Nickname", "me-nickname"),
    ("unionid", "me-unionid"),
    ("Scope", "me-scope"),
];

/// The effect that asks wx-server who signed in, once per showing of the panel.
pub fn load_me<R: 'static>(up: Updater<R, MeState>) -> (String, Effect) {
    let load = Box::new(move || {
        spawn(async move {
            let me = api::call("/api/oauth/me").await;
            up.update(|s| s.me = Some(me));
        });
        no_cleanup()
    });
    ("me".into(), load)
}

/// Sign-in through WeChat's web authorisation (`/api/oauth/start`), and who wx-server's session says you are:
/// openid always, nickname, avatar and unionid when WeChat gave them (snsapi_userinfo; unionid only for an
/// account bound to an Open Platform account).
pub fn me_panel(state: &MeState) -> Html {
    let body = match &state.me {
        None => html! { <div class="status status-loading">{ "Asking wx-server…" }</div> },
        Some(Ok(me)) => html! {
            <>
                if let Some(src) = api::field(me, "headimgurl") {
                    <img class="avatar" id="me-avatar" {src} alt="" />
                }
                <div class="cells" id="me-session">
                    { for ROWS.iter().filter_map(|&(label, id)| api::field(me, &id[3..]).map(|v| cell(label, Some(id), Look::LongCode, v))) }
                </div>
            </>
        },
        Some(Err(WxError::Backend { status: 401, .. })) => html! {},
        Some(Err(e)) => error_line(e),
    };
    html! {
        <>
            { page_head("Me", "Sign in with WeChat: the page learns your openid, and with your consent your profile.") }
            { body }
            <div class="btn-area">
                <a class="btn btn-primary" id="me-sign-in" href="/api/oauth/start?scope=base&return=/me">{ "Sign in (openid only)" }</a>
                <a class="btn" id="me-sign-in-profile" href="/api/oauth/start?scope=userinfo&return=/me">{ "Sign in with profile" }</a>
            </div>
        </>
    }
}
