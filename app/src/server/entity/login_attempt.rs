use crate::domain::ids::OrgId;
use sea_orm::entity::prelude::*;

/// A sign-in in flight: created when the browser is sent to the issuer, consumed (deleted) by
/// the one callback that may use it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "login_attempts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub state_hash: String,
    pub org_id: OrgId,
    pub nonce: String,
    pub pkce_verifier: String,
    pub return_to: String,
    pub created_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
