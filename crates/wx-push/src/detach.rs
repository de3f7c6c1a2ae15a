//! A future that is polled in place but, if dropped before it finishes, moves to a runtime task and finishes
//! there: the push handler runs inline on the request (no task, no cross-thread wake-up for a quick reply) yet
//! is never cancelled by a deadline or a client hanging up.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::{Context, Poll};

type Work<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

pub(crate) struct Detachable<T: Send + 'static> {
    work: Option<Work<T>>,
}

impl<T: Send + 'static> Detachable<T> {
    /// Work that is already boxed (a type-erased handler's future), taken as it is.
    pub(crate) fn boxed(work: Work<T>) -> Self {
        Self { work: Some(work) }
    }
}

/// The work panicked (caught where it was polled: in place, or in the task it was detached to).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Panicked;

impl<T: Send + 'static> Detachable<T> {
    /// Moves unfinished work to a runtime task, where `then` gets its output once it ends. Finished work is
    /// left alone.
    pub(crate) fn detach(mut self, then: impl FnOnce(Result<T, Panicked>) + Send + 'static) {
        if self.work.is_some() {
            spawn(Box::pin(async move { then((&mut self).await) }));
        }
    }
}

fn spawn<T: Send + 'static>(work: Work<T>) {
    match tokio::runtime::Handle::try_current() {
        Ok(runtime) => {
            runtime.spawn(work);
        }
        // Outside a runtime (the runtime itself is shutting down) there is nowhere left to run it.
        Err(_) => tracing::error!("a push handler was dropped unfinished outside a Tokio runtime"),
    }
}

impl<T: Send + 'static> Future for Detachable<T> {
    type Output = Result<T, Panicked>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let Some(work) = self.work.as_mut() else {
            // Only reachable by polling after completion, which `Future` callers must not do.
            return Poll::Pending;
        };
        // A user's handler must not take the request (and the connection) down with it.
        let polled = std::panic::catch_unwind(AssertUnwindSafe(|| work.as_mut().poll(cx)));
        let output = match polled {
            Ok(Poll::Pending) => return Poll::Pending,
            Ok(Poll::Ready(output)) => Ok(output),
            Err(_) => Err(Panicked),
        };
        self.work = None;
        Poll::Ready(output)
    }
}

impl<T: Send + 'static> Drop for Detachable<T> {
    fn drop(&mut self) {
        if let Some(work) = self.work.take() {
            spawn(work);
        }
    }
}
