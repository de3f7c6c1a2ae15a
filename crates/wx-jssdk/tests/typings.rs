//! The crate's API list against the official npm package (`weixin-js-sdk@1.6.5`, installed by
//! `cargo xtask setup` into target/tools): a name missing here, or a bridge name that differs, fails.
#![cfg(not(target_arch = "wasm32"))]

use std::{collections::BTreeSet, path::PathBuf};
use wx_jssdk::JsApi;

fn npm_file(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/tools/node_modules/weixin-js-sdk")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}. Run `cargo xtask setup` (it installs weixin-js-sdk@1.6.5 into target/tools).",
            path.display()
        )
    })
}

/// The quoted names of the `type ApiMethod = | "…" | …;` union.
fn api_method_union(dts: &str) -> BTreeSet<String> {
    let start = dts.find("type ApiMethod =").expect("index.d.ts declares ApiMethod");
    let body = &dts[start..start + dts[start..].find(';').expect("ApiMethod ends")];
    body.split('"').skip(1).step_by(2).map(str::to_owned).collect()
}

/// `function name(` declarations of `namespace wx` (the functions on `wx`).
fn declared_functions(dts: &str) -> BTreeSet<String> {
    dts.lines()
        .filter_map(|l| l.trim().strip_prefix("function "))
        .filter_map(|rest| rest.split('(').next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn js_api_list_matches_the_typings() {
    let dts = npm_file("index.d.ts");
    let typings = api_method_union(&dts);
    let ours: BTreeSet<String> = JsApi::ALL_1_6_0.iter().map(|a| a.name().to_owned()).collect();
    assert_eq!(typings.len(), 37, "the 1.6.0 list has 37 names");
    let missing: Vec<_> = typings.difference(&ours).collect();
    let extra: Vec<_> = ours.difference(&typings).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing from JsApi::ALL_1_6_0: {missing:?}; not in the typings: {extra:?}"
    );
}

#[test]
fn every_declared_function_is_bound() {
    let dts = npm_file("index.d.ts");
    // The functions the crate wraps outside JsApi: config (+ ready/error inside `config`) and checkJsApi.
    let wrapped_elsewhere = ["config", "ready", "error", "checkJsApi"];
    let unbound: Vec<_> = declared_functions(&dts)
        .into_iter()
        .filter(|f| !wrapped_elsewhere.contains(&f.as_str()) && f.parse::<JsApi>().is_err())
        .collect();
    assert!(unbound.is_empty(), "declared in index.d.ts but not bound: {unbound:?}");
    // wx.miniProgram's methods.
    for method in [
        "navigateTo",
        "navigateBack",
        "switchTab",
        "reLaunch",
        "redirectTo",
        "postMessage",
        "getEnv",
    ] {
        assert!(dts.contains(&format!("{method}(")), "typings lost miniProgram.{method}");
    }
}

#[test]
fn bridge_names_match_jweixins_mapping_table() {
    let js = npm_file("index.js");
    // The table at the top: `a = { config: "preVerifyJSAPI", onMenuShareTimeline: "menu:share:timeline", … }`.
    let start = js
        .find("config: \"preVerifyJSAPI\"")
        .expect("index.js has its mapping table");
    let table = &js[start..start + js[start..].find('}').expect("table ends")];
    let mut mapped = 0;
    for entry in table.split(',') {
        let Some((name, bridge)) = entry.split_once(':') else {
            continue;
        };
        let (name, bridge) = (name.trim(), bridge.trim().trim_matches('"'));
        if name == "config" {
            continue;
        }
        match name.parse::<JsApi>() {
            Ok(api) => {
                assert_eq!(api.bridge_name(), bridge, "{name}");
                mapped += 1;
            }
            // Enterprise-only APIs this crate does not bind.
            Err(_) => assert_eq!(name, "openEnterpriseRedPacket", "unbound mapped API {name}"),
        }
    }
    assert!(mapped >= 16, "parsed {mapped} mappings");
    // Every API jweixin sends unmapped keeps its own name on the bridge.
    for api in JsApi::ALL {
        if !table.contains(&format!("{}:", api.name())) {
            assert_eq!(api.bridge_name(), api.name(), "{api}");
        }
    }
}
