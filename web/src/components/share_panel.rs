use crate::{
    components::{
        button::{Kind, button},
        error_line::error_line,
        page_head::page_head,
        text_field::text_field,
    },
    task::spawn,
    updater::Updater,
    wx::WxContext,
};
use wx_jssdk::{WxError, share};
use yew::prelude::*;

#[derive(Clone, PartialEq)]
struct ShareForm {
    title: String,
    desc: String,
    link: String,
    img_url: String,
}

fn defaults() -> ShareForm {
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    ShareForm {
        title: "wxkit — WeChat H5 in Rust".into(),
        desc: "Signed by a Rust backend, configured by Rust in the page.".into(),
        // The link's domain must be a JS safe domain of the account: the page's own URL is.
        link: wx_sign::url_for_signing(
            &web_sys::window()
                .and_then(|w| w.location().href().ok())
                .unwrap_or_default(),
        )
        .to_owned(),
        // WeChat refuses base64 images: an absolute URL on the same domain.
        img_url: origin + "/share-icon.png",
    }
}

/// What the share panel keeps while it is shown.
#[derive(Clone)]
pub struct ShareState {
    form: ShareForm,
    outcome: Option<Result<(), WxError>>,
}

impl ShareState {
    pub fn new() -> ShareState {
        ShareState {
            form: defaults(),
            outcome: None,
        }
    }
}

/// The share form, for an edit: an edit clears the last outcome ("set ✓" would claim the edited content was
/// applied).
fn edit(state: &mut ShareState) -> &mut ShareForm {
    state.outcome = None;
    &mut state.form
}

/// Edit what a share to a friend or to Moments shows, then apply it with the two 1.4+ share APIs.
pub fn share_panel<R: 'static>(wx: &WxContext, state: &ShareState, up: &Updater<R, ShareState>) -> Html {
    let form = &state.form;
    let field = |id, label, value: &str, set: fn(&mut ShareState, String)| text_field(id, label, value, up.setter(set));
    let apply = {
        let (form, up) = (form.clone(), up.clone());
        Callback::from(move |_: MouseEvent| {
            let (f, up) = (form.clone(), up.clone());
            spawn(async move {
                let friend = share::AppMessageShare {
                    title: f.title.clone(),
                    desc: f.desc.clone(),
                    link: f.link.clone(),
                    img_url: f.img_url.clone(),
                };
                let moments = share::TimelineShare {
                    title: f.title,
                    link: f.link,
                    img_url: f.img_url,
                };
                let result = match share::update_app_message_share_data(&friend).await {
                    Ok(()) => share::update_timeline_share_data(&moments).await,
                    Err(e) => Err(e),
                };
                up.update(|s| s.outcome = Some(result));
            });
        })
    };
    html! {
        <>
            { page_head("Share", "What a friend or Moments sees when this page is shared from WeChat's menu.") }
            <div class="cells">
                { field("share-title", "Title", &form.title, |s, v| edit(s).title = v) }
                { field("share-desc", "Description", &form.desc, |s, v| edit(s).desc = v) }
                { field("share-link", "Link", &form.link, |s, v| edit(s).link = v) }
                { field("share-img", "Image URL", &form.img_url, |s, v| edit(s).img_url = v) }
            </div>
            <div class="cells-title">{ "Preview" }</div>
            <div class="share-preview">
                <img src={form.img_url.clone()} alt="" />
                <div><div class="title">{ form.title.clone() }</div><div class="desc">{ form.desc.clone() }</div></div>
            </div>
            <div class="btn-area">
                { button(Kind::Primary, "share-apply", "Apply", !wx.is_ready(), apply) }
                { match &state.outcome {
                    Some(Ok(())) => html! { <div id="share-result" class="status status-ready">{ "Share content set ✓" }</div> },
                    Some(Err(e)) => error_line(e),
                    None => html! {},
                } }
            </div>
        </>
    }
}
