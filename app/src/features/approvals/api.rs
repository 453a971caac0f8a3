use crate::codec::Json;
use crate::domain::ids::{ChangeRequestId, OrgId};
use crate::domain::partners::ChangeRequestView;
use crate::error::AppError;
use leptos::prelude::*;

/// The customer's change requests: pending ones first, then decided and expired ones.
///
/// # Authorization
/// `Action::ViewPartners` on `org`.
#[server(endpoint = "list_change_requests", input = Json, output = Json)]
pub async fn list_change_requests(org: OrgId) -> Result<Vec<ChangeRequestView>, AppError> {
    use crate::server::service::approvals;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(org).await?;
        Ok(approvals::list_requests(&cx.db, &cx.actor, org, cx.now).await?)
    })
    .await
}

/// Approves a pending request (the change is made as the partner asked, if the partner may
/// still make it) or rejects it with a reason (nothing changes). Decided once.
///
/// # Authorization
/// `Action::ManagePartners` on `org`.
#[server(endpoint = "decide_change_request", input = Json, output = Json)]
pub async fn decide_change_request(
    org: OrgId,
    id: ChangeRequestId,
    approve: bool,
    reason: String,
) -> Result<ChangeRequestView, AppError> {
    use crate::domain::partners::DecisionReason;
    use crate::server::service::approvals;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(org).await?;
        let reason = DecisionReason::parse(approve, &reason)?;
        Ok(approvals::decide(&cx.db, &cx.actor, org, id, approve, reason, cx.now).await?)
    })
    .await
}

/// The requests the user's organisation sent to `customer`, with their states and reasons.
///
/// # Authorization
/// A partner role in `customer` (a live partnership); anyone else gets "not found".
#[server(endpoint = "list_partner_change_requests", input = Json, output = Json)]
pub async fn list_partner_change_requests(
    customer: OrgId,
) -> Result<Vec<ChangeRequestView>, AppError> {
    use crate::server::service::approvals;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(customer).await?;
        Ok(approvals::list_requests_for_partner(&cx.db, &cx.actor, customer, cx.now).await?)
    })
    .await
}
