//! The pane's forms.

use super::{last_day, message_for, parse_day, plural, scope_choice, FieldError, ScopeChooser};
use crate::components::ErrorNote;
use crate::domain::ids::{OrgId, RelationshipId};
use crate::domain::partners::{validate_scope, PartnerView};
use crate::domain::validation::ValidationError;
use crate::error::AppError;
use crate::features::partners::api::UpdatePartner;
use chrono::Utc;
use leptos::prelude::*;

/// *Change scope or end date*: both start as they are.
#[component]
pub fn ScopeEndForm(
    org: OrgId,
    id: RelationshipId,
    partner: PartnerView,
    editing: RwSignal<bool>,
    changed: RwSignal<usize>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let update = ServerAction::<UpdatePartner>::new();
    let s = partner.summary;
    // Starts from the current scope, so that changing only the end date changes nothing else.
    let all_rooms = RwSignal::new(Some(partner.scope_all_rooms));
    let rooms = RwSignal::new(partner.scope_rooms);
    let groups = RwSignal::new(partner.scope_groups);
    let ends = RwSignal::new(
        s.ends_at
            .map(|e| last_day(e).to_string())
            .unwrap_or_default(),
    );
    let field_error = RwSignal::new(None::<ValidationError>);
    let other_error = RwSignal::new(None::<AppError>);
    Effect::new(move |_| match update.value().get() {
        Some(Ok(())) => {
            changed.update(|n| *n += 1);
            notice.set(Some(
                "Saved. A narrower scope takes effect on the partner's next request.".to_owned(),
            ));
            editing.set(false);
        }
        Some(Err(AppError::Invalid(v))) if v.field == "scope" || v.field == "ends_on" => {
            changed.update(|n| *n += 1);
            field_error.set(Some(v));
        }
        Some(Err(e)) => {
            changed.update(|n| *n += 1);
            other_error.set(Some(e));
        }
        None => {}
    });
    let today = Utc::now().date_naive();
    let clear = Callback::new(move |_| {
        if field_error.with_untracked(|e| e.as_ref().is_some_and(|e| e.field == "scope")) {
            field_error.set(None);
        }
    });
    let ends_error = message_for(field_error, "ends_on");
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        other_error.set(None);
        let scope = scope_choice(
            all_rooms.get_untracked(),
            &rooms.get_untracked(),
            &groups.get_untracked(),
        );
        let raw_end = ends.get_untracked();
        let ends_on = parse_day(&raw_end);
        let problem = if all_rooms.get_untracked().is_none() {
            Some(ValidationError::new(
                "scope",
                "Choose all rooms, or the rooms and room groups.",
            ))
        } else if let Err(e) = validate_scope(scope.clone()) {
            Some(e)
        } else if !raw_end.trim().is_empty() && ends_on.is_none() {
            Some(ValidationError::new(
                "ends_on",
                "Enter a date, or leave it empty for no end date.",
            ))
        } else if ends_on.is_some_and(|d| d < today) {
            Some(ValidationError::new(
                "ends_on",
                "Choose an end date from today on, or none.",
            ))
        } else {
            None
        };
        let ok = problem.is_none();
        field_error.set(problem);
        if ok {
            update.dispatch(UpdatePartner {
                org,
                id,
                scope,
                ends_on,
            });
        }
    };
    view! {
        <section class="pane-section" aria-labelledby="scope-edit-title">
            <h3 id="scope-edit-title">"Change scope or end date"</h3>
            <form novalidate on:submit=submit>
                <p class="hint">
                    {format!("Now: {} ({}). Narrowing takes effect on the partner's next request; partner roles never reach beyond the scope.", s.scope_summary, plural(s.rooms_in_scope, "room", "rooms"))}
                </p>
                <ScopeChooser org prefix="edit" all_rooms rooms groups error=message_for(field_error, "scope") on_change=clear/>
                <div class="field">
                    <label for="edit-ends">"End date (optional)"</label>
                    <input
                        id="edit-ends"
                        type="date"
                        min=today.to_string()
                        aria-invalid=move || ends_error.get().is_some().to_string()
                        aria-describedby="edit-ends-hint edit-ends-error"
                        prop:value=move || ends.get()
                        on:input=move |ev| {
                            ends.set(event_target_value(&ev));
                            if field_error.with_untracked(|e| e.as_ref().is_some_and(|e| e.field == "ends_on")) {
                                field_error.set(None);
                            }
                        }
                    />
                    <p class="hint" id="edit-ends-hint">"The last day of access (UTC). Leave empty to keep the partnership until you remove it."</p>
                    <FieldError id="edit-ends-error" message=ends_error/>
                    <Show when=move || !ends.get().is_empty()>
                        <button type="button" class="btn btn-small btn-quiet" on:click=move |_| ends.set(String::new())>"No end date"</button>
                    </Show>
                </div>
                <ErrorNote error=other_error/>
                <div class="pane-actions">
                    <button type="submit" class="btn btn-primary" disabled=move || update.pending().get()>
                        {move || if update.pending().get() { "Saving…" } else { "Save" }}
                    </button>
                    <button type="button" class="btn" on:click=move |_| editing.set(false)>"Cancel"</button>
                </div>
            </form>
        </section>
    }
    .into_any()
}
