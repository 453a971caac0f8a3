use crate::domain::ids::{GroupId, OrgId, RoleAssignmentId, UserId};
use sea_orm::entity::prelude::*;
use uuid::Uuid;

/// Exactly one of `user_id` and `group_id` is set.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "role_assignment_members")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_id: OrgId,
    pub assignment_id: RoleAssignmentId,
    pub user_id: Option<UserId>,
    pub group_id: Option<GroupId>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
