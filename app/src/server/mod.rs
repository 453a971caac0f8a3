//! The server half of `app` (feature `ssr`): entities, the tenant-scoping module, services and
//! the request context of server functions. UI code never names SeaORM.

pub mod changes;
pub mod context;
pub mod entity;
pub mod error;
pub mod scope;
pub mod service;

pub use changes::Changes;
pub use context::{request_cx, request_cx_for, serve, RequestCx};
pub use error::{ConflictKind, ServiceError};
