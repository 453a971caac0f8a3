#![recursion_limit = "512"]
//! Rooms MTM: the application crate.
//!
//! - `domain`: types shared by server and browser (compiles to WASM), including `authz`.
//! - `server` (feature `ssr`): entities, tenant scoping, services, request context.
//! - `features`: one folder per feature with its server functions, pages and parts.
//! - `components`: shared widgets. This file: the HTML shell, the router and the app frame.

pub mod components;
pub mod domain;
pub mod error;
pub mod features;
pub mod nav;
#[cfg(feature = "ssr")]
pub mod server;

use domain::authz::Action;
use domain::session::SessionView;
use features::general::{AuditLogsPage, GeneralSettingsPage};
use features::home::{CustomerHomePage, PartnerHomePage};
use features::login::LoginPage;
use features::org_roles::{AdministratorsPage, TenantManagersPage};
use features::partners::{NewPartnerPage, PartnersPage};
use features::roles::{NewRolePage, RolesPage};
use features::room_groups::{RoomGroupsPage, UpdateRingsPage};
use features::rooms::RoomsPage;
use features::security_groups::SecurityGroupsPage;
use features::session::get_session;
use features::tenants::TenantsPage;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Outlet, ParentRoute, Redirect, Route, Router, Routes, A};
use leptos_router::hooks::use_location;
use leptos_router::path;
use nav::{NavEntry, CUSTOMER_PAGES, PARTNER_PAGES};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="data:,"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/rooms.css"/>
        <Title text="Rooms MTM"/>
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/login") view=LoginPage/>
                <ParentRoute path=path!("") view=AppFrame>
                    <Route path=path!("") view=CustomerHomePage/>
                    <Route path=path!("/rooms") view=RoomsPage/>
                    <Route path=path!("/room-groups") view=RoomGroupsPage/>
                    <Route path=path!("/update-rings") view=UpdateRingsPage/>
                    <Route path=path!("/settings/administrators") view=AdministratorsPage/>
                    <Route path=path!("/settings/security-groups") view=SecurityGroupsPage/>
                    <Route path=path!("/settings/roles") view=RolesPage/>
                    <Route path=path!("/settings/roles/new") view=NewRolePage/>
                    <Route path=path!("/settings/partners") view=PartnersPage/>
                    <Route path=path!("/settings/partners/new") view=NewPartnerPage/>
                    <Route path=path!("/settings/general") view=GeneralSettingsPage/>
                    <Route path=path!("/settings/audit-logs") view=AuditLogsPage/>
                    <Route path=path!("/partner") view=PartnerHomePage/>
                    <Route path=path!("/partner/tenants") view=TenantsPage/>
                    <Route path=path!("/partner/tenant-managers") view=TenantManagersPage/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Not found · Rooms MTM"/>
        <main class="login" id="main">
            <div class="login-card">
                <h1>"Page not found"</h1>
                <p>"There is no page at this address, or you have no access to it."</p>
                <a class="btn btn-primary" href="/">"Go to the overview"</a>
            </div>
        </main>
    }
}

/// The signed-in frame: header with mode switch and account, left navigation, main content.
/// The session is loaded once here and given to the pages as context.
#[component]
fn AppFrame() -> impl IntoView {
    let session = Resource::new(|| (), |_| get_session());
    view! {
        <Suspense fallback=|| view! { <p class="muted" role="status">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match session.await {
                    Ok(Some(s)) => {
                        provide_context(s.clone());
                        view! { <Frame session=s/> }.into_any()
                    }
                    Ok(None) => view! { <Redirect path="/login?error=session_ended"/> }.into_any(),
                    Err(e) => view! {
                        <main class="login" id="main">
                            <div class="login-card">
                                <h1>"Rooms MTM is unavailable"</h1>
                                <p role="alert">{e.to_string()}</p>
                            </div>
                        </main>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Frame(session: SessionView) -> impl IntoView {
    let location = use_location();
    let partner_mode = move || location.pathname.get().starts_with("/partner");
    let has_partner_mode = session.has_partner_mode();
    let (customer_settings, customer_links): (Vec<_>, Vec<_>) = nav_links(&session, CUSTOMER_PAGES)
        .into_iter()
        .partition(|(_, path, _, _)| path.starts_with("/settings"));
    // Holders of a partner role reach *Tenants* without an organisation role: the server lists
    // only the customers they work on.
    let works_for_customers = !session.actor.partnerships.is_empty();
    let partner_links: Vec<_> = PARTNER_PAGES
        .iter()
        .filter(|(_, _, action, _)| {
            session.may(*action) || (*action == Action::ViewTenants && works_for_customers)
        })
        .collect();
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="topbar">
            <A href="/" attr:class="brand">"Rooms MTM"</A>
            {has_partner_mode.then(|| view! {
                <nav class="mode-switch" aria-label="Mode">
                    <a href="/" aria-current=move || (!partner_mode()).then_some("page")>"Customer mode"</a>
                    <a href="/partner" aria-current=move || partner_mode().then_some("page")>"Partner mode"</a>
                </nav>
            })}
            <div class="account">
                <span class="account-org">{session.org_name.clone()}</span>
                <span class="account-user" title=session.upn.clone()>{session.user_name.clone()}</span>
                <form method="post" action="/auth/logout">
                    <button type="submit" class="btn btn-quiet">"Sign out"</button>
                </form>
            </div>
        </header>
        <div class="frame">
            <nav class="sidebar" aria-label="Main">
                {move || if partner_mode() {
                    view! {
                        <ul>
                            <li><A href="/partner" exact=true>"Overview"</A></li>
                            {nav_items(&partner_links)}
                        </ul>
                    }
                    .into_any()
                } else {
                    view! {
                        <ul>
                            <li><A href="/" exact=true>"Overview"</A></li>
                            {nav_items(&customer_links)}
                        </ul>
                        {(!customer_settings.is_empty()).then(|| view! {
                            <p class="sidebar-heading" id="nav-settings">"Settings"</p>
                            <ul aria-labelledby="nav-settings">{nav_items(&customer_settings)}</ul>
                        })}
                    }
                    .into_any()
                }}
            </nav>
            <main class="content" id="main" tabindex="-1">
                <Outlet/>
            </main>
        </div>
    }
}

/// The entries of `pages` this session may open.
fn nav_links(session: &SessionView, pages: &'static [NavEntry]) -> Vec<&'static NavEntry> {
    pages
        .iter()
        .filter(|(_, _, action, _)| session.may(*action))
        .collect()
}

fn nav_items(entries: &[&'static NavEntry]) -> impl IntoView {
    entries
        .iter()
        .map(|(label, href, _, _)| view! { <li><A href=*href>{*label}</A></li> })
        .collect_view()
}
