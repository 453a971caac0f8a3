use super::api::{list_all_tickets, list_incidents, RaiseIncident};
use super::parts::{use_live_incidents, IncidentFilters, IncidentTable, RaisePane, TicketPane};
use crate::components::ErrorNote;
use crate::domain::authz::Action;
use crate::domain::ids::{IncidentId, OrgId};
use crate::domain::tickets::IncidentQuery;
use crate::tenant::use_tenant;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
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
                {tenant.customer_name.is_some().then(|| view! { <AllTicketsToggle on=false/> })}
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

/// *Enable all tickets view*: the switch between one customer's Incidents page and the
/// partner's list of every customer's tickets. A link, so the view is in the address.
#[component]
fn AllTicketsToggle(on: bool) -> impl IntoView {
    let href = if on {
        "/partner/tenants".to_owned()
    } else {
        "/partner/tickets".to_owned()
    };
    view! {
        <p class="view-toggle">
            <A href=href attr:role="switch" attr:aria-checked=on.to_string() attr:class="toggle">
                <span class="toggle-track" aria-hidden="true"><span class="toggle-thumb"></span></span>
                " Enable all tickets view"
            </A>
            {on.then(|| view! { <span class="muted">" · Switch it off to work on one customer from Tenants."</span> })}
        </p>
    }
}

/// Partner mode's all-tickets view: the incidents and tickets of every customer the user may
/// see tickets of, in one list with the customer's name, filtered (the customer too), sorted
/// and keyset-paged, all in the address; the open ticket (`?open=…&in=<customer>`) beside it.
#[component]
pub fn AllTicketsPage() -> impl IntoView {
    let Some(session) = use_context::<crate::domain::session::SessionView>() else {
        return ().into_any();
    };
    let customers = Signal::stored(session.customers.clone());
    let params = use_query_map();
    let query = Memo::new(move |_| params.with(|p| IncidentQuery::from_params(|k| p.get(k))));
    let opened = Memo::new(move |_| {
        params.with(|p| {
            let id = p.get("open")?.parse::<uuid::Uuid>().ok()?;
            let org = p.get("in")?.parse::<uuid::Uuid>().ok()?;
            Some((OrgId(org), IncidentId(id)))
        })
    });
    let navigate = use_navigate();
    let go_to = Callback::new(
        move |(q, open): (IncidentQuery, Option<(OrgId, IncidentId)>)| {
            let mut search = q.to_search(open.map(|(_, id)| id));
            if let Some((org, _)) = open {
                search.push_str(&format!("&in={org}"));
            }
            navigate(
                &format!("/partner/tickets{search}"),
                NavigateOptions {
                    scroll: false,
                    ..Default::default()
                },
            );
        },
    );
    let live = use_live_incidents(None);
    let changed = RwSignal::new(0u64);
    let incidents = Resource::new(
        move || (query.get(), live.get(), changed.get()),
        move |(q, ..)| list_all_tickets(q),
    );
    // The table opens rows by id; the page knows each row's customer. Kept when a page is
    // drawn, not read from the resource outside its `Transition` (which server rendering does
    // not wait for).
    let rows_customer = StoredValue::new(std::collections::BTreeMap::<IncidentId, OrgId>::new());
    let go = Callback::new(move |(q, open): (IncidentQuery, Option<IncidentId>)| {
        let open =
            open.and_then(|id| rows_customer.with_value(|m| m.get(&id).map(|org| (*org, id))));
        go_to.run((q, open));
    });
    let opened_id = Memo::new(move |_| opened.get().map(|(_, id)| id));

    view! {
        <Title text="All tickets · Rooms MTM"/>
        <div class="page-with-pane">
            <section class="page-main" aria-labelledby="page-title">
                <header class="page-header">
                    <h1 id="page-title">"Incidents & tickets: all customers"</h1>
                </header>
                <AllTicketsToggle on=true/>
                <p class="lead">"Every customer's incidents you may see tickets of, each within what the customer shares with your organisation and what your roles there give you."</p>
                <IncidentFilters query go customers=Some(customers)/>
                <Transition fallback=|| view! { <p class="muted" role="status">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match incidents.await {
                            Err(e) => view! { <ErrorNote error=Signal::derive(move || Some(e.clone()))/> }.into_any(),
                            Ok(page) if page.rows.is_empty() && query.with_untracked(|q| *q == IncidentQuery::default()) => view! {
                                <p class="empty">"No incidents in any customer you may see tickets of. A customer's incidents appear here once a partner role there gives you Tickets: View."</p>
                            }.into_any(),
                            Ok(page) if page.rows.is_empty() => view! {
                                <p class="empty">"No incidents match these filters."</p>
                            }.into_any(),
                            Ok(page) => {
                                rows_customer.set_value(page.rows.iter().filter_map(|r| r.customer.as_ref().map(|(org, _)| (r.id, *org))).collect());
                                view! { <IncidentTable page query opened=opened_id go/> }.into_any()
                            }
                        }
                    })}
                </Transition>
            </section>
            {move || opened.get().map(|(org, id)| view! {
                <TicketPane org id live changed
                    on_close=Callback::new(move |_| go_to.run((query.get_untracked(), None)))/>
            })}
        </div>
    }
    .into_any()
}
