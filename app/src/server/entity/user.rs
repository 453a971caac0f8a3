use crate::domain::ids::{OrgId, UserId};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: UserId,
    pub org_id: OrgId,
    /// The identity key is (issuer, tenant_id, subject); e-mail is mutable and never a key.
    pub issuer: String,
    pub tenant_id: String,
    pub subject: String,
    pub upn: String,
    pub upn_lower: String,
    pub display_name: String,
    pub name_lower: String,
    pub created_at: ChronoDateTimeUtc,
    pub last_sign_in_at: Option<ChronoDateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
