//! One relationship beside the list, with the actions its status allows.

use super::forms::ScopeEndForm;
use super::{
    approval_label, day, end_date, expired_invitation, last_day, mode_of, plural, status_detail,
    StatusBadge,
};
use crate::components::TypedConfirmDialog;
use crate::components::{ConfirmDialog, ErrorNote, PaneHeader};
use crate::domain::authz::Permission;
use crate::domain::ids::{OrgId, RelationshipId};
use crate::domain::partners::{
    ApprovalMode, ChangeCategory, PartnerRoleView, PartnerView, RelationshipStatus,
};
use crate::error::AppError;
use crate::features::partners::api::{DeletePartnerRole, RemovePartner};
use leptos::html;
use leptos::prelude::*;
use strum::IntoEnumIterator;

/// One relationship beside the list: status, scope, change control, invited admins, partner
/// roles, and for managers the actions its status allows.
#[component]
pub fn PartnerPane(
    org: OrgId,
    /// The `partner` query value; anything that names no relationship shows "not found".
    raw_id: String,
    partners: Resource<Result<Vec<PartnerView>, AppError>>,
    may_manage: bool,
    /// Bumped after every change, so the list reloads.
    changed: RwSignal<usize>,
    on_close: Callback<()>,
    /// Runs after the relationship is gone, with what to tell the user.
    on_removed: Callback<String>,
) -> impl IntoView {
    let id = raw_id.parse::<RelationshipId>().ok();
    let remove = ServerAction::<RemovePartner>::new();
    let delete_role = ServerAction::<DeletePartnerRole>::new();
    let title = RwSignal::new("Partner".to_owned());
    let current = RwSignal::new(None::<PartnerView>);
    let editing = RwSignal::new(false);
    let notice = RwSignal::new(None::<String>);
    let confirm_withdraw = RwSignal::new(false);
    let confirm_expired = RwSignal::new(false);
    let confirm_remove = RwSignal::new(false);
    let confirm_role = RwSignal::new(false);
    let role_to_delete = RwSignal::new(None::<PartnerRoleView>);
    let removed_message = RwSignal::new(String::new());
    Effect::new(move |_| {
        if remove.version().get() + delete_role.version().get() > 0 {
            changed.update(|n| *n += 1);
        }
    });
    Effect::new(move |_| match remove.value().get() {
        Some(Ok(())) => on_removed.run(removed_message.get_untracked()),
        Some(Err(_)) => {
            confirm_withdraw.set(false);
            confirm_expired.set(false);
            confirm_remove.set(false);
        }
        None => {}
    });
    Effect::new(move |_| {
        if let Some(result) = delete_role.value().get() {
            confirm_role.set(false);
            if result.is_ok() {
                let name = role_to_delete
                    .get_untracked()
                    .map(|r| r.name)
                    .unwrap_or_default();
                notice.set(Some(format!("Partner role {name} deleted.")));
            }
        }
    });
    let pane_ref = NodeRef::<html::Aside>::new();
    // Focus moves to the pane when it opens, so keyboard and screen reader users land on it
    // (on a phone it opens below the list).
    Effect::new(move |focused: Option<bool>| {
        if focused == Some(true) {
            return true;
        }
        pane_ref.get().map(|el| el.focus().is_ok()).unwrap_or(false)
    });
    let action_error = Signal::derive(move || {
        remove
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| delete_role.value().get().and_then(Result::err))
    });
    let partner_name = move || {
        current
            .get()
            .map(|p| p.summary.partner_name)
            .unwrap_or_default()
    };
    let dispatch_remove = move |message: String| {
        if let Some(id) = id {
            removed_message.set(message);
            notice.set(None);
            remove.dispatch(RemovePartner { org, id });
        }
    };

    view! {
        <aside class="pane pane-wide partner-pane" aria-labelledby="pane-title" tabindex="-1" node_ref=pane_ref>
            <PaneHeader title on_close/>
            {move || notice.get().map(|m| view! { <p class="note note-success" role="status">{m}</p> })}
            <Transition fallback=|| view! { <p class="muted" role="status">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match partners.await {
                        Err(e) => view! { <ErrorNote error=Signal::derive(move || Some(e.clone()))/> }.into_any(),
                        Ok(list) => match list.into_iter().find(|p| Some(p.summary.id) == id) {
                            None => {
                                title.set("Partner not found".to_owned());
                                current.set(None);
                                view! { <p class="empty">"This partner no longer exists, or you have no access to it."</p> }.into_any()
                            }
                            Some(p) => {
                                title.set(p.summary.partner_name.clone());
                                current.set(Some(p.clone()));
                                view! { <PartnerFacts p may_manage editing confirm_withdraw confirm_expired/> }.into_any()
                            }
                        },
                    }
                })}
            </Transition>
            {move || match (editing.get(), id, current.get_untracked()) {
                (true, Some(id), Some(p)) => view! { <ScopeEndForm org id partner=p editing changed notice/> }.into_any(),
                _ => ().into_any(),
            }}
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let found = partners.await.ok().and_then(|list| list.into_iter().find(|p| Some(p.summary.id) == id));
                    match found {
                        None => ().into_any(),
                        Some(p) => view! {
                            <PartnerRoles p may_manage on_delete=Callback::new(move |r: PartnerRoleView| {
                                role_to_delete.set(Some(r));
                                confirm_role.set(true);
                            })/>
                        }.into_any(),
                    }
                })}
            </Transition>
            <ErrorNote error=action_error/>
            {move || {
                let accepted = current.get().is_some_and(|p| p.summary.accepted_at.is_some());
                (may_manage && accepted).then(|| view! {
                    <div class="pane-section danger-zone">
                        <button type="button" class="btn btn-danger" on:click=move |_| confirm_remove.set(true)>"Remove partner"</button>
                    </div>
                })
            }}
            <ConfirmDialog
                open=confirm_withdraw
                title=Signal::derive(|| "Withdraw this invitation?".to_owned())
                message=Signal::derive(move || format!("{} can no longer accept it. To work with them later, send a new invitation.", partner_name()))
                confirm_label="Withdraw"
                pending=remove.pending()
                on_confirm=Callback::new(move |_| dispatch_remove("Invitation withdrawn.".to_owned()))
            />
            <ConfirmDialog
                open=confirm_expired
                title=Signal::derive(|| "Remove this expired invitation?".to_owned())
                message=Signal::derive(move || format!("The invitation to {} is deleted. You can send a new one at any time.", partner_name()))
                confirm_label="Remove"
                pending=remove.pending()
                on_confirm=Callback::new(move |_| dispatch_remove("Expired invitation removed.".to_owned()))
            />
            <TypedConfirmDialog
                open=confirm_remove
                title=Signal::derive(move || format!("Remove {}?", partner_name()))
                message=Signal::derive(move || format!(
                    "{}'s access to your rooms and all its partner roles for you end at once: the very next request of any of its users is refused. To work with them again, you would send a new invitation.",
                    partner_name()
                ))
                word="Delete"
                pending=remove.pending()
                on_confirm=Callback::new(move |_| dispatch_remove("Partner removed. Its access and roles have ended.".to_owned()))
            />
            <ConfirmDialog
                open=confirm_role
                title=Signal::derive(move || format!("Delete the partner role {}?", role_to_delete.get().map(|r| r.name).unwrap_or_default()))
                message=Signal::derive(move || {
                    let members = role_to_delete.get().map_or(0, |r| r.members.len() as u64);
                    format!(
                        "The role is deleted with its assignments. Its {} at {} lose the permissions it gives, from their next request.",
                        plural(members, "member", "members"),
                        partner_name()
                    )
                })
                confirm_label="Delete"
                pending=delete_role.pending()
                on_confirm=Callback::new(move |_| {
                    if let (Some(id), Some(r)) = (id, role_to_delete.get_untracked()) {
                        notice.set(None);
                        delete_role.dispatch(DeletePartnerRole { org, id, role: r.id });
                    }
                })
            />
        </aside>
    }
    .into_any()
}

/// What the pane says about a relationship, and the actions its status allows.
#[component]
fn PartnerFacts(
    p: PartnerView,
    may_manage: bool,
    editing: RwSignal<bool>,
    confirm_withdraw: RwSignal<bool>,
    confirm_expired: RwSignal<bool>,
) -> impl IntoView {
    let s = p.summary;
    let name = s.partner_name.clone();
    let explanation = match s.status {
        RelationshipStatus::Pending => format!(
            "Waiting for {name} to accept. The invitation expires on {} (UTC); until it is accepted, nobody at {name} can see your rooms.",
            day(s.invitation_expires_at)
        ),
        RelationshipStatus::Active => format!(
            "{name}'s people who hold a partner role work on the rooms in scope, with that role's permissions."
        ),
        RelationshipStatus::EndingSoon => format!(
            "{name}'s access ends by itself after {} (UTC). Change the end date to extend it.",
            s.ends_at.map(last_day).map(|d| d.to_string()).unwrap_or_default()
        ),
        RelationshipStatus::Expired if s.accepted_at.is_none() => format!(
            "This invitation expired on {} without an answer; nobody at {name} has access. Remove it, or send a new invitation.",
            day(s.invitation_expires_at)
        ),
        RelationshipStatus::Expired => format!(
            "This partnership ended after {} (UTC): {name}'s people have no access any more. Its partner roles stay until you remove the partner. To continue, extend it with a later end date.",
            s.ends_at.map(last_day).map(|d| d.to_string()).unwrap_or_default()
        ),
    };
    let may_edit =
        s.status.is_live() || (s.status == RelationshipStatus::Expired && s.accepted_at.is_some());
    let edit_label = if s.status == RelationshipStatus::Expired {
        "Extend the partnership"
    } else {
        "Change scope or end date"
    };
    let pending = s.status == RelationshipStatus::Pending;
    let expired_invite = expired_invitation(&s);
    let new_invitation = format!("/settings/partners/new?domain={}", s.partner_domain);
    let ending_soon = s.status == RelationshipStatus::EndingSoon;
    view! {
        <p class="partner-status">
            <StatusBadge status=s.status/>
            {status_detail(&s).map(|d| view! { <span class="status-detail">{d}</span> })}
        </p>
        <p>{explanation}</p>
        <dl class="facts partner-facts">
            <dt>"Domain"</dt><dd>{s.partner_domain.clone()}</dd>
            <dt>{if s.accepted_at.is_some() { "Since" } else { "Invited" }}</dt>
            <dd>{day(s.accepted_at.unwrap_or(s.created_at))}</dd>
            <dt>"End date"</dt>
            <dd>
                {end_date(&s)}
                {ending_soon.then(|| view! { " " <span class="badge badge-warning">"Ending soon"</span> })}
            </dd>
            <dt>"Rooms in scope"</dt>
            <dd>{s.scope_summary.clone()} " (" {plural(s.rooms_in_scope, "room", "rooms")} " now)"</dd>
            <dt>"Invited admins"</dt>
            <dd>
                {if p.invited_admins.is_empty() {
                    view! { <span class="muted">"None"</span> }.into_any()
                } else {
                    view! { <ul class="plain-list">{p.invited_admins.iter().map(|u| view! { <li>{u.clone()}</li> }).collect_view()}</ul> }.into_any()
                }}
            </dd>
        </dl>
        <h3>"Change control"</h3>
        <dl class="facts partner-facts">
            {ChangeCategory::iter().map(|c| {
                let mode = mode_of(&s.approvals, c);
                view! {
                    <dt>{c.label()}</dt>
                    <dd>
                        {approval_label(mode)}
                        <span class="status-detail">{match mode {
                            ApprovalMode::Auto => "Made at once.",
                            ApprovalMode::Manual => "Becomes a request you approve or reject.",
                        }}</span>
                    </dd>
                }
            }).collect_view()}
        </dl>
        {may_manage.then(|| view! {
            <div class="pane-actions wrap">
                {may_edit.then(|| view! {
                    <button type="button" class="btn" aria-expanded=move || editing.get().to_string() on:click=move |_| editing.update(|e| *e = !*e)>{edit_label}</button>
                })}
                {pending.then(|| view! {
                    <button type="button" class="btn btn-danger-quiet" on:click=move |_| confirm_withdraw.set(true)>"Withdraw invitation"</button>
                })}
                {expired_invite.then(|| view! {
                    <a class="btn" href=new_invitation.clone()>"Send a new invitation"</a>
                    <button type="button" class="btn btn-danger-quiet" on:click=move |_| confirm_expired.set(true)>"Remove"</button>
                })}
            </div>
        })}
        {(!may_manage).then(|| view! { <p class="muted">"Only Global admins and Managed Service Administrators can change partners."</p> })}
    }
    .into_any()
}

/// The partner roles for this customer, with their permissions and members.
#[component]
fn PartnerRoles(
    p: PartnerView,
    may_manage: bool,
    on_delete: Callback<PartnerRoleView>,
) -> impl IntoView {
    let accepted = p.summary.accepted_at.is_some();
    let partner = p.summary.partner_name.clone();
    view! {
        <section class="pane-section" aria-labelledby="partner-roles-title">
            <h3 id="partner-roles-title">{format!("Partner roles ({})", p.roles.len())}</h3>
            {if p.roles.is_empty() {
                let text = if accepted {
                    format!("{partner} has no roles for your rooms: nobody there can act for you.")
                } else {
                    format!("{partner} chooses its Primary admins when it accepts; the roles appear here then.")
                };
                view! { <p class="empty">{text}</p> }.into_any()
            } else {
                view! {
                    <p class="hint">{format!("Roles {partner} gives its own people for your rooms. You can delete any of them.")}</p>
                    {p.roles.into_iter().map(|r| {
                        let label = format!("Delete partner role {}", r.name);
                        let role = r.clone();
                        view! {
                            <article class="assignment">
                                <h4>
                                    {r.name.clone()}
                                    {r.built_in.then(|| view! { " " <span class="badge">"Built-in"</span> })}
                                </h4>
                                <dl class="facts partner-facts">
                                    <dt>"Permissions"</dt>
                                    <dd><PermissionSummary permissions=r.permissions.clone()/></dd>
                                    <dt>"Members"</dt>
                                    <dd>
                                        {if r.members.is_empty() {
                                            view! { <span class="muted">"None"</span> }.into_any()
                                        } else {
                                            view! {
                                                <ul class="member-list" aria-label=format!("Members of {}", r.name)>
                                                    {r.members.iter().map(|m| view! {
                                                        <li><span>
                                                            <span class="member-name">{m.name.clone()}</span>
                                                            <span class="member-upn">{format!("{} · {}", m.detail, m.org_name)}</span>
                                                        </span></li>
                                                    }).collect_view()}
                                                </ul>
                                            }.into_any()
                                        }}
                                    </dd>
                                </dl>
                                {may_manage.then(|| view! {
                                    <div class="pane-actions">
                                        <button type="button" class="btn btn-small btn-danger-quiet" aria-label=label on:click=move |_| on_delete.run(role.clone())>"Delete"</button>
                                    </div>
                                })}
                            </article>
                        }
                    }).collect_view()}
                }.into_any()
            }}
        </section>
    }
    .into_any()
}

/// "Rooms: View, Modify", one line per feature, in catalogue order.
#[component]
fn PermissionSummary(permissions: Vec<Permission>) -> impl IntoView {
    let mut features: Vec<(&'static str, Vec<&'static str>)> = Vec::new();
    for p in Permission::iter().filter(|p| permissions.contains(p)) {
        let (feature, name) = p.labels();
        match features.iter_mut().find(|(f, _)| *f == feature) {
            Some((_, names)) => names.push(name),
            None => features.push((feature, vec![name])),
        }
    }
    if features.is_empty() {
        return view! { <span class="muted">"None"</span> }.into_any();
    }
    view! {
        <ul class="plain-list">
            {features.into_iter().map(|(f, names)| view! { <li><strong>{f}</strong>": " {names.join(", ")}</li> }).collect_view()}
        </ul>
    }
    .into_any()
}
