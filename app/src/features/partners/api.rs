use crate::codec::Json;
use crate::domain::ids::{OrgId, RelationshipId, RoleId};
use crate::domain::partners::{InvitationDraft, PartnerView, ScopeChoice};
use crate::error::AppError;
use leptos::prelude::*;

/// # Authorization
/// `Action::ViewPartners` on `org`.
#[server(endpoint = "list_partners", input = Json, output = Json)]
pub async fn list_partners(org: OrgId) -> Result<Vec<PartnerView>, AppError> {
    use crate::server::service::partners;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(org).await?;
        Ok(partners::list_partners(&cx.db, &cx.actor, org, cx.now).await?)
    })
    .await
}

/// # Authorization
/// `Action::ManagePartners` on `org`.
#[server(endpoint = "invite_partner", input = Json, output = Json)]
pub async fn invite_partner(
    org: OrgId,
    draft: InvitationDraft,
) -> Result<RelationshipId, AppError> {
    use crate::server::service::partners;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(org).await?;
        let draft = draft.validate(cx.now.date_naive())?;
        Ok(partners::invite_partner(&cx.db, &cx.actor, org, draft, cx.now).await?)
    })
    .await
}

/// Withdraws a pending invitation or removes a partner.
///
/// # Authorization
/// `Action::ManagePartners` on `org`.
#[server(endpoint = "remove_partner", input = Json, output = Json)]
pub async fn remove_partner(org: OrgId, id: RelationshipId) -> Result<(), AppError> {
    use crate::server::service::partners;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(org).await?;
        Ok(partners::remove_partner(&cx.db, &cx.actor, org, id, cx.now).await?)
    })
    .await
}

/// Changes the rooms in scope and the end date.
///
/// # Authorization
/// `Action::ManagePartners` on the relationship.
#[server(endpoint = "update_partner", input = Json, output = Json)]
pub async fn update_partner(
    org: OrgId,
    id: RelationshipId,
    scope: ScopeChoice,
    ends_on: Option<chrono::NaiveDate>,
) -> Result<(), AppError> {
    use crate::server::service::partners;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(org).await?;
        Ok(partners::update_partner(&cx.db, &cx.actor, org, id, scope, ends_on, cx.now).await?)
    })
    .await
}

/// # Authorization
/// `Action::ManagePartners` on the relationship.
#[server(endpoint = "delete_partner_role", input = Json, output = Json)]
pub async fn delete_partner_role(
    org: OrgId,
    id: RelationshipId,
    role: RoleId,
) -> Result<(), AppError> {
    use crate::server::service::partners;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(org).await?;
        Ok(partners::delete_partner_role(&cx.db, &cx.actor, org, id, role, cx.now).await?)
    })
    .await
}
