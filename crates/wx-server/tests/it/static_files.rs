//! Nothing outside `WX_STATIC_DIR` is ever served: symbolic links in the directory are resolved before anything
//! is served (the requested file, a directory's `index.html`, the `<file>.gz` variant, the SPA fallback), and
//! start-up refuses a credential or config file inside the directory, by its name or once resolved.

use crate::common::{self, TempDir, client, inproc::*};
use std::{
    os::unix::fs::symlink,
    path::{Path, PathBuf},
};
use wx_server::{ServeArgs, StoreSpec};

const PAGE: &str = "http://127.0.0.1:8080/share";
const INDEX: &str = "<!doctype html><title>wxkit</title>";
const OUTSIDE_SECRET: &str = "outside-secret-5d1c0e7b";

/// A throwaway directory holding `dist/` (the static directory) and `outside/` (what must never be served);
/// removed on drop.
struct Tree(TempDir);

impl Tree {
    fn new(name: &str) -> Self {
        let root = TempDir::new(&format!("static-{name}"));
        std::fs::create_dir_all(root.join("dist/assets")).unwrap();
        std::fs::create_dir_all(root.join("outside")).unwrap();
        std::fs::write(root.join("dist/index.html"), INDEX).unwrap();
        std::fs::write(root.join("outside/secret.txt"), OUTSIDE_SECRET).unwrap();
        Self(root)
    }
    fn dist(&self) -> PathBuf {
        self.0.join("dist")
    }
    fn outside(&self) -> PathBuf {
        self.0.join("outside")
    }
    /// `dist/<link>` pointing at `target`.
    fn link(&self, target: impl AsRef<Path>, link: &str) {
        symlink(target, self.dist().join(link)).unwrap();
    }
}

/// The string values stored under `"value"` in the file store: the access_token and the jsapi_ticket.
fn stored_credentials(file: &Path) -> Vec<String> {
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    let values: Vec<String> = json
        .as_object()
        .unwrap()
        .values()
        .filter_map(|entry| entry["value"].as_str().map(str::to_owned))
        .collect();
    assert!(values.len() >= 2, "a token and a ticket in {json}");
    values
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn symbolic_links_out_of_the_static_dir_are_never_followed() {
    let tree = Tree::new("links");
    let dist = tree.dist();
    let outside = tree.outside();
    let creds = outside.join("creds.json");
    std::fs::write(dist.join("assets/app.js"), "console.log(1)").unwrap();
    std::fs::write(dist.join("assets/real.txt"), "inside text").unwrap();
    // Links out: to a file (absolute and relative, with and without an extension), to the file credential
    // store, to a directory holding it; a `.gz` variant and a directory's index.html leading out.
    tree.link(outside.join("secret.txt"), "secret.txt");
    tree.link("../outside/secret.txt", "secret");
    tree.link(&creds, "creds.json");
    tree.link(&outside, "data");
    tree.link("/etc/passwd", "passwd");
    tree.link("../../outside/secret.txt", "assets/app.js.gz");
    std::fs::create_dir_all(dist.join("sub")).unwrap();
    symlink("../../outside/secret.txt", dist.join("sub/index.html")).unwrap();
    // Each of them leads where it should (a dangling link would prove nothing).
    for link in [
        "secret.txt",
        "secret",
        "data/secret.txt",
        "assets/app.js.gz",
        "sub/index.html",
    ] {
        assert_eq!(
            std::fs::read_to_string(dist.join(link)).unwrap(),
            OUTSIDE_SECRET,
            "{link}"
        );
    }
    // Links that stay inside keep working.
    tree.link("assets/real.txt", "inner.txt");
    tree.link("assets", "docs");
    tree.link(dist.join("assets/real.txt"), "inner-absolute.txt");

    let (d, store) = (dist.clone(), creds.clone());
    let (fake, server) = start_with(fake_opts(7200), move |s| {
        s.static_dir = Some(d);
        s.store = StoreSpec::File(store);
    })
    .await;
    let client = client();
    // The store now holds a token and a ticket, as a running server's does.
    common::get_config(&client, &server.url(""), PAGE, false).await;
    let mut secrets = stored_credentials(&creds);
    secrets.extend(fake.control().current_ticket(common::TEST_APPID));
    secrets.push(OUTSIDE_SECRET.into());
    secrets.push("root:".into());

    // (method, path, status, what the body is): refused paths answer exactly as a missing file would, the SPA
    // shell for a path without an extension and a 404 otherwise.
    let get = reqwest::Method::GET;
    let head = reqwest::Method::HEAD;
    let cases = [
        (&get, "/secret.txt", 404, Some("not_found")),
        (&get, "/secret", 200, Some(INDEX)),
        (&get, "/passwd", 200, Some(INDEX)),
        (&get, "/creds.json", 404, Some("not_found")),
        (&get, "/data/creds.json", 404, Some("not_found")),
        (&get, "/data/secret.txt", 404, Some("not_found")),
        (&get, "/data", 200, Some(INDEX)),
        (&get, "/data/", 200, Some(INDEX)),
        (&get, "/data/secret", 200, Some(INDEX)),
        (&get, "/sub/", 200, Some(INDEX)),
        (&get, "/sub/index.html", 404, Some("not_found")),
        (&head, "/secret.txt", 404, None),
        (&head, "/data/creds.json", 404, None),
        (&get, "/%64ata/creds.json", 404, Some("not_found")),
        (&get, "/inner.txt", 200, Some("inside text")),
        (&get, "/inner-absolute.txt", 200, Some("inside text")),
        (&get, "/docs/real.txt", 200, Some("inside text")),
        (&head, "/docs/real.txt", 200, None),
        (&get, "/assets/app.js", 200, Some("console.log(1)")),
    ];
    for (method, path, status, body) in cases {
        for encoding in ["identity", "gzip"] {
            let r = client
                .request(method.clone(), server.url(path))
                .header("accept-encoding", encoding)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), status, "{method} {path} ({encoding})");
            // The `.gz` beside app.js leads out: the file itself is served instead.
            assert!(
                r.headers().get("content-encoding").is_none(),
                "{method} {path} ({encoding})"
            );
            let text = r.text().await.unwrap();
            if let Some(body) = body {
                assert!(text.contains(body), "{method} {path} ({encoding}): {text}");
            }
            for secret in &secrets {
                assert!(
                    !text.contains(secret.as_str()),
                    "{method} {path} ({encoding}) served {text}"
                );
            }
        }
    }

    // The SPA fallback's index.html is confined too: linked out, it is missing; linked inside, it is served.
    std::fs::rename(dist.join("index.html"), dist.join("index.real.html")).unwrap();
    tree.link("../outside/secret.txt", "index.html");
    for path in ["/", "/share", "/index.html"] {
        let r = client.get(server.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 404, "{path}");
        let text = r.text().await.unwrap();
        assert!(!text.contains(OUTSIDE_SECRET), "{path} served {text}");
    }
    std::fs::remove_file(dist.join("index.html")).unwrap();
    tree.link("index.real.html", "index.html");
    for path in ["/", "/share", "/index.html"] {
        let r = client.get(server.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(r.text().await.unwrap(), INDEX, "{path}");
    }
    server.shutdown().await;
    fake.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_up_refuses_a_secret_file_inside_the_static_dir_by_name_or_resolved() {
    let tree = Tree::new("start-up");
    let (dist, outside) = (tree.dist(), tree.outside());
    std::fs::write(outside.join("wx.toml"), "").unwrap();
    // `dist/data` leads out; `outside/app` leads in.
    tree.link(&outside, "data");
    symlink(&dist, outside.join("app")).unwrap();
    // (where the file is, refused?)
    let cases = [
        (dist.join("creds.json"), true),
        (dist.join("data/creds.json"), true),
        (dist.join("data/../creds.json"), true),
        (dist.join("./data/x/../creds.json"), true),
        (outside.join("app/creds.json"), true),
        (outside.join("app/assets/creds.json"), true),
        (outside.join("creds.json"), false),
        (outside.join("app/../creds.json"), false),
    ];
    for (file, refused) in &cases {
        // WX_STORE, through `Server::start`.
        let (d, f) = (dist.clone(), file.clone());
        let fake = wx_server::fake::FakeWechat::start("127.0.0.1:0".parse().unwrap(), fake_opts(7200))
            .await
            .unwrap();
        let mut s = settings_for(&fake);
        s.static_dir = Some(d);
        s.store = StoreSpec::File(f);
        match wx_server::Server::start(s).await {
            Ok(server) => {
                assert!(!refused, "WX_STORE={} was accepted", file.display());
                server.shutdown().await;
            }
            Err(e) => {
                let e = e.to_string();
                assert!(*refused, "WX_STORE={}: {e}", file.display());
                assert!(e.contains("WX_STORE") && e.contains("WX_STATIC_DIR"), "{e}");
            }
        }
        fake.shutdown().await;
        let _ = std::fs::remove_file(outside.join("creds.json"));
    }
    // WX_CONFIG, through the settings: the same file, read through each path that reaches it.
    for (file, refused) in [
        (dist.join("data/wx.toml"), true),
        (outside.join("app/data/wx.toml"), true),
        (outside.join("wx.toml"), false),
    ] {
        let args = ServeArgs {
            mock: true,
            static_dir: Some(dist.clone()),
            store: Some("memory".into()),
            config: Some(file.clone()),
            ..Default::default()
        };
        match args.into_settings() {
            Ok(_) => assert!(!refused, "WX_CONFIG={} was accepted", file.display()),
            Err(e) => {
                let e = e.to_string();
                assert!(refused, "WX_CONFIG={}: {e}", file.display());
                assert!(e.contains("WX_CONFIG") && e.contains("WX_STATIC_DIR"), "{e}");
            }
        }
    }
}
