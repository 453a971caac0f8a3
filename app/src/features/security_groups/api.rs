use crate::codec::Json;
use crate::domain::directory::{GroupDetailView, GroupView};
use crate::domain::ids::{GroupId, OrgId, UserId};
use crate::error::AppError;
use leptos::prelude::*;

/// # Authorization
/// `Action::ViewSecurityGroups` on `org`.
#[server(endpoint = "list_groups", input = Json, output = Json)]
pub async fn list_groups(org: OrgId) -> Result<Vec<GroupView>, AppError> {
    use crate::server::service::groups;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(org).await?;
        Ok(groups::list_groups(&cx.db, &cx.actor, org).await?)
    })
    .await
}

/// # Authorization
/// `Action::ViewSecurityGroups` on `org`.
#[server(endpoint = "get_group", input = Json, output = Json)]
pub async fn get_group(org: OrgId, id: GroupId) -> Result<GroupDetailView, AppError> {
    use crate::server::service::groups;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(org).await?;
        Ok(groups::get_group(&cx.db, &cx.actor, org, id).await?)
    })
    .await
}

/// # Authorization
/// `Action::ManageSecurityGroups` on `org`.
#[server(endpoint = "create_group", input = Json, output = Json)]
pub async fn create_group(org: OrgId, name: String) -> Result<GroupView, AppError> {
    use crate::domain::validation::GroupName;
    use crate::server::service::groups;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(org).await?;
        let name = GroupName::parse(&name)?;
        Ok(groups::create_group(&cx.db, &cx.actor, org, name, cx.now).await?)
    })
    .await
}

/// # Authorization
/// `Action::ManageSecurityGroups` on `org`.
#[server(endpoint = "rename_group", input = Json, output = Json)]
pub async fn rename_group(org: OrgId, id: GroupId, name: String) -> Result<(), AppError> {
    use crate::domain::validation::GroupName;
    use crate::server::service::groups;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(org).await?;
        let name = GroupName::parse(&name)?;
        Ok(groups::rename_group(&cx.db, &cx.actor, org, id, name, cx.now).await?)
    })
    .await
}

/// # Authorization
/// `Action::ManageSecurityGroups` on `org`; never removes the last Global admin.
#[server(endpoint = "delete_group", input = Json, output = Json)]
pub async fn delete_group(org: OrgId, id: GroupId) -> Result<(), AppError> {
    use crate::server::service::groups;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(org).await?;
        Ok(groups::delete_group(&cx.db, &cx.actor, org, id, cx.now).await?)
    })
    .await
}

/// # Authorization
/// `Action::ManageSecurityGroups` on `org`.
#[server(endpoint = "add_group_member", input = Json, output = Json)]
pub async fn add_group_member(org: OrgId, id: GroupId, user: UserId) -> Result<(), AppError> {
    use crate::server::service::groups;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(org).await?;
        Ok(groups::add_group_member(&cx.db, &cx.actor, org, id, user, cx.now).await?)
    })
    .await
}

/// # Authorization
/// `Action::ManageSecurityGroups` on `org`; never removes the last Global admin.
#[server(endpoint = "remove_group_member", input = Json, output = Json)]
pub async fn remove_group_member(org: OrgId, id: GroupId, user: UserId) -> Result<(), AppError> {
    use crate::server::service::groups;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(org).await?;
        Ok(groups::remove_group_member(&cx.db, &cx.actor, org, id, user, cx.now).await?)
    })
    .await
}
