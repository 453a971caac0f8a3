use crate::codec::Json;
use crate::domain::ids::OrgId;
use crate::domain::overview::Overview;
use crate::error::AppError;
use leptos::prelude::*;

/// # Authorization
/// `Action::ViewOverview` in the user's own organisation; its room counts and refusals need
/// `Action::ViewRooms` and `Action::ViewAuditLog` and are left out without them.
#[server(endpoint = "get_overview", input = Json, output = Json)]
pub async fn get_overview() -> Result<Overview, AppError> {
    use crate::server::service::overview;
    crate::server::serve(async move {
        let cx = crate::server::request_cx().await?;
        Ok(overview::overview(&cx.db, &cx.actor, cx.actor.org, cx.now).await?)
    })
    .await
}

/// Partner mode: what the user holds in `customer` and the rooms there in their reach.
///
/// # Authorization
/// `Action::ViewOverview` in the customer: a partner role there through a live relationship.
#[server(endpoint = "get_customer_overview", input = Json, output = Json)]
pub async fn get_customer_overview(customer: OrgId) -> Result<Overview, AppError> {
    use crate::server::service::overview;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(customer).await?;
        Ok(overview::overview(&cx.db, &cx.actor, customer, cx.now).await?)
    })
    .await
}
