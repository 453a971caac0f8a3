use leptos::ev::KeyboardEvent;
use leptos::html;
use leptos::prelude::*;

/// A modal confirmation for a destructive action. Focus starts on *Cancel*; Escape cancels.
#[component]
pub fn ConfirmDialog(
    /// Whether the dialog is shown.
    open: RwSignal<bool>,
    #[prop(into)] title: Signal<String>,
    #[prop(into)] message: Signal<String>,
    #[prop(into)] confirm_label: String,
    #[prop(into)] pending: Signal<bool>,
    on_confirm: Callback<()>,
) -> impl IntoView {
    let cancel_ref = NodeRef::<html::Button>::new();
    Effect::new(move |_| {
        if open.get() {
            if let Some(button) = cancel_ref.get() {
                let _ = button.focus();
            }
        }
    });
    let on_key = move |ev: KeyboardEvent| {
        if ev.key() == "Escape" {
            open.set(false);
        }
    };
    let confirm_label = StoredValue::new(confirm_label);
    view! {
        <Show when=move || open.get()>
            <div class="dialog-backdrop">
                <div
                    class="dialog"
                    role="alertdialog"
                    aria-modal="true"
                    aria-labelledby="confirm-title"
                    aria-describedby="confirm-message"
                    on:keydown=on_key
                >
                    <h2 id="confirm-title">{move || title.get()}</h2>
                    <p id="confirm-message">{move || message.get()}</p>
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
