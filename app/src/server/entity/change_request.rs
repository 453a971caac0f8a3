use crate::domain::ids::{ChangeRequestId, OrgId, RelationshipId, UserId};
use crate::domain::partners::ChangeCategory;
use sea_orm::entity::prelude::*;

/// A partner's change held for the customer's approval, in the customer's organisation.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "change_requests")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: ChangeRequestId,
    /// The customer.
    pub org_id: OrgId,
    pub relationship_id: RelationshipId,
    pub category: ChangeCategory,
    pub operation: String,
    pub object_name: String,
    /// The held change, as JSON.
    pub payload: String,
    /// `pending`, `approved`, `rejected`, `expired` or `failed`.
    pub state: String,
    /// A user of the partner; no foreign key, the name is kept in `requested_by_name`.
    pub requested_by: UserId,
    pub requested_by_name: String,
    pub created_at: ChronoDateTimeUtc,
    pub expires_at: ChronoDateTimeUtc,
    pub decided_at: Option<ChronoDateTimeUtc>,
    pub decided_by: Option<UserId>,
    pub reason: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
