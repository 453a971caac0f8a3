//! A message for the page a change leads to ("Role “Help desk” created."), said there once.

use leptos::prelude::*;

/// Provided once at the root (`App`). The page that makes a change and moves on says it; the
/// page shown next takes it, so a reload does not say it again.
#[derive(Clone, Copy)]
pub struct Flash(RwSignal<Option<String>>);

impl Flash {
    pub fn new() -> Self {
        Self(RwSignal::new(None))
    }

    /// The root's flash (a fresh one outside the app, where nothing would show it).
    pub fn get() -> Self {
        use_context::<Self>().unwrap_or_default()
    }

    pub fn say(self, message: String) {
        self.0.set(Some(message));
    }

    /// The message waiting for this page, if any; taken, so it is said once.
    pub fn take(self) -> Option<String> {
        self.0.try_update(Option::take).flatten()
    }
}

impl Default for Flash {
    fn default() -> Self {
        Self::new()
    }
}
