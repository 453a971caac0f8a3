use super::api::{list_groups, CreateGroup, DeleteGroup, RenameGroup};
use super::parts::{CreateGroupPane, GroupPane, GroupTable};
use crate::components::{ConfirmDialog, ErrorNote, Pane, PaneState};
use crate::domain::authz::Action;
use crate::domain::session::SessionView;
use leptos::prelude::*;
use leptos_meta::Title;

/// Customer mode *Settings > Security groups*: list, create, rename, delete, members.
#[component]
pub fn SecurityGroupsPage() -> impl IntoView {
    let Some(session) = use_context::<SessionView>() else {
        return ().into_any();
    };
    let org = session.org();
    let may_manage = session.may(Action::ManageSecurityGroups);
    let create = ServerAction::<CreateGroup>::new();
    let rename = ServerAction::<RenameGroup>::new();
    let delete = ServerAction::<DeleteGroup>::new();
    // Membership changes happen in the pane; it bumps this so member counts follow.
    let members_changed = RwSignal::new(0usize);
    let groups = Resource::new(
        move || {
            (
                create.version().get(),
                rename.version().get(),
                delete.version().get(),
                members_changed.get(),
            )
        },
        move |_| list_groups(org),
    );
    let pane = PaneState::<crate::domain::ids::GroupId>::new("open");
    let confirm_open = RwSignal::new(false);
    let to_delete = RwSignal::new(None::<(crate::domain::ids::GroupId, String)>);
    Effect::new(move |_| {
        if let Some(Ok(g)) = create.value().get() {
            pane.show(g.id);
        }
    });
    Effect::new(move |_| {
        if matches!(delete.value().get(), Some(Ok(()))) {
            confirm_open.set(false);
            pane.close();
        }
    });

    view! {
        <Title text="Security groups · Rooms MTM"/>
        <div class="page-with-pane">
            <section class="page-main" aria-labelledby="page-title">
                <header class="page-header">
                    <h1 id="page-title">"Security groups"</h1>
                    <Show when=move || may_manage>
                        <button type="button" class="btn btn-primary" on:click=move |_| pane.create()>
                            "New security group"
                        </button>
                    </Show>
                </header>
                <p class="lead">
                    "A security group is a named set of your organisation's users. Wherever a user can be given a role, a group can be too; its members hold the role for as long as they are members."
                </p>
                <Show when=move || matches!(delete.value().get(), Some(Ok(())))>
                    <p class="note note-success" role="status">"Group deleted."</p>
                </Show>
                <Transition fallback=|| view! { <p class="muted" role="status">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match groups.await {
                            Err(e) => view! { <ErrorNote error=Signal::derive(move || Some(e.clone()))/> }.into_any(),
                            Ok(rows) if rows.is_empty() => view! {
                                <p class="empty">"There are no security groups yet."</p>
                            }
                            .into_any(),
                            Ok(rows) => view! { <GroupTable rows pane/> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
            {move || match pane.get() {
                Pane::Closed => ().into_any(),
                Pane::Create => view! { <CreateGroupPane org create pane/> }.into_any(),
                Pane::Item(id) => view! {
                    <GroupPane
                        org
                        id
                        may_manage
                        rename
                        pane
                        members_changed
                        on_delete=Callback::new(move |name: String| {
                            to_delete.set(Some((id, name)));
                            confirm_open.set(true);
                        })
                    />
                }
                .into_any(),
            }}
            <ConfirmDialog
                open=confirm_open
                title=Signal::derive(move || "Delete this group?".to_owned())
                message=Signal::derive(move || {
                    to_delete
                        .get()
                        .map(|(_, name)| format!("{name} will be deleted, and its members lose the roles they held through it."))
                        .unwrap_or_default()
                })
                confirm_label="Delete"
                pending=delete.pending()
                error=Signal::derive(move || delete.value().get().and_then(Result::err))
                on_confirm=Callback::new(move |_| {
                    if let Some((id, _)) = to_delete.get_untracked() {
                        delete.dispatch(DeleteGroup { org, id });
                    }
                })
            />
        </div>
    }
    .into_any()
}
