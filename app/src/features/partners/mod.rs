//! Customer mode *Settings > Partners*: inviting a partner, its relationship and partner roles,
//! removing it.

mod api;
mod page;
mod parts;

pub use api::*;
pub use page::{NewPartnerPage, PartnersPage};
