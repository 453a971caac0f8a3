//! The overview pages of customer mode and partner mode: who you are and what you can open.

mod page;
pub use page::{CustomerHomePage, PartnerHomePage};
