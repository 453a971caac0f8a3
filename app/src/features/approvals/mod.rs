//! Change control: customer mode *Settings > Approvals* (partners' changes held for approval,
//! approve or reject, past decisions) and partner mode *Change requests* (the requests the
//! partner sent one customer, with their states and reasons).

mod api;
mod page;
mod parts;

pub use api::*;
pub use page::{ApprovalsPage, PartnerRequestsPage};
