//! The demo handler `wx-server serve` mounts: echoes text, greets new followers with their scene, answers scans.

use crate::handler::PushHandler;
use crate::message::{Event, Message, Push, PushBody};
use crate::reply::Reply;

/// Echoes text, greets on subscribe (naming the scene of a scene QR code), answers QR scans and menu scans.
/// Everything else gets no reply.
///
/// ```
/// use wx_push::{DemoHandler, Event, Push, PushBody, PushHandler, Reply, Scene};
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let push = Push { to_user_name: "gh".into(), from_user_name: "o".into(), create_time: 1,
///     body: PushBody::Event(Event::Subscribe { scene: Some(Scene { value: "42".into(), ticket: None }) }) };
/// assert_eq!(DemoHandler.handle(push).await, Reply::text("Welcome! You followed from scene 42."));
/// # }
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct DemoHandler;

impl PushHandler for DemoHandler {
    async fn handle(&self, push: Push) -> Reply {
        match push.body {
            PushBody::Message(Message::Text { content, .. }) => Reply::Text(content),
            PushBody::Event(Event::Subscribe { scene: Some(scene) }) => {
                Reply::text(format!("Welcome! You followed from scene {}.", scene.value))
            }
            PushBody::Event(Event::Subscribe { scene: None }) => Reply::text("Welcome!"),
            PushBody::Event(Event::Scan(scene)) => Reply::text(format!("You scanned scene {}.", scene.value)),
            PushBody::Event(Event::ScanCodePush { info, .. } | Event::ScanCodeWaitMsg { info, .. }) => {
                Reply::text(format!("Scanned {}: {}", info.scan_type, info.scan_result))
            }
            _ => Reply::Success,
        }
    }
}
