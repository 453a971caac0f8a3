use super::api::{list_incidents, RaiseIncident};
use super::parts::{use_live_incidents, IncidentFilters, IncidentTable, RaisePane, TicketPane};
use crate::components::ErrorNote;
use crate::domain::authz::Action;
use crate::domain::ids::IncidentId;
use crate::domain::tickets::IncidentQuery;
use crate::tenant::use_tenant;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

/// What the pane beside the list shows; the open incident is in the address (`?open=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pane {
    Closed,
    Raise,
    Incident(IncidentId),
}

/// *Incidents & tickets*: the incidents of the rooms the user may see tickets of, filtered,
/// sorted and keyset-paged, all in the address; the open ticket beside the list. New and
/// changed incidents appear without reloading.
#[component]
pub fn IncidentsPage() -> impl IntoView {
    let Some((tenant, session)) = use_tenant() else {
        return ().into_any();
    };
    let org = tenant.org;
    let may_raise = session.may_in(org, Action::CreateCustomerIncident);
    let params = use_query_map();
    let query = Memo::new(move |_| params.with(|p| IncidentQuery::from_params(|k| p.get(k))));
    let opened = Memo::new(move |_| {
        params.with(|p| {
            p.get("open")
                .and_then(|v| v.parse::<uuid::Uuid>().ok())
                .map(IncidentId)
        })
    });
    let raising = RwSignal::new(false);
    let pane = Memo::new(move |_| match (raising.get(), opened.get()) {
        (true, _) => Pane::Raise,
        (false, Some(id)) => Pane::Incident(id),
        (false, None) => Pane::Closed,
    });
    let navigate = use_navigate();
    let base = tenant.href("/incidents");
    let go = Callback::new(move |(q, open): (IncidentQuery, Option<IncidentId>)| {
        navigate(
            &format!("{base}{}", q.to_search(open)),
            NavigateOptions {
                scroll: false,
                ..Default::default()
            },
        );
    });
    let raise = ServerAction::<RaiseIncident>::new();
    let changed = RwSignal::new(0u64);
    let live = use_live_incidents(Some(org));
    let incidents = Resource::new(
        move || {
            (
                query.get(),
                live.get(),
                changed.get(),
                raise.version().get(),
            )
        },
        move |(q, ..)| list_incidents(org, q),
    );
    Effect::new(move |_| {
        if let Some(Ok(id)) = raise.value().get() {
            raising.set(false);
            go.run((query.get_untracked().restarted(), Some(id)));
        }
    });

    view! {
        <Title text="Incidents & tickets · Rooms MTM"/>
        <div class="page-with-pane">
            <section class="page-main" aria-labelledby="page-title">
                <header class="page-header">
                    <h1 id="page-title">"Incidents & tickets"</h1>
                    <Show when=move || may_raise>
                        <button type="button" class="btn btn-primary" on:click=move |_| raising.set(true)>
                            "Raise incident"
                        </button>
                    </Show>
                </header>
                <p class="lead">"What went wrong in the rooms you may see tickets of: opened by the rooms' devices, or raised by people. The list follows the devices as they report."</p>
                <IncidentFilters query go customers=None/>
                <Transition fallback=|| view! { <p class="muted" role="status">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match incidents.await {
                            Err(e) => view! { <ErrorNote error=Signal::derive(move || Some(e.clone()))/> }.into_any(),
                            Ok(page) if page.rows.is_empty() && query.with_untracked(|q| *q == IncidentQuery::default()) => view! {
                                <p class="empty">"No incidents. When a room's device reports a problem, or a room falls silent, its incident appears here at once."</p>
                            }.into_any(),
                            Ok(page) if page.rows.is_empty() => view! {
                                <p class="empty">"No incidents match these filters."</p>
                            }.into_any(),
                            Ok(page) => view! { <IncidentTable page query opened go/> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
            {move || match pane.get() {
                Pane::Closed => ().into_any(),
                Pane::Raise => view! {
                    <RaisePane org raise on_close=Callback::new(move |_| raising.set(false))/>
                }.into_any(),
                Pane::Incident(id) => view! {
                    <TicketPane org id live changed
                        on_close=Callback::new(move |_| go.run((query.get_untracked(), None)))/>
                }.into_any(),
            }}
        </div>
    }
    .into_any()
}
