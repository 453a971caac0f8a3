use leptos::prelude::*;
use std::time::Duration;

/// How long typing must pause before a search runs: long enough not to search for every
/// letter, short enough to feel immediate.
const PAUSE: Duration = Duration::from_millis(300);

/// A search field that searches as you type, once typing pauses, and at once on Enter. The
/// value shown is the search in force (the address's), so Back and a shared link show it.
#[component]
pub fn SearchBox(
    id: &'static str,
    label: &'static str,
    placeholder: &'static str,
    #[prop(into)] value: Signal<String>,
    on_search: Callback<String>,
) -> impl IntoView {
    let pending = StoredValue::new(None::<TimeoutHandle>);
    let cancel = move || {
        if let Some(handle) = pending.get_value() {
            handle.clear();
        }
        pending.set_value(None);
    };
    let apply = move |typed: String| {
        cancel();
        if typed.trim() != value.get_untracked().trim() {
            on_search.run(typed);
        }
    };
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input id=id type="search" placeholder=placeholder autocomplete="off"
                prop:value=move || value.get()
                on:input=move |ev| {
                    let typed = event_target_value(&ev);
                    cancel();
                    pending.set_value(set_timeout_with_handle(move || apply(typed), PAUSE).ok());
                }
                on:change=move |ev| apply(event_target_value(&ev))/>
        </div>
    }
}
