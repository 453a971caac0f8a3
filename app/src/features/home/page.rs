use crate::domain::authz::Action;
use crate::domain::session::SessionView;
use crate::nav::{CUSTOMER_PAGES, PARTNER_PAGES};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
fn Shortcuts(
    session: SessionView,
    pages: &'static [(&'static str, &'static str, Action, &'static str)],
) -> impl IntoView {
    let open: Vec<_> = pages
        .iter()
        .filter(|(_, _, action, _)| session.may(*action))
        .collect();
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
                        <A href=*href>{*label}</A>
                        <p>{*blurb}</p>
                    </li>
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

fn roles_line(session: &SessionView) -> String {
    let roles: Vec<&str> = session.actor.org_roles.iter().map(|r| r.label()).collect();
    if roles.is_empty() {
        "no organisation role".to_owned()
    } else {
        roles.join(", ")
    }
}

#[component]
pub fn CustomerHomePage() -> impl IntoView {
    let session = use_context::<SessionView>();
    view! {
        <Title text="Overview · Rooms MTM"/>
        {session.map(|s| view! {
            <h1>"Overview"</h1>
            <p class="lead">
                "Signed in as " <strong>{s.user_name.clone()}</strong> " (" {s.upn.clone()} ") of "
                <strong>{s.org_name.clone()}</strong> ", with " {roles_line(&s)} "."
            </p>
            <Shortcuts session=s pages=CUSTOMER_PAGES/>
        })}
    }
}

#[component]
pub fn PartnerHomePage() -> impl IntoView {
    let session = use_context::<SessionView>();
    view! {
        <Title text="Partner mode · Rooms MTM"/>
        {session.map(|s| view! {
            <h1>"Partner mode"</h1>
            <p class="lead">
                "Here " {s.org_name.clone()} " works on the rooms of the customers that invited it. "
                "Your own organisation's rooms are managed in " <A href="/">"customer mode"</A> "."
            </p>
            <Shortcuts session=s pages=PARTNER_PAGES/>
        })}
    }
}
