//! [`AnyHandler`]: one push handler type for accounts whose handlers differ in type.

use std::{future::Future, pin::Pin, sync::Arc};
use wx_push::{Push, PushHandler, Reply};

type BoxedReply = Pin<Box<dyn Future<Output = Reply> + Send + 'static>>;

/// A push handler with its type erased, so that a function choosing each account's handler
/// ([`App::build_with_handlers`](crate::App::build_with_handlers)) can return a rules router for one account and
/// the demo handler for another. Cheap to clone (shared).
///
/// ```
/// use wx_push::{DemoHandler, Push, Reply};
/// use wx_server::accounts::AnyHandler;
/// let demo = AnyHandler::new(DemoHandler);
/// let hello = AnyHandler::new(|_push: Push| async { Reply::text("hello") });
/// let _chosen = if cfg!(test) { demo } else { hello };
/// ```
#[derive(Clone)]
pub struct AnyHandler(Arc<dyn Fn(Push) -> BoxedReply + Send + Sync>);

impl AnyHandler {
    /// Erases `handler`'s type.
    pub fn new(handler: impl PushHandler) -> Self {
        let handler = Arc::new(handler);
        Self(Arc::new(move |push| {
            let handler = Arc::clone(&handler);
            Box::pin(async move { handler.handle(push).await })
        }))
    }
}

impl std::fmt::Debug for AnyHandler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AnyHandler")
    }
}

impl PushHandler for AnyHandler {
    fn handle(&self, push: Push) -> impl Future<Output = Reply> + Send {
        (self.0)(push)
    }
}

/// One handler serving several accounts (`App::build_with_handler`): shared, without boxing its replies.
pub(crate) struct SharedHandler<H>(Arc<H>);

impl<H> SharedHandler<H> {
    pub(crate) fn new(handler: H) -> Self {
        Self(Arc::new(handler))
    }
}

impl<H> Clone for SharedHandler<H> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

impl<H: PushHandler> PushHandler for SharedHandler<H> {
    fn handle(&self, push: Push) -> impl Future<Output = Reply> + Send {
        self.0.handle(push)
    }
}
