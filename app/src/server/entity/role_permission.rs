use crate::domain::authz::Permission;
use crate::domain::ids::{OrgId, RoleId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "role_permissions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub role_id: RoleId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub permission: Permission,
    pub org_id: OrgId,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
