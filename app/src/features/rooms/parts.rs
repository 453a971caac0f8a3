use super::api::{
    get_enrollment_key, get_room, set_room_ring, DeleteRoom, ResetEnrollmentKey, SetRoomRing,
    UnenrollRoom, UpdateRoom,
};
use crate::components::{
    field_error_id, form_error, successes, ConfirmDialog, ErrorNote, FieldError, Pager, PaneHeader,
    ResultNote,
};
use crate::domain::authz::{Action, Permission};
use crate::domain::ids::{OrgId, RoomGroupId, RoomId, UpdateRingId};
use crate::domain::partners::ChangeOutcome;
use crate::domain::rooms::{Platform, RoomInput, RoomPage, RoomQuery, RoomRow, RoomSort};
use crate::domain::session::SessionView;
use crate::domain::time;
use crate::error::AppError;
use crate::features::room_groups::api::{
    list_room_groups, list_update_rings, set_room_group_member,
};
use crate::tenant::use_tenant;
use leptos::prelude::*;
use std::collections::BTreeMap;
use strum::IntoEnumIterator;

fn heartbeat(row: &RoomRow) -> String {
    row.last_heartbeat
        .map(time::moment)
        .unwrap_or_else(|| "Never".into())
}

/// A column header that sorts the list: by this column, or the other way round when it is
/// already the sort.
fn sort_header(
    label: &'static str,
    sort: RoomSort,
    query: Memo<RoomQuery>,
    go: Callback<(RoomQuery, Option<RoomId>)>,
    opened: Memo<Option<RoomId>>,
) -> impl IntoView {
    let state = move || {
        query.with(|q| match (q.sort == sort, q.descending) {
            (true, false) => "ascending",
            (true, true) => "descending",
            (false, _) => "none",
        })
    };
    view! {
        <th scope="col" aria-sort=state>
            <button type="button" class="sort-button" on:click=move |_| {
                let mut q = query.get_untracked();
                q.descending = q.sort == sort && !q.descending;
                q.sort = sort;
                q.page = 0;
                go.run((q, opened.get_untracked()));
            }>
                {label}
                <span aria-hidden="true" class="sort-mark">{move || match state() { "ascending" => " ▲", "descending" => " ▼", _ => "" }}</span>
            </button>
        </th>
    }
}

/// The rooms picked for a bulk action, by id with their names (for the report), kept across
/// pages and filters until the action is done or the user clears them.
#[derive(Clone, Copy)]
pub struct Selection(RwSignal<BTreeMap<RoomId, String>>);

impl Default for Selection {
    fn default() -> Self {
        Self(RwSignal::new(BTreeMap::new()))
    }
}

impl Selection {
    pub fn remove(self, id: RoomId) {
        self.0.update(|s| {
            s.remove(&id);
        });
    }

    fn set(self, id: RoomId, name: &str, on: bool) {
        self.0.update(|s| {
            if on {
                s.insert(id, name.to_owned());
            } else {
                s.remove(&id);
            }
        });
    }

    /// Picks or drops every room of a page at once (one change, one redraw).
    fn set_all(self, rooms: &[(RoomId, String)], on: bool) {
        self.0.update(|s| {
            for (id, name) in rooms {
                if on {
                    s.insert(*id, name.clone());
                } else {
                    s.remove(id);
                }
            }
        });
    }

    fn contains(self, id: RoomId) -> bool {
        self.0.with(|s| s.contains_key(&id))
    }

    fn len(self) -> usize {
        self.0.with(BTreeMap::len)
    }
}

/// Whether the user may act on several rooms at once: move them between update rings or add
/// them to room groups (each room is still authorized on its own).
fn may_bulk(org: OrgId) -> (bool, bool) {
    use_context::<SessionView>().map_or((false, false), |s| {
        (
            s.may_in(org, Action::ModifyUpdateRing),
            s.may_in(org, Action::ModifyRoomGroup),
        )
    })
}

#[component]
pub fn RoomTable(
    page: RoomPage,
    query: Memo<RoomQuery>,
    opened: Memo<Option<RoomId>>,
    go: Callback<(RoomQuery, Option<RoomId>)>,
    selection: Selection,
) -> impl IntoView {
    let pages = page.total.div_ceil(page.page_size).max(1);
    let current = page.page;
    let first = current * page.page_size + 1;
    let last = (first + page.rows.len() as u64).saturating_sub(1);
    let org = use_tenant().map(|(t, _)| t.org);
    let selectable = org.is_some_and(|org| {
        let (ring, group) = may_bulk(org);
        ring || group
    });
    let on_page: Vec<(RoomId, String)> = page
        .rows
        .iter()
        .map(|r| (r.id, r.display_name.clone()))
        .collect();
    let all_on_page = {
        let on_page = on_page.clone();
        move || on_page.iter().all(|(id, _)| selection.contains(*id))
    };
    view! {
        <p class="muted" role="status">{format!("Rooms {first}–{last} of {}", page.total)}</p>
        <div class="table-scroll">
        <table class="table">
            <thead>
                <tr>
                    {selectable.then(|| view! {
                        <td class="select-cell">
                            <input type="checkbox" aria-label="Select every room on this page"
                                prop:checked=all_on_page.clone()
                                on:change=move |ev| selection.set_all(&on_page, event_target_checked(&ev))/>
                        </td>
                    })}
                    {sort_header("Name", RoomSort::Name, query, go, opened)}
                    {sort_header("Site", RoomSort::Site, query, go, opened)}
                    {sort_header("Country/region", RoomSort::Country, query, go, opened)}
                    <th scope="col">"Platform"</th>
                    <th scope="col">"Enrollment"</th>
                    {sort_header("Health", RoomSort::Health, query, go, opened)}
                    {sort_header("Last heartbeat", RoomSort::LastHeartbeat, query, go, opened)}
                    <th scope="col">"Update ring"</th>
                </tr>
            </thead>
            <tbody>
                {page.rows.into_iter().map(|r| {
                    let id = r.id;
                    let selected = move || opened.get() == Some(id);
                    let name = r.display_name.clone();
                    view! {
                        <tr class:selected=selected>
                            {selectable.then(|| view! {
                                <td class="select-cell">
                                    <input type="checkbox" aria-label=format!("Select {name}")
                                        prop:checked=move || selection.contains(id)
                                        on:change=move |ev| selection.set(id, &name, event_target_checked(&ev))/>
                                </td>
                            })}
                            <th scope="row">
                                <button type="button" class="link-button" aria-expanded=move || selected().to_string()
                                    on:click=move |_| go.run((query.get_untracked(), Some(id)))>
                                    {r.display_name.clone()}
                                </button>
                                <span class="member-upn">{r.resource_account.clone()}</span>
                            </th>
                            <td>{r.site.clone()}</td>
                            <td>{r.country.clone()}</td>
                            <td>{r.platform.label()}</td>
                            <td>{r.enrollment.label()}</td>
                            <td><span class=format!("badge badge-{}", r.health.key())>{r.health.label()}</span></td>
                            <td>{heartbeat(&r)}</td>
                            <td>{r.update_ring.as_ref().map(|(_, n)| n.clone()).unwrap_or_else(|| "—".into())}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        </div>
        <Pager page=current pages label="Pages" on_page=Callback::new(move |p| {
            let mut q = query.get_untracked();
            q.page = p;
            go.run((q, opened.get_untracked()));
        })/>
    }
    .into_any()
}

/// *Download key* (show, and save as a file) and *Reset key* (with confirmation), each shown
/// only to those who may.
#[component]
pub fn EnrollmentKeyPanel(org: OrgId, reset: ServerAction<ResetEnrollmentKey>) -> impl IntoView {
    let Some(session) = use_context::<SessionView>() else {
        return ().into_any();
    };
    let may_download = session.may_in(org, Action::DownloadEnrollmentKey);
    let may_reset = session.may_in(org, Action::ResetEnrollmentKey);
    if !may_download && !may_reset {
        return ().into_any();
    }
    let shown = RwSignal::new(None::<Result<String, AppError>>);
    let loading = RwSignal::new(false);
    let confirm = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(result) = reset.value().get() {
            confirm.set(false);
            if result.is_ok() {
                shown.set(Some(result));
            }
        }
    });
    // *Download key* saves the key as a file and shows it, with a button to copy it.
    let download = move |_| {
        loading.set(true);
        leptos::task::spawn_local(async move {
            let key = get_enrollment_key(org).await;
            if let Ok(key) = &key {
                save_as_file(key);
            }
            shown.set(Some(key));
            loading.set(false);
        });
    };
    let copied = RwSignal::new(false);
    view! {
        <section class="key-panel" aria-labelledby="key-title">
            <h2 id="key-title">"Enrollment key"</h2>
            <p class="muted">"Room devices enroll with your own key. It enrolls only the rooms you manage, and creates rooms only if you manage all of them; every enrollment is logged under your name. Resetting ends every key of the organisation at once."</p>
            <div class="pane-actions">
                {may_download.then(|| view! {
                    <button type="button" class="btn" disabled=move || loading.get() on:click=download>
                        {move || if loading.get() { "Loading…" } else { "Download key" }}
                    </button>
                })}
                {may_reset.then(|| view! {
                    <button type="button" class="btn btn-danger-quiet" on:click=move |_| confirm.set(true)>"Reset key"</button>
                })}
            </div>
            {move || match shown.get() {
                None => ().into_any(),
                Some(Err(e)) => view! { <ErrorNote error=Signal::derive(move || Some(e.clone()))/> }.into_any(),
                Some(Ok(key)) => {
                    let to_copy = key.clone();
                    view! {
                        <div class="key-box">
                            <label for="enrollment-key">"Your key"</label>
                            <input id="enrollment-key" type="text" readonly value=key.clone() prop:value=key.clone()/>
                            <button type="button" class="btn btn-small" on:click=move |_| {
                                let clipboard = window().navigator().clipboard();
                                let text = to_copy.clone();
                                leptos::task::spawn_local(async move {
                                    let copy = clipboard.write_text(&text);
                                    let done = wasm_bindgen_futures::JsFuture::from(copy).await;
                                    copied.set(done.is_ok());
                                });
                            }>"Copy"</button>
                        </div>
                        <p class="muted" role="status">{move || if copied.get() { "Key copied." } else { "Saved as enrollment-key.txt in your downloads." }}</p>
                    }.into_any()
                }
            }}
            <ResultNote value=reset.value() success="Key reset. The old key no longer works; devices that have not enrolled yet need the new one."/>
            <ConfirmDialog
                open=confirm
                title=Signal::derive(|| "Reset the enrollment key?".to_owned())
                message=Signal::derive(|| "The current key stops working immediately. Rooms already enrolled keep working; rooms not yet enrolled need the new key.".to_owned())
                confirm_label="Reset key"
                pending=reset.pending()
                on_confirm=Callback::new(move |_| { reset.dispatch(ResetEnrollmentKey { org }); })
            />
        </section>
    }
    .into_any()
}

/// Saves `key` as `enrollment-key.txt` through the browser's downloads.
fn save_as_file(key: &str) {
    use leptos::wasm_bindgen::JsCast;
    let Ok(link) = document().create_element("a") else {
        return;
    };
    let href = format!(
        "data:text/plain;charset=utf-8,{}",
        crate::domain::url::encode_component(key)
    );
    if link.set_attribute("href", &href).is_ok()
        && link.set_attribute("download", "enrollment-key.txt").is_ok()
    {
        if let Ok(link) = link.dyn_into::<leptos::web_sys::HtmlElement>() {
            link.click();
        }
    }
}

/// What became of a room change: its error, that it was made, or that it waits for the
/// customer's approval (a partner's change under manual approval), which must not read as made.
/// Announced politely; the region is always there, so a change of its text is announced.
#[component]
pub fn ChangeOutcomeNote(
    #[prop(into)] value: Signal<Option<Result<ChangeOutcome, AppError>>>,
    #[prop(into)] applied: String,
) -> impl IntoView {
    let customer = use_tenant()
        .and_then(|(tenant, _)| tenant.customer_name)
        .unwrap_or_else(|| "the customer".to_owned());
    let error = Signal::derive(move || value.get().and_then(Result::err));
    let note = move || match value.get() {
        Some(Ok(ChangeOutcome::Applied)) => Some(("note note-success", applied.clone())),
        Some(Ok(ChangeOutcome::AwaitingApproval(_))) => Some((
            "note note-info",
            format!("Sent to {customer} for approval. Nothing changes until they approve it."),
        )),
        Some(Err(_)) | None => None,
    };
    view! {
        <ErrorNote error/>
        <div role="status" aria-live="polite">
            {move || note().map(|(class, text)| view! { <p class=class>{text}</p> })}
        </div>
    }
}

/// The fields of a room, for creating and for changing one.
#[component]
pub fn RoomForm(
    initial: RoomInput,
    #[prop(into)] submit_label: String,
    #[prop(into)] pending: Signal<bool>,
    #[prop(into)] error: Signal<Option<AppError>>,
    on_submit: Callback<RoomInput>,
) -> impl IntoView {
    let name = RwSignal::new(initial.display_name);
    let account = RwSignal::new(initial.resource_account);
    let site = RwSignal::new(initial.site);
    let city = RwSignal::new(initial.city);
    let country = RwSignal::new(initial.country);
    let platform = RwSignal::new(initial.platform);
    let field = move |label: &'static str,
                      id: &'static str,
                      key: &'static str,
                      value: RwSignal<String>,
                      hint: &'static str| {
        let mine = move || error.get().is_some_and(|e| e.field() == Some(key));
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <input id=id type="text" required prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))
                    aria-invalid=move || mine().to_string()
                    aria-describedby=move || mine().then(|| field_error_id(id))/>
                <FieldError id key error/>
                {(!hint.is_empty()).then(|| view! { <p class="hint">{hint}</p> })}
            </div>
        }
    };
    view! {
        <form on:submit=move |ev| {
            ev.prevent_default();
            on_submit.run(RoomInput {
                display_name: name.get_untracked(),
                resource_account: account.get_untracked(),
                site: site.get_untracked(),
                city: city.get_untracked(),
                country: country.get_untracked(),
                platform: platform.get_untracked(),
            });
        }>
            {field("Display name", "room-display-name", "display_name", name, "")}
            {field("Resource account", "room-resource-account", "resource_account", account, "The room's mailbox, like room1@contoso.com.")}
            {field("Site or building", "room-site-input", "site", site, "")}
            {field("City", "room-city", "city", city, "")}
            {field("Country/region", "room-country-input", "country", country, "Two-letter code, like US or GB.")}
            <div class="field">
                <label for="room-platform-input">"Platform"</label>
                <select id="room-platform-input" required on:change=move |ev| platform.set(Platform::from_key(&event_target_value(&ev)))>
                    <option value="" selected=move || platform.get().is_none()>"Choose…"</option>
                    {Platform::iter().map(|p| view! { <option value=p.key() selected=move || platform.get() == Some(p)>{p.label()}</option> }).collect_view()}
                </select>
            </div>
            <ErrorNote error=form_error(error, RoomInput::FIELDS)/>
            <div class="pane-actions">
                <button type="submit" class="btn btn-primary" disabled=move || pending.get()>
                    {move || if pending.get() { "Saving…".to_owned() } else { submit_label.clone() }}
                </button>
            </div>
        </form>
    }
    .into_any()
}

/// One room: what the user may do to it, its groups, its ring, changes and unenroll.
#[component]
pub fn RoomPane(
    org: OrgId,
    id: RoomId,
    on_close: Callback<()>,
    update: ServerAction<UpdateRoom>,
    unenroll: ServerAction<UnenrollRoom>,
    delete: ServerAction<DeleteRoom>,
    ring_changed: RwSignal<usize>,
) -> impl IntoView {
    let set_ring = ServerAction::<SetRoomRing>::new();
    // Reloaded after a change that was made, never after a refusal: the form keeps its input.
    let (updated, unenrolled, ring_set) = (
        successes(update.value().into()),
        successes(unenroll.value().into()),
        successes(set_ring.value().into()),
    );
    let detail = Resource::new(
        move || (updated.get(), unenrolled.get(), ring_set.get()),
        move |_| get_room(org, id),
    );
    Effect::new(move |_| {
        if set_ring.version().get() > 0 {
            ring_changed.update(|n| *n += 1);
        }
    });
    let confirm = RwSignal::new(false);
    Effect::new(move |_| {
        if unenroll.value().get().is_some() {
            confirm.set(false);
        }
    });
    let confirm_delete = RwSignal::new(false);
    // Closed once made or held; a refusal is said in the dialog, which stays open.
    Effect::new(move |_| {
        if let Some(Ok(_)) = delete.value().get() {
            confirm_delete.set(false);
        }
    });
    let title = RwSignal::new("Room".to_owned());
    view! {
        <aside class="pane" aria-labelledby="pane-title">
            <PaneHeader title on_close/>
            <Transition fallback=|| view! { <p class="muted" role="status">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match detail.await {
                        Err(e) => view! { <ErrorNote error=Signal::derive(move || Some(e.clone()))/> }.into_any(),
                        Ok(d) => {
                            title.set(d.room.display_name.clone());
                            let may = |p: Permission| d.your_permissions.contains(&p);
                            let (may_modify, may_unenroll, may_ring) = (may(Permission::RoomsModify), may(Permission::RoomsUnenroll), may(Permission::UpdateRingsModify));
                            // Whoever may add rooms may delete them (there is no Delete permission).
                            let may_delete = may(Permission::RoomsCreate);
                            let r = d.room.clone();
                            let initial = RoomInput {
                                display_name: r.display_name.clone(),
                                resource_account: r.resource_account.clone(),
                                site: r.site.clone(),
                                city: r.city.clone(),
                                country: r.country.clone(),
                                platform: Some(r.platform),
                            };
                            let enrolled = r.enrollment == crate::domain::rooms::Enrollment::Enrolled;
                            view! {
                                <dl class="facts">
                                    <dt>"Resource account"</dt><dd>{r.resource_account.clone()}</dd>
                                    <dt>"Site"</dt><dd>{format!("{}, {} ({})", r.site, r.city, r.country)}</dd>
                                    <dt>"Platform"</dt><dd>{r.platform.label()}</dd>
                                    <dt>"Enrollment"</dt><dd>{r.enrollment.label()}</dd>
                                    <dt>"Health"</dt><dd>{r.health.label()}</dd>
                                    <dt>"Last heartbeat"</dt><dd>{heartbeat(&r)}</dd>
                                    <dt>"Room groups"</dt>
                                    <dd>{if d.groups.is_empty() { "None you can see".to_owned() } else { d.groups.iter().map(|(_, n)| n.clone()).collect::<Vec<_>>().join(", ") }}</dd>
                                    <dt>"Your permissions"</dt>
                                    <dd>{d.your_permissions.iter().map(|p| p.describe()).collect::<Vec<_>>().join(", ")}</dd>
                                </dl>
                                {may_ring.then(|| view! { <RingSelect org id current=r.update_ring.as_ref().map(|(i, _)| *i) set_ring/> })}
                                {may_modify.then(|| view! {
                                    <div class="pane-section">
                                        <h3>"Change room"</h3>
                                        <RoomForm
                                            initial
                                            submit_label="Save changes"
                                            pending=update.pending()
                                            error=Signal::derive(move || update.value().get().and_then(Result::err))
                                            on_submit=Callback::new(move |input| { update.dispatch(UpdateRoom { org, id, input }); })
                                        />
                                    </div>
                                })}
                                {((may_unenroll && enrolled) || may_delete).then(|| view! {
                                    <div class="pane-section danger-zone pane-actions">
                                        {(may_unenroll && enrolled).then(|| view! {
                                            <button type="button" class="btn btn-danger" on:click=move |_| confirm.set(true)>"Unenroll room"</button>
                                        })}
                                        {may_delete.then(|| view! {
                                            <button type="button" class="btn btn-danger" on:click=move |_| confirm_delete.set(true)>"Delete room"</button>
                                        })}
                                    </div>
                                })}
                            }.into_any()
                        }
                    }
                })}
            </Transition>
            // Its errors are the form's, by their fields.
            <ChangeOutcomeNote value=Signal::derive(move || update.value().get().filter(Result::is_ok)) applied="Room saved."/>
            <ChangeOutcomeNote value=set_ring.value() applied="Update ring saved."/>
            <ErrorNote error=Signal::derive(move || unenroll.value().get().and_then(Result::err))/>
            <ConfirmDialog
                open=confirm
                title=Signal::derive(|| "Unenroll this room?".to_owned())
                message=Signal::derive(|| "The room's device credential is revoked at once and the room stops reporting until it enrolls again.".to_owned())
                confirm_label="Unenroll"
                pending=unenroll.pending()
                on_confirm=Callback::new(move |_| { unenroll.dispatch(UnenrollRoom { org, id }); })
            />
            <ConfirmDialog
                open=confirm_delete
                title=Signal::derive(move || format!("Delete {}?", title.get()))
                message=Signal::derive(|| "The room leaves the portal: its device can no longer report, and its incidents and their tickets are deleted with it. Role assignments and partners that named the room no longer reach it. The audit log keeps a record of the deletion.".to_owned())
                confirm_label="Delete room"
                pending=delete.pending()
                error=Signal::derive(move || delete.value().get().and_then(Result::err))
                on_confirm=Callback::new(move |_| { delete.dispatch(DeleteRoom { org, id }); })
            />
        </aside>
    }
    .into_any()
}

#[component]
fn RingSelect(
    org: OrgId,
    id: RoomId,
    current: Option<UpdateRingId>,
    set_ring: ServerAction<SetRoomRing>,
) -> impl IntoView {
    let rings = Resource::new(|| (), move |_| list_update_rings(org));
    view! {
        <div class="pane-section">
            <label for="room-ring">"Update ring"</label>
            <Suspense fallback=|| view! { <p class="muted">"Loading rings…"</p> }>
                {move || Suspend::new(async move {
                    rings.await.map(|rings| view! {
                        <select id="room-ring" disabled=move || set_ring.pending().get() on:change=move |ev| {
                            let ring = event_target_value(&ev).parse::<UpdateRingId>().ok();
                            set_ring.dispatch(SetRoomRing { org, id, ring });
                        }>
                            <option value="" selected=current.is_none()>"No ring"</option>
                            {rings.into_iter().map(|r| view! {
                                <option value=r.id.to_string() selected=current == Some(r.id)>{format!("{} ({} days)", r.name, r.deferral_days)}</option>
                            }).collect_view()}
                        </select>
                    })
                })}
            </Suspense>
        </div>
    }
    .into_any()
}

/// What a bulk action does to each selected room.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum BulkAction {
    /// Into this update ring, or out of its ring (`None`).
    Ring(Option<UpdateRingId>),
    /// Into this room group, as a static member.
    Group(RoomGroupId),
}

/// What became of a bulk action, room by room.
#[derive(Clone, Debug, Default)]
struct BulkReport {
    /// "moved to Pilot", "added to Boardrooms".
    done_as: String,
    total: usize,
    made: usize,
    held: usize,
    /// Room names with why each was refused; these stay selected.
    refused: Vec<(String, String)>,
    stopped: bool,
}

/// The actions on the selected rooms: move them to an update ring, add them to a room group.
/// Each room is one call of the same server function the room's own pane uses (so each is
/// authorized, held for approval or logged on its own), one after another, with the progress
/// shown and a report at the end; *Stop* ends it after the room in hand.
#[component]
pub fn BulkBar(org: OrgId, selection: Selection, changed: RwSignal<usize>) -> impl IntoView {
    let (may_ring, may_group) = may_bulk(org);
    if !may_ring && !may_group {
        return ().into_any();
    }
    // Read each time the bar opens, so that a ring or group made meanwhile is offered.
    let open = Memo::new(move |_| selection.len() > 0);
    let rings = Resource::new(
        move || open.get(),
        move |open| async move {
            if open {
                list_update_rings(org).await
            } else {
                Ok(Vec::new())
            }
        },
    );
    let groups = Resource::new(
        move || open.get(),
        move |open| async move {
            if open {
                list_room_groups(org).await
            } else {
                Ok(Vec::new())
            }
        },
    );
    let ring_choice = RwSignal::new(String::new());
    let group_choice = RwSignal::new(String::new());
    // (done, total) while running.
    let progress = RwSignal::new(None::<(usize, usize)>);
    let stop = RwSignal::new(false);
    let report = RwSignal::new(None::<BulkReport>);
    let customer = StoredValue::new(
        use_tenant()
            .and_then(|(tenant, _)| tenant.customer_name)
            .unwrap_or_else(|| "the customer".to_owned()),
    );
    let run = move |action: BulkAction, done_as: String| {
        let rooms: Vec<(RoomId, String)> = selection.0.get_untracked().into_iter().collect();
        if rooms.is_empty() || progress.get_untracked().is_some() {
            return;
        }
        stop.set(false);
        report.set(None);
        progress.set(Some((0, rooms.len())));
        leptos::task::spawn_local(async move {
            let mut r = BulkReport {
                done_as,
                total: rooms.len(),
                ..Default::default()
            };
            for (i, (id, name)) in rooms.into_iter().enumerate() {
                if stop.get_untracked() {
                    r.stopped = true;
                    break;
                }
                let outcome = match action {
                    BulkAction::Ring(ring) => set_room_ring(org, id, ring).await,
                    BulkAction::Group(group) => set_room_group_member(org, group, id, true)
                        .await
                        .map(|()| ChangeOutcome::Applied),
                };
                // A room done (or held) leaves the selection; a refused one stays in it.
                match outcome {
                    Ok(made) => {
                        match made {
                            ChangeOutcome::Applied => r.made += 1,
                            ChangeOutcome::AwaitingApproval(_) => r.held += 1,
                        }
                        selection.remove(id);
                    }
                    Err(e) => r.refused.push((name, e.to_string())),
                }
                progress.set(Some((i + 1, r.total)));
            }
            progress.set(None);
            report.set(Some(r));
            changed.update(|n| *n += 1);
        });
    };
    let running = move || progress.get().is_some();
    let count = move || selection.len();
    view! {
        <Show when=move || { count() > 0 || report.get().is_some() }>
            <section class="bulk-bar" aria-labelledby="bulk-title">
                <div class="bulk-head">
                    <h2 id="bulk-title">{move || match count() {
                        0 => "No rooms selected".to_owned(),
                        1 => "1 room selected".to_owned(),
                        n => format!("{n} rooms selected"),
                    }}</h2>
                    <button type="button" class="btn btn-quiet btn-small" disabled=running
                        on:click=move |_| { selection.0.set(BTreeMap::new()); report.set(None); }>
                        "Clear selection"
                    </button>
                </div>
                <div class="bulk-actions">
                    {may_ring.then(|| view! {
                        <form class="bulk-action" on:submit=move |ev| {
                            ev.prevent_default();
                            let choice = ring_choice.get_untracked();
                            let ring = choice.parse::<UpdateRingId>().ok();
                            if choice.is_empty() || (ring.is_none() && choice != "none") {
                                return;
                            }
                            let name = rings.get_untracked().and_then(Result::ok).and_then(|rs| rs.into_iter().find(|r| Some(r.id) == ring)).map(|r| r.name);
                            let done_as = name.map_or_else(|| "taken out of their update ring".to_owned(), |n| format!("moved to {n}"));
                            run(BulkAction::Ring(ring), done_as);
                        }>
                            <div class="field">
                                <label for="bulk-ring">"Update ring"</label>
                                <select id="bulk-ring" required on:change=move |ev| ring_choice.set(event_target_value(&ev))>
                                    <option value="">"Choose a ring…"</option>
                                    <option value="none">"No ring"</option>
                                    <Suspense fallback=|| ()>
                                        {move || Suspend::new(async move {
                                            rings.await.map(|rs| rs.into_iter().map(|r| view! {
                                                <option value=r.id.to_string()>{format!("{} ({} days)", r.name, r.deferral_days)}</option>
                                            }).collect_view()).ok()
                                        })}
                                    </Suspense>
                                </select>
                            </div>
                            <button type="submit" class="btn" disabled=move || running() || count() == 0>"Move to ring"</button>
                        </form>
                    })}
                    {may_group.then(|| view! {
                        <form class="bulk-action" on:submit=move |ev| {
                            ev.prevent_default();
                            let Ok(group) = group_choice.get_untracked().parse::<RoomGroupId>() else {
                                return;
                            };
                            let name = groups.get_untracked().and_then(Result::ok).and_then(|gs| gs.into_iter().find(|g| g.id == group)).map_or_else(|| "the group".to_owned(), |g| g.name);
                            run(BulkAction::Group(group), format!("added to {name}"));
                        }>
                            <div class="field">
                                <label for="bulk-group">"Room group"</label>
                                <select id="bulk-group" required on:change=move |ev| group_choice.set(event_target_value(&ev))>
                                    <option value="">"Choose a group…"</option>
                                    <Suspense fallback=|| ()>
                                        {move || Suspend::new(async move {
                                            groups.await.map(|gs| gs.into_iter().map(|g| view! {
                                                <option value=g.id.to_string()>{g.name.clone()}</option>
                                            }).collect_view()).ok()
                                        })}
                                    </Suspense>
                                </select>
                            </div>
                            <button type="submit" class="btn" disabled=move || running() || count() == 0>"Add to group"</button>
                        </form>
                    })}
                </div>
                <div role="status" aria-live="polite">
                    {move || progress.get().map(|(done, total)| view! {
                        <div class="bulk-progress">
                            <label for="bulk-progress">{format!("Working: {done} of {total} rooms")}</label>
                            <progress id="bulk-progress" max=total.to_string() value=done.to_string()></progress>
                            <button type="button" class="btn btn-small" disabled=move || stop.get() on:click=move |_| stop.set(true)>
                                {move || if stop.get() { "Stopping…" } else { "Stop" }}
                            </button>
                        </div>
                    })}
                    {move || report.get().map(|r| customer.with_value(|c| bulk_report(r, c)))}
                </div>
            </section>
        </Show>
    }
    .into_any()
}

/// "38 of 40 rooms moved to Pilot. 2 refused and still selected: …"
fn bulk_report(r: BulkReport, customer: &str) -> impl IntoView {
    let rooms = |n: usize| {
        if n == 1 {
            "room".to_owned()
        } else {
            "rooms".to_owned()
        }
    };
    let made = format!(
        "{} of {} {} {}.",
        r.made,
        r.total,
        rooms(r.total),
        r.done_as
    );
    let held = (r.held > 0).then(|| {
        format!(
            "{} sent to {customer} for approval: nothing changes for them until they approve.",
            r.held
        )
    });
    let stopped = r
        .stopped
        .then(|| "Stopped: the rooms not done yet are still selected.".to_owned());
    let class = if r.refused.is_empty() && !r.stopped {
        "note note-success"
    } else {
        "note note-warning"
    };
    view! {
        <div class=class>
            <p>{made}</p>
            {held.map(|h| view! { <p>{h}</p> })}
            {stopped.map(|s| view! { <p>{s}</p> })}
            {(!r.refused.is_empty()).then(|| view! {
                <p>{format!("{} refused, still selected:", r.refused.len())}</p>
                <ul>
                    {r.refused.into_iter().map(|(name, why)| view! { <li>{format!("{name}: {why}")}</li> }).collect_view()}
                </ul>
            })}
        </div>
    }
}
