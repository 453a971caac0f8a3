//! Partner mode *Tenants*: the customers and their invitations, accepting and denying, removing a
//! customer.

mod api;
mod page;
mod parts;

pub use api::*;
pub use page::TenantsPage;
