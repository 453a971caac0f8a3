use crate::domain::ids::{OrgId, RelationshipId};
use crate::domain::partners::{ApprovalMode, ChangeCategory};
use sea_orm::entity::prelude::*;

/// Whether the partner's changes of one category wait for the customer's approval.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "partner_approvals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub relationship_id: RelationshipId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub category: ChangeCategory,
    pub org_id: OrgId,
    pub mode: ApprovalMode,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
