use crate::codec::Json;
use crate::domain::ids::{OrgId, RoleAssignmentId, RoleId};
use crate::domain::roles::{AssignmentDraft, RoleDetail, RoleDraft, RoleView};
use crate::error::AppError;
use leptos::prelude::*;

/// # Authorization
/// `Action::ViewRoles` on the organisation.
#[server(endpoint = "list_roles", input = Json, output = Json)]
pub async fn list_roles(org: OrgId) -> Result<Vec<RoleView>, AppError> {
    use crate::server::service::roles;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(org).await?;
        Ok(roles::list_roles(&cx.db, &cx.actor, org).await?)
    })
    .await
}

/// # Authorization
/// `Action::ViewRoles` on the organisation.
#[server(endpoint = "get_role", input = Json, output = Json)]
pub async fn get_role(org: OrgId, id: RoleId) -> Result<RoleDetail, AppError> {
    use crate::server::service::roles;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(org).await?;
        Ok(roles::get_role(&cx.db, &cx.actor, org, id).await?)
    })
    .await
}

/// The wizard's first step: whether the name is valid and free.
///
/// # Authorization
/// `Action::ModifyRoles`, as creating.
#[server(endpoint = "check_role_name", input = Json, output = Json)]
pub async fn check_role_name(org: OrgId, name: String) -> Result<(), AppError> {
    use crate::server::service::roles;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(org).await?;
        let name = RoleDraft::name_only(name)?;
        Ok(roles::check_role_name(&cx.db, &cx.actor, org, &name).await?)
    })
    .await
}

/// The wizard's Finish: the role and its first assignment.
///
/// # Authorization
/// `Action::ModifyRoles`, and nothing beyond what the actor holds.
#[server(endpoint = "create_role", input = Json, output = Json)]
pub async fn create_role(
    org: OrgId,
    role: RoleDraft,
    assignment: AssignmentDraft,
) -> Result<RoleId, AppError> {
    use crate::server::service::roles;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(org).await?;
        let (role, assignment) = (role.validate()?, assignment.validate()?);
        Ok(roles::create_role(&cx.db, &cx.actor, org, role, Some(assignment), cx.now).await?)
    })
    .await
}

/// # Authorization
/// `Action::ModifyRoles`; custom roles only; added permissions within what the actor holds.
#[server(endpoint = "update_role", input = Json, output = Json)]
pub async fn update_role(org: OrgId, id: RoleId, role: RoleDraft) -> Result<(), AppError> {
    use crate::server::service::roles;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(org).await?;
        Ok(roles::update_role(&cx.db, &cx.actor, org, id, role.validate()?, cx.now).await?)
    })
    .await
}

/// # Authorization
/// `Action::ModifyRoles`; custom roles only.
#[server(endpoint = "delete_role", input = Json, output = Json)]
pub async fn delete_role(org: OrgId, id: RoleId) -> Result<(), AppError> {
    use crate::server::service::roles;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(org).await?;
        Ok(roles::delete_role(&cx.db, &cx.actor, org, id, cx.now).await?)
    })
    .await
}

/// Adds (`id: None`) or replaces an assignment of a role.
///
/// # Authorization
/// `Action::ModifyRoles`, and the role's permissions over the scope within what the actor holds.
#[server(endpoint = "save_assignment", input = Json, output = Json)]
pub async fn save_assignment(
    org: OrgId,
    role: RoleId,
    id: Option<RoleAssignmentId>,
    assignment: AssignmentDraft,
) -> Result<RoleAssignmentId, AppError> {
    use crate::server::service::roles;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(org).await?;
        let draft = assignment.validate()?;
        Ok(roles::save_assignment(&cx.db, &cx.actor, org, role, id, draft, cx.now).await?)
    })
    .await
}

/// # Authorization
/// `Action::ModifyRoles` on the organisation.
#[server(endpoint = "delete_assignment", input = Json, output = Json)]
pub async fn delete_assignment(org: OrgId, id: RoleAssignmentId) -> Result<(), AppError> {
    use crate::server::service::roles;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(org).await?;
        Ok(roles::delete_assignment(&cx.db, &cx.actor, org, id, cx.now).await?)
    })
    .await
}
