//! Components of *Settings > Partners*: the relationship list, the scope chooser and small
//! shared widgets here; the detail pane, its forms and the wizard's steps in the submodules.
//! They render what the server returned; every action is checked again by the server.

mod forms;
mod pane;
mod wizard;

pub use pane::PartnerPane;
pub use wizard::{step_of, ChangeControlStep, InvitationFields, TermsStep};

use crate::components::{plural, ErrorNote, RoomPicker};
use crate::domain::ids::{OrgId, RelationshipId, RoomGroupId, RoomId};
use crate::domain::partners::{
    ApprovalMode, ChangeCategory, PartnerView, RelationshipStatus, RelationshipSummary, ScopeChoice,
};
use crate::domain::rooms::RoomRow;
use crate::domain::time::{self, day};
use crate::domain::validation::ValidationError;
use crate::features::room_groups::api::list_room_groups;
use chrono::{DateTime, NaiveDate, Utc};
use leptos::html;
use leptos::prelude::*;

/// The row links of the list, so closing the pane can give focus back to the row it came from.
pub type RowLinks = StoredValue<Vec<(RelationshipId, NodeRef<html::A>)>>;

/// The last day of access of a relationship ending at `end`, which is the start of the next
/// day (see `domain::partners::end_of`).
pub fn last_day(end: DateTime<Utc>) -> NaiveDate {
    let d = end.date_naive();
    d.pred_opt().unwrap_or(d)
}

/// A date input's value, if it holds a date.
pub fn parse_day(value: &str) -> Option<NaiveDate> {
    time::parse_day(value.trim())
}

fn approval_label(mode: ApprovalMode) -> &'static str {
    match mode {
        ApprovalMode::Auto => "Auto",
        ApprovalMode::Manual => "Manual",
    }
}

/// A category's mode; a category without a setting holds no changes for approval.
pub fn mode_of(approvals: &[(ChangeCategory, ApprovalMode)], c: ChangeCategory) -> ApprovalMode {
    approvals
        .iter()
        .find(|(x, _)| *x == c)
        .map_or(ApprovalMode::Auto, |(_, m)| *m)
}

/// An invitation that expired unanswered, as opposed to a relationship past its end date.
fn expired_invitation(s: &RelationshipSummary) -> bool {
    s.status == RelationshipStatus::Expired && s.accepted_at.is_none()
}

#[component]
pub fn StatusBadge(status: RelationshipStatus) -> impl IntoView {
    let class = match status {
        RelationshipStatus::Pending => "badge badge-pending",
        RelationshipStatus::Active => "badge badge-healthy",
        RelationshipStatus::EndingSoon => "badge badge-warning",
        RelationshipStatus::Expired => "badge badge-offline",
    };
    view! { <span class=class>{status.label()}</span> }
}

/// The detail under the badge: when the invitation expires or the relationship ended.
fn status_detail(s: &RelationshipSummary) -> Option<String> {
    match s.status {
        RelationshipStatus::Pending => Some(format!("expires {}", day(s.invitation_expires_at))),
        RelationshipStatus::Expired if s.accepted_at.is_none() => Some(format!(
            "invitation expired {}",
            day(s.invitation_expires_at)
        )),
        RelationshipStatus::Expired => s.ends_at.map(|e| format!("ended after {}", last_day(e))),
        RelationshipStatus::Active | RelationshipStatus::EndingSoon => None,
    }
}

/// "Since": when the partner accepted, or when the invitation was sent.
fn since(s: &RelationshipSummary) -> String {
    match s.accepted_at {
        Some(t) => day(t),
        None => format!("Invited {}", day(s.created_at)),
    }
}

fn end_date(s: &RelationshipSummary) -> String {
    s.ends_at
        .map(|e| last_day(e).to_string())
        .unwrap_or_else(|| "No end date".to_owned())
}

#[component]
pub fn PartnerTable(
    rows: Vec<PartnerView>,
    selected: Memo<Option<String>>,
    links: RowLinks,
) -> impl IntoView {
    let mut refs = Vec::with_capacity(rows.len());
    let body = rows
        .into_iter()
        .map(|p| {
            let s = p.summary;
            let id = s.id;
            let link = NodeRef::<html::A>::new();
            refs.push((id, link));
            let current = move || selected.get().is_some_and(|v| v == id.to_string());
            let detail = status_detail(&s);
            let ending_soon = s.status == RelationshipStatus::EndingSoon;
            view! {
                <tr class:selected=current>
                    <th scope="row" data-label="Partner">
                        <a
                            href=format!("/settings/partners?partner={id}")
                            class="partner-link"
                            data-noscroll=""
                            node_ref=link
                            aria-current=move || current().then_some("true")
                        >
                            {s.partner_name.clone()}
                        </a>
                        <span class="member-upn">{s.partner_domain.clone()}</span>
                    </th>
                    <td data-label="Status">
                        <StatusBadge status=s.status/>
                        {detail.map(|d| view! { <span class="status-detail">{d}</span> })}
                    </td>
                    <td data-label="Rooms in scope">
                        {s.scope_summary.clone()}
                        <span class="status-detail">{plural(s.rooms_in_scope, "room", "rooms")}</span>
                    </td>
                    <td data-label="Since">{since(&s)}</td>
                    <td data-label="End date">
                        {end_date(&s)}
                        {ending_soon.then(|| view! { <span class="status-detail flag">"Ending soon"</span> })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    links.set_value(refs);
    view! {
        <div class="table-scroll"><table class="table partner-table">
            <caption class="visually-hidden">"Partners, their status and the rooms in their scope. Dates in UTC."</caption>
            <thead>
                <tr>
                    <th scope="col">"Partner"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">"Rooms in scope"</th>
                    <th scope="col">"Since"</th>
                    <th scope="col">"End date"</th>
                </tr>
            </thead>
            <tbody>{body}</tbody>
        </table></div>
    }
    .into_any()
}

/// A message beside a field, announced when it appears.
#[component]
pub fn FieldError(
    #[prop(into)] id: String,
    #[prop(into)] message: Signal<Option<String>>,
) -> impl IntoView {
    move || {
        let id = id.clone();
        message
            .get()
            .map(|m| view! { <p class="field-error" id=id role="alert">{m}</p> })
    }
}

/// The message of `error` if it is about `field`.
pub fn message_for(
    error: impl Get<Value = Option<ValidationError>> + Send + Sync + 'static,
    field: &'static str,
) -> Signal<Option<String>> {
    Signal::derive(move || error.get().filter(|e| e.field == field).map(|e| e.message))
}

/// The rooms of a relationship: all rooms, or rooms and room groups. Nothing is chosen until
/// the user chooses, so nobody widens a partner's reach by accident.
#[component]
pub fn ScopeChooser(
    org: OrgId,
    /// Keeps the inputs' ids apart ("invite", "edit").
    prefix: &'static str,
    all_rooms: RwSignal<Option<bool>>,
    rooms: RwSignal<Vec<(RoomId, String)>>,
    groups: RwSignal<Vec<(RoomGroupId, String)>>,
    #[prop(into)] error: Signal<Option<String>>,
    /// Called on every change, so the owner can clear an old error.
    on_change: Callback<()>,
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
            on_change.run(());
        }
    });
    let available = Resource::new(|| (), move |_| list_room_groups(org));
    let error_id = format!("{prefix}-scope-error");
    let kind = format!("{prefix}-scope-kind");
    let all_id = format!("{prefix}-scope-all");
    let some_id = format!("{prefix}-scope-some");
    let described_by = error_id.clone();
    view! {
        <fieldset class="field" aria-describedby=described_by>
            <legend>"Rooms in scope"</legend>
            <div class="check">
                <input type="radio" name=kind.clone() id=all_id.clone()
                    prop:checked=move || all_rooms.get() == Some(true)
                    on:change=move |_| { all_rooms.set(Some(true)); on_change.run(()); }/>
                <label for=all_id>"All rooms, including rooms you add later"</label>
            </div>
            <div class="check">
                <input type="radio" name=kind id=some_id.clone()
                    prop:checked=move || all_rooms.get() == Some(false)
                    on:change=move |_| { all_rooms.set(Some(false)); on_change.run(()); }/>
                <label for=some_id>"Chosen rooms and room groups"</label>
            </div>
            <FieldError id=error_id message=error/>
        </fieldset>
        <Show when=move || all_rooms.get() == Some(false)>
            <fieldset class="field">
                <legend>"Room groups"</legend>
                <p class="hint">"A room group keeps the scope current: rooms that join the group later are in scope too."</p>
                <Suspense fallback=|| view! { <p class="muted" role="status">"Loading room groups…"</p> }>
                    {move || Suspend::new(async move {
                        match available.await {
                            Err(e) => view! { <ErrorNote error=Signal::derive(move || Some(e.clone()))/> }.into_any(),
                            Ok(list) if list.is_empty() => view! { <p class="muted">"There are no room groups yet."</p> }.into_any(),
                            Ok(list) => list.into_iter().map(|g| {
                                let id = g.id;
                                let name = g.name.clone();
                                let input_id = format!("{prefix}-group-{id}");
                                view! {
                                    <div class="check">
                                        <input type="checkbox" id=input_id.clone()
                                            prop:checked=move || groups.with(|gs| gs.iter().any(|(x, _)| *x == id))
                                            on:change=move |ev| {
                                                let on = event_target_checked(&ev);
                                                let name = name.clone();
                                                groups.update(|gs| { gs.retain(|(x, _)| *x != id); if on { gs.push((id, name)); } });
                                                on_change.run(());
                                            }/>
                                        <label for=input_id>{format!("{} ({})", g.name, plural(g.room_count, "room", "rooms"))}</label>
                                    </div>
                                }
                            }).collect_view().into_any(),
                        }
                    })}
                </Suspense>
            </fieldset>
            <RoomPicker org selected=picked label="Add a room: search" id=format!("{prefix}-room")/>
            {move || {
                let list = rooms.get();
                (!list.is_empty()).then(|| view! {
                    <ul class="member-list" aria-label="Rooms in scope">
                        {list.into_iter().map(|(id, name)| {
                            let label = format!("Remove {name} from the scope");
                            view! {
                                <li>
                                    <span class="member-name">{name}</span>
                                    <button type="button" class="btn btn-small btn-danger-quiet" aria-label=label
                                        on:click=move |_| { rooms.update(|rs| rs.retain(|(x, _)| *x != id)); on_change.run(()); }>
                                        "Remove"
                                    </button>
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

/// What a scope chooser holds, as the server takes it.
pub fn scope_choice(
    all_rooms: Option<bool>,
    rooms: &[(RoomId, String)],
    groups: &[(RoomGroupId, String)],
) -> ScopeChoice {
    ScopeChoice {
        all_rooms: all_rooms == Some(true),
        rooms: rooms.iter().map(|(id, _)| *id).collect(),
        room_groups: groups.iter().map(|(id, _)| *id).collect(),
    }
}

/// "All rooms", or "Room groups: All US rooms; rooms: Oslo 1".
pub fn scope_summary(
    all_rooms: Option<bool>,
    rooms: &[(RoomId, String)],
    groups: &[(RoomGroupId, String)],
) -> String {
    match all_rooms {
        None => return "Not chosen yet".into(),
        Some(true) => return "All rooms".into(),
        Some(false) => {}
    }
    let names = |items: Vec<&String>| {
        items
            .into_iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let rooms = names(rooms.iter().map(|(_, n)| n).collect());
    let groups = names(groups.iter().map(|(_, n)| n).collect());
    match (rooms.is_empty(), groups.is_empty()) {
        (true, true) => "No rooms chosen yet".into(),
        (false, true) => format!("Rooms: {rooms}"),
        (true, false) => format!("Room groups: {groups}"),
        (false, false) => format!("Room groups: {groups}; rooms: {rooms}"),
    }
}
