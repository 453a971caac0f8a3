use leptos::ev::KeyboardEvent;
use leptos::html;
use leptos::prelude::*;

use super::{focus, ErrorNote};
use crate::error::AppError;

/// A modal confirmation for a destructive action. Focus starts on *Cancel* and stays in the
/// dialog; Escape cancels; closing gives focus back to what opened it.
#[component]
pub fn ConfirmDialog(
    /// Whether the dialog is shown.
    open: RwSignal<bool>,
    #[prop(into)] title: Signal<String>,
    #[prop(into)] message: Signal<String>,
    #[prop(into)] confirm_label: String,
    #[prop(into)] pending: Signal<bool>,
    on_confirm: Callback<()>,
    /// Why the action was refused, said in the dialog the user is looking at (it stays open).
    #[prop(optional, into)]
    error: Option<Signal<Option<AppError>>>,
) -> impl IntoView {
    let cancel_ref = NodeRef::<html::Button>::new();
    let dialog_ref = NodeRef::<html::Div>::new();
    focus::modal_focus(open, move || {
        if let Some(button) = cancel_ref.get() {
            let _ = button.focus();
        }
    });
    // The confirm button is disabled while the action runs, which drops focus to the page: once
    // it has run and the dialog is still open (refused), focus is back in the dialog.
    Effect::new(move |was_busy: Option<bool>| {
        let busy = pending.get();
        if was_busy == Some(true) && !busy && open.get_untracked() {
            if let Some(button) = cancel_ref.get_untracked() {
                let _ = button.focus();
            }
        }
        busy
    });
    // Escape closes it wherever focus is (a button just disabled while the action runs drops
    // focus to the page); Tab stays inside it.
    let escape = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "Escape" && open.get_untracked() {
            ev.prevent_default();
            open.set(false);
        }
    });
    on_cleanup(move || escape.remove());
    let on_key = move |ev: KeyboardEvent| {
        if let Some(dialog) = dialog_ref.get() {
            focus::trap_tab(&ev, &dialog);
        }
    };
    let confirm_label = StoredValue::new(confirm_label);
    view! {
        <Show when=move || open.get()>
            <div class="dialog-backdrop">
                <div
                    class="dialog"
                    node_ref=dialog_ref
                    role="alertdialog"
                    aria-modal="true"
                    aria-labelledby="confirm-title"
                    aria-describedby="confirm-message"
                    on:keydown=on_key
                >
                    <h2 id="confirm-title">{move || title.get()}</h2>
                    <p id="confirm-message">{move || message.get()}</p>
                    {error.map(|error| view! { <ErrorNote error/> })}
                    <div class="dialog-actions">
                        <button
                            type="button"
                            class="btn btn-danger"
                            disabled=move || pending.get()
                            on:click=move |_| on_confirm.run(())
                        >
                            {move || if pending.get() { "Working…".to_owned() } else { confirm_label.get_value() }}
                        </button>
                        <button
                            type="button"
                            class="btn"
                            node_ref=cancel_ref
                            on:click=move |_| open.set(false)
                        >
                            "Cancel"
                        </button>
                    </div>
                </div>
            </div>
        </Show>
    }
    .into_any()
}
