use super::api::{
    check_role_name, get_role, list_roles, CreateRole, DeleteAssignment, DeleteRole,
    SaveAssignment, UpdateRole,
};
use super::parts::{
    AssignmentFields, AssignmentGeneral, MembersStep, PermissionChecklist, RoleWizard, ScopeStep,
};
use crate::components::focus::focus_heading_on_step;
use crate::components::{ConfirmDialog, ErrorNote, Flash, Pane, PaneHeader, PaneState, ResultNote};
use crate::domain::authz::{Action, Permission};
use crate::domain::ids::{RoleAssignmentId, RoleId};
use crate::domain::roles::{AssignmentView, RoleDraft};
use crate::tenant::use_tenant;
use leptos::html;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

/// Customer mode *Settings > Roles*: built-in roles (read-only) and custom roles, with their
/// assignments.
#[component]
pub fn RolesPage() -> impl IntoView {
    let Some((tenant, session)) = use_tenant() else {
        return ().into_any();
    };
    let org = tenant.org;
    let may_modify = session.may_in(org, Action::ModifyRoles);
    let new_role = tenant.href("/settings/roles/new");
    let (heading, lead) = match &tenant.customer_name {
        None => ("Roles".to_owned(), "A role is a set of permissions. An assignment gives a role to users and security groups over a scope: all rooms, or chosen rooms and room groups. Built-in roles cannot be changed.".to_owned()),
        Some(customer) => (
            format!("Partner roles for {customer}"),
            format!("Your organisation's roles for {customer}: the built-in Primary admins and custom roles. They give your people permissions within Primary admins' and rooms within the scope {customer} chose; {customer} sees them and can delete any of them."),
        ),
    };
    let changed = RwSignal::new(0usize);
    let roles = Resource::new(move || changed.get(), move |_| list_roles(org));
    // The open role is in the address, so a reload, Back or a link shows the same pane.
    let pane = PaneState::<RoleId>::new("role");
    let notice = RwSignal::new(Flash::get().take());
    view! {
        <Title text="Roles · Rooms MTM"/>
        <div class="page-with-pane">
            <section class="page-main" aria-labelledby="page-title">
                <header class="page-header">
                    <h1 id="page-title">{heading}</h1>
                    <Show when=move || may_modify>
                        <A href=new_role.clone() attr:class="btn btn-primary">"Create custom role"</A>
                    </Show>
                </header>
                <p class="lead">{lead}</p>
                {move || notice.get().map(|m| view! { <p class="note note-success" role="status">{m}</p> })}
                <Transition fallback=|| view! { <p class="muted" role="status">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match roles.await {
                            Err(e) => view! { <ErrorNote error=Signal::derive(move || Some(e.clone()))/> }.into_any(),
                            Ok(rows) => view! {
                                <div class="table-scroll"><table class="table">
                                    <thead><tr><th scope="col">"Role"</th><th scope="col">"Type"</th><th scope="col">"Permissions"</th><th scope="col">"Assignments"</th></tr></thead>
                                    <tbody>
                                        {rows.into_iter().map(|r| {
                                            let id = r.id;
                                            let selected = move || pane.is_open(id);
                                            view! {
                                                <tr class:selected=selected>
                                                    <th scope="row"><button type="button" class="link-button" aria-expanded=move || selected().to_string() on:click=move |_| pane.show(id)>{r.name.clone()}</button></th>
                                                    <td>{if r.built_in.is_some() { "Built-in" } else { "Custom" }}</td>
                                                    <td>{r.permissions.len()}</td>
                                                    <td>{r.assignment_count}</td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table></div>
                            }.into_any(),
                        }
                    })}
                </Transition>
            </section>
            {move || match pane.get() {
                // A new role has a page of its own (the wizard).
                Pane::Closed | Pane::Create => ().into_any(),
                Pane::Item(id) => view! { <RolePane id pane changed may_modify/> }.into_any(),
            }}
        </div>
    }
    .into_any()
}

/// Which assignment form is open in the role pane.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Editing {
    None,
    New,
    Existing(RoleAssignmentId),
}

#[component]
fn RolePane(
    id: RoleId,
    pane: PaneState<RoleId>,
    changed: RwSignal<usize>,
    may_modify: bool,
) -> impl IntoView {
    let Some((tenant, _)) = use_tenant() else {
        return ().into_any();
    };
    let org = tenant.org;
    let update = ServerAction::<UpdateRole>::new();
    let delete = ServerAction::<DeleteRole>::new();
    let save = ServerAction::<SaveAssignment>::new();
    let remove = ServerAction::<DeleteAssignment>::new();
    // The assignment *Remove* asks about: its members lose what it gives at once.
    let to_remove = RwSignal::new(None::<(RoleAssignmentId, String)>);
    let confirm_remove = RwSignal::new(false);
    Effect::new(move |_| {
        if matches!(remove.value().get(), Some(Ok(_))) {
            confirm_remove.set(false);
        }
    });
    let detail = Resource::new(
        move || {
            (
                update.version().get(),
                save.version().get(),
                remove.version().get(),
            )
        },
        move |_| get_role(org, id),
    );
    Effect::new(move |_| {
        let n = update.version().get()
            + save.version().get()
            + remove.version().get()
            + delete.version().get();
        if n > 0 {
            changed.update(|c| *c += 1);
        }
    });
    let editing = RwSignal::new(Editing::None);
    let fields = AssignmentFields::new();
    Effect::new(move |_| {
        if matches!(save.value().get(), Some(Ok(_))) {
            editing.set(Editing::None);
        }
    });
    let confirm_delete = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(result) = delete.value().get() {
            confirm_delete.set(false);
            if result.is_ok() {
                pane.close();
            }
        }
    });
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let permissions = RwSignal::new(Vec::<Permission>::new());
    let title = RwSignal::new("Role".to_owned());
    let open_editor = move |which: Editing, from: Option<AssignmentView>| {
        let a = from.unwrap_or(AssignmentView {
            id: RoleAssignmentId::new(),
            name: String::new(),
            description: String::new(),
            notify: false,
            members: vec![],
            all_rooms: false,
            rooms: vec![],
            room_groups: vec![],
        });
        fields.name.set(a.name);
        fields.description.set(a.description);
        fields.notify.set(a.notify);
        fields.members.set(a.members);
        fields.all_rooms.set(a.all_rooms);
        fields.rooms.set(a.rooms);
        fields.groups.set(a.room_groups);
        editing.set(which);
    };
    view! {
        <aside class="pane pane-wide" aria-labelledby="pane-title">
            <PaneHeader title on_close=Callback::new(move |_| pane.close())/>
            <Transition fallback=|| view! { <p class="muted" role="status">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match detail.await {
                        Err(e) => view! { <ErrorNote error=Signal::derive(move || Some(e.clone()))/> }.into_any(),
                        Ok(d) => {
                            title.set(d.role.name.clone());
                            let custom = d.role.built_in.is_none();
                            name.set(d.role.name.clone());
                            description.set(d.role.description.clone());
                            permissions.set(d.role.permissions.clone());
                            view! {
                                <p>{d.role.description.clone()}</p>
                                <p class="muted">{if custom { "Custom role." } else { "Built-in role: it cannot be renamed, edited or deleted." }}</p>
                                <h3>"Permissions"</h3>
                                <ul class="permission-list">
                                    {d.role.permissions.iter().map(|p| view! { <li>{p.describe()}</li> }).collect_view()}
                                </ul>
                                <h3>{format!("Assignments ({})", d.assignments.len())}</h3>
                                {if d.assignments.is_empty() {
                                    view! { <p class="empty">"Nobody holds this role yet."</p> }.into_any()
                                } else {
                                    d.assignments.into_iter().map(|a| {
                                        let aid = a.id;
                                        let scope = if a.all_rooms { "All rooms".to_owned() } else {
                                            let mut parts: Vec<String> = a.room_groups.iter().map(|(_, n)| format!("group {n}")).collect();
                                            parts.extend(a.rooms.iter().map(|(_, n)| n.clone()));
                                            parts.join(", ")
                                        };
                                        let members = a.members.iter().map(|m| m.name.clone()).collect::<Vec<_>>().join(", ");
                                        let edit_label = format!("Edit assignment {}", a.name);
                                        let remove_label = format!("Remove assignment {}", a.name);
                                        let a2 = a.clone();
                                        view! {
                                            <article class="assignment">
                                                <h4>{a.name.clone()}</h4>
                                                {(!a.description.is_empty()).then(|| view! { <p>{a.description.clone()}</p> })}
                                                <dl class="facts">
                                                    <dt>"Members"</dt><dd>{members}</dd>
                                                    <dt>"Scope"</dt><dd>{scope}</dd>
                                                    <dt>"E-mail notifications"</dt><dd>{if a.notify { "On" } else { "Off" }}</dd>
                                                </dl>
                                                {may_modify.then(|| view! {
                                                    <div class="pane-actions">
                                                        <button type="button" class="btn btn-small" aria-label=edit_label on:click=move |_| open_editor(Editing::Existing(aid), Some(a2.clone()))>"Edit"</button>
                                                        <button type="button" class="btn btn-small btn-danger-quiet" aria-label=remove_label on:click={
                                                            let name = a.name.clone();
                                                            move |_| { to_remove.set(Some((aid, name.clone()))); confirm_remove.set(true); }
                                                        }>"Remove"</button>
                                                    </div>
                                                })}
                                            </article>
                                        }
                                    }).collect_view().into_any()
                                }}
                                {may_modify.then(|| view! {
                                    <div class="pane-actions">
                                        <button type="button" class="btn" on:click=move |_| open_editor(Editing::New, None)>"Add assignment"</button>
                                    </div>
                                })}
                                {(may_modify && custom).then(|| view! {
                                    <div class="pane-section">
                                        <h3>"Edit role"</h3>
                                        <form on:submit=move |ev| {
                                            ev.prevent_default();
                                            update.dispatch(UpdateRole { org, id, role: RoleDraft { name: name.get_untracked(), description: description.get_untracked(), permissions: permissions.get_untracked() } });
                                        }>
                                            <div class="field">
                                                <label for="role-edit-name">"Name"</label>
                                                <input id="role-edit-name" type="text" required prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                                            </div>
                                            <div class="field">
                                                <label for="role-edit-description">"Description"</label>
                                                <textarea id="role-edit-description" rows="2" prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev))></textarea>
                                            </div>
                                            <PermissionChecklist org chosen=permissions/>
                                            <ErrorNote error=Signal::derive(move || update.value().get().and_then(Result::err))/>
                                            <button type="submit" class="btn btn-primary" disabled=move || update.pending().get()>"Save role"</button>
                                        </form>
                                        <ResultNote value=update.value() success="Role saved."/>
                                    </div>
                                    <div class="pane-section danger-zone">
                                        <button type="button" class="btn btn-danger" on:click=move |_| confirm_delete.set(true)>"Delete role"</button>
                                    </div>
                                })}
                            }.into_any()
                        }
                    }
                })}
            </Transition>
            <ErrorNote error=Signal::derive(move || delete.value().get().and_then(Result::err))/>
            {move || (editing.get() != Editing::None).then(|| view! {
                <section class="pane-section" aria-labelledby="assignment-title">
                    <h3 id="assignment-title">{if editing.get() == Editing::New { "New assignment" } else { "Edit assignment" }}</h3>
                    <form on:submit=move |ev| {
                        ev.prevent_default();
                        let existing = match editing.get_untracked() { Editing::Existing(a) => Some(a), _ => None };
                        save.dispatch(SaveAssignment { org, role: id, id: existing, assignment: fields.draft() });
                    }>
                        <AssignmentGeneral name=fields.name description=fields.description notify=fields.notify/>
                        <MembersStep org members=fields.members/>
                        <ScopeStep org all_rooms=fields.all_rooms rooms=fields.rooms groups=fields.groups/>
                        <ErrorNote error=Signal::derive(move || save.value().get().and_then(Result::err))/>
                        <div class="pane-actions">
                            <button type="submit" class="btn btn-primary" disabled=move || save.pending().get()>"Save assignment"</button>
                            <button type="button" class="btn" on:click=move |_| editing.set(Editing::None)>"Cancel"</button>
                        </div>
                    </form>
                </section>
            })}
            <ConfirmDialog
                open=confirm_delete
                title=Signal::derive(|| "Delete this role?".to_owned())
                message=Signal::derive(move || format!("{} and all its assignments will be deleted; their members lose these permissions at once.", title.get()))
                confirm_label="Delete"
                pending=delete.pending()
                on_confirm=Callback::new(move |_| { delete.dispatch(DeleteRole { org, id }); })
            />
            <ConfirmDialog
                open=confirm_remove
                title=Signal::derive(|| "Remove this assignment?".to_owned())
                message=Signal::derive(move || to_remove.get().map(|(_, name)| format!("{name} will be removed; its members lose these permissions over its rooms at once.")).unwrap_or_default())
                confirm_label="Remove"
                pending=remove.pending()
                error=Signal::derive(move || remove.value().get().and_then(Result::err))
                on_confirm=Callback::new(move |_| {
                    if let Some((aid, _)) = to_remove.get_untracked() {
                        remove.dispatch(DeleteAssignment { org, id: aid });
                    }
                })
            />
        </aside>
    }
    .into_any()
}

const STEPS: [&str; 6] = [
    "General",
    "Permissions",
    "Assignment",
    "Members",
    "Scope",
    "Finish",
];

/// *Create custom role*: General → Permissions → Assignment → Members → Scope → Finish.
#[component]
pub fn NewRolePage() -> impl IntoView {
    let Some((tenant, session)) = use_tenant() else {
        return ().into_any();
    };
    let org = tenant.org;
    let roles_page = tenant.href("/settings/roles");
    if !session.may_in(org, Action::ModifyRoles) {
        return view! {
            <h1>"Create custom role"</h1>
            <p class="empty">"Your role does not allow managing roles."</p>
        }
        .into_any();
    }
    let wizard = RoleWizard::of(org);
    let (step, name, description, permissions, fields) = (
        wizard.step,
        wizard.name,
        wizard.description,
        wizard.permissions,
        wizard.fields,
    );
    let resumed = RwSignal::new(wizard.started());
    let heading = NodeRef::<html::H2>::new();
    focus_heading_on_step(step, heading);
    let name_field = NodeRef::<html::Input>::new();
    let focus_name = move || {
        if let Some(field) = name_field.get_untracked() {
            let _ = field.focus();
        }
    };
    let create = ServerAction::<CreateRole>::new();
    let step_error = RwSignal::new(None::<String>);
    let name_error = RwSignal::new(None::<String>);
    let checking = RwSignal::new(false);
    let navigate = StoredValue::new(use_navigate());
    let flash = Flash::get();
    let list = StoredValue::new(roles_page);
    Effect::new(move |_| {
        if let Some(Ok(id)) = create.value().get() {
            flash.say(format!("Role “{}” created.", name.get_untracked().trim()));
            wizard.clear();
            let to = format!("{}?role={id}", list.get_value());
            navigate.with_value(|n| n(&to, Default::default()));
        }
    });
    // Reloading or closing the tab would lose the draft (moving within the portal keeps it).
    #[cfg(feature = "hydrate")]
    {
        let leaving = window_event_listener(leptos::ev::beforeunload, move |ev| {
            if wizard.started() {
                ev.prevent_default();
            }
        });
        on_cleanup(move || leaving.remove());
    }
    let advance = move || {
        step_error.set(None);
        name_error.set(None);
        resumed.set(false);
        step.update(|s| *s = (*s + 1).min(STEPS.len() - 1));
    };
    // Each step checks what it asks for before moving on; the server checks everything again.
    // The name is asked of the server at once, so a taken one is said by the field.
    let next = move || {
        let problem = match step.get_untracked() {
            0 => {
                let typed = name.get_untracked();
                if typed.trim().is_empty() {
                    name_error.set(Some("Enter a name for the role.".into()));
                    focus_name();
                } else if !checking.get_untracked() {
                    checking.set(true);
                    leptos::task::spawn_local(async move {
                        let answer = check_role_name(org, typed).await;
                        checking.set(false);
                        match answer {
                            Ok(()) => advance(),
                            Err(e) => {
                                name_error.set(Some(e.to_string()));
                                // The Next button was disabled while asking, which takes focus
                                // from it: the field to mend gets it.
                                focus_name();
                            }
                        }
                    });
                }
                return;
            }
            1 if permissions.with_untracked(Vec::is_empty) => {
                Some("Choose at least one permission.")
            }
            2 if fields.name.get_untracked().trim().is_empty() => {
                Some("Enter a name for the assignment.")
            }
            3 if fields.members.with_untracked(Vec::is_empty) => {
                Some("Add at least one user or security group.")
            }
            4 if !fields.all_rooms.get_untracked()
                && fields.rooms.with_untracked(Vec::is_empty)
                && fields.groups.with_untracked(Vec::is_empty) =>
            {
                Some("Choose rooms or room groups, or all rooms.")
            }
            _ => None,
        };
        step_error.set(problem.map(str::to_owned));
        if problem.is_none() {
            advance();
        }
    };
    let leave = move |_| {
        wizard.clear();
        navigate.with_value(|n| n(&list.get_value(), Default::default()));
    };
    view! {
        <Title text="Create custom role · Rooms MTM"/>
        <h1>"Create custom role"</h1>
        <Show when=move || resumed.get()>
            <div class="note note-info" role="status">
                <p>"This is the role you started earlier, as you left it."</p>
                <button type="button" class="btn" on:click=move |_| {
                    wizard.clear();
                    step_error.set(None);
                    name_error.set(None);
                    resumed.set(false);
                }>"Start over"</button>
            </div>
        </Show>
        <ol class="wizard-steps" aria-label="Steps">
            {STEPS.iter().enumerate().map(|(i, s)| view! {
                <li aria-current=move || (step.get() == i).then_some("step") class=("done", move || step.get() > i)>{*s}</li>
            }).collect_view()}
        </ol>
        // Enter in a field moves to the next step; only Finish creates the role.
        <form class="wizard" aria-labelledby="step-title" on:submit=move |ev| {
            ev.prevent_default();
            if step.get_untracked() < STEPS.len() - 1 {
                next();
                return;
            }
            create.dispatch(CreateRole {
                org,
                role: RoleDraft { name: name.get_untracked(), description: description.get_untracked(), permissions: permissions.get_untracked() },
                assignment: fields.draft(),
            });
        }>
            <h2 id="step-title" tabindex="-1" node_ref=heading>{move || STEPS[step.get()]}</h2>
            <Show when=move || step.get() == 0>
                <div class="field">
                    <label for="role-name">"Name"</label>
                    <input id="role-name" type="text" maxlength="80" node_ref=name_field
                        aria-invalid=move || name_error.get().is_some().then_some("true")
                        aria-describedby=move || name_error.get().is_some().then_some("role-name-error")
                        prop:value=move || name.get()
                        on:input=move |ev| { name_error.set(None); name.set(event_target_value(&ev)); }/>
                    {move || name_error.get().map(|m| view! { <p id="role-name-error" class="field-error" role="alert">{m}</p> })}
                </div>
                <div class="field">
                    <label for="role-description">"Description (optional)"</label>
                    <textarea id="role-description" rows="3" prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev))></textarea>
                </div>
            </Show>
            <Show when=move || step.get() == 1>
                <p class="muted">"You can only include permissions you hold yourself."</p>
                <PermissionChecklist org chosen=permissions/>
            </Show>
            <Show when=move || step.get() == 2>
                <AssignmentGeneral name=fields.name description=fields.description notify=fields.notify/>
            </Show>
            <Show when=move || step.get() == 3>
                <MembersStep org members=fields.members/>
            </Show>
            <Show when=move || step.get() == 4>
                <p class="muted">"You can only give the role over rooms where you hold its permissions."</p>
                <ScopeStep org all_rooms=fields.all_rooms rooms=fields.rooms groups=fields.groups/>
            </Show>
            <Show when=move || step.get() == 5>
                <dl class="facts review">
                    <dt>"Role"</dt><dd>{move || name.get()}</dd>
                    <dt>"Description"</dt><dd>{move || description.get()}</dd>
                    <dt>"Permissions"</dt><dd>{move || permissions.get().iter().map(|p| p.describe()).collect::<Vec<_>>().join(", ")}</dd>
                    <dt>"Assignment"</dt><dd>{move || fields.name.get()}</dd>
                    <dt>"E-mail notifications"</dt><dd>{move || if fields.notify.get() { "On" } else { "Off" }}</dd>
                    <dt>"Members"</dt><dd>{move || fields.members.get().iter().map(|m| m.name.clone()).collect::<Vec<_>>().join(", ")}</dd>
                    <dt>"Scope"</dt><dd>{move || fields.scope_summary()}</dd>
                </dl>
            </Show>
            {move || step_error.get().map(|m| view! { <p class="note note-error" role="alert">{m}</p> })}
            <ErrorNote error=Signal::derive(move || create.value().get().and_then(Result::err))/>
            <div class="pane-actions">
                <button type="button" class="btn" disabled=move || step.get() == 0 on:click=move |_| { step_error.set(None); step.update(|s| *s = s.saturating_sub(1)); }>"Back"</button>
                <Show when=move || { step.get() < STEPS.len() - 1 }>
                    <button type="button" class="btn btn-primary" disabled=move || checking.get() on:click=move |_| next()>
                        {move || if checking.get() { "Checking…" } else { "Next" }}
                    </button>
                </Show>
                <Show when=move || { step.get() == STEPS.len() - 1 }>
                    <button type="submit" class="btn btn-primary" disabled=move || create.pending().get()>
                        {move || if create.pending().get() { "Creating…" } else { "Create role" }}
                    </button>
                </Show>
                <button type="button" class="btn btn-quiet" on:click=leave>"Cancel"</button>
            </div>
        </form>
    }
    .into_any()
}
