use crate::error::AppError;
use leptos::prelude::*;

/// An error announced to screen readers, or nothing.
#[component]
pub fn ErrorNote(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    view! {
        <Show when=move || error.get().is_some()>
            <p class="note note-error" role="alert">
                {move || error.get().map(|e| e.to_string())}
            </p>
        </Show>
    }
}

/// The outcome of the last run of a server action: its error, or a short confirmation.
#[component]
pub fn ResultNote<T>(
    #[prop(into)] value: Signal<Option<Result<T, AppError>>>,
    #[prop(into)] success: String,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
{
    let error = Signal::derive(move || value.get().and_then(Result::err));
    let done = move || matches!(value.get(), Some(Ok(_)));
    view! {
        <ErrorNote error/>
        <Show when=done>
            <p class="note note-success" role="status">{success.clone()}</p>
        </Show>
    }
}
