use super::api::{list_tenants, AcceptInvitation, DenyInvitation, RemoveCustomer};
use super::parts::{
    focus_by_id, is_invitation, row_link_id, tenant_path, MissingPane, PaneCtx, TenantPane,
    TenantTable,
};
use crate::components::TypedConfirmDialog;
use crate::components::{ConfirmDialog, ErrorNote, Pager};
use crate::domain::directory::{Principal, PrincipalView};
use crate::domain::ids::{OrgId, RelationshipId};
use crate::domain::partners::TenantPage;
use crate::domain::session::SessionView;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

/// Partner mode *Tenants*: the customers and the invitations the server lets this user see;
/// accept or deny an invitation, remove a customer. The open item is in the URL (`?tenant=`).
#[component]
pub fn TenantsPage() -> impl IntoView {
    let Some(session) = use_context::<SessionView>() else {
        return ().into_any();
    };
    let org = session.org();
    let org_name = session.org_name.clone();
    let me = PrincipalView {
        principal: Principal::User(session.actor.user),
        name: session.user_name.clone(),
        detail: session.upn.clone(),
    };
    let accept = ServerAction::<AcceptInvitation>::new();
    let deny = ServerAction::<DenyInvitation>::new();
    let remove = ServerAction::<RemoveCustomer>::new();
    let query = use_query_map();
    // `?page=` counts from 1; anything else is the first page.
    let page = Memo::new(move |_| {
        query.with(|q| {
            q.get("page")
                .and_then(|s| s.parse::<u64>().ok())
                .map_or(0, |p| p.saturating_sub(1))
        })
    });
    // Every answer refetches, failed ones too: a conflict means the list is out of date.
    let tenants = Resource::new(
        move || {
            (
                accept.version().get(),
                deny.version().get(),
                remove.version().get(),
                page.get(),
            )
        },
        |(.., page)| list_tenants(page),
    );
    let refreshing = RwSignal::new(false);
    // "Updating…" is drawn in the browser only, after hydration, so server and browser agree.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let updating = move || {
        view! {
            <Show when=move || hydrated.get() && refreshing.get()>
                <p class="muted tenant-refreshing">"Updating…"</p>
            </Show>
        }
    };

    let selected = Memo::new(move |_| {
        query.with(|q| {
            q.get("tenant")
                .and_then(|s| s.parse::<RelationshipId>().ok())
        })
    });
    let navigate = use_navigate();
    let go = Callback::new(move |(id, replace): (Option<RelationshipId>, bool)| {
        let path = tenant_path(page.get_untracked(), id);
        navigate(
            &path,
            NavigateOptions {
                replace,
                scroll: false,
                ..Default::default()
            },
        );
    });

    let announce = RwSignal::new(None::<String>);
    let pane_error = RwSignal::new(None::<AppError>);
    let admins = RwSignal::new(Vec::<PrincipalView>::new());
    let focus_pane = RwSignal::new(false);
    let accepting = RwSignal::new(String::new());
    let deny_open = RwSignal::new(false);
    let to_deny = RwSignal::new(None::<(RelationshipId, String)>);
    let remove_open = RwSignal::new(false);
    let to_remove = RwSignal::new(None::<(OrgId, String)>);

    // A different item starts clean: no earlier error, no half-chosen admins.
    Effect::new(move |prev: Option<Option<RelationshipId>>| {
        let now = selected.get();
        if prev.is_some_and(|p| p != now) {
            pane_error.set(None);
            admins.set(Vec::new());
        }
        now
    });
    let closed = move |message: String| {
        go.run((None, true));
        focus_by_id("main");
        announce.set(Some(message));
    };
    // The pane is drawn again from the refetched list, so focus goes back to it with the error.
    let failed = move |e: AppError| {
        pane_error.set(Some(e));
        focus_pane.set(true);
    };
    let org_for_msgs = org_name.clone();
    Effect::new(move |_| match accept.value().get() {
        Some(Ok(())) => {
            admins.set(Vec::new());
            focus_pane.set(true);
            let name = accepting.get_untracked();
            announce.set(Some(format!(
                "Invitation accepted: {name} is now a customer of {org_for_msgs}."
            )));
        }
        Some(Err(e)) => failed(e),
        None => {}
    });
    Effect::new(move |_| {
        if let Some(result) = deny.value().get() {
            deny_open.set(false);
            match result {
                Ok(()) => {
                    let name = to_deny.get_untracked().map(|(_, n)| n).unwrap_or_default();
                    closed(format!(
                        "Invitation from {name} denied and deleted. {name} must send a new one to work with you."
                    ));
                }
                Err(e) => failed(e),
            }
        }
    });
    let org_for_remove = org_name.clone();
    Effect::new(move |_| {
        if let Some(result) = remove.value().get() {
            remove_open.set(false);
            match result {
                Ok(()) => {
                    let name = to_remove
                        .get_untracked()
                        .map(|(_, n)| n)
                        .unwrap_or_default();
                    closed(format!(
                        "{name} removed. The relationship and its partner roles have ended; nobody in {org_for_remove} has access to {name} any more."
                    ));
                }
                Err(e) => failed(e),
            }
        }
    });

    let org_for_deny = org_name.clone();
    let ctx = PaneCtx {
        org,
        org_name: org_name.clone(),
        me,
        admins,
        accept,
        on_accept: Callback::new(move |(id, name): (RelationshipId, String)| {
            pane_error.set(None);
            announce.set(None);
            accepting.set(name);
            accept.dispatch(AcceptInvitation {
                id,
                primary_admins: admins
                    .get_untracked()
                    .into_iter()
                    .map(|p| p.principal)
                    .collect(),
            });
        }),
        on_deny: Callback::new(move |pick: (RelationshipId, String)| {
            to_deny.set(Some(pick));
            deny_open.set(true);
        }),
        on_remove: Callback::new(move |pick: (OrgId, String)| {
            to_remove.set(Some(pick));
            remove_open.set(true);
        }),
        on_close: Callback::new(move |_| {
            let open = selected.get_untracked();
            go.run((None, false));
            match open {
                Some(id) => focus_by_id(&row_link_id(id)),
                None => focus_by_id("main"),
            }
        }),
        error: pane_error,
        focus: focus_pane,
    };
    let ctx = StoredValue::new(ctx);
    let on_open = Callback::new(move |id: RelationshipId| {
        if selected.get_untracked() != Some(id) {
            focus_pane.set(true);
        }
    });
    let intro = format!(
        "The organisations that invited {org_name} to manage some of their meeting rooms, and the invitations waiting for an answer. You work on a customer's rooms once you hold a role for it."
    );
    let empty = format!(
        "{org_name} has no customers or invitations yet. A customer invites {org_name} from its own Settings > Partners. New invitations appear here for {org_name}'s Global admins, Managed Service Administrators and Tenant managers, and for the admins the customer names."
    );

    view! {
        <Title text="Tenants · Rooms MTM"/>
        <div class="page-with-pane">
            <section class="page-main" aria-labelledby="page-title">
                <header class="page-header">
                    <h1 id="page-title">"Tenants"</h1>
                </header>
                <p class="lead">{intro}</p>
                <div class="tenant-live" role="status" aria-live="polite">
                    {move || announce.get().map(|m| view! { <p class="note note-success">{m}</p> })}
                </div>
                <div aria-busy=move || (hydrated.get() && refreshing.get()).to_string()>
                    <Transition
                        fallback=|| view! { <p class="muted" role="status">"Loading…"</p> }
                        set_pending=refreshing
                    >
                        {move || {
                            let empty = empty.clone();
                            Suspend::new(async move {
                                let list = match tenants.await {
                                    Err(e) => view! {
                                        <ErrorNote error=Signal::derive(move || Some(e.clone()))/>
                                        <button type="button" class="btn" on:click=move |_| tenants.refetch()>"Try again"</button>
                                    }
                                    .into_any(),
                                    Ok(list) if list.rows.is_empty() => view! { <p class="empty">{empty}</p> }.into_any(),
                                    Ok(list) => view! { <TenantLists list selected on_open/> }.into_any(),
                                };
                                view! { {updating()} {list} }
                            })
                        }}
                    </Transition>
                </div>
            </section>
            {move || selected.get().map(|id| view! {
                <Transition fallback=|| view! { <aside class="pane"><p class="muted" role="status">"Loading…"</p></aside> }>
                    {move || Suspend::new(async move {
                        let ctx = ctx.get_value();
                        match tenants.await {
                            Err(_) => ().into_any(),
                            Ok(list) => match list.rows.into_iter().find(|t| t.summary.id == id) {
                                Some(tenant) => view! { <TenantPane tenant ctx/> }.into_any(),
                                None => view! { <MissingPane ctx/> }.into_any(),
                            },
                        }
                    })}
                </Transition>
            })}
            <ConfirmDialog
                open=deny_open
                title=Signal::derive(move || {
                    to_deny.get().map(|(_, n)| format!("Deny {n}'s invitation?")).unwrap_or_default()
                })
                message=Signal::derive(move || {
                    to_deny
                        .get()
                        .map(|(_, n)| format!("The invitation is deleted. To work with {org_for_deny} later, {n} must send a new invitation."))
                        .unwrap_or_default()
                })
                confirm_label="Deny invitation"
                pending=deny.pending()
                on_confirm=Callback::new(move |_| {
                    if let Some((id, _)) = to_deny.get_untracked() {
                        pane_error.set(None);
                        announce.set(None);
                        deny.dispatch(DenyInvitation { id });
                    }
                })
            />
            <TypedConfirmDialog
                open=remove_open
                title=Signal::derive(move || {
                    to_remove.get().map(|(_, n)| format!("Remove {n}?")).unwrap_or_default()
                })
                message=Signal::derive(move || {
                    to_remove
                        .get()
                        .map(|(_, n)| format!("The relationship with {n} ends at once, with all its partner roles and assignments: nobody in {org_name} can open {n}'s rooms any more, you included. This cannot be undone; {n} would have to send a new invitation."))
                        .unwrap_or_default()
                })
                word="Delete"
                confirm_label="Remove customer"
                pending=remove.pending()
                on_confirm=Callback::new(move |_| {
                    if let Some((customer, _)) = to_remove.get_untracked() {
                        pane_error.set(None);
                        announce.set(None);
                        remove.dispatch(RemoveCustomer { customer });
                    }
                })
            />
        </div>
    }
    .into_any()
}

/// One page of the list, in the server's order: invitations (pending before expired), then
/// customers (live before ended); the counts are over every page.
#[component]
fn TenantLists(
    list: TenantPage,
    selected: Memo<Option<RelationshipId>>,
    on_open: Callback<RelationshipId>,
) -> impl IntoView {
    let TenantPage {
        rows,
        page,
        pages,
        invitations_waiting,
        customers: customer_count,
    } = list;
    let (invitations, customers): (Vec<_>, Vec<_>) = rows.into_iter().partition(is_invitation);
    let navigate = use_navigate();
    let on_page = Callback::new(move |p: u64| {
        navigate(&tenant_path(p, None), Default::default());
        focus_by_id("page-title");
    });
    view! {
        {(!invitations.is_empty()).then(|| view! {
            <section class="tenant-section" aria-labelledby="invitations-title">
                <h2 id="invitations-title">
                    "Invitations "
                    <span class="muted tenant-count">{format!("({invitations_waiting} waiting)")}</span>
                </h2>
                <TenantTable rows=invitations invitations=true labelled_by="invitations-title" selected on_open page/>
            </section>
        })}
        <section class="tenant-section" aria-labelledby="customers-title">
            <h2 id="customers-title">
                "Customers "
                <span class="muted tenant-count">{format!("({customer_count})")}</span>
            </h2>
            {if customers.is_empty() && customer_count == 0 {
                view! {
                    <p class="empty">"No customers yet. A customer appears here once its invitation is accepted."</p>
                }
                .into_any()
            } else if customers.is_empty() {
                view! { <p class="muted">"Customers continue on the next page."</p> }.into_any()
            } else {
                view! { <TenantTable rows=customers invitations=false labelled_by="customers-title" selected on_open page/> }.into_any()
            }}
        </section>
        {(pages > 1).then(|| view! { <Pager page pages on_page label="Tenants pages"/> })}
    }
    .into_any()
}
