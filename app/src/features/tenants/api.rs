use crate::codec::Json;
use crate::domain::directory::Principal;
use crate::domain::ids::{OrgId, RelationshipId};
use crate::domain::partners::TenantPage;
use crate::error::AppError;
use leptos::prelude::*;

/// # Authorization
/// The user's own organisation's relationships: invitations for its staff and invited admins,
/// customers for its staff (metadata) and for holders of a partner role.
#[server(endpoint = "list_tenants", input = Json, output = Json)]
pub async fn list_tenants(page: u64) -> Result<TenantPage, AppError> {
    use crate::server::service::partners;
    crate::server::serve(async move {
        let cx = crate::server::request_cx().await?;
        Ok(partners::list_tenants(&cx.db, &cx.actor, page, cx.now).await?)
    })
    .await
}

/// # Authorization
/// `Action::AnswerInvitation` in the user's organisation.
#[server(endpoint = "accept_invitation", input = Json, output = Json)]
pub async fn accept_invitation(
    id: RelationshipId,
    primary_admins: Vec<Principal>,
) -> Result<(), AppError> {
    use crate::server::service::partners;
    crate::server::serve(async move {
        let cx = crate::server::request_cx().await?;
        Ok(partners::accept_invitation(&cx.db, &cx.actor, id, primary_admins, cx.now).await?)
    })
    .await
}

/// # Authorization
/// `Action::AnswerInvitation` in the user's organisation.
#[server(endpoint = "deny_invitation", input = Json, output = Json)]
pub async fn deny_invitation(id: RelationshipId) -> Result<(), AppError> {
    use crate::server::service::partners;
    crate::server::serve(async move {
        let cx = crate::server::request_cx().await?;
        Ok(partners::deny_invitation(&cx.db, &cx.actor, id, cx.now).await?)
    })
    .await
}

/// # Authorization
/// `Action::RemoveCustomer`: the customer's Primary admins.
#[server(endpoint = "remove_customer", input = Json, output = Json)]
pub async fn remove_customer(customer: OrgId) -> Result<(), AppError> {
    use crate::server::service::partners;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(customer).await?;
        Ok(partners::remove_customer(&cx.db, &cx.actor, customer, cx.now).await?)
    })
    .await
}
