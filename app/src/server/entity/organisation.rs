use crate::domain::ids::OrgId;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "organisations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: OrgId,
    pub name: String,
    pub manages_customers: bool,
    pub issuer_url: String,
    pub client_id: String,
    pub client_secret: String,
    /// Space-separated tenant ids (`tid` claims) this organisation accepts; empty accepts any
    /// tenant of its issuer (a single-tenant issuer such as Keycloak).
    pub accepted_tenant_ids: String,
    /// Where the client secret is read at each sign-in (`file:/path` or `env:NAME`) instead of
    /// `client_secret`, which is then empty. See `service::operator::client_secret`.
    pub client_secret_ref: Option<String>,
    /// The lower-cased UPN the operator named as first Global admin, until that user signs in.
    pub pending_global_admin: Option<String>,
    pub is_demo: bool,
    pub created_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    pub fn accepts_tenant(&self, tid: Option<&str>) -> bool {
        let mut accepted = self.accepted_tenant_ids.split_whitespace().peekable();
        accepted.peek().is_none()
            || tid.is_some_and(|tid| accepted.any(|a| a.eq_ignore_ascii_case(tid)))
    }
}
