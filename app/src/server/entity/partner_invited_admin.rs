use crate::domain::ids::{OrgId, RelationshipId};
use sea_orm::entity::prelude::*;

/// A user of the partner the customer named as a first admin of the relationship, by UPN.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "partner_invited_admins")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub relationship_id: RelationshipId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub upn: String,
    pub org_id: OrgId,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
