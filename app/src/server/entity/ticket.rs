use crate::domain::ids::{IncidentId, OrgId, UserId};
use crate::domain::tickets::{Priority, TicketStatus};
use sea_orm::entity::prelude::*;

/// The work item on one incident.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tickets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub incident_id: IncidentId,
    pub org_id: OrgId,
    pub status: TicketStatus,
    pub priority: Priority,
    /// A user of the customer or of a partner; named as when they were assigned.
    pub assignee_user_id: Option<UserId>,
    pub assignee_org_id: Option<OrgId>,
    pub assignee_name: Option<String>,
    /// Who raised a customer incident; `None` for a device's.
    pub raised_by: Option<UserId>,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::incident::Entity",
        from = "Column::IncidentId",
        to = "super::incident::Column::Id"
    )]
    Incident,
}

impl Related<super::incident::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Incident.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
