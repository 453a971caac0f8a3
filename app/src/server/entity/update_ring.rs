use crate::domain::ids::{OrgId, UpdateRingId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "update_rings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: UpdateRingId,
    pub org_id: OrgId,
    pub name: String,
    pub name_lower: String,
    pub deferral_days: i32,
    pub created_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
