//! Organisation roles: customer mode *Settings > Administrators* and partner mode *Tenant managers*.

mod api;
mod page;
mod parts;

pub use api::*;
pub use page::{AdministratorsPage, TenantManagersPage};
