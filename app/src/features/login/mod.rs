//! The login page: asks for the e-mail address; the server finds the organisation by its domain
//! (home-realm discovery) and sends the browser to that organisation's identity provider.

mod page;
pub use page::{login_message, LoginPage};
