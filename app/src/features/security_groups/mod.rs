//! Customer mode *Settings > Security groups*.

mod api;
mod page;
mod parts;

pub use api::*;
pub use page::SecurityGroupsPage;
