use super::api::{get_group, AddGroupMember, CreateGroup, RemoveGroupMember, RenameGroup};
use crate::components::{ErrorNote, PaneHeader, PaneState, PrincipalPicker};
use crate::domain::directory::{GroupView, Principal, PrincipalView};
use crate::domain::ids::{GroupId, OrgId};
use leptos::prelude::*;

#[component]
pub fn GroupTable(rows: Vec<GroupView>, pane: PaneState<GroupId>) -> impl IntoView {
    view! {
        <div class="table-scroll"><table class="table">
            <thead>
                <tr>
                    <th scope="col">"Name"</th>
                    <th scope="col">"Members"</th>
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|g| {
                        let id = g.id;
                        let current = move || pane.is_open(id);
                        view! {
                            <tr class:selected=current>
                                <th scope="row">
                                    <button
                                        type="button"
                                        class="link-button"
                                        aria-expanded=move || current().to_string()
                                        on:click=move |_| pane.show(id)
                                    >
                                        {g.name.clone()}
                                    </button>
                                </th>
                                <td>{g.member_count}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table></div>
    }
    .into_any()
}

#[component]
pub fn CreateGroupPane(
    org: OrgId,
    create: ServerAction<CreateGroup>,
    pane: PaneState<GroupId>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    view! {
        <aside class="pane" aria-labelledby="pane-title">
            <PaneHeader title="New security group" on_close=Callback::new(move |_| pane.close())/>
            <form on:submit=move |ev| {
                ev.prevent_default();
                create.dispatch(CreateGroup { org, name: name.get_untracked() });
            }>
                <div class="field">
                    <label for="group-name">"Name"</label>
                    <input
                        id="group-name"
                        type="text"
                        required
                        maxlength="80"
                        aria-invalid=move || error.get().is_some().to_string()
                        prop:value=move || name.get()
                        on:input=move |ev| name.set(event_target_value(&ev))
                    />
                </div>
                <ErrorNote error/>
                <div class="pane-actions">
                    <button type="submit" class="btn btn-primary" disabled=move || create.pending().get()>
                        {move || if create.pending().get() { "Creating…" } else { "Create" }}
                    </button>
                    <button type="button" class="btn" on:click=move |_| pane.close()>"Cancel"</button>
                </div>
            </form>
        </aside>
    }
    .into_any()
}

/// One group: rename, members, add and remove members, delete.
#[component]
pub fn GroupPane(
    org: OrgId,
    id: GroupId,
    may_manage: bool,
    rename: ServerAction<RenameGroup>,
    pane: PaneState<GroupId>,
    members_changed: RwSignal<usize>,
    on_delete: Callback<String>,
) -> impl IntoView {
    let add = ServerAction::<AddGroupMember>::new();
    let remove = ServerAction::<RemoveGroupMember>::new();
    let detail = Resource::new(
        move || {
            (
                rename.version().get(),
                add.version().get(),
                remove.version().get(),
            )
        },
        move |_| get_group(org, id),
    );
    Effect::new(move |_| {
        let changed = add.version().get() + remove.version().get();
        if changed > 0 {
            members_changed.update(|n| *n += 1);
        }
    });
    let name = RwSignal::new(String::new());
    let title = RwSignal::new(String::from("Security group"));
    let selected = RwSignal::new(None::<PrincipalView>);
    Effect::new(move |_| {
        if matches!(add.value().get(), Some(Ok(()))) {
            selected.set(None);
        }
    });
    let action_error = Signal::derive(move || {
        rename
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| add.value().get().and_then(Result::err))
            .or_else(|| remove.value().get().and_then(Result::err))
    });

    view! {
        <aside class="pane" aria-labelledby="pane-title">
            <PaneHeader title on_close=Callback::new(move |_| pane.close())/>
            <Transition fallback=|| view! { <p class="muted" role="status">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match detail.await {
                        Err(e) => view! { <ErrorNote error=Signal::derive(move || Some(e.clone()))/> }.into_any(),
                        Ok(group) => {
                            title.set(group.name.clone());
                            name.set(group.name.clone());
                            let group_name = group.name.clone();
                            view! {
                                {may_manage.then(|| view! {
                                    <form class="inline-form" on:submit=move |ev| {
                                        ev.prevent_default();
                                        rename.dispatch(RenameGroup { org, id, name: name.get_untracked() });
                                    }>
                                        <div class="field">
                                            <label for="rename-group">"Name"</label>
                                            <input
                                                id="rename-group"
                                                type="text"
                                                required
                                                maxlength="80"
                                                prop:value=move || name.get()
                                                on:input=move |ev| name.set(event_target_value(&ev))
                                            />
                                        </div>
                                        <button type="submit" class="btn" disabled=move || rename.pending().get()>"Rename"</button>
                                    </form>
                                })}
                                <h3>"Members"</h3>
                                {if group.members.is_empty() {
                                    view! { <p class="empty">"This group has no members."</p> }.into_any()
                                } else {
                                    view! {
                                        <ul class="member-list" aria-label="Members">
                                            {group
                                                .members
                                                .into_iter()
                                                .map(|m| {
                                                    let user = m.user;
                                                    let label = format!("Remove {} from the group", m.name);
                                                    view! {
                                                        <li>
                                                            <span>
                                                                <span class="member-name">{m.name}</span>
                                                                <span class="member-upn">{m.upn}</span>
                                                            </span>
                                                            {may_manage.then(|| view! {
                                                                <button
                                                                    type="button"
                                                                    class="btn btn-small btn-danger-quiet"
                                                                    aria-label=label
                                                                    disabled=move || remove.pending().get()
                                                                    on:click=move |_| {
                                                                        remove.dispatch(RemoveGroupMember { org, id, user });
                                                                    }
                                                                >
                                                                    "Remove"
                                                                </button>
                                                            })}
                                                        </li>
                                                    }
                                                })
                                                .collect_view()}
                                        </ul>
                                    }
                                    .into_any()
                                }}
                                {may_manage.then(|| view! {
                                    <div class="pane-section">
                                        <PrincipalPicker org users_only=true selected label="Add members: search for a user"/>
                                        <button
                                            type="button"
                                            class="btn btn-primary"
                                            disabled=move || selected.get().is_none() || add.pending().get()
                                            on:click=move |_| {
                                                if let Some(PrincipalView { principal: Principal::User(user), .. }) = selected.get_untracked() {
                                                    add.dispatch(AddGroupMember { org, id, user });
                                                }
                                            }
                                        >
                                            "Add member"
                                        </button>
                                    </div>
                                    <div class="pane-section danger-zone">
                                        <button
                                            type="button"
                                            class="btn btn-danger"
                                            on:click=move |_| on_delete.run(group_name.clone())
                                        >
                                            "Delete group"
                                        </button>
                                    </div>
                                })}
                            }
                            .into_any()
                        }
                    }
                })}
            </Transition>
            <ErrorNote error=action_error/>
        </aside>
    }
    .into_any()
}
