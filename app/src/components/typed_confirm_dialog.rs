use leptos::ev::KeyboardEvent;
use leptos::html;
use leptos::prelude::*;

use super::focus;

/// A modal confirmation that needs a word typed before the action runs, for actions that end
/// other people's access. Focus starts in the text box; Escape cancels.
#[component]
pub fn TypedConfirmDialog(
    open: RwSignal<bool>,
    #[prop(into)] title: Signal<String>,
    #[prop(into)] message: Signal<String>,
    /// The word to type.
    word: &'static str,
    /// The confirm button's label; the word itself when not given.
    #[prop(optional)]
    confirm_label: Option<&'static str>,
    #[prop(into)] pending: Signal<bool>,
    on_confirm: Callback<()>,
) -> impl IntoView {
    let confirm_label = confirm_label.unwrap_or(word);
    let typed = RwSignal::new(String::new());
    let input_ref = NodeRef::<html::Input>::new();
    let dialog_ref = NodeRef::<html::Div>::new();
    focus::modal_focus(open, move || {
        typed.set(String::new());
        if let Some(input) = input_ref.get() {
            let _ = input.focus();
        }
    });
    let matches = move || typed.with(|t| t.trim().eq_ignore_ascii_case(word));
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
    view! {
        <Show when=move || open.get()>
            <div class="dialog-backdrop">
                <div
                    class="dialog"
                    node_ref=dialog_ref
                    role="alertdialog"
                    aria-modal="true"
                    aria-labelledby="typed-confirm-title"
                    aria-describedby="typed-confirm-message"
                    on:keydown=on_key
                >
                    <h2 id="typed-confirm-title">{move || title.get()}</h2>
                    <p id="typed-confirm-message">{move || message.get()}</p>
                    <form on:submit=move |ev| {
                        ev.prevent_default();
                        if matches() && !pending.get_untracked() {
                            on_confirm.run(());
                        }
                    }>
                        <div class="field">
                            <label for="typed-confirm-input">{format!("Type {word} to confirm")}</label>
                            <input
                                id="typed-confirm-input"
                                type="text"
                                autocomplete="off"
                                autocapitalize="none"
                                spellcheck="false"
                                node_ref=input_ref
                                prop:value=move || typed.get()
                                on:input=move |ev| typed.set(event_target_value(&ev))
                            />
                        </div>
                        <div class="dialog-actions">
                            <button type="submit" class="btn btn-danger" disabled=move || !matches() || pending.get()>
                                {move || if pending.get() { "Working…" } else { confirm_label }}
                            </button>
                            <button type="button" class="btn" on:click=move |_| open.set(false)>"Cancel"</button>
                        </div>
                    </form>
                </div>
            </div>
        </Show>
    }
    .into_any()
}
