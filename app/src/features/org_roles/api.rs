use crate::codec::Json;
use crate::domain::authz::OrgRole;
use crate::domain::directory::{OrgRoleAssignmentView, Principal, RoleFamily};
use crate::domain::ids::{OrgId, OrgRoleAssignmentId};
use crate::error::AppError;
use leptos::prelude::*;

/// # Authorization
/// `family.view_action()` on `org`.
#[server(endpoint = "list_org_roles", input = Json, output = Json)]
pub async fn list_org_roles(
    org: OrgId,
    family: RoleFamily,
) -> Result<Vec<OrgRoleAssignmentView>, AppError> {
    use crate::server::service::org_roles;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(org).await?;
        Ok(org_roles::list_org_roles(&cx.db, &cx.actor, org, family).await?)
    })
    .await
}

/// # Authorization
/// The role family's manage action on `org`.
#[server(endpoint = "assign_org_role", input = Json, output = Json)]
pub async fn assign_org_role(
    org: OrgId,
    role: OrgRole,
    principal: Principal,
) -> Result<OrgRoleAssignmentView, AppError> {
    use crate::server::service::org_roles;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(org).await?;
        Ok(org_roles::assign_org_role(&cx.db, &cx.actor, org, role, principal, cx.now).await?)
    })
    .await
}

/// # Authorization
/// `family.manage_action()` on `org`; never removes the last Global admin.
#[server(endpoint = "remove_org_role", input = Json, output = Json)]
pub async fn remove_org_role(
    org: OrgId,
    family: RoleFamily,
    id: OrgRoleAssignmentId,
) -> Result<(), AppError> {
    use crate::server::service::org_roles;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(org).await?;
        Ok(org_roles::remove_org_role(&cx.db, &cx.actor, org, family, id, cx.now).await?)
    })
    .await
}
