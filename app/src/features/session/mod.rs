mod api;
pub use api::*;
