#![recursion_limit = "512"]
//! Rooms MTM: the application crate.
//!
//! - `domain`: types shared by server and browser (compiles to WASM), including `authz`.
//! - `server` (feature `ssr`): entities, tenant scoping, services, request context.
//! - `features`: one folder per feature with its server functions, pages and parts.
//! - `components`: shared widgets. This file: the HTML shell, the router and the app frame.

pub mod codec;
pub mod components;
pub mod domain;
pub mod error;
pub mod features;
pub mod nav;
#[cfg(feature = "ssr")]
pub mod server;
pub mod tenant;

use domain::authz::Action;
use domain::ids::OrgId;
use domain::session::SessionView;
use features::approvals::{ApprovalsPage, PartnerRequestsPage};
use features::general::{AuditLogsPage, GeneralSettingsPage};
use features::home::{CustomerHomePage, PartnerHomePage, TenantHomePage};
use features::incidents::page::{AllTicketsPage, IncidentsPage};
use features::login::LoginPage;
use features::org_roles::{AdministratorsPage, TenantManagersPage};
use features::partners::{NewPartnerPage, PartnersPage};
use features::reports::page::ReportsPage;
use features::roles::{NewRolePage, RolesPage};
use features::room_groups::{RoomGroupsPage, UpdateRingsPage};
use features::rooms::RoomsPage;
use features::security_groups::SecurityGroupsPage;
use features::session::get_session;
use features::tenants::TenantsPage;
use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::components::{Outlet, ParentRoute, Redirect, Route, Router, Routes, A};
use leptos_router::hooks::use_location;
use leptos_router::hooks::{use_navigate, use_params_map};
use leptos_router::{path, Lazy, LazyRoute};
use nav::{NavEntry, CUSTOMER_PAGES, PARTNER_PAGES, TENANT_PAGES};
use tenant::Tenant;

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="data:,"/>
                <AutoReload options=options.clone()/>
                <HashedStylesheet id="leptos" options=options.clone()/>
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
    // Kept across pages for the life of the tab.
    provide_context(components::Flash::new());
    provide_context(features::roles::parts::RoleWizard::new());
    view! {
        <Title text="Rooms MTM"/>
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/login") view=LoginPage/>
                <ParentRoute path=path!("") view=AppFrame>
                    <Route path=path!("") view=CustomerHomePage/>
                    <Route path=path!("/rooms") view={Lazy::<RoomsRoute>::new()}/>
                    <Route path=path!("/room-groups") view={Lazy::<RoomGroupsRoute>::new()}/>
                    <Route path=path!("/update-rings") view={Lazy::<UpdateRingsRoute>::new()}/>
                    <Route path=path!("/incidents") view={Lazy::<IncidentsRoute>::new()}/>
                    <Route path=path!("/reports") view={Lazy::<ReportsRoute>::new()}/>
                    <Route path=path!("/settings/administrators") view={Lazy::<AdministratorsRoute>::new()}/>
                    <Route path=path!("/settings/security-groups") view={Lazy::<SecurityGroupsRoute>::new()}/>
                    <Route path=path!("/settings/roles") view={Lazy::<RolesRoute>::new()}/>
                    <Route path=path!("/settings/roles/new") view={Lazy::<NewRoleRoute>::new()}/>
                    <Route path=path!("/settings/partners") view={Lazy::<PartnersRoute>::new()}/>
                    <Route path=path!("/settings/partners/new") view={Lazy::<NewPartnerRoute>::new()}/>
                    <Route path=path!("/settings/approvals") view={Lazy::<ApprovalsRoute>::new()}/>
                    <Route path=path!("/settings/general") view={Lazy::<GeneralSettingsRoute>::new()}/>
                    <Route path=path!("/settings/audit-logs") view={Lazy::<AuditLogsRoute>::new()}/>
                    <Route path=path!("/partner") view={Lazy::<PartnerHomeRoute>::new()}/>
                    <Route path=path!("/partner/tenants") view={Lazy::<TenantsRoute>::new()}/>
                    <Route path=path!("/partner/tenant-managers") view={Lazy::<TenantManagersRoute>::new()}/>
                    <Route path=path!("/partner/tickets") view={Lazy::<AllTicketsRoute>::new()}/>
                    <ParentRoute path=path!("/partner/c/:customer") view=TenantFrame>
                        <Route path=path!("") view={Lazy::<TenantHomeRoute>::new()}/>
                        <Route path=path!("/rooms") view={Lazy::<RoomsRoute>::new()}/>
                        <Route path=path!("/room-groups") view={Lazy::<RoomGroupsRoute>::new()}/>
                        <Route path=path!("/update-rings") view={Lazy::<UpdateRingsRoute>::new()}/>
                        <Route path=path!("/incidents") view={Lazy::<IncidentsRoute>::new()}/>
                        <Route path=path!("/reports") view={Lazy::<ReportsRoute>::new()}/>
                        <Route path=path!("/settings/roles") view={Lazy::<RolesRoute>::new()}/>
                        <Route path=path!("/settings/roles/new") view={Lazy::<NewRoleRoute>::new()}/>
                        <Route path=path!("/requests") view={Lazy::<PartnerRequestsRoute>::new()}/>
                    </ParentRoute>
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// Pages whose code the browser fetches when one of them is first shown. `cargo leptos build
/// --split` cuts the WebAssembly at each `#[lazy]` function, so the login page and the customer
/// overview (where a person lands) load only the code they use; the server renders these pages
/// like any other. Pages are split by area, not one by one: code shared by several split points
/// goes into a chunk per combination of them, and eighteen page-sized splits made 491 chunks, 244
/// of them fetched for the Rooms page alone. `$preload` names the loader `#[lazy]` makes for
/// `$area` (`__preload_<area>`).
macro_rules! lazy_area {
    ($area:ident, $preload:ident: $kind:ident { $($route:ident => $page:ident),* $(,)? }) => {
        // One variant per route of the area, named after it.
        #[allow(clippy::enum_variant_names)]
        #[derive(Clone, Copy)]
        enum $kind {
            $($route),*
        }

        #[leptos::lazy]
        fn $area(page: $kind) -> AnyView {
            match page {
                $($kind::$route => $page().into_any()),*
            }
        }

        $(
            struct $route;

            impl LazyRoute for $route {
                fn data() -> Self {
                    $route
                }

                async fn view(_this: Self) -> AnyView {
                    $area($kind::$route).await
                }

                // Hydration fetches the area's code first and only then hydrates the page: a
                // page still loading would not match the server's HTML.
                async fn preload() {
                    #[cfg(target_arch = "wasm32")]
                    $preload().await;
                }
            }
        )*
    };
}

lazy_area! {
    rooms_area, __preload_rooms_area: RoomsArea {
        RoomsRoute => RoomsPage,
        RoomGroupsRoute => RoomGroupsPage,
        UpdateRingsRoute => UpdateRingsPage,
    }
}

lazy_area! {
    incidents_area, __preload_incidents_area: IncidentsArea {
        IncidentsRoute => IncidentsPage,
        AllTicketsRoute => AllTicketsPage,
        ReportsRoute => ReportsPage,
    }
}

// Partner mode's landing pages: not where a customer's people land, so not in the main module.
lazy_area! {
    partner_area, __preload_partner_area: PartnerArea {
        PartnerHomeRoute => PartnerHomePage,
        TenantHomeRoute => TenantHomePage,
    }
}

lazy_area! {
    settings_area, __preload_settings_area: SettingsArea {
        AdministratorsRoute => AdministratorsPage,
        TenantManagersRoute => TenantManagersPage,
        SecurityGroupsRoute => SecurityGroupsPage,
        RolesRoute => RolesPage,
        NewRoleRoute => NewRolePage,
        PartnersRoute => PartnersPage,
        NewPartnerRoute => NewPartnerPage,
        ApprovalsRoute => ApprovalsPage,
        PartnerRequestsRoute => PartnerRequestsPage,
        GeneralSettingsRoute => GeneralSettingsPage,
        AuditLogsRoute => AuditLogsPage,
        TenantsRoute => TenantsPage,
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
    // Keyed by the customer the address names (partner mode): the session then carries the
    // user's partnership there, and only there. Moving within one customer reads nothing.
    let location = use_location();
    let session = Resource::new(move || tenant_in(&location.pathname.get()), get_session);
    view! {
        <Transition fallback=|| view! { <p class="muted" role="status">"Loading…"</p> }>
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
        </Transition>
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
    let works_for_customers = !session.customers.is_empty();
    let session_for_nav = session.clone();
    let partner_links: Vec<_> = PARTNER_PAGES
        .iter()
        .filter(|(_, _, action, _)| {
            session.may(*action) || (*action == Action::ViewTenants && works_for_customers)
        })
        .collect();
    view! {
        // The router would take `#main` for a navigation: focus the content itself, so the next
        // Tab starts inside it.
        <a class="skip-link" href="#main" on:click=|ev| {
            ev.prevent_default();
            if let Some(main) = document().get_element_by_id("main") {
                if let Ok(main) = main.dyn_into::<leptos::web_sys::HtmlElement>() {
                    let _ = main.focus();
                    main.scroll_into_view();
                }
            }
        }>"Skip to content"</a>
        <header class="topbar">
            <a href="/" class="brand">"Rooms MTM"</a>
            {has_partner_mode.then(|| view! {
                <nav class="mode-switch" aria-label="Mode">
                    <a href="/" aria-current=move || (!partner_mode()).then_some("page")>"Customer mode"</a>
                    <a href="/partner" aria-current=move || partner_mode().then_some("page")>"Partner mode"</a>
                </nav>
            })}
            {(has_partner_mode && !session.customers.is_empty()).then(|| {
                let customers = session.customers.clone();
                view! { <Show when=partner_mode><TenantSwitcher customers=customers.clone()/></Show> }
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
                    let customer = tenant_in(&location.pathname.get());
                    let tenant_nav = customer.and_then(|id| {
                        let name = session_for_nav.customers.iter().find(|(c, _)| *c == id)?.1.clone();
                        let tenant = Tenant::customer(id, name.clone());
                        let items = TENANT_PAGES
                            .iter()
                            .filter(|(_, _, action, _)| session_for_nav.may_in(id, *action))
                            .map(|(label, path, _, _)| {
                                let href = tenant.href(path);
                                view! { <li>{nav_link(href, label, false)}</li> }
                            })
                            .collect_view();
                        Some(view! {
                            <p class="sidebar-heading" id="nav-customer">{name}</p>
                            <ul aria-labelledby="nav-customer">
                                <li>{nav_link(tenant.href(""), "Customer overview", true)}</li>
                                {items}
                            </ul>
                        })
                    });
                    view! {
                        <ul>
                            <li>{nav_link("/partner".into(), "Overview", true)}</li>
                            {nav_items(&partner_links)}
                        </ul>
                        {tenant_nav}
                    }
                    .into_any()
                } else {
                    view! {
                        <ul>
                            <li>{nav_link("/".into(), "Overview", true)}</li>
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

/// A customer's pages in partner mode: the customer comes from the URL and must be one the user
/// works on; the pages below read it as their tenant (the session carries the user's
/// partnership there, see `AppFrame`).
#[component]
fn TenantFrame() -> impl IntoView {
    let params = use_params_map();
    let session = use_context::<SessionView>();
    move || {
        let customer = params
            .read()
            .get("customer")
            .and_then(|c| c.parse::<OrgId>().ok());
        let found = session.as_ref().zip(customer).and_then(|(s, id)| {
            s.customers
                .iter()
                .find(|(c, _)| *c == id)
                .map(|(_, name)| Tenant::customer(id, name.clone()))
        });
        match found {
            Some(tenant) => {
                provide_context(tenant);
                view! { <Outlet/> }.into_any()
            }
            None => view! {
                <Title text="Customer not found · Rooms MTM"/>
                <h1>"Customer not found"</h1>
                <p class="empty">
                    "You hold no role for this customer, or its relationship with your organisation has ended. "
                    <A href="/partner/tenants">"Go to Tenants"</A>
                </p>
            }
            .into_any(),
        }
    }
}

/// The header's customer dropdown in partner mode: switching keeps the kind of page open, and
/// lands on the customer's overview from anywhere else.
#[component]
fn TenantSwitcher(customers: Vec<(OrgId, String)>) -> impl IntoView {
    let location = use_location();
    let navigate = use_navigate();
    let current = move || {
        let path = location.pathname.get();
        path.strip_prefix("/partner/c/")
            .and_then(|rest| rest.split('/').next())
            .and_then(|id| id.parse::<OrgId>().ok())
    };
    let on_change = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        let Ok(id) = value.parse::<OrgId>() else {
            return;
        };
        let path = location.pathname.get_untracked();
        // The page's kind, without the item open in it (another customer's id means nothing).
        let page = path
            .strip_prefix("/partner/c/")
            .and_then(|rest| rest.split_once('/'))
            .and_then(|(_, page)| {
                TENANT_PAGES
                    .iter()
                    .map(|(_, kind, _, _)| *kind)
                    .find(|kind| page.starts_with(&kind[1..]))
            })
            .unwrap_or("");
        navigate(&format!("/partner/c/{id}{page}"), Default::default());
    };
    view! {
        <label class="tenant-switcher">
            <span class="visually-hidden">"Customer"</span>
            <select on:change=on_change prop:value=move || current().map(|c| c.to_string()).unwrap_or_default()>
                <option value="" selected=move || current().is_none()>"Choose a customer…"</option>
                {customers
                    .into_iter()
                    .map(|(id, name)| {
                        let value = id.to_string();
                        view! { <option value=value selected=move || current() == Some(id)>{name}</option> }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}

/// The entries of `pages` this session may open.
fn nav_links(session: &SessionView, pages: &'static [NavEntry]) -> Vec<&'static NavEntry> {
    pages
        .iter()
        .filter(|(_, _, action, _)| session.may(*action))
        .collect()
}

/// The customer a partner-mode path is about: `/partner/c/<customer>/…`.
fn tenant_in(path: &str) -> Option<OrgId> {
    path.strip_prefix("/partner/c/")?
        .split('/')
        .next()?
        .parse()
        .ok()
}

/// A sidebar link, `aria-current` while its page (or, unless `exact`, a page under it) is open.
/// Plainer than the router's `<A>`, which keeps a memo and two effects per link: the frame has
/// a dozen links, and hydrating them was a good part of the overview's first load. The router
/// still takes the click (it handles every same-origin link).
fn nav_link(href: String, label: &'static str, exact: bool) -> impl IntoView {
    let location = use_location();
    let current = {
        let href = href.clone();
        move || {
            location
                .pathname
                .with(|path| nav::is_current(&href, path, exact))
                .then_some("page")
        }
    };
    view! { <a href=href aria-current=current>{label}</a> }
}

fn nav_items(entries: &[&'static NavEntry]) -> impl IntoView {
    entries
        .iter()
        .map(|(label, href, _, _)| view! { <li>{nav_link((*href).into(), label, false)}</li> })
        .collect_view()
}
