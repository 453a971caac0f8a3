use crate::domain::ids::{IncidentId, OrgId, TicketEventId, UserId};
use crate::domain::tickets::TimelineKind;
use sea_orm::entity::prelude::*;

/// One entry of a ticket's timeline. The author is named as they were when they wrote it; the
/// portal's own entries carry nil ids.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ticket_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: TicketEventId,
    pub org_id: OrgId,
    pub incident_id: IncidentId,
    pub at: ChronoDateTimeUtc,
    pub kind: TimelineKind,
    pub author_user_id: UserId,
    pub author_org_id: OrgId,
    pub author_name: String,
    pub author_org_name: String,
    #[sea_orm(column_type = "Text")]
    pub body: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
