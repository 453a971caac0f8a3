use crate::codec::Json;
use crate::domain::ids::{OrgId, RoomId, UpdateRingId};
use crate::domain::partners::ChangeOutcome;
use crate::domain::rooms::{RoomDetail, RoomFacets, RoomInput, RoomPage, RoomQuery, RoomRow};
use crate::error::AppError;
use leptos::prelude::*;

/// # Authorization
/// `Action::ViewRooms`; only rooms in the actor's reach.
#[server(endpoint = "list_rooms", input = Json, output = Json)]
pub async fn list_rooms(org: OrgId, query: RoomQuery) -> Result<RoomPage, AppError> {
    use crate::server::service::rooms;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(org).await?;
        Ok(rooms::list_rooms(&cx.db, &cx.actor, org, query.validate()?).await?)
    })
    .await
}

/// # Authorization
/// `Action::ViewRooms`; values of rooms in the actor's reach.
#[server(endpoint = "room_facets", input = Json, output = Json)]
pub async fn get_room_facets(org: OrgId) -> Result<RoomFacets, AppError> {
    use crate::server::service::rooms;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(org).await?;
        Ok(rooms::room_facets(&cx.db, &cx.actor, org).await?)
    })
    .await
}

/// # Authorization
/// `Action::ViewRooms` on the room.
#[server(endpoint = "get_room", input = Json, output = Json)]
pub async fn get_room(org: OrgId, id: RoomId) -> Result<RoomDetail, AppError> {
    use crate::server::service::rooms;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(org).await?;
        Ok(rooms::get_room(&cx.db, &cx.actor, org, id).await?)
    })
    .await
}

/// # Authorization
/// `Action::CreateRoom` on the room as it would be.
#[server(endpoint = "create_room", input = Json, output = Json)]
pub async fn create_room(org: OrgId, input: RoomInput) -> Result<RoomRow, AppError> {
    use crate::server::service::rooms;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(org).await?;
        Ok(rooms::create_room(&cx.db, &cx.actor, org, input.validate()?, cx.now).await?)
    })
    .await
}

/// A partner's change under manual approval is held for the customer (`AwaitingApproval`).
///
/// # Authorization
/// `Action::ModifyRoom` on the room before and after.
#[server(endpoint = "update_room", input = Json, output = Json)]
pub async fn update_room(
    org: OrgId,
    id: RoomId,
    input: RoomInput,
) -> Result<ChangeOutcome, AppError> {
    use crate::server::service::rooms;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(org).await?;
        Ok(rooms::update_room(&cx.db, &cx.actor, org, id, input.validate()?, cx.now).await?)
    })
    .await
}

/// A partner's unenroll under manual approval is held for the customer (`AwaitingApproval`).
///
/// # Authorization
/// `Action::UnenrollRoom` on the room.
#[server(endpoint = "unenroll_room", input = Json, output = Json)]
pub async fn unenroll_room(org: OrgId, id: RoomId) -> Result<ChangeOutcome, AppError> {
    use crate::server::service::rooms;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(org).await?;
        Ok(rooms::unenroll_room(&cx.db, &cx.actor, org, id, cx.now).await?)
    })
    .await
}

/// A partner's deletion under manual approval is held for the customer (`AwaitingApproval`).
///
/// # Authorization
/// `Action::CreateRoom` on the room (whoever may add rooms may delete them).
#[server(endpoint = "delete_room", input = Json, output = Json)]
pub async fn delete_room(org: OrgId, id: RoomId) -> Result<ChangeOutcome, AppError> {
    use crate::server::service::rooms;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(org).await?;
        Ok(rooms::delete_room(&cx.db, &cx.actor, org, id, cx.now).await?)
    })
    .await
}

/// A partner's move under manual approval is held for the customer (`AwaitingApproval`).
///
/// # Authorization
/// `Action::ModifyUpdateRing` on the room.
#[server(endpoint = "set_room_ring", input = Json, output = Json)]
pub async fn set_room_ring(
    org: OrgId,
    id: RoomId,
    ring: Option<UpdateRingId>,
) -> Result<ChangeOutcome, AppError> {
    use crate::server::service::rooms;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(org).await?;
        Ok(rooms::set_room_ring(&cx.db, &cx.actor, org, id, ring, cx.now).await?)
    })
    .await
}

/// # Authorization
/// `Action::DownloadEnrollmentKey` over some rooms.
#[server(endpoint = "get_enrollment_key", input = Json, output = Json)]
pub async fn get_enrollment_key(org: OrgId) -> Result<String, AppError> {
    use crate::server::service::settings;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(org).await?;
        Ok(settings::enrollment_key(&cx.db, &cx.actor, org, cx.now).await?)
    })
    .await
}

/// # Authorization
/// `Action::ResetEnrollmentKey` on the organisation.
#[server(endpoint = "reset_enrollment_key", input = Json, output = Json)]
pub async fn reset_enrollment_key(org: OrgId) -> Result<String, AppError> {
    use crate::server::service::settings;
    crate::server::serve(async move {
        let cx = crate::server::request_cx_for(org).await?;
        Ok(settings::reset_enrollment_key(&cx.db, &cx.actor, org, cx.now).await?)
    })
    .await
}
