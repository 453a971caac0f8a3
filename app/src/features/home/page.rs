use super::api::{get_customer_overview, get_overview};
use crate::components::{plural, ErrorNote};
use crate::domain::audit::AuditQuery;
use crate::domain::authz::Action;
use crate::domain::overview::{Holding, Overview, Refusals, RoomCounts};
use crate::domain::rooms::{RingFilter, RoomQuery};
use crate::domain::session::SessionView;
use crate::domain::time;
use crate::nav::{CUSTOMER_PAGES, PARTNER_PAGES};
use crate::tenant::{use_tenant, Tenant};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
fn Shortcuts(
    session: SessionView,
    pages: &'static [(&'static str, &'static str, Action, &'static str)],
    /// Whether the page already said what the user holds (or that they hold nothing): no
    /// shortcuts then say nothing more.
    #[prop(optional)]
    said_empty: bool,
) -> impl IntoView {
    let open: Vec<_> = pages
        .iter()
        .filter(|(_, _, action, _)| session.may(*action))
        .collect();
    if open.is_empty() && said_empty {
        return ().into_any();
    }
    if open.is_empty() {
        return view! {
            <p class="empty">
                "You have no role and no rooms to manage here yet. A Global admin of "
                {session.org_name.clone()} " can give you a role or a room assignment."
            </p>
        }
        .into_any();
    }
    view! {
        <ul class="cards">
            {open
                .into_iter()
                .map(|(label, href, _, blurb)| view! {
                    <li class="card">
                        <a href=*href>{*label}</a>
                        <p>{*blurb}</p>
                    </li>
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

/// What the user holds, one line each: "Site Lead over All US rooms · 192 rooms · through US
/// site leads".
#[component]
fn Holdings(holdings: Vec<Holding>, org_name: String) -> impl IntoView {
    if holdings.is_empty() {
        return view! {
            <p class="empty">{format!("You have no role and no rooms to manage here yet. A Global admin of {org_name} can give you a role or a room assignment.")}</p>
        }
        .into_any();
    }
    view! {
        <ul class="holdings">
            {holdings.into_iter().map(|h| {
                let over = match &h.scope {
                    None => "all rooms".to_owned(),
                    Some(names) if names.len() > 3 => format!("{} and {} more", names[..3].join(", "), names.len() - 3),
                    Some(names) => names.join(", "),
                };
                let how = match (h.direct, h.through.is_empty()) {
                    (_, true) => String::new(),
                    (false, false) => format!(" · through {}", h.through.join(", ")),
                    (true, false) => format!(" · directly and through {}", h.through.join(", ")),
                };
                view! {
                    <li>
                        <strong>{h.role.clone()}</strong>" over "{over}
                        <span class="muted">{format!(" · {}{how}", plural(h.rooms, "room", "rooms"))}</span>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// A figure that is a link to the list it counts. The overview's links are plain `<a>`: the
/// router takes their clicks all the same, and `<A>`'s active state means nothing here.
fn tile(label: &'static str, n: u64, href: String, class: &'static str) -> impl IntoView {
    view! {
        <li class=format!("tile {class}")>
            <a href=href>
                <span class="tile-figure">{n}</span>
                <span class="tile-label">{label}</span>
            </a>
        </li>
    }
}

/// The rooms in reach: by health, by enrollment, and those in no update ring, each a link to the
/// tenant's rooms filtered so.
#[component]
fn RoomFigures(rooms: RoomCounts, tenant: Tenant) -> impl IntoView {
    let list = tenant.href("/rooms");
    let link = move |q: RoomQuery| format!("{list}{}", q.to_search(None));
    view! {
        <section aria-labelledby="rooms-title">
            <h2 id="rooms-title">{format!("Your rooms ({})", rooms.total)}</h2>
            <ul class="tiles" aria-label="Rooms by health">
                {rooms.by_health.iter().map(|(health, n)| tile(health.label(), *n, link(RoomQuery { health: Some(*health), ..RoomQuery::default() }), health.key())).collect_view()}
            </ul>
            <ul class="tiles" aria-label="Rooms by enrollment and update ring">
                {rooms.by_enrollment.iter().map(|(e, n)| tile(e.label(), *n, link(RoomQuery { enrollment: Some(*e), ..RoomQuery::default() }), "plain")).collect_view()}
                {tile("In no update ring", rooms.without_ring, link(RoomQuery { ring: Some(RingFilter::Without), ..RoomQuery::default() }), "plain")}
            </ul>
        </section>
    }
}

/// Attempts the portal refused lately, for those who may read the audit log.
#[component]
fn RefusalFigures(refusals: Refusals) -> impl IntoView {
    // The server's day, so the link lists exactly the attempts counted.
    let href = format!(
        "/settings/audit-logs{}",
        AuditQuery {
            from: Some(refusals.since),
            result_status: Some("Failed".to_owned()),
            ..AuditQuery::default()
        }
        .to_search()
    );
    view! {
        <section aria-labelledby="refused-title">
            <h2 id="refused-title">"Refused attempts"</h2>
            <p>
                <a href=href>{format!("{} in the last {} days", plural(refusals.total, "refused attempt", "refused attempts"), refusals.days)}</a>
            </p>
            {(!refusals.recent.is_empty()).then(|| view! {
                <ul class="refusals">
                    {refusals.recent.into_iter().map(|e| view! {
                        <li>
                            <span class="muted">{time::minute(e.created_at)}</span>" "
                            {e.user_name.clone().unwrap_or_default()}": "{e.operation.clone()}" "{e.category.clone()}" “"{e.object_name.clone()}"”"
                        </li>
                    }).collect_view()}
                </ul>
            })}
        </section>
    }
}

/// What the user holds, their rooms and (for admins) the refusals: the body of an overview.
#[component]
fn Figures(overview: Overview, org_name: String, tenant: Tenant) -> impl IntoView {
    view! {
        <section aria-labelledby="held-title">
            <h2 id="held-title">"What you hold"</h2>
            <Holdings holdings=overview.holdings org_name/>
        </section>
        {overview.rooms.map(|rooms| view! { <RoomFigures rooms tenant/> })}
        {overview.refusals.map(|refusals| view! { <RefusalFigures refusals/> })}
    }
}

#[component]
pub fn CustomerHomePage() -> impl IntoView {
    let session = use_context::<SessionView>();
    let overview = Resource::new(|| (), |_| get_overview());
    view! {
        <Title text="Overview · Rooms MTM"/>
        {session.map(|s| {
            let org_name = s.org_name.clone();
            let tenant = Tenant::own(&s);
            view! {
                <h1>"Overview"</h1>
                <p class="lead">
                    "Signed in as " <strong>{s.user_name.clone()}</strong> " (" {s.upn.clone()} ") of "
                    <strong>{s.org_name.clone()}</strong> "."
                </p>
                <Transition fallback=|| view! { <p class="muted" role="status">"Loading…"</p> }>
                    {move || {
                        let (org_name, tenant) = (org_name.clone(), tenant.clone());
                        Suspend::new(async move {
                            match overview.await {
                                Err(e) => view! { <ErrorNote error=Signal::derive(move || Some(e.clone()))/> }.into_any(),
                                Ok(o) => view! { <Figures overview=o org_name tenant/> }.into_any(),
                            }
                        })
                    }}
                </Transition>
                <Shortcuts session=s pages=CUSTOMER_PAGES said_empty=true/>
            }
        })}
    }
}

/// How many customers the partner home lists; *Tenants* lists them all.
const CUSTOMERS_LISTED: usize = 12;

#[component]
pub fn PartnerHomePage() -> impl IntoView {
    let session = use_context::<SessionView>();
    view! {
        <Title text="Partner mode · Rooms MTM"/>
        {session.map(|s| {
            let more = s.customers.len().saturating_sub(CUSTOMERS_LISTED);
            let any = !s.customers.is_empty();
            let customers = s.customers.iter().take(CUSTOMERS_LISTED).cloned().map(|(id, name)| view! {
                <li class="card">
                    <a href=format!("/partner/c/{id}")>{name}</a>
                    <p>"What you hold there, and its rooms in your reach."</p>
                </li>
            }).collect_view();
            view! {
                <h1>"Partner mode"</h1>
                <p class="lead">
                    "Here " {s.org_name.clone()} " works on the rooms of the customers that invited it. "
                    "Your own organisation's rooms are managed in " <a href="/">"customer mode"</a> "."
                </p>
                {any.then(|| view! {
                    <section aria-labelledby="customers-title">
                        <h2 id="customers-title">"Your customers"</h2>
                        <ul class="cards">{customers}</ul>
                        {(more > 0).then(|| view! {
                            <p><a href="/partner/tenants">{format!("{} more in Tenants", plural(more as u64, "customer", "customers"))}</a></p>
                        })}
                    </section>
                })}
                // Working for customers is holding something: not "no role".
                <Shortcuts session=s pages=PARTNER_PAGES said_empty=any/>
            }
        })}
    }
}

/// Partner mode: a customer's overview, where the tenant switcher lands. What the user holds
/// there is bounded by the rooms the customer put in the relationship.
#[component]
pub fn TenantHomePage() -> impl IntoView {
    let Some((tenant, _)) = use_tenant() else {
        return ().into_any();
    };
    let customer = tenant.org;
    let name = tenant.customer_name.clone().unwrap_or_default();
    let overview = Resource::new(move || customer, get_customer_overview);
    view! {
        <Title text=format!("{name} · Rooms MTM")/>
        <h1>{name.clone()}</h1>
        <p class="lead">
            "What you hold for " {name.clone()} " and its rooms in your reach: the rooms " {name.clone()}
            " put in its relationship with your organisation, and of those the ones your partner roles name."
        </p>
        <Transition fallback=|| view! { <p class="muted" role="status">"Loading…"</p> }>
            {move || {
                let (name, tenant) = (name.clone(), tenant.clone());
                Suspend::new(async move {
                    match overview.await {
                        Err(e) => view! { <ErrorNote error=Signal::derive(move || Some(e.clone()))/> }.into_any(),
                        Ok(o) => view! { <Figures overview=o org_name=name tenant/> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
    .into_any()
}
