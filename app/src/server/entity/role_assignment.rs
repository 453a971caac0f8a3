use crate::domain::ids::{OrgId, RoleAssignmentId, RoleId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "role_assignments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: RoleAssignmentId,
    pub org_id: OrgId,
    pub role_id: RoleId,
    pub name: String,
    pub description: String,
    pub notify: bool,
    /// When true the scope is every room of the organisation and `role_assignment_scopes` is
    /// empty.
    pub all_rooms: bool,
    pub created_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
