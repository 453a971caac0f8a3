//! The parts of partner mode *Tenants*: the lists, the detail pane of an invitation or a
//! customer, the choice of primary admins, and the typed confirmation of *Remove customer*.
//! They render what `list_tenants` returned; the server decides who sees and may do what.

use super::api::AcceptInvitation;
use crate::components::{ErrorNote, PaneHeader, PrincipalPicker};
use crate::domain::directory::{Principal, PrincipalView};
use crate::domain::ids::{OrgId, RelationshipId};
use crate::domain::partners::{
    ApprovalMode, ChangeCategory, RelationshipStatus, TenantAccess, TenantView,
};
use crate::domain::time::{day, moment};
use crate::error::AppError;
use chrono::{DateTime, Utc};
use leptos::html;
use leptos::prelude::*;

pub const TENANTS_PATH: &str = "/partner/tenants";

/// The list's zero-based `page` (`?page=` counts from 1), with `id` open in the pane.
pub fn tenant_path(page: u64, id: Option<RelationshipId>) -> String {
    let mut query = Vec::new();
    if page > 0 {
        query.push(format!("page={}", page + 1));
    }
    if let Some(id) = id {
        query.push(format!("tenant={id}"));
    }
    if query.is_empty() {
        TENANTS_PATH.to_owned()
    } else {
        format!("{TENANTS_PATH}?{}", query.join("&"))
    }
}

/// A page of partner mode's per-customer section, e.g. `rooms` or `roles`.
fn customer_path(customer: OrgId, page: &str) -> String {
    format!("/partner/c/{customer}/{page}")
}

/// The DOM id of a row's link, so focus can return to it when the pane closes.
pub fn row_link_id(id: RelationshipId) -> String {
    format!("tenant-{id}")
}

/// Moves keyboard focus to the element with `id`, if it exists and can take focus.
pub fn focus_by_id(id: &str) {
    use leptos::wasm_bindgen::JsCast;
    if let Some(el) = document()
        .get_element_by_id(id)
        .and_then(|e| e.dyn_into::<leptos::web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

/// Invitations are relationships never accepted: pending ones and expired ones.
pub fn is_invitation(t: &TenantView) -> bool {
    t.summary.accepted_at.is_none()
}

/// The last day of a relationship ending at `ends_at` (the start of the next day, UTC).
fn last_day(ends_at: DateTime<Utc>) -> String {
    day(ends_at - chrono::Duration::seconds(1))
}

fn rooms_count(n: u64) -> String {
    crate::components::plural(n, "room", "rooms")
}

#[component]
pub fn StatusBadge(status: RelationshipStatus) -> impl IntoView {
    let kind = match status {
        RelationshipStatus::Pending => "pending",
        RelationshipStatus::Active => "active",
        RelationshipStatus::EndingSoon => "ending",
        RelationshipStatus::Expired => "expired",
    };
    view! { <span class=format!("badge tenant-status tenant-status-{kind}")>{status.label()}</span> }
}

/// The end date cell: the last day, flagged when it is near or past.
fn end_date(t: &TenantView) -> AnyView {
    match t.summary.ends_at {
        None => view! { <span class="muted">"None"</span> }.into_any(),
        Some(end) => {
            let flag = match t.summary.status {
                RelationshipStatus::EndingSoon => Some("Ends within 30 days"),
                RelationshipStatus::Expired if !is_invitation(t) => Some("Ended"),
                _ => None,
            };
            view! {
                <span>{last_day(end)}</span>
                {flag.map(|f| view! { <span class="tenant-flag">{f}</span> })}
            }
            .into_any()
        }
    }
}

/// One of the page's two lists. Each customer name is a link that opens the pane (`?tenant=`).
#[component]
pub fn TenantTable(
    rows: Vec<TenantView>,
    /// The invitations list (expiry column) or the customers list (*Open* column).
    invitations: bool,
    #[prop(into)] labelled_by: String,
    selected: Memo<Option<RelationshipId>>,
    on_open: Callback<RelationshipId>,
    /// The list page the rows are on, kept in their links.
    page: u64,
) -> impl IntoView {
    view! {
        <div class="table-scroll"><table class="table tenant-table" aria-labelledby=labelled_by>
            <thead>
                <tr>
                    <th scope="col">"Customer"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">"Rooms in scope"</th>
                    {invitations.then(|| view! { <th scope="col">"Invitation expires"</th> })}
                    <th scope="col">"End date"</th>
                    {(!invitations).then(|| view! { <th scope="col"><span class="visually-hidden">"Actions"</span></th> })}
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|t| {
                        let id = t.summary.id;
                        let current = move || selected.get() == Some(id);
                        let open = (t.access == TenantAccess::Works && t.summary.status.is_live())
                            .then(|| (customer_path(t.summary.customer, "rooms"), format!("Open {}", t.summary.customer_name)));
                        view! {
                            <tr class:selected=current>
                                <th scope="row" data-label="Customer">
                                    <a
                                        id=row_link_id(id)
                                        href=tenant_path(page, Some(id))
                                        data-noscroll="true"
                                        aria-current=move || current().then_some("true")
                                        on:click=move |_| on_open.run(id)
                                    >
                                        {t.summary.customer_name.clone()}
                                    </a>
                                    <span class="member-upn">{t.summary.customer_domain.clone()}</span>
                                </th>
                                <td data-label="Status"><StatusBadge status=t.summary.status/></td>
                                <td data-label="Rooms in scope">{t.summary.rooms_in_scope}</td>
                                {invitations.then(|| view! {
                                    <td data-label="Invitation expires">{moment(t.summary.invitation_expires_at)}</td>
                                })}
                                <td data-label="End date">{end_date(&t)}</td>
                                {(!invitations).then(|| view! {
                                    <td class="actions">
                                        {match open {
                                            Some((href, label)) => view! {
                                                <a class="btn btn-small" href=href aria-label=label>"Open"</a>
                                            }
                                            .into_any(),
                                            None => view! { <span class="muted tenant-no-role">"No role"</span> }.into_any(),
                                        }}
                                    </td>
                                })}
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table></div>
    }
    .into_any()
}

/// What the detail pane needs from the page.
#[derive(Clone)]
pub struct PaneCtx {
    pub org: OrgId,
    pub org_name: String,
    /// The signed-in user, offered as a primary admin.
    pub me: PrincipalView,
    /// The primary admins chosen so far; kept by the page so a failed accept keeps them.
    pub admins: RwSignal<Vec<PrincipalView>>,
    pub accept: ServerAction<AcceptInvitation>,
    /// Runs an accept after the page has noted who it is for.
    pub on_accept: Callback<(RelationshipId, String)>,
    pub on_deny: Callback<(RelationshipId, String)>,
    pub on_remove: Callback<(OrgId, String)>,
    pub on_close: Callback<()>,
    pub error: RwSignal<Option<AppError>>,
    /// Set when the pane should take focus as it appears (opened or changed by the user).
    pub focus: RwSignal<bool>,
}

/// The pane's frame: labelled by its title, focused when the user opened it.
#[component]
fn PaneFrame(ctx: PaneCtx, #[prop(into)] title: String, children: Children) -> impl IntoView {
    let pane_ref = NodeRef::<html::Aside>::new();
    let focus = ctx.focus;
    Effect::new(move |_| {
        if let Some(pane) = pane_ref.get() {
            if focus.get_untracked() {
                focus.set(false);
                let _ = pane.focus();
            }
        }
    });
    view! {
        <aside class="pane tenant-pane" aria-labelledby="pane-title" tabindex="-1" node_ref=pane_ref>
            <PaneHeader title on_close=ctx.on_close/>
            <ErrorNote error=ctx.error/>
            {children()}
        </aside>
    }
}

/// The pane for a `?tenant=` that is not in the list (any more).
#[component]
pub fn MissingPane(ctx: PaneCtx) -> impl IntoView {
    view! {
        <PaneFrame ctx title="Not in your list">
            <p class="empty">
                "This customer or invitation is not in your list. It may have been answered by someone else, withdrawn by the customer or ended, or you have no access to it."
            </p>
        </PaneFrame>
    }
}

#[component]
pub fn TenantPane(tenant: TenantView, ctx: PaneCtx) -> impl IntoView {
    let title = tenant.summary.customer_name.clone();
    let body = if is_invitation(&tenant) {
        view! { <InvitationDetail tenant ctx=ctx.clone()/> }.into_any()
    } else {
        view! { <CustomerDetail tenant ctx=ctx.clone()/> }.into_any()
    };
    view! { <PaneFrame ctx title>{body}</PaneFrame> }
}

#[component]
fn ApprovalList(approvals: Vec<(ChangeCategory, ApprovalMode)>) -> impl IntoView {
    if approvals.is_empty() {
        return view! { <p class="muted">"The customer put no change under approval: changes apply at once."</p> }
            .into_any();
    }
    view! {
        <ul class="tenant-approvals">
            {approvals
                .into_iter()
                .map(|(category, mode)| {
                    let (label, class) = match mode {
                        ApprovalMode::Auto => ("Auto", "badge"),
                        ApprovalMode::Manual => ("Manual", "badge tenant-status-pending"),
                    };
                    view! {
                        <li>
                            <span class="tenant-approval-head">
                                <strong>{category.label()}</strong>
                                <span class=class>{label}</span>
                            </span>
                            <span class="hint">{category.description()}</span>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
        <p class="hint">
            "Auto: the change applies at once. Manual: the change becomes an approval request, and nothing changes until the customer approves it."
        </p>
    }
    .into_any()
}

#[component]
fn InvitationDetail(tenant: TenantView, ctx: PaneCtx) -> impl IntoView {
    let s = tenant.summary;
    let name = s.customer_name.clone();
    let org_name = ctx.org_name.clone();
    let answer = match s.status {
        RelationshipStatus::Pending if tenant.may_answer => {
            view! { <AcceptSection id=s.id customer=name.clone() ctx=ctx.clone()/> }.into_any()
        }
        RelationshipStatus::Pending => view! {
            <p class="note tenant-note">
                {format!(
                    "Only {org_name}'s Global admins, Managed Service Administrators and Tenant managers can accept or deny this invitation. {name} named you as an admin: once it is accepted, you join its Primary admins."
                )}
            </p>
        }
        .into_any(),
        _ => view! {
            <p class="note tenant-note tenant-note-warning">
                {format!(
                    "This invitation expired on {} and can no longer be accepted. {name} can send a new one from its Settings > Partners.",
                    moment(s.invitation_expires_at)
                )}
            </p>
        }
        .into_any(),
    };
    view! {
        <p class="muted">{format!("{} invited {} to manage some of its meeting rooms.", s.customer_name, ctx.org_name)}</p>
        <dl class="facts">
            <dt>"Customer"</dt><dd>{s.customer_name.clone()}</dd>
            <dt>"Domain"</dt><dd>{s.customer_domain.clone()}</dd>
            <dt>"Status"</dt><dd><StatusBadge status=s.status/></dd>
            <dt>"Scope"</dt><dd>{format!("{} ({})", s.scope_summary, rooms_count(s.rooms_in_scope))}</dd>
            <dt>"Invited on"</dt><dd>{day(s.created_at)}</dd>
            <dt>"Invitation expires"</dt><dd>{moment(s.invitation_expires_at)}</dd>
            <dt>"End date"</dt>
            <dd>{s.ends_at.map(last_day).unwrap_or_else(|| "None: it lasts until either side ends it".to_owned())}</dd>
        </dl>
        <h3>"Change approval"</h3>
        <ApprovalList approvals=s.approvals/>
        {answer}
    }
    .into_any()
}

/// *Accept* (with at least one primary admin) and *Deny*.
#[component]
fn AcceptSection(id: RelationshipId, customer: String, ctx: PaneCtx) -> impl IntoView {
    let PaneCtx {
        org,
        org_name,
        me,
        admins,
        accept,
        on_accept,
        on_deny,
        ..
    } = ctx;
    let picked = RwSignal::new(None::<PrincipalView>);
    let added = RwSignal::new(String::new());
    let missing = RwSignal::new(false);
    let add = move |p: PrincipalView| {
        let name = p.name.clone();
        admins.update(|list| {
            if !list.iter().any(|x| x.principal == p.principal) {
                list.push(p);
            }
        });
        added.set(format!("{name} added to the primary admins."));
        missing.set(false);
    };
    Effect::new(move |_| {
        if let Some(p) = picked.get() {
            add(p);
            picked.set(None);
        }
    });
    let me_principal = me.principal;
    let me = StoredValue::new(me);
    let customer = StoredValue::new(customer);
    let pending = accept.pending();
    view! {
        <section class="pane-section" aria-labelledby="accept-title">
            <h3 id="accept-title">"Accept or deny"</h3>
            <p>
                {format!(
                    "To accept, choose the primary admins: users or security groups of {org_name}. They work on {}'s rooms and decide who else in {org_name} does.",
                    customer.get_value()
                )}
            </p>
            <p class="hint">
                {format!(
                    "Admins {} invited by e-mail address join the Primary admins' “Invited admins” automatically. Nobody keeps a special link to the person who accepts: to work on this customer yourself, add yourself or a group you belong to.",
                    customer.get_value()
                )}
            </p>
            <PrincipalPicker org users_only=false selected=picked label="Search for the user or security group"/>
            <h4 id="chosen-admins">"Primary admins"</h4>
            {move || {
                let list = admins.get();
                if list.is_empty() {
                    view! { <p class="muted">"None chosen yet."</p> }.into_any()
                } else {
                    view! {
                        <ul class="member-list" aria-labelledby="chosen-admins">
                            {list
                                .into_iter()
                                .map(|m| {
                                    let principal = m.principal;
                                    let detail = match m.principal {
                                        Principal::User(_) => m.detail.clone(),
                                        Principal::Group(_) => format!("Security group · {}", m.detail),
                                    };
                                    let label = format!("Remove {} from the primary admins", m.name);
                                    view! {
                                        <li>
                                            <span>
                                                <span class="member-name">{m.name.clone()}</span>
                                                <span class="member-upn">{detail}</span>
                                            </span>
                                            <button
                                                type="button"
                                                class="btn btn-small btn-danger-quiet"
                                                aria-label=label
                                                on:click=move |_| admins.update(|l| l.retain(|x| x.principal != principal))
                                            >
                                                "Remove"
                                            </button>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                    .into_any()
                }
            }}
            <Show when=move || admins.with(|l| !l.iter().any(|x| x.principal == me_principal))>
                <button type="button" class="btn btn-small tenant-add-me" on:click=move |_| add(me.get_value())>
                    "Add yourself"
                </button>
            </Show>
            <p class="visually-hidden" aria-live="polite">{move || added.get()}</p>
            <Show when=move || missing.get()>
                <p class="note note-error" role="alert">"Add at least one primary admin to accept."</p>
            </Show>
            <div class="pane-actions tenant-answer">
                <button
                    type="button"
                    class="btn btn-primary"
                    disabled=move || pending.get()
                    on:click=move |_| {
                        if admins.with_untracked(Vec::is_empty) {
                            missing.set(true);
                        } else {
                            on_accept.run((id, customer.get_value()));
                        }
                    }
                >
                    {move || if pending.get() { "Accepting…" } else { "Accept" }}
                </button>
                <button
                    type="button"
                    class="btn btn-danger-quiet"
                    disabled=move || pending.get()
                    on:click=move |_| on_deny.run((id, customer.get_value()))
                >
                    "Deny"
                </button>
            </div>
        </section>
    }
    .into_any()
}

#[component]
fn CustomerDetail(tenant: TenantView, ctx: PaneCtx) -> impl IntoView {
    let s = tenant.summary;
    let works = tenant.access == TenantAccess::Works && s.status.is_live();
    let name = s.customer_name.clone();
    let org_name = ctx.org_name.clone();
    let customer = s.customer;
    let access_note = if !s.status.is_live() {
        Some(format!(
            "This relationship has ended. Nobody in {org_name} works on {name}'s rooms any more; {name} can send a new invitation."
        ))
    } else if !works {
        Some(format!(
            "You see {name}'s name, domain, status and number of rooms in scope only. A Primary admin of {name} can give you a role to work on its rooms."
        ))
    } else {
        None
    };
    let on_remove = ctx.on_remove;
    let remove_name = name.clone();
    view! {
        <dl class="facts">
            <dt>"Customer"</dt><dd>{name.clone()}</dd>
            <dt>"Domain"</dt><dd>{s.customer_domain.clone()}</dd>
            <dt>"Status"</dt><dd><StatusBadge status=s.status/></dd>
            <dt>"Rooms in scope"</dt>
            <dd>{if works { format!("{} ({})", rooms_count(s.rooms_in_scope), s.scope_summary) } else { rooms_count(s.rooms_in_scope) }}</dd>
            <dt>"Customer since"</dt><dd>{s.accepted_at.map(day).unwrap_or_else(|| "—".to_owned())}</dd>
            <dt>"End date"</dt>
            <dd>
                {match s.ends_at {
                    None => "None: it lasts until either side ends it".to_owned(),
                    Some(end) => format!("{} (access ends at {})", last_day(end), moment(end)),
                }}
                {(s.status == RelationshipStatus::EndingSoon).then(|| view! { <span class="tenant-flag">"Ends within 30 days"</span> })}
            </dd>
        </dl>
        {access_note.map(|n| view! { <p class="note tenant-note">{n}</p> })}
        {works.then(|| view! {
            <p>
                <a class="btn btn-primary" href=customer_path(customer, "rooms")>"Open customer"</a>
            </p>
            <h3>"Change approval"</h3>
            <ApprovalList approvals=s.approvals.clone()/>
        })}
        {(tenant.primary_admin && s.status.is_live()).then(|| view! {
            <section class="pane-section" aria-labelledby="primary-admins-title">
                <h3 id="primary-admins-title">"Primary admins"</h3>
                <p class="hint">"You are one of this customer's Primary admins: you decide who in your organisation works on it, and with which role."</p>
                <a href=customer_path(customer, "settings/roles")>"Manage primary admins"</a>
            </section>
            <section class="pane-section tenant-danger" aria-labelledby="remove-title">
                <h3 id="remove-title">"Remove customer"</h3>
                <p class="hint">
                    {format!("Ends the relationship with {name} for everyone in {org_name}, at once.")}
                </p>
                <button type="button" class="btn btn-danger" on:click=move |_| on_remove.run((customer, remove_name.clone()))>
                    "Remove customer"
                </button>
            </section>
        })}
    }
    .into_any()
}
