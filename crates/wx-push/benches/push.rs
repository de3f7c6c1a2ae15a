//! In-process cost of `PushService::handle` for an echo reply, plain and safe mode, beside the bare parse of the
//! same XML as a baseline. Each iteration is a distinct push (fresh MsgId), so de-duplication never short-cuts it.

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use wx_push::{EncodingAesKey, Message, Push, PushBody, PushCipher, PushService, PushSigner, PushVerifier, Reply};

const TOKEN: &str = "bench-token";

fn text(msg_id: u64) -> Push {
    Push {
        to_user_name: "gh_account".into(),
        from_user_name: "o_user".into(),
        create_time: 1_700_000_000,
        body: PushBody::Message(Message::Text {
            content: "hello, bench".into(),
            msg_id,
        }),
    }
}

fn bench(c: &mut Criterion) {
    let Ok(key) = EncodingAesKey::parse("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG") else {
        return;
    };
    let cipher = PushCipher::new(key, "wx2c2769f8efd9abc2");
    let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
        return;
    };
    let service = PushService::new(
        // Plain mode accepts every mode, so one service measures both.
        PushVerifier::new(TOKEN, Some(cipher.clone())).with_account_mode(wx_push::Mode::Plain),
        |push: Push| async move {
            match push.body {
                PushBody::Message(Message::Text { content, .. }) => Reply::Text(content),
                _ => Reply::Success,
            }
        },
    );
    let next_id = AtomicU64::new(1);
    let xml = text(0).to_xml();
    c.bench_function("push/baseline parse", |b| {
        b.iter(|| black_box(Push::parse(black_box(xml.as_bytes()))))
    });
    for (name, signer) in [
        ("push/plain echo", PushSigner::plain(TOKEN)),
        ("push/aes echo", PushSigner::safe(TOKEN, cipher)),
    ] {
        c.bench_function(name, |b| {
            b.iter_batched(
                || {
                    // Fresh, as WeChat's are: a stale timestamp or a repeated nonce is refused before any work.
                    let id = next_id.fetch_add(1, Ordering::Relaxed);
                    signer.sign(&text(id), wx_sign::unix_timestamp(), &format!("n{id}"))
                },
                |signed| {
                    let Ok(signed) = signed else { return };
                    let response = rt.block_on(service.handle(&signed.query, signed.body.as_bytes()));
                    assert_eq!(response.status, 200);
                    black_box(response);
                },
                BatchSize::SmallInput,
            )
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
