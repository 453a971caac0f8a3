use crate::codec::Json;
use crate::domain::ids::OrgId;
use crate::domain::session::SessionView;
use crate::error::AppError;
use leptos::prelude::*;

/// The signed-in user, or `None` when the session has ended.
///
/// # Authorization
/// None beyond a live session: it describes the caller only.
#[server(endpoint = "get_session", output = Json)]
pub async fn get_session(customer: Option<OrgId>) -> Result<Option<SessionView>, AppError> {
    use crate::server::service::partners;
    crate::server::serve(async move {
        let cx = match customer {
            Some(customer) => crate::server::request_cx_for(customer).await,
            None => crate::server::request_cx().await,
        };
        let cx = match cx {
            Ok(cx) => cx,
            Err(AppError::Unauthenticated) => return Ok(None),
            Err(e) => return Err(e),
        };
        let customers = partners::customer_names(&cx.db, &cx.actor, cx.now).await?;
        Ok(Some(SessionView {
            user_name: cx.user.display_name,
            upn: cx.user.upn,
            org_name: cx.org.name,
            actor: cx.actor,
            customers,
        }))
    })
    .await
}
