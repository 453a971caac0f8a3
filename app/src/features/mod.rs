//! Features, each as `api.rs` (server functions), `page.rs` (routed pages) and `parts.rs` (their
//! components).

pub mod approvals;
pub mod directory;
pub mod general;
pub mod home;
pub mod incidents;
pub mod login;
pub mod org_roles;
pub mod partners;
pub mod reports;
pub mod roles;
pub mod room_groups;
pub mod rooms;
pub mod security_groups;
pub mod session;
pub mod tenants;
