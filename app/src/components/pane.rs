use leptos::prelude::*;

/// The heading of a detail pane beside a list, with its close button. The pane is labelled by
/// `pane-title`.
#[component]
pub fn PaneHeader(#[prop(into)] title: Signal<String>, on_close: Callback<()>) -> impl IntoView {
    view! {
        <header class="pane-header">
            <h2 id="pane-title">{move || title.get()}</h2>
            <button type="button" class="btn btn-quiet" aria-label="Close" on:click=move |_| on_close.run(())>"×"</button>
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
