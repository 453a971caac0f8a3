use super::api::{
    list_room_groups, list_update_rings, CreateRoomGroup, CreateUpdateRing, DeleteRoomGroup,
    DeleteUpdateRing, UpdateRoomGroup, UpdateUpdateRing,
};
use super::parts::{GroupForm, RingForm, RingPane, RoomGroupPane};
use crate::components::{successes, ConfirmDialog, ErrorNote, Pane, PaneHeader, PaneState};
use crate::domain::authz::Action;
use crate::domain::ids::{RoomGroupId, UpdateRingId};
use crate::domain::rooms::RoomGroupInput;
use crate::tenant::use_tenant;
use leptos::prelude::*;
use leptos_meta::Title;

/// Customer mode *Room groups*: static groups and rule-based groups (country/region, site).
#[component]
pub fn RoomGroupsPage() -> impl IntoView {
    let Some((tenant, session)) = use_tenant() else {
        return ().into_any();
    };
    let org = tenant.org;
    let may_create = session.may_in(org, Action::CreateRoomGroup);
    let create = ServerAction::<CreateRoomGroup>::new();
    let update = ServerAction::<UpdateRoomGroup>::new();
    let delete = ServerAction::<DeleteRoomGroup>::new();
    let members_changed = RwSignal::new(0usize);
    // The list reloads on changes made, not on refusals (which would make it an error too).
    let (created, updated, deleted) = (
        successes(create.value().into()),
        successes(update.value().into()),
        successes(delete.value().into()),
    );
    let groups = Resource::new(
        move || {
            (
                created.get(),
                updated.get(),
                deleted.get(),
                members_changed.get(),
            )
        },
        move |_| list_room_groups(org),
    );
    let pane = PaneState::<RoomGroupId>::new("open");
    let confirm = RwSignal::new(false);
    let to_delete = RwSignal::new(None::<(RoomGroupId, String)>);
    Effect::new(move |_| {
        if let Some(Ok(g)) = create.value().get() {
            pane.show(g.id);
        }
    });
    // A refusal stays in the dialog; a deletion closes it and the group's pane.
    Effect::new(move |_| {
        if let Some(Ok(())) = delete.value().get() {
            confirm.set(false);
            pane.close();
        }
    });
    view! {
        <Title text="Room groups · Rooms MTM"/>
        <div class="page-with-pane">
            <section class="page-main" aria-labelledby="page-title">
                <header class="page-header">
                    <h1 id="page-title">"Room groups"</h1>
                    <Show when=move || may_create>
                        <button type="button" class="btn btn-primary" on:click=move |_| pane.create()>"New room group"</button>
                    </Show>
                </header>
                <p class="lead">"A room group is a named set of rooms, such as \"All US rooms\". Add rooms by hand, or give the group a rule (country/region, site) and it follows the rooms. Role assignments can be scoped to groups."</p>
                <Show when=move || matches!(delete.value().get(), Some(Ok(())))>
                    <p class="note note-success" role="status">"Room group deleted."</p>
                </Show>
                <Transition fallback=|| view! { <p class="muted" role="status">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match groups.await {
                            Err(e) => view! { <ErrorNote error=Signal::derive(move || Some(e.clone()))/> }.into_any(),
                            Ok(rows) if rows.is_empty() => view! { <p class="empty">"There are no room groups you can see."</p> }.into_any(),
                            Ok(rows) => view! {
                                <div class="table-scroll"><table class="table">
                                    <thead><tr><th scope="col">"Name"</th><th scope="col">"Membership"</th><th scope="col">"Rooms"</th></tr></thead>
                                    <tbody>
                                        {rows.into_iter().map(|g| {
                                            let id = g.id;
                                            let selected = move || pane.is_open(id);
                                            view! {
                                                <tr class:selected=selected>
                                                    <th scope="row">
                                                        <button type="button" class="link-button" aria-expanded=move || selected().to_string() on:click=move |_| pane.show(id)>{g.name.clone()}</button>
                                                    </th>
                                                    <td>{g.rule.as_ref().map(|r| format!("Rule: {}", r.describe())).unwrap_or_else(|| "Static".into())}</td>
                                                    <td>{g.room_count}</td>
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
                Pane::Closed => ().into_any(),
                Pane::Create => view! {
                    <aside class="pane" aria-labelledby="pane-title">
                        <PaneHeader title="New room group" on_close=Callback::new(move |_| pane.close())/>
                        <GroupForm
                            initial=RoomGroupInput::default()
                            submit_label="Create group"
                            pending=create.pending()
                            error=Signal::derive(move || create.value().get().and_then(Result::err))
                            on_submit=Callback::new(move |input| { create.dispatch(CreateRoomGroup { org, input }); })
                        />
                    </aside>
                }.into_any(),
                Pane::Item(id) => view! {
                    <RoomGroupPane org id pane update members_changed on_delete=Callback::new(move |name: String| {
                        to_delete.set(Some((id, name)));
                        confirm.set(true);
                    })/>
                }.into_any(),
            }}
            <ConfirmDialog
                open=confirm
                title=Signal::derive(|| "Delete this room group?".to_owned())
                message=Signal::derive(move || to_delete.get().map(|(_, n)| format!("{n} will be deleted. Role assignments scoped to it no longer reach its rooms through it.")).unwrap_or_default())
                confirm_label="Delete"
                pending=delete.pending()
                error=Signal::derive(move || delete.value().get().and_then(Result::err))
                on_confirm=Callback::new(move |_| {
                    if let Some((id, _)) = to_delete.get_untracked() {
                        delete.dispatch(DeleteRoomGroup { org, id });
                    }
                })
            />
        </div>
    }
    .into_any()
}

/// Customer mode *Update rings*: rings, their deferral, and the rooms in each.
#[component]
pub fn UpdateRingsPage() -> impl IntoView {
    let Some((tenant, session)) = use_tenant() else {
        return ().into_any();
    };
    let org = tenant.org;
    let may_create = session.may_in(org, Action::CreateUpdateRing);
    let create = ServerAction::<CreateUpdateRing>::new();
    let update = ServerAction::<UpdateUpdateRing>::new();
    let delete = ServerAction::<DeleteUpdateRing>::new();
    let deleted = successes(delete.value().into());
    let rooms_changed = RwSignal::new(0usize);
    let rings = Resource::new(
        move || {
            (
                create.version().get(),
                update.version().get(),
                deleted.get(),
                rooms_changed.get(),
            )
        },
        move |_| list_update_rings(org),
    );
    let pane = PaneState::<UpdateRingId>::new("open");
    let confirm = RwSignal::new(false);
    // The ring asked about: id, name and how many of the user's rooms it holds.
    let to_delete = RwSignal::new(None::<(UpdateRingId, String, u64)>);
    Effect::new(move |_| {
        if let Some(Ok(r)) = create.value().get() {
            pane.show(r.id);
        }
    });
    // A refusal stays in the dialog; a deletion closes it and the ring's pane.
    Effect::new(move |_| {
        if let Some(Ok(())) = delete.value().get() {
            confirm.set(false);
            pane.close();
        }
    });
    view! {
        <Title text="Update rings · Rooms MTM"/>
        <div class="page-with-pane">
            <section class="page-main" aria-labelledby="page-title">
                <header class="page-header">
                    <h1 id="page-title">"Update rings"</h1>
                    <Show when=move || may_create>
                        <button type="button" class="btn btn-primary" on:click=move |_| pane.create()>"New update ring"</button>
                    </Show>
                </header>
                <p class="lead">"Rooms in a ring take software updates once its deferral has passed: a pilot ring first, the rest later."</p>
                <Show when=move || matches!(delete.value().get(), Some(Ok(())))>
                    <p class="note note-success" role="status">"Update ring deleted. Its rooms are in no update ring now."</p>
                </Show>
                <Transition fallback=|| view! { <p class="muted" role="status">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match rings.await {
                            Err(e) => view! { <ErrorNote error=Signal::derive(move || Some(e.clone()))/> }.into_any(),
                            Ok(rows) if rows.is_empty() => view! { <p class="empty">"There are no update rings yet."</p> }.into_any(),
                            Ok(rows) => view! {
                                <div class="table-scroll"><table class="table">
                                    <thead><tr><th scope="col">"Name"</th><th scope="col">"Deferral"</th><th scope="col">"Your rooms in it"</th></tr></thead>
                                    <tbody>
                                        {rows.into_iter().map(|r| {
                                            let id = r.id;
                                            let selected = move || pane.is_open(id);
                                            view! {
                                                <tr class:selected=selected>
                                                    <th scope="row"><button type="button" class="link-button" aria-expanded=move || selected().to_string() on:click=move |_| pane.show(id)>{r.name.clone()}</button></th>
                                                    <td>{format!("{} days", r.deferral_days)}</td>
                                                    <td>{r.room_count}</td>
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
                Pane::Closed => ().into_any(),
                Pane::Create => view! {
                    <aside class="pane" aria-labelledby="pane-title">
                        <PaneHeader title="New update ring" on_close=Callback::new(move |_| pane.close())/>
                        <RingForm
                            name=String::new()
                            days="7".to_owned()
                            submit_label="Create ring"
                            pending=create.pending()
                            error=Signal::derive(move || create.value().get().and_then(Result::err))
                            on_submit=Callback::new(move |input| { create.dispatch(CreateUpdateRing { org, input }); })
                        />
                    </aside>
                }.into_any(),
                Pane::Item(id) => view! {
                    <RingPane org id pane update rings rooms_changed on_delete=Callback::new(move |(name, rooms): (String, u64)| {
                        to_delete.set(Some((id, name, rooms)));
                        confirm.set(true);
                    })/>
                }.into_any(),
            }}
            <ConfirmDialog
                open=confirm
                title=Signal::derive(|| "Delete this update ring?".to_owned())
                message=Signal::derive(move || to_delete.get().map(|(_, name, rooms)| format!(
                    "{name} will be deleted, and the rooms in it ({rooms} of yours) will be in no update ring until you put them in another."
                )).unwrap_or_default())
                confirm_label="Delete"
                pending=delete.pending()
                error=Signal::derive(move || delete.value().get().and_then(Result::err))
                on_confirm=Callback::new(move |_| {
                    if let Some((id, ..)) = to_delete.get_untracked() {
                        delete.dispatch(DeleteUpdateRing { org, id });
                    }
                })
            />
        </div>
    }
    .into_any()
}
