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
    /// The actor's display name and organisation name when the entry was written, so the log
    /// of a customer names a partner's user without reading the partner's directory.
    pub actor_name: String,
    pub actor_org_name: String,
    /// The actor's UPN when the entry was written (empty for the portal's own entries).
    pub actor_upn: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
