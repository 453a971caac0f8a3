use crate::codec::Json;
use crate::domain::ids::{OrgId, RoomGroupId, RoomId, UpdateRingId};
use crate::domain::rooms::{
    MemberQuery, RoomGroupDetail, RoomGroupInput, RoomGroupView, UpdateRingInput, UpdateRingView,
};
use crate::error::AppError;
use leptos::prelude::*;

/// # Authorization
/// `Action::ViewRoomGroups`; the groups the actor's scope names.
#[server(endpoint = "list_room_groups", input = Json, output = Json)]
pub async fn list_room_groups(org: OrgId) -> Result<Vec<RoomGroupView>, AppError> {
    use crate::server::service::room_groups;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(org).await?;
        Ok(room_groups::list_room_groups(&cx.db, &cx.actor, org).await?)
    })
    .await
}

/// # Authorization
/// `Action::ViewRoomGroups` on the group.
#[server(endpoint = "get_room_group", input = Json, output = Json)]
pub async fn get_room_group(
    org: OrgId,
    id: RoomGroupId,
    #[server(default)] members: MemberQuery,
) -> Result<RoomGroupDetail, AppError> {
    use crate::server::service::room_groups;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(org).await?;
        let members = members.validate()?;
        Ok(room_groups::get_room_group(&cx.db, &cx.actor, org, id, members).await?)
    })
    .await
}

/// # Authorization
/// `Action::CreateRoomGroup` on the organisation.
#[server(endpoint = "create_room_group", input = Json, output = Json)]
pub async fn create_room_group(
    org: OrgId,
    input: RoomGroupInput,
) -> Result<RoomGroupView, AppError> {
    use crate::server::service::room_groups;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(org).await?;
        Ok(
            room_groups::create_room_group(&cx.db, &cx.actor, org, input.validate()?, cx.now)
                .await?,
        )
    })
    .await
}

/// # Authorization
/// `Action::ModifyRoomGroup` on the group (on the organisation when the rule changes).
#[server(endpoint = "update_room_group", input = Json, output = Json)]
pub async fn update_room_group(
    org: OrgId,
    id: RoomGroupId,
    input: RoomGroupInput,
) -> Result<(), AppError> {
    use crate::server::service::room_groups;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(org).await?;
        Ok(
            room_groups::update_room_group(&cx.db, &cx.actor, org, id, input.validate()?, cx.now)
                .await?,
        )
    })
    .await
}

/// # Authorization
/// `Action::ModifyRoomGroup` on the group.
#[server(endpoint = "delete_room_group", input = Json, output = Json)]
pub async fn delete_room_group(org: OrgId, id: RoomGroupId) -> Result<(), AppError> {
    use crate::server::service::room_groups;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(org).await?;
        Ok(room_groups::delete_room_group(&cx.db, &cx.actor, org, id, cx.now).await?)
    })
    .await
}

/// # Authorization
/// `Action::ModifyRoomGroup` on the group and on the room.
#[server(endpoint = "set_room_group_member", input = Json, output = Json)]
pub async fn set_room_group_member(
    org: OrgId,
    id: RoomGroupId,
    room: RoomId,
    member: bool,
) -> Result<(), AppError> {
    use crate::server::service::room_groups;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(org).await?;
        Ok(
            room_groups::set_room_group_member(&cx.db, &cx.actor, org, id, room, member, cx.now)
                .await?,
        )
    })
    .await
}

/// # Authorization
/// `Action::ViewUpdateRings` over some rooms.
#[server(endpoint = "list_update_rings", input = Json, output = Json)]
pub async fn list_update_rings(org: OrgId) -> Result<Vec<UpdateRingView>, AppError> {
    use crate::server::service::room_groups;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(org).await?;
        Ok(room_groups::list_update_rings(&cx.db, &cx.actor, org).await?)
    })
    .await
}

/// # Authorization
/// `Action::CreateUpdateRing` on the organisation.
#[server(endpoint = "create_update_ring", input = Json, output = Json)]
pub async fn create_update_ring(
    org: OrgId,
    input: UpdateRingInput,
) -> Result<UpdateRingView, AppError> {
    use crate::server::service::room_groups;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(org).await?;
        Ok(
            room_groups::create_update_ring(&cx.db, &cx.actor, org, input.validate()?, cx.now)
                .await?,
        )
    })
    .await
}

/// # Authorization
/// `Action::ModifyUpdateRing` on the organisation.
#[server(endpoint = "update_update_ring", input = Json, output = Json)]
pub async fn update_update_ring(
    org: OrgId,
    id: UpdateRingId,
    input: UpdateRingInput,
) -> Result<(), AppError> {
    use crate::server::service::room_groups;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(org).await?;
        Ok(
            room_groups::update_update_ring(&cx.db, &cx.actor, org, id, input.validate()?, cx.now)
                .await?,
        )
    })
    .await
}

/// # Authorization
/// `Action::ModifyUpdateRing` on the organisation.
#[server(endpoint = "delete_update_ring", input = Json, output = Json)]
pub async fn delete_update_ring(org: OrgId, id: UpdateRingId) -> Result<(), AppError> {
    use crate::server::service::room_groups;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(org).await?;
        Ok(room_groups::delete_update_ring(&cx.db, &cx.actor, org, id, cx.now).await?)
    })
    .await
}
