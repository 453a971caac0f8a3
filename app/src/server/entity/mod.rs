//! SeaORM entities, one per table of the migrations. Models never leave `app::server`.

pub mod audit_log;
pub mod change_request;
pub mod group_member;
pub mod incident;
pub mod login_attempt;
pub mod org_domain;
pub mod org_role_assignment;
pub mod org_settings;
pub mod organisation;
pub mod partner_approval;
pub mod partner_invited_admin;
pub mod partner_relationship;
pub mod partner_scope_item;
pub mod role;
pub mod role_assignment;
pub mod role_assignment_member;
pub mod role_assignment_scope;
pub mod role_permission;
pub mod room;
pub mod room_component;
pub mod room_group;
pub mod room_group_member;
pub mod security_group;
pub mod session;
pub mod update_ring;
pub mod user;
