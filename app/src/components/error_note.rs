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

/// A form field's own message: the save's error when it is about this field, under it (the
/// field names it with `aria-describedby`, see [`field_error_id`]).
#[component]
pub fn FieldError(
    id: &'static str,
    key: &'static str,
    #[prop(into)] error: Signal<Option<AppError>>,
) -> impl IntoView {
    let message = move || {
        error
            .get()
            .filter(|e| e.field() == Some(key))
            .map(|e| e.to_string())
    };
    view! {
        {move || message().map(|m| view! { <p id=field_error_id(id) class="field-error">{m}</p> })}
    }
}

/// The id of a field's message, for its input's `aria-describedby`.
pub fn field_error_id(id: &str) -> String {
    format!("{id}-error")
}

/// The save's error unless one of `keys` (fields shown by the form) carries it: said once, by
/// the field where it belongs, or under the form.
pub fn form_error(
    error: Signal<Option<AppError>>,
    keys: &'static [&'static str],
) -> Signal<Option<AppError>> {
    Signal::derive(move || {
        error
            .get()
            .filter(|e| e.field().is_none_or(|f| !keys.contains(&f)))
    })
}

/// How many times an action has succeeded: what a list or a pane reloads on. A refused or
/// failed save leaves them as they are, so a form keeps what was typed, and a refusal (a role
/// taken away mid-session) does not turn the page into an error.
pub fn successes<T>(value: Signal<Option<Result<T, AppError>>>) -> ReadSignal<usize>
where
    T: Send + Sync + 'static,
{
    let count = RwSignal::new(0usize);
    Effect::new(move |_| {
        if value.with(|v| matches!(v, Some(Ok(_)))) {
            count.update(|n| *n += 1);
        }
    });
    count.read_only()
}
