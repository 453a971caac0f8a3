//! Components of *Approvals* and *Change requests*: the request tables, the state badge and the
//! reason dialog of a rejection. They render what the server returned; every decision is
//! checked again by the server.

use super::api::DecideChangeRequest;
use crate::components::ErrorNote;
use crate::domain::ids::{ChangeRequestId, OrgId};
use crate::domain::partners::{ChangeRequestState, ChangeRequestView, DecisionReason};
use crate::domain::time::moment;
use crate::error::AppError;
use leptos::ev::KeyboardEvent;
use leptos::html;
use leptos::prelude::*;

#[component]
pub fn StateBadge(state: ChangeRequestState) -> impl IntoView {
    let class = match state {
        ChangeRequestState::Pending => "badge badge-pending",
        ChangeRequestState::Approved => "badge badge-healthy",
        ChangeRequestState::Rejected => "badge badge-unhealthy",
        ChangeRequestState::Expired => "badge badge-offline",
        ChangeRequestState::Failed => "badge badge-warning",
    };
    view! { <span class=class>{state.label()}</span> }
}

/// "2026-11-24 13:00 UTC by Grace", or when an undecided request expired.
fn decided(r: &ChangeRequestView) -> String {
    match (r.state, r.decided_at) {
        (ChangeRequestState::Expired, _) => format!("Expired {}", moment(r.expires_at)),
        (_, Some(at)) => match r.decided_by_name.as_deref() {
            Some(name) if !name.is_empty() => format!("{} by {name}", moment(at)),
            _ => moment(at),
        },
        (_, None) => "—".to_owned(),
    }
}

fn reason(r: &ChangeRequestView) -> String {
    if r.reason.is_empty() {
        "—".to_owned()
    } else {
        r.reason.clone()
    }
}

/// The customer's pending requests, each with *Approve* and *Reject* for those who may decide.
#[component]
pub fn PendingTable(
    org: OrgId,
    rows: Vec<ChangeRequestView>,
    may_decide: bool,
    decide: ServerAction<DecideChangeRequest>,
    rejecting: RwSignal<Option<ChangeRequestView>>,
    #[prop(into)] on_approve: Callback<()>,
) -> impl IntoView {
    let busy = decide.pending();
    view! {
        <div class="table-scroll"><table class="table">
            <thead>
                <tr>
                    <th scope="col">"Change"</th>
                    <th scope="col">"Partner"</th>
                    <th scope="col">"Requested by"</th>
                    <th scope="col">"Requested"</th>
                    <th scope="col">"Expires"</th>
                    {may_decide.then(|| view! { <th scope="col">"Decision"</th> })}
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|r| {
                    let id = r.id;
                    let approve_label = format!("Approve: {}", r.asked);
                    let reject_label = format!("Reject: {}", r.asked);
                    let for_dialog = r.clone();
                    view! {
                        <tr>
                            <th scope="row">{r.asked.clone()}</th>
                            <td>{r.partner_name.clone()}</td>
                            <td>{format!("{} ({})", r.requested_by_name, r.requested_by_org)}</td>
                            <td>{moment(r.created_at)}</td>
                            <td>{moment(r.expires_at)}</td>
                            {may_decide.then(|| view! {
                                <td class="row-actions">
                                    <button type="button" class="btn btn-small btn-primary" aria-label=approve_label
                                        disabled=move || busy.get()
                                        on:click=move |_| {
                                            on_approve.run(());
                                            decide.dispatch(DecideChangeRequest { org, id, approve: true, reason: String::new() });
                                        }>
                                        "Approve"
                                    </button>
                                    " "
                                    <button type="button" class="btn btn-small btn-danger-quiet" aria-label=reject_label
                                        disabled=move || busy.get()
                                        on:click=move |_| rejecting.set(Some(for_dialog.clone()))>
                                        "Reject"
                                    </button>
                                </td>
                            })}
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table></div>
    }
}

/// Requests with their outcome: the customer's decided and expired ones (with the partner), or
/// all of one partner's requests to a customer.
#[component]
pub fn RequestTable(
    rows: Vec<ChangeRequestView>,
    /// Whether to name the partner (the customer's view).
    show_partner: bool,
    #[prop(into)] label: String,
) -> impl IntoView {
    view! {
        <div class="table-scroll"><table class="table" aria-label=label>
            <thead>
                <tr>
                    <th scope="col">"Change"</th>
                    {show_partner.then(|| view! { <th scope="col">"Partner"</th> })}
                    <th scope="col">"Requested by"</th>
                    <th scope="col">"Requested"</th>
                    <th scope="col">"State"</th>
                    <th scope="col">"Decided"</th>
                    <th scope="col">"Reason"</th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|r| {
                    let state_detail = (r.state == ChangeRequestState::Pending)
                        .then(|| format!("expires {}", moment(r.expires_at)));
                    view! {
                        <tr>
                            <th scope="row">{r.asked.clone()}</th>
                            {show_partner.then(|| view! { <td>{r.partner_name.clone()}</td> })}
                            <td>{r.requested_by_name.clone()}</td>
                            <td>{moment(r.created_at)}</td>
                            <td>
                                <StateBadge state=r.state/>
                                {state_detail.map(|d| view! { <span class="member-upn">{d}</span> })}
                            </td>
                            <td>{decided(&r)}</td>
                            <td class="reason">{reason(&r)}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table></div>
    }
}

/// *Reject*: a modal asking for the reason (required, the partner sees it). Focus starts in the
/// reason; Escape cancels. The server's answer to the rejection is shown here while it is open.
#[component]
pub fn RejectDialog(
    org: OrgId,
    rejecting: RwSignal<Option<ChangeRequestView>>,
    decide: ServerAction<DecideChangeRequest>,
    /// The server's error for the rejection being made.
    error: RwSignal<Option<AppError>>,
) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let field = NodeRef::<html::Textarea>::new();
    // A fresh form for each request opened.
    Effect::new(move |previous: Option<Option<ChangeRequestId>>| {
        let open = rejecting.with(|r| r.as_ref().map(|r| r.id));
        if open.is_some() && previous.flatten() != open {
            text.set(String::new());
            error.set(None);
        }
        open
    });
    Effect::new(move |_| {
        if rejecting.with(Option::is_some) {
            if let Some(area) = field.get() {
                let _ = area.focus();
            }
        }
    });
    let on_key = move |ev: KeyboardEvent| {
        if ev.key() == "Escape" {
            rejecting.set(None);
        }
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(r) = rejecting.get_untracked() else {
            return;
        };
        let raw = text.get_untracked();
        match DecisionReason::parse(false, &raw) {
            Err(invalid) => error.set(Some(AppError::Invalid(invalid))),
            Ok(_) => {
                error.set(None);
                decide.dispatch(DecideChangeRequest {
                    org,
                    id: r.id,
                    approve: false,
                    reason: raw,
                });
            }
        }
    };
    let invalid = move || error.get().is_some_and(|e| e.field() == Some("reason"));
    let busy = decide.pending();
    view! {
        <Show when=move || rejecting.get().is_some()>
            <div class="dialog-backdrop">
                <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="reject-title"
                    aria-describedby="reject-what" on:keydown=on_key>
                    <h2 id="reject-title">"Reject this change?"</h2>
                    <p id="reject-what">
                        {move || rejecting.get().map(|r| format!("{} asked by {} ({}). Nothing changes; the partner sees your reason.", r.asked, r.requested_by_name, r.partner_name))}
                    </p>
                    <form on:submit=submit>
                        <div class="field">
                            <label for="reject-reason">"Reason"</label>
                            <textarea id="reject-reason" rows="4" maxlength=DecisionReason::MAX_CHARS.to_string()
                                required node_ref=field
                                aria-invalid=move || invalid().to_string()
                                aria-describedby="reject-reason-hint"
                                prop:value=move || text.get()
                                on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                            <p class="hint" id="reject-reason-hint">{format!("Required, at most {} characters.", DecisionReason::MAX_CHARS)}</p>
                        </div>
                        <ErrorNote error=Signal::derive(move || error.get())/>
                        <div class="dialog-actions">
                            <button type="submit" class="btn btn-danger" disabled=move || busy.get()>
                                {move || if busy.get() { "Working…" } else { "Reject change" }}
                            </button>
                            <button type="button" class="btn" on:click=move |_| rejecting.set(None)>"Cancel"</button>
                        </div>
                    </form>
                </div>
            </div>
        </Show>
    }
}
