use crate::components::{ErrorNote, PrincipalPicker, RoomPicker};
use crate::domain::authz::Permission;
use crate::domain::directory::{Principal, PrincipalView};
use crate::domain::ids::{OrgId, RoomGroupId, RoomId};
use crate::domain::roles::AssignmentDraft;
use crate::domain::rooms::RoomRow;
use crate::features::room_groups::api::list_room_groups;
use leptos::prelude::*;
use strum::IntoEnumIterator;

/// The permission catalogue as checkboxes, grouped by feature: those the user may put into a
/// role of `org` (what they hold there; for a partner, within Primary admins'). The server
/// checks again.
#[component]
pub fn PermissionChecklist(org: OrgId, chosen: RwSignal<Vec<Permission>>) -> impl IntoView {
    let offered: Vec<Permission> = use_context::<crate::domain::session::SessionView>()
        .map(|s| {
            Permission::iter()
                .filter(|p| crate::domain::authz::reach(&s.actor, org, *p).is_some())
                .collect()
        })
        .unwrap_or_default();
    let mut features: Vec<&'static str> = Vec::new();
    for p in offered.iter().copied() {
        let f = p.labels().0;
        if !features.contains(&f) {
            features.push(f);
        }
    }
    view! {
        <div class="permission-grid">
            {features.into_iter().map(|feature| view! {
                <fieldset class="field">
                    <legend>{feature}</legend>
                    {offered.iter().copied().filter(|p| p.labels().0 == feature).map(|p| {
                        let id = format!("perm-{p:?}");
                        view! {
                            <div class="check">
                                <input type="checkbox" id=id.clone()
                                    prop:checked=move || chosen.with(|c| c.contains(&p))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        chosen.update(|c| { c.retain(|x| *x != p); if on { c.push(p); } });
                                    }/>
                                <label for=id>{p.labels().1}</label>
                            </div>
                        }
                    }).collect_view()}
                </fieldset>
            }).collect_view()}
        </div>
    }
    .into_any()
}

/// The Assignment step: name, description, e-mail notifications.
#[component]
pub fn AssignmentGeneral(
    name: RwSignal<String>,
    description: RwSignal<String>,
    notify: RwSignal<bool>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for="assignment-name">"Assignment name"</label>
            <input id="assignment-name" type="text" required maxlength="80" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
        </div>
        <div class="field">
            <label for="assignment-description">"Description (optional)"</label>
            <textarea id="assignment-description" rows="2" prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev))></textarea>
        </div>
        <div class="check">
            <input type="checkbox" id="assignment-notify" prop:checked=move || notify.get() on:change=move |ev| notify.set(event_target_checked(&ev))/>
            <label for="assignment-notify">"Send e-mail notifications to the members"</label>
        </div>
    }
    .into_any()
}

/// The Members step: users and security groups, searched.
#[component]
pub fn MembersStep(org: OrgId, members: RwSignal<Vec<PrincipalView>>) -> impl IntoView {
    // Members come from the user's own directory: their organisation's users and groups in
    // customer mode, the partner's own people for a partner role.
    let directory = use_context::<crate::domain::session::SessionView>().map_or(org, |s| s.org());
    let picked = RwSignal::new(None::<PrincipalView>);
    Effect::new(move |_| {
        if let Some(p) = picked.get() {
            members.update(|m| {
                if !m.iter().any(|x| x.principal == p.principal) {
                    m.push(p);
                }
            });
            picked.set(None);
        }
    });
    view! {
        <PrincipalPicker org=directory users_only=false selected=picked label="Search for the user or security group"/>
        <h3>"Members"</h3>
        {move || {
            let list = members.get();
            if list.is_empty() {
                view! { <p class="empty">"No members yet."</p> }.into_any()
            } else {
                view! {
                    <ul class="member-list" aria-label="Members">
                        {list.into_iter().map(|m| {
                            let principal = m.principal;
                            let label = format!("Remove {}", m.name);
                            view! {
                                <li>
                                    <span><span class="member-name">{m.name.clone()}</span><span class="member-upn">{match m.principal { Principal::User(_) => m.detail.clone(), Principal::Group(_) => format!("Security group · {}", m.detail) }}</span></span>
                                    <button type="button" class="btn btn-small btn-danger-quiet" aria-label=label on:click=move |_| members.update(|ms| ms.retain(|x| x.principal != principal))>"Remove"</button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }
        }}
    }
    .into_any()
}

/// The Scope step: all rooms, or rooms and room groups.
#[component]
pub fn ScopeStep(
    org: OrgId,
    all_rooms: RwSignal<bool>,
    rooms: RwSignal<Vec<(RoomId, String)>>,
    groups: RwSignal<Vec<(RoomGroupId, String)>>,
) -> impl IntoView {
    let picked = RwSignal::new(None::<RoomRow>);
    Effect::new(move |_| {
        if let Some(r) = picked.get() {
            rooms.update(|rs| {
                if !rs.iter().any(|(id, _)| *id == r.id) {
                    rs.push((r.id, r.display_name.clone()));
                }
            });
            picked.set(None);
        }
    });
    let available = Resource::new(|| (), move |_| list_room_groups(org));
    view! {
        <fieldset class="field">
            <legend>"Scope"</legend>
            <div class="check">
                <input type="radio" name="scope-kind" id="scope-all" prop:checked=move || all_rooms.get() on:change=move |_| all_rooms.set(true)/>
                <label for="scope-all">"All rooms"</label>
            </div>
            <div class="check">
                <input type="radio" name="scope-kind" id="scope-some" prop:checked=move || !all_rooms.get() on:change=move |_| all_rooms.set(false)/>
                <label for="scope-some">"Selected rooms and room groups"</label>
            </div>
        </fieldset>
        <Show when=move || !all_rooms.get()>
            <fieldset class="field">
                <legend>"Room groups"</legend>
                <Suspense fallback=|| view! { <p class="muted">"Loading room groups…"</p> }>
                    {move || Suspend::new(async move {
                        match available.await {
                            Err(e) => view! { <ErrorNote error=Signal::derive(move || Some(e.clone()))/> }.into_any(),
                            Ok(list) if list.is_empty() => view! { <p class="muted">"There are no room groups you can choose."</p> }.into_any(),
                            Ok(list) => list.into_iter().map(|g| {
                                let id = g.id;
                                let name = g.name.clone();
                                let input_id = format!("scope-group-{id}");
                                view! {
                                    <div class="check">
                                        <input type="checkbox" id=input_id.clone()
                                            prop:checked=move || groups.with(|gs| gs.iter().any(|(x, _)| *x == id))
                                            on:change=move |ev| {
                                                let on = event_target_checked(&ev);
                                                let name = name.clone();
                                                groups.update(|gs| { gs.retain(|(x, _)| *x != id); if on { gs.push((id, name)); } });
                                            }/>
                                        <label for=input_id>{format!("{} ({} room{})", g.name, g.room_count, if g.room_count == 1 { "" } else { "s" })}</label>
                                    </div>
                                }
                            }).collect_view().into_any(),
                        }
                    })}
                </Suspense>
            </fieldset>
            <RoomPicker org selected=picked label="Add a room: search" id="scope-room"/>
            {move || {
                let list = rooms.get();
                (!list.is_empty()).then(|| view! {
                    <ul class="member-list" aria-label="Rooms in scope">
                        {list.into_iter().map(|(id, name)| {
                            let label = format!("Remove {name} from the scope");
                            view! {
                                <li>
                                    <span class="member-name">{name}</span>
                                    <button type="button" class="btn btn-small btn-danger-quiet" aria-label=label on:click=move |_| rooms.update(|rs| rs.retain(|(x, _)| *x != id))>"Remove"</button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                })
            }}
        </Show>
    }
    .into_any()
}

/// Everything an assignment form holds, as signals.
#[derive(Clone, Copy)]
pub struct AssignmentFields {
    pub name: RwSignal<String>,
    pub description: RwSignal<String>,
    pub notify: RwSignal<bool>,
    pub members: RwSignal<Vec<PrincipalView>>,
    pub all_rooms: RwSignal<bool>,
    pub rooms: RwSignal<Vec<(RoomId, String)>>,
    pub groups: RwSignal<Vec<(RoomGroupId, String)>>,
}

impl AssignmentFields {
    pub fn new() -> Self {
        Self {
            name: RwSignal::new(String::new()),
            description: RwSignal::new(String::new()),
            notify: RwSignal::new(false),
            members: RwSignal::new(vec![]),
            all_rooms: RwSignal::new(false),
            rooms: RwSignal::new(vec![]),
            groups: RwSignal::new(vec![]),
        }
    }

    pub fn draft(&self) -> AssignmentDraft {
        AssignmentDraft {
            name: self.name.get_untracked(),
            description: self.description.get_untracked(),
            notify: self.notify.get_untracked(),
            members: self
                .members
                .get_untracked()
                .into_iter()
                .map(|m| m.principal)
                .collect(),
            all_rooms: self.all_rooms.get_untracked(),
            rooms: self
                .rooms
                .get_untracked()
                .into_iter()
                .map(|(id, _)| id)
                .collect(),
            room_groups: self
                .groups
                .get_untracked()
                .into_iter()
                .map(|(id, _)| id)
                .collect(),
        }
    }

    pub fn clear(&self) {
        self.name.set(String::new());
        self.description.set(String::new());
        self.notify.set(false);
        self.members.set(vec![]);
        self.all_rooms.set(false);
        self.rooms.set(vec![]);
        self.groups.set(vec![]);
    }

    /// "All rooms", or "Rooms: A, B; groups: All US rooms".
    pub fn scope_summary(&self) -> String {
        if self.all_rooms.get() {
            return "All rooms".into();
        }
        let rooms: Vec<String> = self.rooms.get().into_iter().map(|(_, n)| n).collect();
        let groups: Vec<String> = self.groups.get().into_iter().map(|(_, n)| n).collect();
        match (rooms.is_empty(), groups.is_empty()) {
            (true, true) => "Nothing chosen yet".into(),
            (false, true) => format!("Rooms: {}", rooms.join(", ")),
            (true, false) => format!("Room groups: {}", groups.join(", ")),
            (false, false) => format!(
                "Room groups: {}; rooms: {}",
                groups.join(", "),
                rooms.join(", ")
            ),
        }
    }
}

/// The role wizard's fields, kept at the app's root (`App`): leaving the wizard half-way to look
/// something up and coming back finds it as it was left. One draft per tab, for one
/// organisation; creating the role, *Cancel* or *Start over* empties it.
#[derive(Clone, Copy)]
pub struct RoleWizard {
    org: RwSignal<Option<OrgId>>,
    pub step: RwSignal<usize>,
    pub name: RwSignal<String>,
    pub description: RwSignal<String>,
    pub permissions: RwSignal<Vec<Permission>>,
    pub fields: AssignmentFields,
}

impl RoleWizard {
    pub fn new() -> Self {
        Self {
            org: RwSignal::new(None),
            step: RwSignal::new(0),
            name: RwSignal::new(String::new()),
            description: RwSignal::new(String::new()),
            permissions: RwSignal::new(vec![]),
            fields: AssignmentFields::new(),
        }
    }

    /// The draft for `org`: the one left there, or an empty one (a draft for another
    /// organisation is dropped: its rooms and people mean nothing here).
    pub fn of(org: OrgId) -> Self {
        let wizard = use_context::<Self>().unwrap_or_default();
        if wizard.org.get_untracked() != Some(org) {
            wizard.clear();
            wizard.org.set(Some(org));
        }
        wizard
    }

    pub fn clear(self) {
        self.step.set(0);
        self.name.set(String::new());
        self.description.set(String::new());
        self.permissions.set(vec![]);
        self.fields.clear();
    }

    /// Whether anything has been entered.
    pub fn started(self) -> bool {
        self.step.get_untracked() > 0
            || !self.name.with_untracked(|n| n.trim().is_empty())
            || !self.description.with_untracked(String::is_empty)
            || !self.permissions.with_untracked(Vec::is_empty)
    }
}

impl Default for RoleWizard {
    fn default() -> Self {
        Self::new()
    }
}

impl Default for AssignmentFields {
    fn default() -> Self {
        Self::new()
    }
}
