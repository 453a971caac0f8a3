use super::focus;
use leptos::ev;
use leptos::html;
use leptos::prelude::*;

/// The heading of a detail pane beside a list, with its close button. The pane is labelled by
/// `pane-title`. Opening the pane takes focus to its heading (a screen reader reads where it
/// is); Escape or *Close* closes it and gives focus back to what opened it.
#[component]
pub fn PaneHeader(#[prop(into)] title: Signal<String>, on_close: Callback<()>) -> impl IntoView {
    let heading = NodeRef::<html::H2>::new();
    let opener = focus::Opener::new();
    Effect::new(move |_| {
        opener.remember();
        if let Some(h) = heading.get_untracked() {
            let _ = h.focus();
        }
    });
    let close = move || {
        opener.give_back();
        on_close.run(());
    };
    // With a dialog open, Escape is the dialog's.
    let escape = window_event_listener(ev::keydown, move |ev| {
        if ev.key() == "Escape" && !ev.default_prevented() && !focus::modal_is_open() {
            ev.prevent_default();
            close();
        }
    });
    on_cleanup(move || escape.remove());
    view! {
        <header class="pane-header">
            <h2 id="pane-title" tabindex="-1" node_ref=heading>{move || title.get()}</h2>
            <button type="button" class="btn btn-quiet" aria-label="Close" on:click=move |_| close()>"×"</button>
        </header>
    }
    .into_any()
}

/// Previous / "Page n of m" / Next for a zero-based `page` of `pages`.
#[component]
pub fn Pager(
    page: u64,
    pages: u64,
    on_page: Callback<u64>,
    #[prop(into)] label: String,
) -> impl IntoView {
    view! {
        <nav class="pager" aria-label=label>
            <button type="button" class="btn btn-small" disabled={page == 0} on:click=move |_| on_page.run(page.saturating_sub(1))>"Previous"</button>
            <span>{format!("Page {} of {pages}", page + 1)}</span>
            <button type="button" class="btn btn-small" disabled={page + 1 >= pages} on:click=move |_| on_page.run(page + 1)>"Next"</button>
        </nav>
    }
    .into_any()
}
