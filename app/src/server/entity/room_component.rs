use crate::domain::health::{Component, Signal};
use crate::domain::ids::{OrgId, RoomId};
use sea_orm::entity::prelude::*;

/// A room's last reported signal of one component.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "room_components")]
pub struct Model {
    pub org_id: OrgId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub room_id: RoomId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub component: Component,
    pub signal: Signal,
    pub changed_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
