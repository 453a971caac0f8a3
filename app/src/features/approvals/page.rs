use super::api::{list_change_requests, list_partner_change_requests, DecideChangeRequest};
use super::parts::{PendingTable, RejectDialog, RequestTable};
use crate::components::ErrorNote;
use crate::domain::authz::Action;
use crate::domain::partners::{ChangeRequestState, ChangeRequestView, CHANGE_REQUEST_DAYS};
use crate::domain::session::SessionView;
use crate::error::AppError;
use crate::tenant::use_tenant;
use leptos::prelude::*;
use leptos_meta::Title;

/// What a decision came to, in words.
fn decided_note(r: &ChangeRequestView) -> (&'static str, String) {
    match r.state {
        ChangeRequestState::Approved => (
            "note note-success",
            format!("Approved. The change is made: {}.", r.asked),
        ),
        ChangeRequestState::Rejected => (
            "note note-success",
            format!(
                "Rejected. Nothing changes; {} sees your reason.",
                r.partner_name
            ),
        ),
        ChangeRequestState::Failed => (
            "note note-error",
            format!("Approved, but not applied. {}", r.reason),
        ),
        ChangeRequestState::Pending | ChangeRequestState::Expired => (
            "note note-info",
            format!("{}: {}", r.asked, r.state.label()),
        ),
    }
}

/// Customer mode *Settings > Approvals*: partners' changes held for approval (pending first,
/// each with *Approve* and *Reject*), then decided and expired ones with who decided and why.
#[component]
pub fn ApprovalsPage() -> impl IntoView {
    let Some(session) = use_context::<SessionView>() else {
        return ().into_any();
    };
    let org = session.org();
    if !session.may(Action::ViewPartners) {
        return view! {
            <Title text="Approvals · Rooms MTM"/>
            <h1>"Approvals"</h1>
            <p class="empty">"Your role does not allow viewing approvals. Global admins and Managed Service Administrators can."</p>
        }
        .into_any();
    }
    let may_decide = session.may(Action::ManagePartners);
    let decide = ServerAction::<DecideChangeRequest>::new();
    let requests = Resource::new(
        move || decide.version().get(),
        move |_| list_change_requests(org),
    );
    let rejecting = RwSignal::new(None::<ChangeRequestView>);
    let dialog_error = RwSignal::new(None::<AppError>);
    let page_error = RwSignal::new(None::<AppError>);
    let notice = RwSignal::new(None::<(&'static str, String)>);
    Effect::new(move |_| match decide.value().get() {
        Some(Ok(r)) => {
            rejecting.set(None);
            page_error.set(None);
            notice.set(Some(decided_note(&r)));
        }
        Some(Err(e)) if rejecting.get_untracked().is_some() => dialog_error.set(Some(e)),
        Some(Err(e)) => page_error.set(Some(e)),
        None => {}
    });
    let on_approve = Callback::new(move |_| {
        notice.set(None);
        page_error.set(None);
    });

    view! {
        <Title text="Approvals · Rooms MTM"/>
        <section aria-labelledby="page-title">
            <header class="page-header">
                <h1 id="page-title">"Approvals"</h1>
            </header>
            <p class="lead">{format!(
                "When you set a partner's change control to Manual for a category, the partner's changes in it wait here and nothing changes until you approve. Approving makes the change as the partner asked, if the partner may still make it then; rejecting changes nothing, and the partner sees your reason. Requests expire after {CHANGE_REQUEST_DAYS} days. Times are in UTC."
            )}</p>
            <div role="status" aria-live="polite">
                {move || notice.get().map(|(class, text)| view! { <p class=class>{text}</p> })}
            </div>
            <ErrorNote error=Signal::derive(move || page_error.get())/>
            <Transition fallback=|| view! { <p class="muted" role="status">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match requests.await {
                        Err(e) => view! { <ErrorNote error=Signal::derive(move || Some(e.clone()))/> }.into_any(),
                        Ok(rows) if rows.is_empty() => view! {
                            <div class="empty">
                                <p>"No partner has asked for a change."</p>
                                <p>"Only changes in a category you set to Manual approval for a partner wait here. You choose that when you add a partner in Settings > Partners."</p>
                            </div>
                        }
                        .into_any(),
                        Ok(rows) => {
                            let (pending, past): (Vec<_>, Vec<_>) = rows
                                .into_iter()
                                .partition(|r| r.state == ChangeRequestState::Pending);
                            view! {
                                <h2 id="pending-title">"Waiting for your decision"</h2>
                                {if pending.is_empty() {
                                    view! { <p class="empty">"Nothing is waiting for your decision."</p> }.into_any()
                                } else {
                                    view! {
                                        <PendingTable org rows=pending may_decide decide rejecting on_approve/>
                                    }
                                    .into_any()
                                }}
                                {(!may_decide).then(|| view! {
                                    <p class="muted">"Only Global admins and Managed Service Administrators can approve or reject."</p>
                                })}
                                <h2 id="past-title">"Decided and expired"</h2>
                                {if past.is_empty() {
                                    view! { <p class="empty">"No request has been decided or has expired yet."</p> }.into_any()
                                } else {
                                    view! { <RequestTable rows=past show_partner=true label="Decided and expired requests"/> }.into_any()
                                }}
                            }
                            .into_any()
                        }
                    }
                })}
            </Transition>
        </section>
        <RejectDialog org rejecting decide error=dialog_error/>
    }
    .into_any()
}

/// Partner mode *Change requests* of one customer: the changes the partner sent the customer
/// for approval, with their states and the customer's reasons.
#[component]
pub fn PartnerRequestsPage() -> impl IntoView {
    let Some((tenant, _)) = use_tenant() else {
        return ().into_any();
    };
    let customer = tenant.org;
    let name = tenant
        .customer_name
        .clone()
        .unwrap_or_else(|| "the customer".to_owned());
    let requests = Resource::new(|| (), move |_| list_partner_change_requests(customer));
    let lead = format!(
        "Your organisation's changes to {name}'s rooms that {name} asked to approve. Nothing changes until {name} approves; a request not decided within {CHANGE_REQUEST_DAYS} days expires. Times are in UTC."
    );
    let empty = format!(
        "None of your changes has waited for {name}'s approval. If {name} sets room changes to Manual approval, your changes are sent to them and listed here."
    );
    view! {
        <Title text="Change requests · Rooms MTM"/>
        <section aria-labelledby="page-title">
            <header class="page-header">
                <h1 id="page-title">"Change requests"</h1>
            </header>
            <p class="lead">{lead}</p>
            <Transition fallback=|| view! { <p class="muted" role="status">"Loading…"</p> }>
                {move || {
                    let empty = empty.clone();
                    Suspend::new(async move {
                        match requests.await {
                            Err(e) => view! { <ErrorNote error=Signal::derive(move || Some(e.clone()))/> }.into_any(),
                            Ok(rows) if rows.is_empty() => view! { <p class="empty">{empty}</p> }.into_any(),
                            Ok(rows) => view! { <RequestTable rows show_partner=false label="Change requests"/> }.into_any(),
                        }
                    })
                }}
            </Transition>
        </section>
    }
    .into_any()
}
