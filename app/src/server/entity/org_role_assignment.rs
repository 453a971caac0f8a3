use crate::domain::authz::OrgRole;
use crate::domain::ids::{GroupId, OrgId, OrgRoleAssignmentId, UserId};
use sea_orm::entity::prelude::*;

/// Exactly one of `user_id` and `group_id` is set.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "org_role_assignments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: OrgRoleAssignmentId,
    pub org_id: OrgId,
    pub role: OrgRole,
    pub user_id: Option<UserId>,
    pub group_id: Option<GroupId>,
    pub created_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
