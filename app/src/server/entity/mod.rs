//! SeaORM entities, one per table of the migrations. Models never leave `app::server`.

pub mod audit_log;
pub mod group_member;
pub mod login_attempt;
pub mod org_domain;
pub mod org_role_assignment;
pub mod organisation;
pub mod security_group;
pub mod session;
pub mod user;
