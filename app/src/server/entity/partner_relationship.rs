use crate::domain::ids::{OrgId, RelationshipId};
use crate::domain::partners::RelationshipState;
use sea_orm::entity::prelude::*;

/// A customer's invitation of a partner, and once accepted the partner's access. The row belongs
/// to the customer (`org_id`); expiry and "ending soon" follow from the dates
/// (`domain::partners::status_at`), not from `state`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "partner_relationships")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: RelationshipId,
    /// The customer.
    pub org_id: OrgId,
    pub partner_org_id: OrgId,
    pub state: RelationshipState,
    /// When set, the relationship covers every room and has no `partner_scope_items`.
    pub all_rooms: bool,
    pub invitation_expires_at: ChronoDateTimeUtc,
    pub ends_at: Option<ChronoDateTimeUtc>,
    pub created_at: ChronoDateTimeUtc,
    pub accepted_at: Option<ChronoDateTimeUtc>,
    /// The expiry or end date for which "expired" was last written to both logs.
    pub lapse_logged_for: Option<ChronoDateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
