use crate::domain::ids::{OrgId, RoomGroupId, RoomId};
use sea_orm::entity::prelude::*;

/// A static member of a room group.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "room_group_members")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub room_group_id: RoomGroupId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub room_id: RoomId,
    pub org_id: OrgId,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
