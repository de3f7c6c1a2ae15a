//! The handler a user writes: a push in, a reply out.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::message::Push;
use crate::reply::Reply;

/// Answers pushes. Implement it on a type, or pass an async closure: `|push: Push| async move { Reply::Success }`.
///
/// The service calls it once per push (retries share the first call's reply) under a deadline; a handler that
/// runs longer keeps running in the background while WeChat gets `success`.
///
/// ```
/// use wx_push::{Message, Push, PushBody, PushHandler, Reply};
///
/// struct Echo;
///
/// impl PushHandler for Echo {
///     async fn handle(&self, push: Push) -> Reply {
///         match push.body {
///             PushBody::Message(Message::Text { content, .. }) => Reply::text(content),
///             _ => Reply::Success,
///         }
///     }
/// }
///
/// // Or, with a closure:
/// let handler = |push: Push| async move { Reply::text(format!("hello {}", push.from_user_name)) };
/// # fn is_handler(_: impl PushHandler) {}
/// # is_handler(Echo);
/// # is_handler(handler);
/// ```
pub trait PushHandler: Send + Sync + 'static {
    /// The reply to `push`.
    fn handle(&self, push: Push) -> impl Future<Output = Reply> + Send;
}

impl<F, Fut> PushHandler for F
where
    F: Fn(Push) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Reply> + Send,
{
    fn handle(&self, push: Push) -> impl Future<Output = Reply> + Send {
        self(push)
    }
}

pub(crate) type BoxedReply = Pin<Box<dyn Future<Output = Reply> + Send + 'static>>;

/// A handler with its type erased, so the service (and the server's state holding it) is not generic.
pub(crate) type DynHandler = Arc<dyn Fn(Push) -> BoxedReply + Send + Sync>;

pub(crate) fn erase<H: PushHandler>(handler: H) -> DynHandler {
    let handler = Arc::new(handler);
    Arc::new(move |push| {
        let handler = Arc::clone(&handler);
        Box::pin(async move { handler.handle(push).await })
    })
}
