//! The overview pages of customer mode and partner mode: who you are, what you hold, your rooms
//! at a glance, and what you can open.

pub mod api;
mod page;
pub use page::{CustomerHomePage, PartnerHomePage, TenantHomePage};
