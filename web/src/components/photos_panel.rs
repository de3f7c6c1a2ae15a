use crate::{
    components::{
        button::{Kind, button_area},
        error_line::error_line,
        page_head::page_head,
        select_field::select_field,
    },
    task::spawn,
    updater::Updater,
    wx::WxContext,
};
use wx_jssdk::{Environment, Platform, WxError, image};
use yew::prelude::*;

/// A chosen photo: WeChat's local id and what an `<img>` can show.
#[derive(Clone, PartialEq)]
struct Photo {
    local_id: String,
    /// On iOS a data URL of the whole image (megabytes): shared, so a render or a state copy does not copy it.
    src: AttrValue,
    server_id: Option<String>,
}

/// What chooseImage is asked for: the values of the three selects.
#[derive(Clone, PartialEq)]
struct Options {
    count: String,
    source: String,
    size: String,
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

/// iOS WeChat (WKWebView) cannot show a local id in `<img>`: read it as data with getLocalImgData. A failure
/// is set in `failed` (the panel shows it) and the photo keeps its local id.
async fn displayable(local_id: String, failed: &mut Option<WxError>) -> Photo {
    let src = if Environment::detect().platform == Platform::Ios {
        image::get_local_img_data(&local_id).await.unwrap_or_else(|e| {
            *failed = Some(e);
            local_id.clone()
        })
    } else {
        local_id.clone()
    };
    Photo {
        local_id,
        src: src.into(),
        server_id: None,
    }
}

/// What the photos panel keeps while it is shown.
#[derive(Clone)]
pub struct PhotosState {
    options: Options,
    photos: Vec<Photo>,
    error: Option<WxError>,
}

impl PhotosState {
    pub fn new() -> PhotosState {
        PhotosState {
            options: Options {
                count: "9".into(),
                source: "both".into(),
                size: "both".into(),
            },
            photos: Vec::new(),
            error: None,
        }
    }
}

/// chooseImage with its options, thumbnails, previewImage on tap, uploadImage for server ids, and wx-server's
/// copy of each uploaded photo.
pub fn photos_panel<R: 'static>(wx: &WxContext, state: &PhotosState, up: &Updater<R, PhotosState>) -> Html {
    let PhotosState { options, photos, error } = state;

    let choose = {
        let (options, up) = (options.clone(), up.clone());
        Callback::from(move |_: MouseEvent| {
            use image::{SizeType, SourceType};
            let options = image::ChooseImage {
                count: options.count.parse().unwrap_or(9),
                source_type: match options.source.as_str() {
                    "album" => vec![SourceType::Album],
                    "camera" => vec![SourceType::Camera],
                    _ => vec![SourceType::Album, SourceType::Camera],
                },
                size_type: match options.size.as_str() {
                    "original" => vec![SizeType::Original],
                    "compressed" => vec![SizeType::Compressed],
                    _ => vec![SizeType::Original, SizeType::Compressed],
                },
            };
            let up = up.clone();
            spawn(async move {
                match image::choose_image(&options).await {
                    Ok(chosen) => {
                        let (mut shown, mut failed) = (Vec::with_capacity(chosen.local_ids.len()), None);
                        for id in chosen.local_ids {
                            shown.push(displayable(id, &mut failed).await);
                        }
                        up.update(|s| {
                            s.photos = shown;
                            s.error = failed;
                        });
                    }
                    Err(e) => up.update(|s| s.error = Some(e)),
                }
            });
        })
    };
    // Each thumbnail's handler keeps the local ids only: a copy of the photos would copy every iOS data URL once
    // per thumbnail on every render.
    let ids: Vec<String> = photos.iter().map(|p| p.local_id.clone()).collect();
    let preview = |current: String| {
        let (ids, up) = (ids.clone(), up.clone());
        Callback::from(move |_: MouseEvent| {
            let urls = ids.clone();
            let (current, up) = (current.clone(), up.clone());
            spawn(async move {
                if let Err(e) = image::preview_image(&image::PreviewImage { current, urls }).await {
                    up.update(|s| s.error = Some(e));
                }
            });
        })
    };
    let upload = {
        let (photos, up) = (photos.clone(), up.clone());
        Callback::from(move |_: MouseEvent| {
            let (mut next, up) = (photos.clone(), up.clone());
            spawn(async move {
                let mut failed = None;
                for p in next.iter_mut().filter(|p| p.server_id.is_none()) {
                    match image::upload_image(&p.local_id, true).await {
                        Ok(id) => p.server_id = Some(id),
                        Err(e) => {
                            failed = Some(e);
                            break;
                        }
                    }
                }
                up.update(move |s| {
                    // A success clears an earlier error: what shows is this upload's outcome.
                    s.error = failed;
                    // Onto the photos shown now, by local id: photos chosen while uploading are kept.
                    for p in &mut s.photos {
                        let done = next.iter_mut().find(|n| n.local_id == p.local_id);
                        if let Some(id) = done.and_then(|n| n.server_id.take()) {
                            p.server_id = Some(id);
                        }
                    }
                });
            });
        })
    };
    html! {
        <>
            { page_head("Photos", "Pick from the album or the camera; tap a thumbnail to preview it full screen.") }
            <div class="cells">
                { select_field("photos-count", "Count", COUNTS, &options.count, up.setter(|s, v| s.options.count = v)) }
                { select_field("photos-source", "Source", SOURCES, &options.source, up.setter(|s, v| s.options.source = v)) }
                { select_field("photos-size", "Size", SIZES, &options.size, up.setter(|s, v| s.options.size = v)) }
            </div>
            { button_area(Kind::Primary, "photos-choose", "Choose photos", !wx.is_ready(), choose) }
            if let Some(e) = error { { error_line(e) } }
            if !photos.is_empty() {
                <div class="thumbs" id="photos-thumbs">
                    { for photos.iter().map(|p| html! {
                        <button class="thumb" aria-label="Preview" onclick={preview(p.local_id.clone())}>
                            <img class="thumb" src={p.src.clone()} alt="" data-local-id={p.local_id.clone()} />
                        </button>
                    }) }
                </div>
                { button_area(Kind::Plain, "photos-upload", "Upload to WeChat", false, upload) }
                <div class="cells">
                    { for photos.iter().filter_map(|p| p.server_id.as_ref()).map(|id| html! {
                        <div class="cell"><span class="cell-label">{ "serverId" }</span><span class="cell-body mono server-id">{ id.clone() }</span></div>
                    }) }
                </div>
                // wx-server's own copy: it downloads each photo from WeChat (`media/get`) the first time it is asked.
                <div class="thumbs" id="photos-server">
                    { for photos.iter().filter_map(|p| p.server_id.as_ref()).map(|id| html! {
                        <img class="thumb server-copy" src={"/api/photos/".to_owned() + id} alt="wx-server's copy" />
                    }) }
                </div>
            }
        </>
    }
}
