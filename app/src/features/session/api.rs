use crate::domain::authz::Partnership;
use crate::domain::ids::OrgId;
use crate::domain::session::SessionView;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// The signed-in user, or `None` when the session has ended.
///
/// # Authorization
/// None beyond a live session: it describes the caller only.
#[server(endpoint = "get_session")]
pub async fn get_session() -> Result<Option<SessionView>, AppError> {
    use crate::server::service::{identity, partners};
    crate::server::serve(async move {
        let cx = match crate::server::request_cx().await {
            Ok(cx) => cx,
            Err(AppError::Unauthenticated) => return Ok(None),
            Err(e) => return Err(e),
        };
        let (user, org) = identity::user_and_org(&cx.db, &cx.actor).await?;
        let customers = partners::customer_names(&cx.db, &cx.actor, cx.now).await?;
        Ok(Some(SessionView {
            user_name: user.display_name,
            upn: user.upn,
            org_name: org.name,
            actor: cx.actor,
            customers,
        }))
    })
    .await
}

/// The partner roles the user holds in `customer`, within the relationship's scope, or `None`
/// when they hold none (or the relationship is not live): what partner mode's pages for that
/// customer offer. Loaded per customer, so the session costs the same with 2,000 customers.
///
/// # Authorization
/// None beyond a live session: it describes the caller only.
#[server(endpoint = "get_partnership", input = Json)]
pub async fn get_partnership(customer: OrgId) -> Result<Option<Partnership>, AppError> {
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(customer).await?;
        Ok(cx.actor.partnership(customer).cloned())
    })
    .await
}
