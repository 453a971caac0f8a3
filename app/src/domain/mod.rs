//! Types shared by the server and the browser: IDs, wire types, validation and the authorization
//! core. Nothing here touches the database, the network or Leptos, so it compiles to WASM as is.

pub mod access;
pub mod audit;
pub mod authz;
pub mod directory;
pub mod health;
pub mod ids;
pub mod organisation;
pub mod overview;
pub mod partners;
pub mod reports;
pub mod roles;
pub mod rooms;
pub mod session;
#[cfg(test)]
pub(crate) mod test_rng;
pub mod tickets;
pub mod time;
pub mod url;
pub mod validation;
