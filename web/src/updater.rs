//! Changing one part of a state from event handlers and async tasks, without seeing the rest of it.

use yew::Callback;

/// A change of an `S`, applied where the state is kept.
pub type Change<S> = Box<dyn FnOnce(&mut S)>;

/// Changes the `S` kept inside an `R` (a panel's state inside the state of all panels) from event handlers and
/// async tasks. Each change applies to the value current when it lands, so a late API answer does not undo what
/// the user did meanwhile. A view takes `&Updater<R, S>` generic over `R`, where its state is kept: it can change
/// its `S` and nothing else. The part is selected by a plain `fn`, not a closure per panel (ARCHITECTURE.md, "Size
/// rules").
pub struct Updater<R, S> {
    send: Callback<Change<R>>,
    part: fn(&mut R) -> &mut S,
}

impl<R, S> Clone for Updater<R, S> {
    fn clone(&self) -> Self {
        Updater {
            send: self.send.clone(),
            part: self.part,
        }
    }
}

impl<R: 'static, S: 'static> Updater<R, S> {
    /// The updater of the part of `R` that `part` selects; `send` applies a change to the `R` (e.g. a reducer's
    /// dispatcher).
    pub fn new(send: Callback<Change<R>>, part: fn(&mut R) -> &mut S) -> Updater<R, S> {
        Updater { send, part }
    }

    /// Applies `change` to the state and renders its view again.
    pub fn update(&self, change: impl FnOnce(&mut S) + 'static) {
        let part = self.part;
        self.send.emit(Box::new(move |whole: &mut R| change(part(whole))));
    }

    /// The change handler of an input bound to one field of `S`: `set` stores what the user typed or chose.
    pub fn setter(&self, set: fn(&mut S, String)) -> Callback<String> {
        let up = self.clone();
        Callback::from(move |v: String| up.update(move |s| set(s, v)))
    }
}
