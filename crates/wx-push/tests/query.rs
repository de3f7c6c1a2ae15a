//! `PushQuery::parse` against `form_urlencoded` (the url crate's decoder) as the independent reference.

use std::borrow::Cow;

use wx_push::PushQuery;

/// The first value `form_urlencoded` finds for `name` in `raw`.
fn first(raw: &str, name: &str) -> Option<Cow<'static, str>> {
    form_urlencoded::parse(raw.trim_start_matches('?').as_bytes())
        .find(|(n, _)| n == name)
        .map(|(_, value)| Cow::Owned(value.into_owned()))
}

fn reference(raw: &str) -> PushQuery<'static> {
    PushQuery {
        signature: first(raw, "signature"),
        timestamp: first(raw, "timestamp"),
        nonce: first(raw, "nonce"),
        openid: first(raw, "openid"),
        encrypt_type: first(raw, "encrypt_type"),
        msg_signature: first(raw, "msg_signature"),
        echostr: first(raw, "echostr"),
    }
}

#[test]
fn parses_like_form_urlencoded() {
    let cases = [
        "",
        "?",
        "signature=ab12&timestamp=1700000000&nonce=n1&openid=o-1&encrypt_type=aes&msg_signature=cd34",
        "?signature=ab&timestamp=1&nonce=n",
        "openid=o%2D1&echostr=hello+world%21",
        "signature=first&signature=second",
        "nonce=&timestamp&signature=x",
        "a=1&&b=2&&nonce=n&",
        "sig%6Eature=decoded-name&nonce=%E4%BD%A0%E5%A5%BD",
        "echostr=%FF%FE&nonce=%zz&openid=100%",
        "encrypt_type=raw&unknown=1&msg_signature=%20x%20",
        "echostr=a=b=c&nonce=+",
    ];
    for raw in cases {
        assert_eq!(PushQuery::parse(raw), reference(raw), "query {raw:?}");
    }
}
