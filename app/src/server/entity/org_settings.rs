use crate::domain::ids::OrgId;
use sea_orm::entity::prelude::*;

/// One row per organisation. The enrollment key is kept readable because *Download key* shows
/// it; it is compared by the unique index when a device enrolls.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "org_settings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub org_id: OrgId,
    pub notification_email: String,
    pub maintenance_start: String,
    pub maintenance_hours: i32,
    pub offline_after_minutes: i32,
    pub enrollment_key: String,
    pub key_rotated_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
