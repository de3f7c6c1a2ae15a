use crate::{
    components::{error_line::error_line, text_field::state_field},
    wx::use_wx,
};
use wx_jssdk::{WxError, share};
use yew::{platform::spawn_local, prelude::*};

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
        img_url: format!("{origin}/share-icon.png"),
    }
}

/// Edit what a share to a friend or to Moments shows, then apply it with the two 1.4+ share APIs.
#[function_component(SharePanel)]
pub fn share_panel() -> Html {
    let wx = use_wx();
    let form = use_state(defaults);
    let outcome = use_state(|| None::<Result<(), WxError>>);
    let field = |id, label, value: &str, set: fn(&mut ShareForm, String)| state_field(&form, id, label, value, set);
    let apply = {
        let (form, outcome) = (form.clone(), outcome.clone());
        Callback::from(move |_: MouseEvent| {
            let (f, outcome) = ((*form).clone(), outcome.clone());
            spawn_local(async move {
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
                outcome.set(Some(result));
            });
        })
    };
    html! {
        <>
            <h1 class="page-title">{ "Share" }</h1>
            <p class="page-desc">{ "What a friend or Moments sees when this page is shared from WeChat's menu." }</p>
            <div class="cells">
                { field("share-title", "Title", &form.title, |f, v| f.title = v) }
                { field("share-desc", "Description", &form.desc, |f, v| f.desc = v) }
                { field("share-link", "Link", &form.link, |f, v| f.link = v) }
                { field("share-img", "Image URL", &form.img_url, |f, v| f.img_url = v) }
            </div>
            <div class="cells-title">{ "Preview" }</div>
            <div class="share-preview">
                <img src={form.img_url.clone()} alt="" />
                <div><div class="title">{ form.title.clone() }</div><div class="desc">{ form.desc.clone() }</div></div>
            </div>
            <div class="btn-area">
                <button class="btn btn-primary" id="share-apply" disabled={!wx.is_ready()} onclick={apply}>{ "Apply" }</button>
                { match &*outcome {
                    Some(Ok(())) => html! { <div id="share-result" class="status status-ready">{ "Share content set ✓" }</div> },
                    Some(Err(e)) => error_line(e),
                    None => html! {},
                } }
            </div>
        </>
    }
}
