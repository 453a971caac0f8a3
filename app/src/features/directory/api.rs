use crate::codec::Json;
use crate::domain::directory::PrincipalView;
use crate::domain::ids::OrgId;
use crate::error::AppError;
use leptos::prelude::*;

/// Searches the organisation's users (and groups unless `users_only`).
///
/// # Authorization
/// `Action::SearchDirectory` on `org`.
#[server(endpoint = "search_directory", input = Json, output = Json)]
pub async fn search_directory(
    org: OrgId,
    query: String,
    users_only: bool,
) -> Result<Vec<PrincipalView>, AppError> {
    use crate::domain::validation::SearchTerm;
    use crate::server::service::directory::{self, Kinds};
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(org).await?;
        let term = SearchTerm::parse(&query)?;
        let kinds = if users_only {
            Kinds::UsersOnly
        } else {
            Kinds::UsersAndGroups
        };
        Ok(directory::search_directory(&cx.db, &cx.actor, org, &term, kinds).await?)
    })
    .await
}
