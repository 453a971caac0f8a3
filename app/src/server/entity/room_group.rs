use crate::domain::ids::{OrgId, RoomGroupId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "room_groups")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: RoomGroupId,
    pub org_id: OrgId,
    pub name: String,
    pub name_lower: String,
    pub description: String,
    /// With `rule_site`, the rule that keeps membership current; both `None` for a static group.
    pub rule_country: Option<String>,
    pub rule_site: Option<String>,
    pub created_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
