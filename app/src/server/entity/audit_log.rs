use crate::domain::ids::{AuditEntryId, OrgId, UserId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: AuditEntryId,
    /// The organisation whose data was acted on.
    pub org_id: OrgId,
    pub category: String,
    pub object_name: String,
    pub operation: String,
    pub result_status: String,
    pub actor_user_id: UserId,
    pub actor_org_id: OrgId,
    pub created_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
