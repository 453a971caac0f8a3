use crate::domain::session::SessionView;
use crate::error::AppError;
use leptos::prelude::*;

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
        let customers = partners::customer_names(&cx.db, &cx.actor).await?;
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
