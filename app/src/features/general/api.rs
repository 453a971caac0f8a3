use crate::codec::Json;
use crate::domain::audit::{AuditPage, AuditQuery};
use crate::domain::ids::OrgId;
use crate::domain::rooms::ServiceSettings;
use crate::error::AppError;
use leptos::prelude::*;

/// # Authorization
/// `Action::ViewSettings` on the organisation.
#[server(endpoint = "get_settings", input = Json, output = Json)]
pub async fn get_settings(org: OrgId) -> Result<ServiceSettings, AppError> {
    use crate::server::service::settings;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(org).await?;
        Ok(settings::get_settings(&cx.db, &cx.actor, org, cx.now).await?)
    })
    .await
}

/// # Authorization
/// `Action::ModifySettings` on the organisation.
#[server(endpoint = "update_settings", input = Json, output = Json)]
pub async fn update_settings(
    org: OrgId,
    settings: ServiceSettings,
) -> Result<ServiceSettings, AppError> {
    use crate::server::service::settings as service;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(org).await?;
        Ok(service::update_settings(&cx.db, &cx.actor, org, settings.validate()?, cx.now).await?)
    })
    .await
}

/// # Authorization
/// `Action::ViewAuditLog` on the organisation (Global admin or MSA).
#[server(endpoint = "list_audit", input = Json, output = Json)]
pub async fn list_audit(org: OrgId, query: AuditQuery) -> Result<AuditPage, AppError> {
    use crate::server::service::audit;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(org).await?;
        Ok(audit::list(&cx.db, &cx.actor, org, query).await?)
    })
    .await
}
