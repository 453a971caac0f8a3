use super::api::{
    get_room_facets, list_rooms, CreateRoom, ResetEnrollmentKey, UnenrollRoom, UpdateRoom,
};
use super::parts::{ChangeOutcomeNote, EnrollmentKeyPanel, RoomForm, RoomPane, RoomTable};
use crate::components::{successes, ErrorNote, PaneHeader};
use crate::domain::authz::Action;
use crate::domain::ids::RoomId;
use crate::domain::rooms::{Enrollment, Health, Platform, RoomQuery, RoomSort};
use crate::tenant::use_tenant;
use leptos::prelude::*;
use leptos_meta::Title;
use strum::IntoEnumIterator;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pane {
    Closed,
    Create,
    Room(RoomId),
}

/// Customer mode *Rooms*: the rooms the user may view, filtered, sorted and paged; detail,
/// pre-provisioning, changes, unenroll, and the enrollment key.
#[component]
pub fn RoomsPage() -> impl IntoView {
    let Some((tenant, session)) = use_tenant() else {
        return ().into_any();
    };
    let org = tenant.org;
    let may_create = session.may_in(org, Action::CreateRoom);
    let query = RwSignal::new(RoomQuery::default());
    let create = ServerAction::<CreateRoom>::new();
    let update = ServerAction::<UpdateRoom>::new();
    let unenroll = ServerAction::<UnenrollRoom>::new();
    let reset = ServerAction::<ResetEnrollmentKey>::new();
    let ring_changed = RwSignal::new(0usize);
    // The list reloads on changes made, not on refusals (which would make it an error too).
    let (created, updated, unenrolled) = (
        successes(create.value().into()),
        successes(update.value().into()),
        successes(unenroll.value().into()),
    );
    let rooms = Resource::new(
        move || {
            (
                query.get(),
                created.get(),
                updated.get(),
                unenrolled.get(),
                ring_changed.get(),
            )
        },
        move |(q, ..)| list_rooms(org, q),
    );
    let facets = Resource::new(
        move || created.get() + updated.get(),
        move |_| get_room_facets(org),
    );
    let pane = RwSignal::new(Pane::Closed);
    Effect::new(move |_| {
        if let Some(Ok(room)) = create.value().get() {
            pane.set(Pane::Room(room.id));
        }
    });
    let set = move |f: fn(&mut RoomQuery, String), value: String| {
        query.update(|q| {
            f(q, value);
            q.page = 0;
        })
    };

    view! {
        <Title text="Rooms · Rooms MTM"/>
        <div class="page-with-pane">
            <section class="page-main" aria-labelledby="page-title">
                <header class="page-header">
                    <h1 id="page-title">"Rooms"</h1>
                    <Show when=move || may_create>
                        <button type="button" class="btn btn-primary" on:click=move |_| pane.set(Pane::Create)>
                            "New room"
                        </button>
                    </Show>
                </header>
                <p class="lead">"The meeting rooms you manage. Only rooms within the scope of your role assignments are listed."</p>
                <EnrollmentKeyPanel org reset/>
                <form class="filters" role="search" aria-label="Filter rooms" on:submit=|ev| ev.prevent_default()>
                    <div class="field">
                        <label for="room-search">"Search"</label>
                        <input id="room-search" type="search" placeholder="Name or resource account"
                            prop:value=move || query.with(|q| q.search.clone())
                            on:change=move |ev| set(|q, v| q.search = v, event_target_value(&ev))/>
                    </div>
                    <div class="field">
                        <label for="room-country">"Country/region"</label>
                        <select id="room-country" on:change=move |ev| set(|q, v| q.country = (!v.is_empty()).then_some(v), event_target_value(&ev))>
                            <option value="">"All"</option>
                            <Suspense fallback=|| ()>
                                {move || Suspend::new(async move {
                                    facets.await.map(|f| f.countries.into_iter().map(|c| view! { <option value=c.clone()>{c.clone()}</option> }).collect_view()).ok()
                                })}
                            </Suspense>
                        </select>
                    </div>
                    <div class="field">
                        <label for="room-site">"Site"</label>
                        <select id="room-site" on:change=move |ev| set(|q, v| q.site = (!v.is_empty()).then_some(v), event_target_value(&ev))>
                            <option value="">"All"</option>
                            <Suspense fallback=|| ()>
                                {move || Suspend::new(async move {
                                    facets.await.map(|f| f.sites.into_iter().map(|s| view! { <option value=s.clone()>{s.clone()}</option> }).collect_view()).ok()
                                })}
                            </Suspense>
                        </select>
                    </div>
                    <div class="field">
                        <label for="room-platform">"Platform"</label>
                        <select id="room-platform" on:change=move |ev| set(|q, v| q.platform = Platform::from_key(&v), event_target_value(&ev))>
                            <option value="">"All"</option>
                            {Platform::iter().map(|p| view! { <option value=p.key()>{p.label()}</option> }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="room-health">"Health"</label>
                        <select id="room-health" on:change=move |ev| set(|q, v| q.health = Health::from_key(&v), event_target_value(&ev))>
                            <option value="">"All"</option>
                            {Health::iter().map(|p| view! { <option value=p.key()>{p.label()}</option> }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="room-enrollment">"Enrollment"</label>
                        <select id="room-enrollment" on:change=move |ev| set(|q, v| q.enrollment = Enrollment::from_key(&v), event_target_value(&ev))>
                            <option value="">"All"</option>
                            {Enrollment::iter().map(|p| view! { <option value=p.key()>{p.label()}</option> }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="room-sort">"Sort by"</label>
                        <select id="room-sort" on:change=move |ev| {
                            let v = event_target_value(&ev);
                            query.update(|q| { q.sort = RoomSort::iter().find(|s| s.label() == v).unwrap_or_default(); q.page = 0; });
                        }>
                            {RoomSort::iter().map(|s| view! { <option value=s.label()>{s.label()}</option> }).collect_view()}
                        </select>
                    </div>
                    <div class="field field-check">
                        <label>
                            <input type="checkbox" on:change=move |ev| query.update(|q| q.descending = event_target_checked(&ev))/>
                            " Descending"
                        </label>
                    </div>
                </form>
                <ChangeOutcomeNote value=unenroll.value() applied="Room unenrolled; its device credential is revoked."/>
                <Transition fallback=|| view! { <p class="muted" role="status">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match rooms.await {
                            Err(e) => view! { <ErrorNote error=Signal::derive(move || Some(e.clone()))/> }.into_any(),
                            Ok(page) if page.total == 0 && query.with_untracked(|q| *q == RoomQuery::default()) => view! {
                                <p class="empty">"You have no rooms to manage. Rooms appear here once a role assignment gives you rooms or room groups, or once a room is added."</p>
                            }.into_any(),
                            Ok(page) if page.rows.is_empty() => view! {
                                <p class="empty">"No rooms match these filters."</p>
                            }.into_any(),
                            Ok(page) => view! { <RoomTable page query pane/> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
            {move || match pane.get() {
                Pane::Closed => ().into_any(),
                Pane::Create => view! {
                    <aside class="pane" aria-labelledby="pane-title">
                        <PaneHeader title="New room" on_close=Callback::new(move |_| pane.set(Pane::Closed))/>
                        <p class="muted">"Pre-provision a room: it is listed as unenrolled until its device enrolls with the key."</p>
                        <RoomForm
                            initial=Default::default()
                            submit_label="Create room"
                            pending=create.pending()
                            error=Signal::derive(move || create.value().get().and_then(Result::err))
                            on_submit=Callback::new(move |input| { create.dispatch(CreateRoom { org, input }); })
                        />
                    </aside>
                }.into_any(),
                Pane::Room(id) => view! { <RoomPane org id pane update unenroll ring_changed/> }.into_any(),
            }}
        </div>
    }
    .into_any()
}
