//! Several instances on one database: two real server processes started at the same moment on
//! an empty database both come up, the migrations and the demo seed run exactly once, and the
//! hourly audit purge runs on one of them only. PostgreSQL (a fresh database) when
//! `TEST_DATABASE_URL` names a server; otherwise a SQLite file shared by the two processes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use app::server::entity::{organisation, room};
use chrono::{Duration, Utc};
use migrations::MigratorTrait;
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryOrder, Statement,
};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

/// A database of its own, and a directory for the processes' logs.
async fn fresh_database(label: &str) -> (String, PathBuf) {
    let dir = std::env::temp_dir().join(format!("rooms-{label}-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = match support::postgres_database(label).await {
        Some((url, _)) => url,
        None => format!("sqlite://{}?mode=rwc", dir.join("rooms.db").display()),
    };
    eprintln!("database: {url}");
    (url, dir)
}

async fn connect(url: &str) -> DatabaseConnection {
    let mut options = ConnectOptions::new(url.to_owned());
    options.max_connections(8).sqlx_logging(false);
    Database::connect(options).await.unwrap()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Server processes, stopped when the test ends however it ends.
struct Instances(Vec<(Child, u16, PathBuf)>);

impl Drop for Instances {
    fn drop(&mut self) {
        for (child, _, _) in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Instances {
    fn log(&self, i: usize) -> String {
        std::fs::read_to_string(&self.0[i].2).unwrap_or_default()
    }

    fn logs(&self) -> String {
        (0..self.0.len()).map(|i| self.log(i)).collect()
    }
}

/// Waits until the instance answers `/readyz`; fails with its log if it exits first.
async fn wait_ready(instances: &mut Instances, i: usize) {
    let http = openidconnect::reqwest::Client::new();
    let port = instances.0[i].1;
    let started = Instant::now();
    loop {
        if let Some(status) = instances.0[i].0.try_wait().unwrap() {
            panic!(
                "instance {i} exited with {status} before it was ready:\n{}",
                instances.log(i)
            );
        }
        if let Ok(response) = http
            .get(format!("http://127.0.0.1:{port}/readyz"))
            .send()
            .await
        {
            if response.status().is_success() {
                return;
            }
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(180),
            "instance {i} not ready after 3 minutes:\n{}",
            instances.log(i)
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Two server processes on `url`, with `env` besides the usual, spawned at once.
fn spawn(url: &str, dir: &std::path::Path, env: &[(&str, &str)]) -> Instances {
    let mut instances = Instances(Vec::new());
    for i in 0..2 {
        let port = free_port();
        let log = dir.join(format!("instance-{i}.log"));
        let out = std::fs::File::create(&log).unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_server"));
        command
            .env("DATABASE_URL", url)
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("LEPTOS_OUTPUT_NAME", "rooms")
            .env("ROOMS_PUBLIC_URL", format!("http://127.0.0.1:{port}"))
            .env("ROOMS_SEED_DEMO", "true")
            .env("RUST_LOG", "info")
            .env_remove("ROOMS_LOG_FORMAT")
            .current_dir(dir)
            .stdout(Stdio::from(out.try_clone().unwrap()))
            .stderr(Stdio::from(out));
        for (name, value) in env {
            command.env(name, value);
        }
        instances.0.push((command.spawn().unwrap(), port, log));
    }
    instances
}

fn demo_organisations() -> Vec<String> {
    let demo: serde_json::Value =
        serde_json::from_str(include_str!("../../end2end/idp/demo.json")).unwrap();
    let mut names: Vec<String> = demo["organisations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_started_together_migrate_and_seed_once_and_purge_once() {
    let (url, dir) = fresh_database("multi").await;
    // Both spawned before either can have done anything: the same moment, as far as a
    // migration (hundreds of statements) is concerned.
    let mut instances = spawn(&url, &dir, &[]);
    let started = Instant::now();
    for i in 0..2 {
        wait_ready(&mut instances, i).await;
    }
    eprintln!("both instances ready in {:?}", started.elapsed());

    let db = connect(&url).await;
    let names: Vec<String> = organisation::Entity::find()
        .order_by_asc(organisation::Column::Name)
        .all(&db)
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.name)
        .collect();
    assert_eq!(
        names,
        demo_organisations(),
        "the demo is seeded exactly once"
    );
    assert_eq!(room::Entity::find().count(&db).await.unwrap(), 650);
    let applied = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM seaql_migrations",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
    assert_eq!(applied as usize, migrations::Migrator::migrations().len());

    // The purge runs at start on whichever instance takes its lease first, never on both.
    let waited = Instant::now();
    while instances.logs().matches("audit purge ran").count() == 0 {
        assert!(
            waited.elapsed() < std::time::Duration::from_secs(30),
            "no instance purged:\n{}",
            instances.logs()
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert_eq!(
        instances.logs().matches("audit purge ran").count(),
        1,
        "{}",
        instances.logs()
    );
    drop(instances);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Offline detection in two processes at once, each looking every second: every silent room
/// gets one offline incident, however often both find it (the database decides).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_detecting_silent_rooms_open_one_incident_each() {
    use app::domain::health::{Component, IncidentStatus};
    use app::domain::rooms::{Enrollment, Health};
    use app::server::entity::incident;
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, QueryFilter, QuerySelect};
    let (url, dir) = fresh_database("offline").await;
    let mut instances = spawn(&url, &dir, &[("ROOMS_OFFLINE_CHECK_SECS", "1")]);
    for i in 0..2 {
        wait_ready(&mut instances, i).await;
    }
    let db = connect(&url).await;
    // Forty rooms whose devices enrolled and then fell silent two hours ago.
    let silent: Vec<app::domain::ids::RoomId> = room::Entity::find()
        .select_only()
        .column(room::Column::Id)
        .order_by_asc(room::Column::ResourceAccount)
        .limit(40)
        .into_tuple()
        .all(&db)
        .await
        .unwrap();
    room::Entity::update_many()
        .col_expr(room::Column::Enrollment, Expr::value(Enrollment::Enrolled))
        .col_expr(room::Column::Health, Expr::value(Health::Healthy))
        .col_expr(
            room::Column::LastHeartbeat,
            Expr::value(Utc::now() - Duration::hours(2)),
        )
        .filter(room::Column::Id.is_in(silent.clone()))
        .exec(&db)
        .await
        .unwrap();
    let offline = || {
        incident::Entity::find()
            .filter(incident::Column::Component.eq(Component::Offline))
            .filter(incident::Column::Status.eq(IncidentStatus::Active))
            .count(&db)
    };
    let waited = Instant::now();
    while offline().await.unwrap() < 40 {
        assert!(
            waited.elapsed() < std::time::Duration::from_secs(30),
            "not all rooms marked offline:\n{}",
            instances.logs()
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    // Both keep looking for a few more rounds.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert_eq!(offline().await.unwrap(), 40, "{}", instances.logs());
    let marked = room::Entity::find()
        .filter(room::Column::Id.is_in(silent))
        .filter(room::Column::Health.eq(Health::Offline))
        .count(&db)
        .await
        .unwrap();
    assert_eq!(marked, 40);
    drop(instances);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_lease_lets_one_caller_run_per_period() {
    let (url, dir) = fresh_database("lease").await;
    let db = connect(&url).await;
    migrations::Migrator::up(&db, None).await.unwrap();
    let now = Utc::now();
    let hour = Duration::hours(1);
    let claims = (0..8).map(|_| server::jobs::claim(&db, "audit_purge", hour, now));
    let taken = futures_util::future::join_all(claims)
        .await
        .into_iter()
        .map(Result::unwrap)
        .filter(|taken| *taken)
        .count();
    assert_eq!(taken, 1, "eight callers at the same moment");
    let later = |minutes| now + Duration::minutes(minutes);
    assert!(!server::jobs::claim(&db, "audit_purge", hour, later(59))
        .await
        .unwrap());
    assert!(server::jobs::claim(&db, "other_job", hour, later(59))
        .await
        .unwrap());
    assert!(server::jobs::claim(&db, "audit_purge", hour, later(61))
        .await
        .unwrap());
    assert!(!server::jobs::claim(&db, "audit_purge", hour, later(62))
        .await
        .unwrap());
    let _ = std::fs::remove_dir_all(&dir);
}
