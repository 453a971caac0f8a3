//! Keyboard focus around panes and dialogs: a dialog keeps Tab inside itself, and what opened
//! a pane or a dialog gets focus back when it closes, so a keyboard user is never dropped at the
//! top of the page. Browser-only: called from effects and event handlers.

use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::{Element, HtmlElement, KeyboardEvent};
use send_wrapper::SendWrapper;

/// Where focus goes back to. Only the browser ever fills it (the server renders the same
/// component and drops it, empty, on whichever thread): an element must not be dropped on
/// another thread.
#[derive(Clone, Copy)]
pub struct Opener(StoredValue<Option<SendWrapper<HtmlElement>>>);

impl Opener {
    pub fn new() -> Self {
        Self(StoredValue::new(None))
    }

    /// Remembers what has focus now.
    pub fn remember(self) {
        self.0.set_value(focused().map(SendWrapper::new));
    }

    /// Gives focus back to it, if it is still on the page.
    pub fn give_back(self) {
        give_back(self.0.get_value().map(SendWrapper::take));
    }
}

impl Default for Opener {
    fn default() -> Self {
        Self::new()
    }
}

/// What has focus now (the button that opens a pane or a dialog), to give it back later.
pub fn focused() -> Option<HtmlElement> {
    document()
        .active_element()
        .and_then(|e| e.dyn_into::<HtmlElement>().ok())
}

/// Gives focus back to `opener` if it is still on the page.
pub fn give_back(opener: Option<HtmlElement>) {
    if let Some(el) = opener.filter(|el| el.is_connected()) {
        let _ = el.focus();
    }
}

const FOCUSABLE: &str = "button:not([disabled]), input:not([disabled]), select:not([disabled]), \
     textarea:not([disabled]), a[href], [tabindex]:not([tabindex='-1'])";

/// Keeps Tab and Shift+Tab inside `container`: past its last control to its first, and back.
pub fn trap_tab(ev: &KeyboardEvent, container: &Element) {
    if ev.key() != "Tab" {
        return;
    }
    let Ok(list) = container.query_selector_all(FOCUSABLE) else {
        return;
    };
    let controls: Vec<HtmlElement> = (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<HtmlElement>().ok())
        .collect();
    let (Some(first), Some(last)) = (controls.first(), controls.last()) else {
        return;
    };
    let active = document().active_element();
    let at = |el: &HtmlElement| active.as_ref() == Some(el.as_ref());
    let inside = controls.iter().any(at);
    if ev.shift_key() && (at(first) || !inside) {
        ev.prevent_default();
        let _ = last.focus();
    } else if !ev.shift_key() && (at(last) || !inside) {
        ev.prevent_default();
        let _ = first.focus();
    }
}

/// For a modal's `open` signal: remembers what had focus when it opened, calls `focus_first`
/// once it is drawn (again whenever what it reads changes, such as the element it focuses
/// appearing), and gives focus back when it closes.
pub fn modal_focus(open: RwSignal<bool>, focus_first: impl Fn() + 'static) {
    let opener = Opener::new();
    Effect::new(move |was_open: Option<bool>| {
        let is_open = open.get();
        match (was_open.unwrap_or(false), is_open) {
            (false, true) => opener.remember(),
            (true, false) => opener.give_back(),
            _ => {}
        }
        is_open
    });
    Effect::new(move |_| {
        if open.get() {
            focus_first();
        }
    });
}

/// Whether a modal dialog is open: Escape is then the dialog's, not a pane's.
pub fn modal_is_open() -> bool {
    document()
        .query_selector("[aria-modal='true']")
        .ok()
        .flatten()
        .is_some()
}

/// Gives a wizard's step heading focus whenever the step changes (not on the first draw): a
/// screen reader says the new step, and Tab goes on from its top. Without it, Enter in a field
/// of the old step left focus on nothing once that field was gone, and Tab began again at the
/// top of the page. The heading needs `tabindex="-1"`.
pub fn focus_heading_on_step(step: RwSignal<usize>, heading: NodeRef<leptos::html::H2>) {
    Effect::new(move |previous: Option<usize>| {
        let now = step.get();
        if previous.is_some_and(|p| p != now) {
            if let Some(h) = heading.get_untracked() {
                let _ = h.focus();
            }
        }
        now
    });
}
