use super::api::{
    get_room_facets, list_rooms, CreateRoom, DeleteRoom, ResetEnrollmentKey, UnenrollRoom,
    UpdateRoom,
};
use super::parts::{
    BulkBar, ChangeOutcomeNote, EnrollmentKeyPanel, RoomForm, RoomPane, RoomTable, Selection,
};
use crate::components::{successes, ErrorNote, PaneHeader, SearchBox};
use crate::domain::authz::Action;
use crate::domain::ids::RoomId;
use crate::domain::partners::ChangeOutcome;
use crate::domain::rooms::{Enrollment, Health, Platform, RingFilter, RoomQuery, RoomSort};
use crate::tenant::use_tenant;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
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
    let params = use_query_map();
    let address = Memo::new(move |_| params.with(|p| RoomQuery::from_params(|k| p.get(k))));
    let query = Memo::new(move |_| address.get().0);
    let opened = Memo::new(move |_| address.get().1);
    let creating = RwSignal::new(false);
    let pane = Memo::new(move |_| match (creating.get(), opened.get()) {
        (true, _) => Pane::Create,
        (false, Some(id)) => Pane::Room(id),
        (false, None) => Pane::Closed,
    });
    let navigate = use_navigate();
    let base = tenant.href("/rooms");
    let go = Callback::new(move |(q, open): (RoomQuery, Option<RoomId>)| {
        navigate(
            &format!("{base}{}", q.to_search(open)),
            NavigateOptions {
                scroll: false,
                ..Default::default()
            },
        );
    });
    let create = ServerAction::<CreateRoom>::new();
    let update = ServerAction::<UpdateRoom>::new();
    let unenroll = ServerAction::<UnenrollRoom>::new();
    let delete = ServerAction::<DeleteRoom>::new();
    let reset = ServerAction::<ResetEnrollmentKey>::new();
    // Bumped by changes the list shows that are made elsewhere: a ring set in the pane, a bulk
    // action.
    let ring_changed = RwSignal::new(0usize);
    // The list reloads on changes made, not on refusals (which would make it an error too).
    let (created, updated, unenrolled, deleted) = (
        successes(create.value().into()),
        successes(update.value().into()),
        successes(unenroll.value().into()),
        successes(delete.value().into()),
    );
    let rooms = Resource::new(
        move || {
            (
                query.get(),
                created.get(),
                updated.get(),
                unenrolled.get(),
                deleted.get(),
                ring_changed.get(),
            )
        },
        move |(q, ..)| list_rooms(org, q),
    );
    let facets = Resource::new(
        move || created.get() + updated.get() + deleted.get(),
        move |_| get_room_facets(org),
    );
    let selection = Selection::default();
    Effect::new(move |_| {
        if let Some(Ok(room)) = create.value().get() {
            creating.set(false);
            go.run((query.get_untracked(), Some(room.id)));
        }
    });
    // Any change of filter starts again from the first page; the open room stays open.
    let set = move |f: &dyn Fn(&mut RoomQuery)| {
        let mut q = query.get_untracked();
        f(&mut q);
        q.page = 0;
        go.run((q, opened.get_untracked()));
    };
    let chosen = move |value: String| (!value.is_empty()).then_some(value);
    // The pane is drawn in the browser only, after hydration: a room opened by the address
    // (`?open=`) then loads there, rather than in a server-rendered pane the browser's copy
    // would have to match node for node.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let close = Callback::new(move |_| {
        creating.set(false);
        go.run((query.get_untracked(), None));
    });
    // A deleted room (the open one: deleting is done from its pane) leaves the selection, and
    // its pane closes; a deletion held for approval leaves both as they are.
    Effect::new(move |_| {
        if let Some(Ok(ChangeOutcome::Applied)) = delete.value().get() {
            if let Some(id) = opened.get_untracked() {
                selection.remove(id);
            }
            close.run(());
        }
    });

    view! {
        <Title text="Rooms · Rooms MTM"/>
        <div class="page-with-pane">
            <section class="page-main" aria-labelledby="page-title">
                <header class="page-header">
                    <h1 id="page-title">"Rooms"</h1>
                    <Show when=move || may_create>
                        <button type="button" class="btn btn-primary" on:click=move |_| creating.set(true)>
                            "New room"
                        </button>
                    </Show>
                </header>
                <p class="lead">"The meeting rooms you manage. Only rooms within the scope of your role assignments are listed."</p>
                <EnrollmentKeyPanel org reset/>
                <form class="filters" role="search" aria-label="Filter rooms" on:submit=|ev| ev.prevent_default()>
                    <SearchBox id="room-search" label="Search" placeholder="Name or resource account"
                        value=Signal::derive(move || query.with(|q| q.search.clone()))
                        on_search=Callback::new(move |v: String| set(&|q| q.search = v.clone()))/>
                    <div class="field">
                        <label for="room-country">"Country/region"</label>
                        <select id="room-country" on:change=move |ev| { let v = chosen(event_target_value(&ev)); set(&|q| q.country = v.clone()); }>
                            <option value="">"All"</option>
                            <Suspense fallback=|| ()>
                                {move || Suspend::new(async move {
                                    facets.await.map(|f| f.countries.into_iter().map(|c| {
                                        let is = c.clone();
                                        view! { <option value=c.clone() selected=move || query.with(|q| q.country.as_ref() == Some(&is))>{c.clone()}</option> }
                                    }).collect_view()).ok()
                                })}
                            </Suspense>
                        </select>
                    </div>
                    <div class="field">
                        <label for="room-site">"Site"</label>
                        <select id="room-site" on:change=move |ev| { let v = chosen(event_target_value(&ev)); set(&|q| q.site = v.clone()); }>
                            <option value="">"All"</option>
                            <Suspense fallback=|| ()>
                                {move || Suspend::new(async move {
                                    facets.await.map(|f| f.sites.into_iter().map(|s| {
                                        let is = s.clone();
                                        view! { <option value=s.clone() selected=move || query.with(|q| q.site.as_ref() == Some(&is))>{s.clone()}</option> }
                                    }).collect_view()).ok()
                                })}
                            </Suspense>
                        </select>
                    </div>
                    <div class="field">
                        <label for="room-platform">"Platform"</label>
                        <select id="room-platform" on:change=move |ev| { let v = Platform::from_key(&event_target_value(&ev)); set(&|q| q.platform = v); }>
                            <option value="">"All"</option>
                            {Platform::iter().map(|p| view! { <option value=p.key() selected=move || query.with(|q| q.platform == Some(p))>{p.label()}</option> }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="room-health">"Health"</label>
                        <select id="room-health" on:change=move |ev| { let v = Health::from_key(&event_target_value(&ev)); set(&|q| q.health = v); }>
                            <option value="">"All"</option>
                            {Health::iter().map(|p| view! { <option value=p.key() selected=move || query.with(|q| q.health == Some(p))>{p.label()}</option> }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="room-enrollment">"Enrollment"</label>
                        <select id="room-enrollment" on:change=move |ev| { let v = Enrollment::from_key(&event_target_value(&ev)); set(&|q| q.enrollment = v); }>
                            <option value="">"All"</option>
                            {Enrollment::iter().map(|p| view! { <option value=p.key() selected=move || query.with(|q| q.enrollment == Some(p))>{p.label()}</option> }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="room-ring-filter">"Update ring"</label>
                        <select id="room-ring-filter" on:change=move |ev| {
                            let v = event_target_value(&ev);
                            let ring = match v.as_str() { "none" => Some(RingFilter::Without), "" => None, _ => query.get_untracked().ring };
                            set(&|q| q.ring = ring);
                        }>
                            <option value="">"Any"</option>
                            <option value="none" selected=move || query.with(|q| q.ring == Some(RingFilter::Without))>"In no update ring"</option>
                            {move || query.with(|q| matches!(q.ring, Some(RingFilter::In(_)))).then(|| view! {
                                <option value="ring" selected=true>"The chosen ring"</option>
                            })}
                        </select>
                    </div>
                    <div class="field">
                        <label for="room-sort">"Sort by"</label>
                        <select id="room-sort" on:change=move |ev| {
                            let v = event_target_value(&ev);
                            let sort = RoomSort::iter().find(|s| s.key() == v).unwrap_or_default();
                            set(&|q| q.sort = sort);
                        }>
                            {RoomSort::iter().map(|s| view! { <option value=s.key() selected=move || query.with(|q| q.sort == s)>{s.label()}</option> }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="room-per-page">"Rooms a page"</label>
                        <select id="room-per-page" on:change=move |ev| {
                            let n = event_target_value(&ev).parse::<u64>().ok().filter(|n| *n != RoomQuery::PAGE_SIZE);
                            set(&|q| q.per_page = n);
                        }>
                            {RoomQuery::PAGE_SIZES.iter().map(|n| {
                                let n = *n;
                                view! { <option value=n.to_string() selected=move || query.with(|q| q.page_size() == n)>{n}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                    <div class="field field-check">
                        <label>
                            <input type="checkbox" prop:checked=move || query.with(|q| q.descending)
                                on:change=move |ev| { let v = event_target_checked(&ev); set(&|q| q.descending = v); }/>
                            " Descending"
                        </label>
                    </div>
                </form>
                <ChangeOutcomeNote value=unenroll.value() applied="Room unenrolled; its device credential is revoked."/>
                // Its refusals are said in its dialog, which stays open.
                <ChangeOutcomeNote value=Signal::derive(move || delete.value().get().filter(Result::is_ok)) applied="Room deleted, with its device credential, incidents and tickets."/>
                <BulkBar org selection changed=ring_changed/>
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
                            Ok(page) => view! { <RoomTable page query opened go selection/> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
            {move || match pane.get() {
                _ if !hydrated.get() => ().into_any(),
                Pane::Closed => ().into_any(),
                Pane::Create => view! {
                    <aside class="pane" aria-labelledby="pane-title">
                        <PaneHeader title="New room" on_close=close/>
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
                Pane::Room(id) => view! { <RoomPane org id on_close=close update unenroll delete ring_changed/> }.into_any(),
            }}
        </div>
    }
    .into_any()
}
