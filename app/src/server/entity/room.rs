use crate::domain::ids::{OrgId, RoomId, UpdateRingId};
use crate::domain::rooms::{Enrollment, Health, Platform};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rooms")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: RoomId,
    pub org_id: OrgId,
    pub display_name: String,
    pub name_lower: String,
    /// Lower-cased; unique per organisation.
    pub resource_account: String,
    pub site: String,
    pub city: String,
    pub country: String,
    pub platform: Platform,
    pub enrollment: Enrollment,
    pub health: Health,
    pub last_heartbeat: Option<ChronoDateTimeUtc>,
    /// The device's time of the newest heartbeat whose signals were applied: an older one
    /// arriving late changes no signal.
    pub signals_at: Option<ChronoDateTimeUtc>,
    pub update_ring_id: Option<UpdateRingId>,
    /// SHA-256 of the device credential; `None` when unenrolled (revoked).
    pub device_token_hash: Option<String>,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
