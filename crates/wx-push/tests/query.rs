//! `PushQuery::parse` against `form_urlencoded` (the url crate's decoder) as the independent reference.

use wx_push::PushQuery;

/// What `form_urlencoded` makes of `raw`: the first value of each known name.
fn reference(raw: &str) -> PushQuery {
    let mut q = PushQuery::default();
    for (name, value) in form_urlencoded::parse(raw.trim_start_matches('?').as_bytes()) {
        let slot = match &*name {
            "signature" => &mut q.signature,
            "timestamp" => &mut q.timestamp,
            "nonce" => &mut q.nonce,
            "openid" => &mut q.openid,
            "encrypt_type" => &mut q.encrypt_type,
            "msg_signature" => &mut q.msg_signature,
            "echostr" => &mut q.echostr,
            _ => continue,
        };
        slot.get_or_insert_with(|| value.into_owned());
    }
    q
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
