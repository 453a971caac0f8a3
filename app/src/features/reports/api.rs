use crate::codec::Json;
use crate::domain::ids::OrgId;
use crate::domain::reports::{Period, Reports};
use crate::error::AppError;
use leptos::prelude::*;

/// The reports of `period` (the last seven days without one).
///
/// # Authorization
/// `Action::ViewReports`; every number counts only rooms in the actor's reach.
#[server(endpoint = "get_reports", input = Json, output = Json)]
pub async fn get_reports(org: OrgId, period: Option<Period>) -> Result<Reports, AppError> {
    use crate::server::service::reports;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(org).await?;
        let today = cx.now.date_naive();
        let period = period
            .unwrap_or_else(|| Period::last_week(today))
            .validate(today)?;
        Ok(reports::reports(&cx.db, &cx.actor, org, period, cx.now).await?)
    })
    .await
}
