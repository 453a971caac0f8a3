use super::api::{get_room_group, SetRoomGroupMember, UpdateRoomGroup, UpdateUpdateRing};
use crate::components::{
    field_error_id, form_error, successes, ErrorNote, FieldError, Pager, PaneHeader, PaneState,
    ResultNote, RoomPicker, SearchBox,
};
use crate::domain::authz::Action;
use crate::domain::ids::{OrgId, RoomGroupId, RoomId, UpdateRingId};
use crate::domain::partners::ChangeOutcome;
use crate::domain::rooms::{
    MemberQuery, RingFilter, RoomGroupInput, RoomQuery, RoomRow, UpdateRingInput, UpdateRingView,
};
use crate::domain::session::SessionView;
use crate::error::AppError;
use crate::features::rooms::api::{list_rooms, SetRoomRing};
use crate::features::rooms::parts::ChangeOutcomeNote;
use leptos::prelude::*;

/// A text field, with the save's error under it when it is about `key`.
fn text_field(
    (label, id, key): (&'static str, &'static str, &'static str),
    value: RwSignal<String>,
    required: bool,
    hint: &'static str,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let mine = move || error.get().is_some_and(|e| e.field() == Some(key));
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input id=id type="text" required=required prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))
                aria-invalid=move || mine().to_string()
                aria-describedby=move || mine().then(|| field_error_id(id))/>
            <FieldError id key error/>
            {(!hint.is_empty()).then(|| view! { <p class="hint">{hint}</p> })}
        </div>
    }
}

#[component]
pub fn GroupForm(
    initial: RoomGroupInput,
    #[prop(into)] submit_label: String,
    #[prop(into)] pending: Signal<bool>,
    #[prop(into)] error: Signal<Option<AppError>>,
    on_submit: Callback<RoomGroupInput>,
) -> impl IntoView {
    let name = RwSignal::new(initial.name);
    let description = RwSignal::new(initial.description);
    let country = RwSignal::new(initial.rule_country);
    let site = RwSignal::new(initial.rule_site);
    view! {
        <form on:submit=move |ev| {
            ev.prevent_default();
            on_submit.run(RoomGroupInput {
                name: name.get_untracked(),
                description: description.get_untracked(),
                rule_country: country.get_untracked(),
                rule_site: site.get_untracked(),
            });
        }>
            {text_field(("Name", "group-name", "name"), name, true, "", error)}
            {text_field(("Description", "group-description", "description"), description, false, "", error)}
            <fieldset class="field">
                <legend>"Rule (optional)"</legend>
                <p class="hint">"Rooms matching the rule belong to the group automatically, as they are added or change. Leave both empty for a group you fill by hand."</p>
                {text_field(("Country/region code", "group-rule-country", "rule_country"), country, false, "Like US.", error)}
                {text_field(("Site", "group-rule-site", "rule_site"), site, false, "Exactly as the rooms' site is written.", error)}
            </fieldset>
            <ErrorNote error=form_error(error, RoomGroupInput::FIELDS)/>
            <div class="pane-actions">
                <button type="submit" class="btn btn-primary" disabled=move || pending.get()>
                    {move || if pending.get() { "Saving…".to_owned() } else { submit_label.clone() }}
                </button>
            </div>
        </form>
    }
    .into_any()
}

#[component]
pub fn RoomGroupPane(
    org: OrgId,
    id: RoomGroupId,
    pane: PaneState<RoomGroupId>,
    update: ServerAction<UpdateRoomGroup>,
    members_changed: RwSignal<usize>,
    on_delete: Callback<String>,
) -> impl IntoView {
    let session = use_context::<SessionView>();
    let may_modify = session
        .as_ref()
        .is_some_and(|s| s.may_in(org, Action::ModifyRoomGroup));
    let set_member = ServerAction::<SetRoomGroupMember>::new();
    // Reloaded after a change that was made, never after a refusal: the form keeps its input.
    let (updated, member_set) = (
        successes(update.value().into()),
        successes(set_member.value().into()),
    );
    // The group itself, and the page of its rooms the pane lists: apart, so that searching the
    // rooms leaves the search box (and the group's form) as they are.
    let detail = Resource::new(
        move || (updated.get(), member_set.get()),
        move |_| get_room_group(org, id, MemberQuery::default()),
    );
    let member_query = RwSignal::new(MemberQuery::default());
    let members = Resource::new(
        move || (member_query.get(), updated.get(), member_set.get()),
        move |(q, ..)| get_room_group(org, id, q),
    );
    Effect::new(move |_| {
        if set_member.version().get() > 0 {
            members_changed.update(|n| *n += 1);
        }
    });
    let picked = RwSignal::new(None::<RoomRow>);
    Effect::new(move |_| {
        if matches!(set_member.value().get(), Some(Ok(()))) {
            picked.set(None);
        }
    });
    let editing = RwSignal::new(false);
    let title = RwSignal::new("Room group".to_owned());
    view! {
        <aside class="pane" aria-labelledby="pane-title">
            <PaneHeader title on_close=Callback::new(move |_| pane.close())/>
            <Transition fallback=|| view! { <p class="muted" role="status">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match detail.await {
                        Err(e) => view! { <ErrorNote error=Signal::derive(move || Some(e.clone()))/> }.into_any(),
                        Ok(d) => {
                            title.set(d.group.name.clone());
                            let g = d.group.clone();
                            let name = g.name.clone();
                            let initial = RoomGroupInput {
                                name: g.name.clone(),
                                description: g.description.clone(),
                                rule_country: g.rule.as_ref().and_then(|r| r.country.clone()).unwrap_or_default(),
                                rule_site: g.rule.as_ref().and_then(|r| r.site.clone()).unwrap_or_default(),
                            };
                            view! {
                                {(!g.description.is_empty()).then(|| view! { <p>{g.description.clone()}</p> })}
                                <p class="muted">{g.rule.as_ref().map(|r| format!("Rule: {}.", r.describe())).unwrap_or_else(|| "Static group: rooms are added by hand.".into())}</p>
                                // The group's actions first: the pane may list many rooms below.
                                {may_modify.then(|| view! {
                                    <div class="pane-actions pane-actions-top">
                                        <button type="button" class="btn" aria-expanded=move || editing.get().to_string()
                                            on:click=move |_| editing.update(|e| *e = !*e)>"Change group"</button>
                                        <button type="button" class="btn btn-danger" on:click=move |_| on_delete.run(name.clone())>"Delete group"</button>
                                    </div>
                                    <Show when=move || editing.get()>
                                        <div class="pane-section">
                                            <GroupForm
                                                initial=initial.clone()
                                                submit_label="Save changes"
                                                pending=update.pending()
                                                error=Signal::derive(move || update.value().get().and_then(Result::err))
                                                on_submit=Callback::new(move |input| { update.dispatch(UpdateRoomGroup { org, id, input }); })
                                            />
                                        </div>
                                    </Show>
                                    // Its errors are the form's, by their fields.
                                    <ResultNote value=Signal::derive(move || update.value().get().filter(Result::is_ok)) success="Group saved."/>
                                })}
                            }.into_any()
                        }
                    }
                })}
            </Transition>
            <section class="pane-section" aria-labelledby="group-rooms-title">
                <h3 id="group-rooms-title">
                    {move || members.get().and_then(Result::ok).map_or_else(|| "Rooms".to_owned(), |d| format!("Rooms ({})", d.group.room_count))}
                </h3>
                <SearchBox id="group-member-search" label="Find a room in the group" placeholder="Room name"
                    value=Signal::derive(move || member_query.with(|q| q.search.clone()))
                    on_search=Callback::new(move |search: String| member_query.set(MemberQuery { search, page: 0 }))/>
                <Transition fallback=|| view! { <p class="muted" role="status">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match members.await {
                            Err(e) => view! { <ErrorNote error=Signal::derive(move || Some(e.clone()))/> }.into_any(),
                            Ok(d) => {
                                let pages = d.matching.div_ceil(d.page_size).max(1);
                                let current = d.page;
                                let searching = member_query.with_untracked(|q| !q.search.is_empty());
                                view! {
                                    {(d.hidden_members > 0).then(|| view! { <p class="muted">{format!("{} of them are outside the rooms you manage and not listed.", d.hidden_members)}</p> })}
                                    {if d.members.is_empty() {
                                        let empty = if searching { "No room of the group matches." } else { "No rooms you manage are in this group." };
                                        view! { <p class="empty">{empty}</p> }.into_any()
                                    } else {
                                        view! {
                                            <p class="muted" role="status">{format!("{} of {} rooms listed", d.members.len(), d.matching)}</p>
                                            <ul class="member-list" aria-label="Rooms in the group">
                                                {d.members.into_iter().map(|(r, is_static)| {
                                                    let room = r.id;
                                                    let label = format!("Remove {} from the group", r.display_name);
                                                    view! {
                                                        <li>
                                                            <span>
                                                                <span class="member-name">{r.display_name.clone()}</span>
                                                                <span class="member-upn">{format!("{} · {}{}", r.site, r.country, if is_static { "" } else { " · by rule" })}</span>
                                                            </span>
                                                            {(may_modify && is_static).then(|| view! {
                                                                <button type="button" class="btn btn-small btn-danger-quiet" aria-label=label disabled=move || set_member.pending().get()
                                                                    on:click=move |_| { set_member.dispatch(SetRoomGroupMember { org, id, room, member: false }); }>"Remove"</button>
                                                            })}
                                                        </li>
                                                    }
                                                }).collect_view()}
                                            </ul>
                                            {(pages > 1).then(|| view! {
                                                <Pager page=current pages label="Pages of the group's rooms"
                                                    on_page=Callback::new(move |p| member_query.update(|q| q.page = p))/>
                                            })}
                                        }.into_any()
                                    }}
                                }.into_any()
                            }
                        }
                    })}
                </Transition>
                {may_modify.then(|| view! {
                    <div class="pane-section">
                        <RoomPicker org selected=picked label="Add a room: search" id="group-add-room"/>
                        <button type="button" class="btn btn-primary" disabled=move || picked.get().is_none() || set_member.pending().get()
                            on:click=move |_| {
                                if let Some(r) = picked.get_untracked() {
                                    set_member.dispatch(SetRoomGroupMember { org, id, room: r.id, member: true });
                                }
                            }>"Add room"</button>
                    </div>
                })}
            </section>
            <ErrorNote error=Signal::derive(move || set_member.value().get().and_then(Result::err))/>
        </aside>
    }
    .into_any()
}

#[component]
pub fn RingForm(
    name: String,
    days: String,
    #[prop(into)] submit_label: String,
    #[prop(into)] pending: Signal<bool>,
    #[prop(into)] error: Signal<Option<AppError>>,
    on_submit: Callback<UpdateRingInput>,
) -> impl IntoView {
    let name = RwSignal::new(name);
    let days = RwSignal::new(days);
    view! {
        <form on:submit=move |ev| {
            ev.prevent_default();
            on_submit.run(UpdateRingInput { name: name.get_untracked(), deferral_days: days.get_untracked() });
        }>
            {text_field(("Name", "ring-name", "name"), name, true, "", error)}
            <div class="field">
                <label for="ring-days">"Deferral (days)"</label>
                <input id="ring-days" type="number" min="0" max=UpdateRingInput::MAX_DEFERRAL_DAYS required prop:value=move || days.get() on:input=move |ev| days.set(event_target_value(&ev))/>
            </div>
            <ErrorNote error=form_error(error, &["name"])/>
            <div class="pane-actions">
                <button type="submit" class="btn btn-primary" disabled=move || pending.get()>
                    {move || if pending.get() { "Saving…".to_owned() } else { submit_label.clone() }}
                </button>
            </div>
        </form>
    }
    .into_any()
}

#[component]
pub fn RingPane(
    org: OrgId,
    id: UpdateRingId,
    pane: PaneState<UpdateRingId>,
    update: ServerAction<UpdateUpdateRing>,
    rings: Resource<Result<Vec<UpdateRingView>, AppError>>,
    rooms_changed: RwSignal<usize>,
    /// Asks to delete the ring: its name and how many of the user's rooms it holds.
    on_delete: Callback<(String, u64)>,
) -> impl IntoView {
    let session = use_context::<SessionView>();
    let may_edit = session
        .as_ref()
        .is_some_and(|s| s.may_org_wide(org, Action::ModifyUpdateRing));
    let may_assign = session
        .as_ref()
        .is_some_and(|s| s.may_in(org, Action::ModifyUpdateRing));
    let set_ring = ServerAction::<SetRoomRing>::new();
    // The room last taken out of the ring, for *Undo*.
    let taken_out = RwSignal::new(None::<(RoomId, String)>);
    let page = RwSignal::new(0u64);
    let rooms = Resource::new(
        move || (set_ring.version().get(), page.get()),
        move |(_, page)| {
            list_rooms(
                org,
                RoomQuery {
                    ring: Some(RingFilter::In(id)),
                    page,
                    ..Default::default()
                },
            )
        },
    );
    Effect::new(move |_| {
        if set_ring.version().get() > 0 {
            rooms_changed.update(|n| *n += 1);
        }
    });
    let picked = RwSignal::new(None::<RoomRow>);
    let title = Signal::derive(move || {
        rings
            .get()
            .and_then(Result::ok)
            .and_then(|rs| rs.into_iter().find(|r| r.id == id))
            .map(|r| r.name)
            .unwrap_or_else(|| "Update ring".into())
    });
    view! {
        <aside class="pane" aria-labelledby="pane-title">
            <PaneHeader title on_close=Callback::new(move |_| pane.close())/>
            {may_edit.then(|| {
                let ring = rings.get_untracked().and_then(Result::ok).and_then(|rs| rs.into_iter().find(|r| r.id == id));
                ring.map(|r| view! {
                    <div class="pane-actions pane-actions-top">
                        <button type="button" class="btn btn-danger" on:click=move |_| {
                            // The counts as they are now: rooms may have moved since the pane opened.
                            let now = rings.get_untracked().and_then(Result::ok).and_then(|rs| rs.into_iter().find(|r| r.id == id));
                            if let Some(r) = now {
                                on_delete.run((r.name, r.room_count));
                            }
                        }>"Delete ring"</button>
                    </div>
                    <RingForm
                        name=r.name
                        days=r.deferral_days.to_string()
                        submit_label="Save ring"
                        pending=update.pending()
                        error=Signal::derive(move || update.value().get().and_then(Result::err))
                        on_submit=Callback::new(move |input| { update.dispatch(UpdateUpdateRing { org, id, input }); })
                    />
                    <ResultNote value=update.value() success="Ring saved."/>
                })
            })}
            <h3>"Rooms in this ring"</h3>
            <Transition fallback=|| view! { <p class="muted" role="status">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match rooms.await {
                        Err(e) => view! { <ErrorNote error=Signal::derive(move || Some(e.clone()))/> }.into_any(),
                        Ok(p) if p.rows.is_empty() => view! { <p class="empty">"None of your rooms are in this ring."</p> }.into_any(),
                        Ok(p) => {
                            let pages = p.total.div_ceil(p.page_size).max(1);
                            let total = p.total;
                            view! {
                                <p class="muted" role="status">{format!("{total} of your rooms")}</p>
                                <ul class="member-list" aria-label="Rooms in the ring">
                                    {p.rows.into_iter().map(|r| {
                                        let room = r.id;
                                        let label = format!("Take {} out of the ring", r.display_name);
                                        view! {
                                            <li>
                                                <span><span class="member-name">{r.display_name.clone()}</span><span class="member-upn">{format!("{} · {}", r.site, r.country)}</span></span>
                                                {may_assign.then(|| view! {
                                                    <button type="button" class="btn btn-small btn-danger-quiet" aria-label=label on:click={
                                                        let name = r.display_name.clone();
                                                        move |_| {
                                                            taken_out.set(Some((room, name.clone())));
                                                            set_ring.dispatch(SetRoomRing { org, id: room, ring: None });
                                                        }
                                                    }>"Remove"</button>
                                                })}
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                                {(pages > 1).then(|| view! {
                                    <Pager page=p.page pages label="Pages of rooms" on_page=Callback::new(move |n| page.set(n))/>
                                })}
                            }.into_any()
                        }
                    }
                })}
            </Transition>
            {may_assign.then(|| view! {
                <div class="pane-section">
                    <RoomPicker org selected=picked label="Add a room to this ring: search" id="ring-add-room"/>
                    <button type="button" class="btn btn-primary" disabled=move || picked.get().is_none() || set_ring.pending().get()
                        on:click=move |_| {
                            if let Some(r) = picked.get_untracked() {
                                taken_out.set(None);
                                set_ring.dispatch(SetRoomRing { org, id: r.id, ring: Some(id) });
                                picked.set(None);
                            }
                        }>"Add to ring"</button>
                </div>
            })}
            // A room taken out can be put back at once; other outcomes as any ring change.
            {move || match (taken_out.get(), set_ring.value().get()) {
                (Some((room, name)), Some(Ok(ChangeOutcome::Applied))) => view! {
                    <p class="note note-success" role="status">
                        {format!("{name} was taken out of the ring. ")}
                        <button type="button" class="link-button" disabled=move || set_ring.pending().get() on:click=move |_| {
                            taken_out.set(None);
                            set_ring.dispatch(SetRoomRing { org, id: room, ring: Some(id) });
                        }>"Undo"</button>
                    </p>
                }.into_any(),
                _ => view! { <ChangeOutcomeNote value=set_ring.value() applied="Update ring saved."/> }.into_any(),
            }}
        </aside>
    }
    .into_any()
}
