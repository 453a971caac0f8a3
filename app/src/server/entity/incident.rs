use crate::domain::health::{Component, IncidentStatus, Severity};
use crate::domain::ids::{IncidentId, OrgId, RoomId};
use sea_orm::entity::prelude::*;

/// A component of a room that turned bad, or the room falling silent (`Component::Offline`).
/// At most one active per room and component (a partial unique index).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "incidents")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: IncidentId,
    pub org_id: OrgId,
    pub room_id: RoomId,
    pub component: Component,
    pub severity: Severity,
    /// `Severity::rank`, for sorting by severity in an index.
    pub severity_rank: i16,
    pub status: IncidentStatus,
    pub title: String,
    pub opened_at: ChronoDateTimeUtc,
    pub resolved_at: Option<ChronoDateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::room::Entity",
        from = "Column::RoomId",
        to = "super::room::Column::Id"
    )]
    Room,
    #[sea_orm(has_one = "super::ticket::Entity")]
    Ticket,
}

impl ActiveModelBehavior for ActiveModel {}
