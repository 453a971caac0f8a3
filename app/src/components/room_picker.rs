use super::ErrorNote;
use crate::domain::ids::OrgId;
use crate::domain::rooms::{RoomQuery, RoomRow};
use crate::features::rooms::api::list_rooms;
use leptos::prelude::*;

/// "Search for a room": type part of a name or resource account, pick one of the rooms you may
/// view.
#[component]
pub fn RoomPicker(
    org: OrgId,
    /// The picked room, written by the picker and cleared by its owner after use.
    selected: RwSignal<Option<RoomRow>>,
    #[prop(into)] label: String,
    /// Distinguishes the input when two pickers share a page.
    #[prop(into)]
    id: String,
) -> impl IntoView {
    let query = RwSignal::new(String::new());
    let results = Resource::new(
        move || query.get(),
        move |q| async move {
            if q.trim().is_empty() {
                Ok(vec![])
            } else {
                list_rooms(
                    org,
                    RoomQuery {
                        search: q,
                        ..Default::default()
                    },
                )
                .await
                .map(|page| page.rows.into_iter().take(10).collect::<Vec<_>>())
            }
        },
    );
    let results_id = format!("{id}-results");
    view! {
        <div class="picker">
            <label for=id.clone()>{label}</label>
            <input
                id=id.clone()
                type="search"
                autocomplete="off"
                aria-controls=results_id.clone()
                placeholder="Room name or resource account"
                prop:value=move || query.get()
                on:input=move |ev| query.set(event_target_value(&ev))
            />
            <Transition fallback=|| ()>
                {move || {
                    let results_id = results_id.clone();
                    Suspend::new(async move {
                        match results.await {
                            Err(e) => view! { <ErrorNote error=Signal::derive(move || Some(e.clone()))/> }.into_any(),
                            Ok(rows) if rows.is_empty() && !query.get_untracked().trim().is_empty() => view! {
                                <p class="muted" role="status">"No rooms you manage match."</p>
                            }.into_any(),
                            Ok(rows) => view! {
                                <ul class="picker-results" id=results_id aria-label="Matching rooms">
                                    {rows.into_iter().map(|r| {
                                        let id = r.id;
                                        let chosen = move || selected.with(|s| s.as_ref().is_some_and(|s| s.id == id));
                                        let row = r.clone();
                                        view! {
                                            <li>
                                                <button type="button" class="picker-option" aria-pressed=move || chosen().to_string() on:click=move |_| selected.set(Some(row.clone()))>
                                                    <span class="picker-name">{r.display_name.clone()}</span>
                                                    <span class="picker-detail">{format!("{} · {} · {}", r.resource_account, r.site, r.country)}</span>
                                                </button>
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            }.into_any(),
                        }
                    })
                }}
            </Transition>
            <p class="picker-selected" aria-live="polite">
                {move || selected.get().map(|r| format!("Selected: {}", r.display_name)).unwrap_or_default()}
            </p>
        </div>
    }
    .into_any()
}
