//! WeChat's menu rules, checked before the call so the error names the button (WeChat's errcode does not).
//! Lengths are UTF-8 bytes, as WeChat counts them.

use super::{ButtonAction, ButtonKind, MatchRule, MenuButton};
use crate::error::InvalidRequest;

const MAX_TOP: usize = 3;
const MAX_SUB: usize = 5;
const TOP_NAME_BYTES: usize = 16;
const SUB_NAME_BYTES: usize = 60;
const KEY_BYTES: usize = 128;
const URL_BYTES: usize = 1024;

fn refuse(button: &str, problem: impl Into<String>) -> InvalidRequest {
    InvalidRequest::Button {
        button: button.to_owned(),
        problem: problem.into(),
    }
}

/// Checks a menu's buttons: 1–3 at the top, 1–5 in each sub-menu, no deeper, names, keys and URLs in bounds.
pub(super) fn buttons(top: &[MenuButton]) -> Result<(), InvalidRequest> {
    if top.is_empty() || top.len() > MAX_TOP {
        return Err(refuse(
            "menu",
            format!("{} top-level buttons; a menu has 1 to {MAX_TOP}", top.len()),
        ));
    }
    for (i, b) in top.iter().enumerate() {
        let at = format!("button[{i}] {:?}", b.name);
        name(&at, &b.name, TOP_NAME_BYTES)?;
        match &b.kind {
            ButtonKind::Action(a) => action(&at, a)?,
            ButtonKind::SubMenu { sub_button } => {
                if sub_button.is_empty() || sub_button.len() > MAX_SUB {
                    return Err(refuse(
                        &at,
                        format!("{} sub-buttons; a sub-menu has 1 to {MAX_SUB}", sub_button.len()),
                    ));
                }
                for (j, s) in sub_button.iter().enumerate() {
                    let at = format!("button[{i}].sub_button[{j}] {:?}", s.name);
                    name(&at, &s.name, SUB_NAME_BYTES)?;
                    match &s.kind {
                        ButtonKind::Action(a) => action(&at, a)?,
                        ButtonKind::SubMenu { .. } => {
                            return Err(refuse(&at, "a sub-menu cannot hold another sub-menu"));
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

fn name(at: &str, name: &str, max: usize) -> Result<(), InvalidRequest> {
    if name.is_empty() || name.len() > max {
        return Err(refuse(
            at,
            format!("name is {} bytes; it must be 1 to {max} bytes (UTF-8)", name.len()),
        ));
    }
    Ok(())
}

fn bounded(at: &str, field: &str, value: &str, max: usize) -> Result<(), InvalidRequest> {
    if value.is_empty() || value.len() > max {
        return Err(refuse(
            at,
            format!("{field} is {} bytes; it must be 1 to {max} bytes", value.len()),
        ));
    }
    Ok(())
}

fn url(at: &str, value: &str) -> Result<(), InvalidRequest> {
    bounded(at, "url", value, URL_BYTES)?;
    if !(value.starts_with("http://") || value.starts_with("https://")) {
        return Err(refuse(at, "url must be an absolute http:// or https:// URL"));
    }
    Ok(())
}

fn action(at: &str, a: &ButtonAction) -> Result<(), InvalidRequest> {
    match a {
        ButtonAction::Click { key }
        | ButtonAction::ScancodePush { key }
        | ButtonAction::ScancodeWaitmsg { key }
        | ButtonAction::PicSysphoto { key }
        | ButtonAction::PicPhotoOrAlbum { key }
        | ButtonAction::PicWeixin { key }
        | ButtonAction::LocationSelect { key } => bounded(at, "key", key, KEY_BYTES),
        ButtonAction::View { url: u } => url(at, u),
        ButtonAction::MediaId { media_id } => bounded(at, "media_id", media_id, KEY_BYTES),
        ButtonAction::ArticleId { article_id } | ButtonAction::ArticleViewLimited { article_id } => {
            bounded(at, "article_id", article_id, KEY_BYTES)
        }
        ButtonAction::Miniprogram {
            url: u,
            appid,
            pagepath,
        } => {
            url(at, u)?;
            bounded(at, "appid", appid, KEY_BYTES)?;
            bounded(at, "pagepath", pagepath, URL_BYTES)
        }
    }
}

/// A conditional menu needs at least one condition; the platform is 1, 2 or 3.
pub(super) fn match_rule(rule: &MatchRule) -> Result<(), InvalidRequest> {
    let field = |problem: &str| InvalidRequest::Field {
        field: "matchrule",
        problem: problem.to_owned(),
    };
    if rule.tag_id.is_none() && rule.client_platform_type.is_none() && rule.language.is_none() {
        return Err(field("set at least one of tag_id, client_platform_type and language"));
    }
    if rule
        .client_platform_type
        .as_deref()
        .is_some_and(|p| !matches!(p, "1" | "2" | "3"))
    {
        return Err(field(
            "client_platform_type is \"1\" (iOS), \"2\" (Android) or \"3\" (other)",
        ));
    }
    Ok(())
}
