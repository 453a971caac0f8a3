use crate::domain::ids::{OrgId, RelationshipId, RoomGroupId, RoomId};
use sea_orm::entity::prelude::*;
use uuid::Uuid;

/// A room or room group a relationship covers. Exactly one of `room_id` and `room_group_id` is
/// set.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "partner_scope_items")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_id: OrgId,
    pub relationship_id: RelationshipId,
    pub room_id: Option<RoomId>,
    pub room_group_id: Option<RoomGroupId>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
