//! Integration tests of the services against a real database with the real migrations: SQLite
//! in memory by default, PostgreSQL when `TEST_DATABASE_URL` names a server (each test gets its
//! own database there).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod approvals;
mod audit;
mod common;
mod directory;
mod groups;
mod health;
mod identity;
mod org_roles;
mod partners;
mod reports;
mod roles;
mod rooms;
mod tickets;
