//! The one `Migrator` of the portal. Migrations run on start (and in every integration test), on
//! SQLite and PostgreSQL alike, so they use only portable column types.

pub use sea_orm_migration::prelude::*;

mod m20261124_000001_create_directory;
mod m20261124_000002_create_rooms;
mod m20261125_000002_operator;
mod m20261125_000003_session_idle;
mod m20261125_000004_partners;
mod m20261126_000005_grant_indexes;
mod m20261126_000006_relationship_lapses;
mod m20261126_000007_room_health;
mod m20261126_000008_tickets;
mod m20261126_000009_ingest_and_reports;
mod m20261126_000010_audit_upn;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261124_000001_create_directory::Migration),
            Box::new(m20261124_000002_create_rooms::Migration),
            Box::new(m20261125_000002_operator::Migration),
            Box::new(m20261125_000003_session_idle::Migration),
            Box::new(m20261125_000004_partners::Migration),
            Box::new(m20261126_000005_grant_indexes::Migration),
            Box::new(m20261126_000006_relationship_lapses::Migration),
            Box::new(m20261126_000007_room_health::Migration),
            Box::new(m20261126_000008_tickets::Migration),
            Box::new(m20261126_000009_ingest_and_reports::Migration),
            Box::new(m20261126_000010_audit_upn::Migration),
        ]
    }
}
