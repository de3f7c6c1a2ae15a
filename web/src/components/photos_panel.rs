use crate::{
    components::{error_line::error_line, select_field::select_field},
    wx::use_wx,
};
use wx_jssdk::{Environment, Platform, WxError, image};
use yew::{platform::spawn_local, prelude::*};

/// A chosen photo: WeChat's local id and what an `<img>` can show.
#[derive(Clone, PartialEq)]
struct Photo {
    local_id: String,
    src: String,
    server_id: Option<String>,
}

const COUNTS: &[(&str, &str)] = &[
    ("9", "9"),
    ("8", "8"),
    ("7", "7"),
    ("6", "6"),
    ("5", "5"),
    ("4", "4"),
    ("3", "3"),
    ("2", "2"),
    ("1", "1"),
];
const SOURCES: &[(&str, &str)] = &[("both", "Album or camera"), ("album", "Album"), ("camera", "Camera")];
const SIZES: &[(&str, &str)] = &[
    ("both", "Original or compressed"),
    ("original", "Original"),
    ("compressed", "Compressed"),
];

/// iOS WeChat (WKWebView) cannot show a local id in `<img>`: read it as data with getLocalImgData.
async fn displayable(local_id: String) -> Photo {
    let src = if Environment::detect().platform == Platform::Ios {
        image::get_local_img_data(&local_id)
            .await
            .unwrap_or_else(|_| local_id.clone())
    } else {
        local_id.clone()
    };
    Photo {
        local_id,
        src,
        server_id: None,
    }
}

/// chooseImage with its options, thumbnails, previewImage on tap, uploadImage for server ids.
#[function_component(PhotosPanel)]
pub fn photos_panel() -> Html {
    let wx = use_wx();
    let count = use_state(|| "9".to_owned());
    let source = use_state(|| "both".to_owned());
    let size = use_state(|| "both".to_owned());
    let photos = use_state(Vec::<Photo>::new);
    let error = use_state(|| None::<WxError>);

    let choose = {
        let (count, source, size, photos, error) = (
            count.clone(),
            source.clone(),
            size.clone(),
            photos.clone(),
            error.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            use image::{SizeType, SourceType};
            let options = image::ChooseImage {
                count: count.parse().unwrap_or(9),
                source_type: match source.as_str() {
                    "album" => vec![SourceType::Album],
                    "camera" => vec![SourceType::Camera],
                    _ => vec![SourceType::Album, SourceType::Camera],
                },
                size_type: match size.as_str() {
                    "original" => vec![SizeType::Original],
                    "compressed" => vec![SizeType::Compressed],
                    _ => vec![SizeType::Original, SizeType::Compressed],
                },
            };
            let (photos, error) = (photos.clone(), error.clone());
            spawn_local(async move {
                match image::choose_image(&options).await {
                    Ok(chosen) => {
                        let mut shown = Vec::with_capacity(chosen.local_ids.len());
                        for id in chosen.local_ids {
                            shown.push(displayable(id).await);
                        }
                        photos.set(shown);
                        error.set(None);
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    let preview = |current: String| {
        let (photos, error) = (photos.clone(), error.clone());
        Callback::from(move |_: MouseEvent| {
            let urls = photos.iter().map(|p| p.local_id.clone()).collect();
            let (current, error) = (current.clone(), error.clone());
            spawn_local(async move {
                if let Err(e) = image::preview_image(&image::PreviewImage { current, urls }).await {
                    error.set(Some(e));
                }
            });
        })
    };
    let upload = {
        let (photos, error) = (photos.clone(), error.clone());
        Callback::from(move |_: MouseEvent| {
            let (photos, error) = (photos.clone(), error.clone());
            spawn_local(async move {
                let mut next = (*photos).clone();
                for p in next.iter_mut().filter(|p| p.server_id.is_none()) {
                    match image::upload_image(&p.local_id, true).await {
                        Ok(id) => p.server_id = Some(id),
                        Err(e) => {
                            error.set(Some(e));
                            break;
                        }
                    }
                }
                photos.set(next);
            });
        })
    };
    let on_count = {
        let count = count.clone();
        Callback::from(move |v: String| count.set(v))
    };
    let on_source = {
        let source = source.clone();
        Callback::from(move |v: String| source.set(v))
    };
    let on_size = {
        let size = size.clone();
        Callback::from(move |v: String| size.set(v))
    };
    html! {
        <>
            <h1 class="page-title">{ "Photos" }</h1>
            <p class="page-desc">{ "Pick from the album or the camera; tap a thumbnail to preview it full screen." }</p>
            <div class="cells">
                { select_field("photos-count", "Count", COUNTS, &count, on_count) }
                { select_field("photos-source", "Source", SOURCES, &source, on_source) }
                { select_field("photos-size", "Size", SIZES, &size, on_size) }
            </div>
            <div class="btn-area">
                <button class="btn btn-primary" id="photos-choose" disabled={!wx.is_ready()} onclick={choose}>{ "Choose photos" }</button>
            </div>
            if let Some(e) = &*error { { error_line(e) } }
            if !photos.is_empty() {
                <div class="thumbs" id="photos-thumbs">
                    { for photos.iter().map(|p| html! {
                        <button class="thumb" onclick={preview(p.local_id.clone())}>
                            <img class="thumb" src={p.src.clone()} alt="" data-local-id={p.local_id.clone()} />
                        </button>
                    }) }
                </div>
                <div class="btn-area">
                    <button class="btn" id="photos-upload" onclick={upload}>{ "Upload to WeChat" }</button>
                </div>
                <div class="cells">
                    { for photos.iter().filter_map(|p| p.server_id.as_ref()).map(|id| html! {
                        <div class="cell"><span class="cell-label">{ "serverId" }</span><span class="cell-body mono server-id">{ id.clone() }</span></div>
                    }) }
                </div>
            }
        </>
    }
}
