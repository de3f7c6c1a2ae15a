//! The app's one effect hook: `use_effect_with` is generic over its dependencies and its closures, and every
//! effect goes through this one instantiation of it (ARCHITECTURE.md, "Size rules").

use yew::prelude::*;

/// What an effect leaves behind to undo: run before the effect runs again and when its component goes away.
pub type Cleanup = Box<dyn FnOnce()>;

/// An effect: run after a render, it returns what undoes it.
pub type Effect = Box<dyn FnOnce() -> Cleanup>;

/// An effect that leaves nothing to undo.
pub fn no_cleanup() -> Cleanup {
    Box::new(|| ())
}

/// Runs `effect` after the first render and after each render whose `key` differs from the previous one's.
#[hook]
pub fn use_effect_keyed(key: String, effect: Effect) {
    use_effect_with(key, move |_| effect());
}
