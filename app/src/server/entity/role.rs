use crate::domain::authz::BuiltInRole;
use crate::domain::ids::{OrgId, RelationshipId, RoleId};
use sea_orm::entity::prelude::*;

/// A role of *Settings > Roles*. Built-in roles take their permissions from the matrix in
/// `domain::authz`; custom roles from `role_permissions`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "roles")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: RoleId,
    pub org_id: OrgId,
    pub name: String,
    pub name_lower: String,
    pub description: String,
    pub built_in: Option<BuiltInRole>,
    pub created_at: ChronoDateTimeUtc,
    /// Set for a role of a partner relationship, which goes with it; its name is unique within
    /// the relationship rather than the organisation.
    pub relationship_id: Option<RelationshipId>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
