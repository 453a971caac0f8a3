use super::api::{list_org_roles, AssignOrgRole, RemoveOrgRole};
use crate::components::{ConfirmDialog, ErrorNote, PaneHeader, PrincipalPicker};
use crate::domain::directory::{OrgRoleAssignmentView, Principal, PrincipalView, RoleFamily};
use crate::domain::session::SessionView;
use leptos::prelude::*;

/// The list of a role family's holders with its *Assign* pane and *Remove* confirmation.
#[component]
pub fn OrgRolesPanel(
    session: SessionView,
    family: RoleFamily,
    title: &'static str,
    intro: String,
    add_label: &'static str,
) -> impl IntoView {
    let org = session.org();
    let may_manage = session.may(family.manage_action());
    let assign = ServerAction::<AssignOrgRole>::new();
    let remove = ServerAction::<RemoveOrgRole>::new();
    let holders = Resource::new(
        move || (assign.version().get(), remove.version().get()),
        move |_| list_org_roles(org, family),
    );
    let pane_open = RwSignal::new(false);
    let to_remove = RwSignal::new(None::<OrgRoleAssignmentView>);
    let confirm_open = RwSignal::new(false);
    Effect::new(move |_| {
        if matches!(remove.value().get(), Some(Ok(()))) {
            confirm_open.set(false);
        }
    });

    view! {
        <div class="page-with-pane">
            <section class="page-main" aria-labelledby="page-title">
                <header class="page-header">
                    <h1 id="page-title">{title}</h1>
                    <Show when=move || may_manage>
                        <button type="button" class="btn btn-primary" on:click=move |_| pane_open.set(true)>
                            {add_label}
                        </button>
                    </Show>
                </header>
                <p class="lead">{intro}</p>
                <Show when=move || matches!(remove.value().get(), Some(Ok(())))>
                    <p class="note note-success" role="status">"Removed."</p>
                </Show>
                <Transition fallback=|| view! { <p class="muted" role="status">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match holders.await {
                            Err(e) => view! { <ErrorNote error=Signal::derive(move || Some(e.clone()))/> }.into_any(),
                            Ok(rows) if rows.is_empty() => view! {
                                <p class="empty">"Nobody holds these roles yet."</p>
                            }
                            .into_any(),
                            Ok(rows) => view! { <HolderTable rows may_manage to_remove confirm_open/> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
            <Show when=move || pane_open.get()>
                <AssignPane org family add_label assign open=pane_open/>
            </Show>
            <ConfirmDialog
                open=confirm_open
                title=Signal::derive(move || "Remove this role?".to_owned())
                message=Signal::derive(move || {
                    to_remove
                        .get()
                        .map(|r| format!("{} will no longer be {}.", r.principal.name, r.role.label()))
                        .unwrap_or_default()
                })
                confirm_label="Remove"
                pending=remove.pending()
                error=Signal::derive(move || remove.value().get().and_then(Result::err))
                on_confirm=Callback::new(move |_| {
                    if let Some(row) = to_remove.get_untracked() {
                        remove.dispatch(RemoveOrgRole { org, family, id: row.id });
                    }
                })
            />
        </div>
    }
    .into_any()
}

#[component]
fn HolderTable(
    rows: Vec<OrgRoleAssignmentView>,
    may_manage: bool,
    to_remove: RwSignal<Option<OrgRoleAssignmentView>>,
    confirm_open: RwSignal<bool>,
) -> impl IntoView {
    view! {
        <div class="table-scroll"><table class="table">
            <thead>
                <tr>
                    <th scope="col">"Name"</th>
                    <th scope="col">"Type"</th>
                    <th scope="col">"E-mail or kind"</th>
                    <th scope="col">"Role"</th>
                    {may_manage.then(|| view! { <th scope="col"><span class="visually-hidden">"Actions"</span></th> })}
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|row| {
                        let kind = match row.principal.principal {
                            Principal::User(_) => "User",
                            Principal::Group(_) => "Security group",
                        };
                        let for_remove = row.clone();
                        let label = format!("Remove {} as {}", row.principal.name, row.role.label());
                        view! {
                            <tr>
                                <th scope="row">{row.principal.name.clone()}</th>
                                <td>{kind}</td>
                                <td>{row.principal.detail.clone()}</td>
                                <td>{row.role.label()}</td>
                                {may_manage.then(|| view! {
                                    <td class="actions">
                                        <button
                                            type="button"
                                            class="btn btn-small btn-danger-quiet"
                                            aria-label=label
                                            on:click=move |_| {
                                                to_remove.set(Some(for_remove.clone()));
                                                confirm_open.set(true);
                                            }
                                        >
                                            "Remove"
                                        </button>
                                    </td>
                                })}
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table></div>
    }
    .into_any()
}

/// The detail pane: pick a role (when the family has several) and a user or group, then *Add*.
#[component]
fn AssignPane(
    org: crate::domain::ids::OrgId,
    family: RoleFamily,
    add_label: &'static str,
    assign: ServerAction<AssignOrgRole>,
    open: RwSignal<bool>,
) -> impl IntoView {
    let roles = family.roles();
    let role = RwSignal::new(roles[0]);
    let selected = RwSignal::new(None::<PrincipalView>);
    Effect::new(move |_| {
        if matches!(assign.value().get(), Some(Ok(_))) {
            selected.set(None);
        }
    });
    let add = move |_| {
        if let Some(p) = selected.get_untracked() {
            assign.dispatch(AssignOrgRole {
                org,
                role: role.get_untracked(),
                principal: p.principal,
            });
        }
    };
    view! {
        <aside class="pane" aria-labelledby="pane-title">
            <PaneHeader title=add_label on_close=Callback::new(move |_| open.set(false))/>
            {(roles.len() > 1).then(|| view! {
                <fieldset class="field">
                    <legend>"Role"</legend>
                    {roles
                        .iter()
                        .map(|r| {
                            let r = *r;
                            view! {
                                <label class="radio">
                                    <input
                                        type="radio"
                                        name="role"
                                        value=r.key()
                                        prop:checked=move || role.get() == r
                                        on:change=move |_| role.set(r)
                                    />
                                    {r.label()}
                                </label>
                            }
                        })
                        .collect_view()}
                </fieldset>
            })}
            <PrincipalPicker org users_only=false selected label="Search for the user or security group"/>
            <ErrorNote error=Signal::derive(move || assign.value().get().and_then(Result::err))/>
            <Show when=move || matches!(assign.value().get(), Some(Ok(_)))>
                <p class="note note-success" role="status">
                    {move || match assign.value().get() {
                        Some(Ok(v)) => format!("{} is now {}.", v.principal.name, v.role.label()),
                        _ => String::new(),
                    }}
                </p>
            </Show>
            <div class="pane-actions">
                <button
                    type="button"
                    class="btn btn-primary"
                    disabled=move || selected.get().is_none() || assign.pending().get()
                    on:click=add
                >
                    {move || if assign.pending().get() { "Adding…" } else { "Add" }}
                </button>
                <button type="button" class="btn" on:click=move |_| open.set(false)>"Close"</button>
            </div>
        </aside>
    }
    .into_any()
}
