use super::ErrorNote;
use crate::domain::directory::{Principal, PrincipalView};
use crate::domain::ids::OrgId;
use crate::features::directory::search_directory;
use leptos::prelude::*;

/// "Search for the user or security group": type a name or UPN prefix, pick one result.
#[component]
pub fn PrincipalPicker(
    org: OrgId,
    /// Offer users only (group members), or users and groups.
    users_only: bool,
    /// The picked principal, written by the picker and cleared by its owner after use.
    selected: RwSignal<Option<PrincipalView>>,
    #[prop(into)] label: String,
) -> impl IntoView {
    let query = RwSignal::new(String::new());
    let results = Resource::new(
        move || query.get(),
        move |q| async move {
            if q.trim().is_empty() {
                Ok(vec![])
            } else {
                search_directory(org, q, users_only).await
            }
        },
    );
    let input_id = if users_only {
        "pick-user"
    } else {
        "pick-principal"
    };
    view! {
        <div class="picker">
            <label for=input_id>{label}</label>
            <input
                id=input_id
                type="search"
                autocomplete="off"
                placeholder="Name or e-mail address"
                prop:value=move || query.get()
                on:input=move |ev| query.set(event_target_value(&ev))
            />
            <Transition fallback=|| view! { <p class="muted">"Searching…"</p> }>
                {move || Suspend::new(async move {
                    match results.await {
                        Err(e) => view! { <ErrorNote error=Signal::derive(move || Some(e.clone()))/> }.into_any(),
                        Ok(found) if found.is_empty() => {
                            let typed = !query.get_untracked().trim().is_empty();
                            view! {
                                <p class="muted" role="status">
                                    {if typed { "No user or group matches." } else { "Type to search your organisation." }}
                                </p>
                            }
                            .into_any()
                        }
                        Ok(found) => view! {
                            <ul class="picker-results" aria-label="Search results">
                                {found
                                    .into_iter()
                                    .map(|p| {
                                        let pick = p.clone();
                                        let is_selected = {
                                            let principal = p.principal;
                                            move || selected.get().is_some_and(|s| s.principal == principal)
                                        };
                                        let kind = match p.principal {
                                            Principal::User(_) => "User",
                                            Principal::Group(_) => "Group",
                                        };
                                        view! {
                                            <li>
                                                <button
                                                    type="button"
                                                    class="picker-option"
                                                    aria-pressed=move || is_selected().to_string()
                                                    on:click=move |_| selected.set(Some(pick.clone()))
                                                >
                                                    <span class="picker-name">{p.name.clone()}</span>
                                                    <span class="picker-detail">{kind} " · " {p.detail.clone()}</span>
                                                </button>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        }
                        .into_any(),
                    }
                })}
            </Transition>
            <p class="picker-selected" aria-live="polite">
                {move || selected.get().map(|s| format!("Selected: {}", s.name))}
            </p>
        </div>
    }
    .into_any()
}
