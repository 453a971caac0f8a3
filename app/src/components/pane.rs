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

/// What the pane beside a list shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pane<T> {
    Closed,
    /// The form for a new item.
    Create,
    Item(T),
}

/// The pane of a list whose only state is the open item: kept in the address (`?open=<id>`, or
/// another key), so Reload, Back and a link sent to a colleague open the same item. The form
/// for a new item is not (nothing typed survives a reload). Like the Rooms pane, the pane is
/// drawn in the browser only, after hydration: an item opened by the address then loads there,
/// rather than in a server-rendered pane the browser's copy would have to match node for node.
pub struct PaneState<T: Send + Sync + 'static> {
    creating: RwSignal<bool>,
    open: Memo<Option<T>>,
    /// What the pane shows, changing only when that does: a pane drawn again for nothing would
    /// take focus again, and then lose it when it closes.
    shown: Memo<Pane<T>>,
    go: Callback<Option<T>>,
}

impl<T: Send + Sync + 'static> Clone for PaneState<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for PaneState<T> {}

impl<T> PaneState<T>
where
    T: Copy + PartialEq + std::str::FromStr + std::fmt::Display + Send + Sync + 'static,
{
    /// `key`: the query parameter naming the open item.
    pub fn new(key: &'static str) -> Self {
        let params = leptos_router::hooks::use_query_map();
        let hydrated = RwSignal::new(false);
        Effect::new(move |_| hydrated.set(true));
        let open = Memo::new(move |_| {
            hydrated
                .get()
                .then(|| params.with(|p| p.get(key).and_then(|v| v.parse().ok())))?
        });
        let path = leptos_router::hooks::use_location().pathname;
        let navigate = leptos_router::hooks::use_navigate();
        let go = Callback::new(move |item: Option<T>| {
            let search = item.map(|id| format!("?{key}={id}")).unwrap_or_default();
            navigate(
                &format!("{}{search}", path.get_untracked()),
                leptos_router::NavigateOptions {
                    scroll: false,
                    ..Default::default()
                },
            );
        });
        let creating = RwSignal::new(false);
        let shown = Memo::new(move |_| match (creating.get(), open.get()) {
            (true, _) => Pane::Create,
            (false, Some(id)) => Pane::Item(id),
            (false, None) => Pane::Closed,
        });
        Self {
            creating,
            open,
            shown,
            go,
        }
    }

    pub fn get(&self) -> Pane<T> {
        self.shown.get()
    }

    /// Whether `id` is the open item (a row's `aria-expanded`).
    pub fn is_open(&self, id: T) -> bool {
        self.shown.get() == Pane::Item(id)
    }

    pub fn show(&self, id: T) {
        self.creating.set(false);
        self.go.run(Some(id));
    }

    pub fn create(&self) {
        self.creating.set(true);
    }

    pub fn close(&self) {
        self.creating.set(false);
        if self.open.get_untracked().is_some() {
            self.go.run(None);
        }
    }
}
