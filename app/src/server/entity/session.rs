use crate::domain::ids::{OrgId, UserId};
use sea_orm::entity::prelude::*;

/// A signed-in browser. Only the SHA-256 of the cookie's token is stored.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sessions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id_hash: String,
    pub user_id: UserId,
    pub org_id: OrgId,
    /// Kept server-side only, as the `id_token_hint` of RP-initiated sign-out.
    #[sea_orm(column_type = "Text", nullable)]
    pub id_token: Option<String>,
    pub created_at: ChronoDateTimeUtc,
    pub expires_at: ChronoDateTimeUtc,
    /// Last use, for the idle timeout; `None` for sessions older than the column.
    #[sea_orm(nullable)]
    pub last_seen_at: Option<ChronoDateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
