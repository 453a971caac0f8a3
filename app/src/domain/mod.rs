//! Types shared by the server and the browser: IDs, wire types, validation and the authorization
//! core. Nothing here touches the database, the network or Leptos, so it compiles to WASM as is.

pub mod authz;
pub mod directory;
pub mod ids;
pub mod session;
pub mod validation;
