pub mod api;
pub mod page;
pub mod parts;

pub use page::RoomsPage;
