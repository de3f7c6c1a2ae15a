//! The crate's API list against the official npm package (`weixin-js-sdk@1.6.5`, installed by
//! `cargo xtask setup` into target/tools): a name missing here, or a bridge name that differs, fails.
#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    reason = "a host test reading the npm files: the size rules are for pages"
)]

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
        let api = name
            .parse::<JsApi>()
            .unwrap_or_else(|_| panic!("jweixin maps {name} to {bridge}, and JsApi lacks it"));
        assert_eq!(api.bridge_name(), bridge, "{name}");
        mapped += 1;
    }
    assert!(mapped >= 17, "parsed {mapped} mappings");
    // Every API jweixin sends unmapped keeps its own name on the bridge.
    for api in JsApi::ALL {
        if !table.contains(&format!("{}:", api.name())) {
            assert_eq!(api.bridge_name(), api.name(), "{api}");
        }
    }
}

/// The keys of jweixin's `wx` object (`_ = { config: function … }` in index.js) whose value is a function,
/// and those whose value is an object (`miniProgram`). Reads brace depth, skipping string literals, so that
/// function bodies and nested objects are not mistaken for keys of `wx`.
fn jweixin_members(js: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let start = js.find("(_ = {").expect("index.js builds `wx` as `_ = {…}`") + "(_ = {".len();
    // The text at depth 1: `config: function (e) , ready: function (e) , … miniProgram: ,`.
    let mut top = String::new();
    let (mut depth, mut in_string, mut escaped) = (1usize, false, false);
    for c in js[start..].chars() {
        if in_string {
            (in_string, escaped) = match (escaped, c) {
                (true, _) => (true, false),
                (false, '\\') => (true, true),
                (false, '"') => (false, false),
                _ => (true, false),
            };
            continue;
        }
        match c {
            '"' => in_string = true,
            '{' => depth += 1,
            '}' if depth == 1 => break,
            '}' => depth -= 1,
            _ if depth == 1 => top.push(c),
            _ => {}
        }
    }
    let (mut functions, mut objects) = (BTreeSet::new(), BTreeSet::new());
    for entry in top.split(',') {
        let Some((key, value)) = entry.split_once(':') else {
            continue;
        };
        let key = key.trim().to_owned();
        match value.trim() {
            v if v.starts_with("function") => functions.insert(key),
            "" => objects.insert(key),
            _ => false,
        };
    }
    (functions, objects)
}

#[test]
fn undocumented_apis_are_exactly_the_functions_the_typings_lack() {
    let (functions, objects) = jweixin_members(&npm_file("index.js"));
    assert!(functions.len() >= 50, "found only {functions:?}");
    assert!(functions.contains("config") && functions.contains("chooseImage"));
    assert_eq!(objects, BTreeSet::from(["miniProgram".to_owned()]));

    let declared = declared_functions(&npm_file("index.d.ts"));
    let lacking: BTreeSet<&str> = functions
        .iter()
        .map(String::as_str)
        .filter(|f| !declared.contains(*f))
        .collect();
    // openAddress is missing from the typings too, but WeChat documents it (shared shipping addresses).
    let mut expected: BTreeSet<&str> = JsApi::UNDOCUMENTED.iter().map(|a| a.name()).collect();
    expected.insert("openAddress");
    assert_eq!(
        lacking, expected,
        "functions of jweixin that index.d.ts does not declare"
    );
    for api in JsApi::UNDOCUMENTED {
        assert!(api.is_undocumented() && !JsApi::ALL_1_6_0.contains(&api), "{api}");
    }
    assert_eq!(
        JsApi::ALL.iter().filter(|a| a.is_undocumented()).count(),
        JsApi::UNDOCUMENTED.len()
    );
}

#[test]
fn every_jweixin_function_is_bound() {
    let (functions, _) = jweixin_members(&npm_file("index.js"));
    let wrapped_elsewhere = ["config", "ready", "error", "checkJsApi"];
    let unbound: Vec<_> = functions
        .iter()
        .filter(|f| !wrapped_elsewhere.contains(&f.as_str()) && f.parse::<JsApi>().is_err())
        .collect();
    assert!(unbound.is_empty(), "functions of jweixin 1.6.0 not bound: {unbound:?}");
}
