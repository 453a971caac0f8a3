//! Shared by the server's test binaries: a database of a test's own.
#![allow(clippy::unwrap_used, dead_code)]

use sea_orm::{ConnectionTrait, Database};

/// When `TEST_DATABASE_URL` names a PostgreSQL server, a new empty database on it for one test
/// (named `<label>_<random>`), as (URL, name); `None` for SQLite runs.
pub async fn postgres_database(label: &str) -> Option<(String, String)> {
    let server = std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres"))?;
    let name = format!("{label}_{}", uuid::Uuid::new_v4().simple());
    let admin = Database::connect(server.as_str()).await.unwrap();
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    admin.close().await.unwrap();
    let (base, _) = server.rsplit_once('/').unwrap();
    Some((format!("{base}/{name}"), name))
}
