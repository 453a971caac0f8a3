//! The audit export streams: a large export through the real router keeps the heap flat while
//! the CSV is many times larger than the bound (specification section 6: "streamed so that a
//! large range neither times out nor loads everything in memory").
//!
//! Its own test binary, because it installs a counting global allocator. SQLite in a file of a
//! temporary directory by default; a fresh PostgreSQL database when `TEST_DATABASE_URL` names a
//! server. `AUDIT_EXPORT_ROWS` sets the number of entries (default 200 000); run with
//! `--nocapture` to see the figures.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use app::domain::ids::{AuditEntryId, OrgId, UserId};
use app::server::entity::audit_log;
use app::server::service::{identity, org_roles};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use chrono::{Duration, Utc};
use futures_util::StreamExt;
use leptos::prelude::LeptosOptions;
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, EntityTrait, Set,
    TransactionTrait,
};
use server::config::Config;
use server::{router, AppState};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;
use tower::ServiceExt;

/// The system allocator, counting the bytes currently allocated and the highest count since the
/// last [`reset_peak`].
struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(bytes: usize) {
    let now = CURRENT.fetch_add(bytes, Ordering::Relaxed) + bytes;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

fn shrank(bytes: usize) {
    CURRENT.fetch_sub(bytes, Ordering::Relaxed);
}

// SAFETY: every call is passed on to `System` unchanged; the counters only observe sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            grew(layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            grew(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        shrank(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            if new_size >= layout.size() {
                grew(new_size - layout.size());
            } else {
                shrank(layout.size() - new_size);
            }
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn current() -> usize {
    CURRENT.load(Ordering::Relaxed)
}

fn reset_peak() -> usize {
    let now = current();
    PEAK.store(now, Ordering::Relaxed);
    now
}

fn peak() -> usize {
    PEAK.load(Ordering::Relaxed)
}

const MIB: usize = 1 << 20;
/// The most the heap may grow while an export of any size streams.
const BOUND: usize = 16 * MIB;
const BATCH: usize = 1_000;
/// Rows per transaction while seeding.
const PER_TRANSACTION: usize = 20 * BATCH;

/// Where the database lives, to remove it afterwards.
enum Place {
    Sqlite(TempDir),
    Postgres { server: String, name: String },
}

/// A directory removed when dropped, also when the test fails.
struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn database() -> (DatabaseConnection, Place) {
    use migrations::MigratorTrait;
    let server = std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres"));
    let (db, place) = match server {
        Some(server) => {
            let name = format!("export_{}", uuid::Uuid::new_v4().simple());
            let admin = Database::connect(server.as_str()).await.unwrap();
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .unwrap();
            admin.close().await.unwrap();
            let (base, _) = server.rsplit_once('/').unwrap();
            let mut options = ConnectOptions::new(format!("{base}/{name}"));
            options.max_connections(4).sqlx_logging(false);
            (
                Database::connect(options).await.unwrap(),
                Place::Postgres { server, name },
            )
        }
        None => {
            let dir = std::env::temp_dir().join(format!(
                "rooms-export-memory-{}",
                uuid::Uuid::new_v4().simple()
            ));
            std::fs::create_dir_all(&dir).unwrap();
            let dir = TempDir(dir);
            let mut options = ConnectOptions::new(format!(
                "sqlite://{}?mode=rwc",
                dir.0.join("audit.db").display()
            ));
            options.max_connections(1).sqlx_logging(false);
            (
                Database::connect(options).await.unwrap(),
                Place::Sqlite(dir),
            )
        }
    };
    migrations::Migrator::up(&db, None).await.unwrap();
    (db, place)
}

async fn remove(db: DatabaseConnection, place: Place) {
    db.close().await.unwrap();
    match place {
        Place::Sqlite(dir) => {
            drop(dir);
        }
        Place::Postgres { server, name } => {
            let admin = Database::connect(server.as_str()).await.unwrap();
            // Best effort: the cluster is a throwaway one anyway.
            let _ = admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name}"))
                .await;
            admin.close().await.unwrap();
        }
    }
}

/// One organisation with its first Global admin, and a live session of that admin.
async fn organisation(db: &DatabaseConnection) -> (OrgId, UserId, String) {
    let now = Utc::now();
    let org = identity::create_organisation(
        db,
        identity::NewOrganisation {
            name: "Contoso".into(),
            domains: vec!["contoso.com".into()],
            manages_customers: false,
            issuer_url: "https://login.example/contoso".into(),
            client_id: "client".into(),
            client_secret: "secret".into(),
            accepted_tenant_ids: vec!["tenant".into()],
            is_demo: false,
        },
        now,
    )
    .await
    .unwrap();
    let grace = identity::provision_user(
        db,
        org,
        &identity::VerifiedIdentity {
            issuer: "https://login.example/contoso".into(),
            tenant_id: Some("tenant".into()),
            subject: "grace".into(),
            upn: "grace@contoso.com".into(),
            display_name: "Grace Hopper".into(),
        },
        now,
    )
    .await
    .unwrap();
    org_roles::grant_first_global_admin(db, org, grace, now)
        .await
        .unwrap();
    let session = identity::create_session(db, grace, org, None, now)
        .await
        .unwrap();
    (org, grace, session)
}

/// `n` entries spread over the last ten days, with object names long enough that the CSV is
/// several times the memory bound.
async fn seed(db: &DatabaseConnection, org: OrgId, by: UserId, n: usize) {
    // Only the entries seeded here are to be exported.
    audit_log::Entity::delete_many().exec(db).await.unwrap();
    let now = Utc::now();
    let span_ms = Duration::days(10).num_milliseconds() - 60_000;
    let padding = "Boardroom display and camera check after the firmware update ".repeat(4);
    let mut done = 0;
    while done < n {
        let tx = db.begin().await.unwrap();
        let end = (done + PER_TRANSACTION).min(n);
        while done < end {
            let batch_end = (done + BATCH).min(end);
            let rows = (done..batch_end).map(|i| {
                let age = span_ms * i as i64 / n as i64;
                audit_log::ActiveModel {
                    id: Set(AuditEntryId::new()),
                    org_id: Set(org),
                    category: Set(["Room", "Role", "Settings"][i % 3].to_owned()),
                    object_name: Set(format!("{i:07} {padding}").chars().take(250).collect()),
                    operation: Set("Update".to_owned()),
                    result_status: Set(if i % 7 == 0 { "Failed" } else { "Successful" }.to_owned()),
                    actor_user_id: Set(by),
                    actor_org_id: Set(org),
                    created_at: Set(now - Duration::milliseconds(age)),
                    actor_name: Set(String::new()),
                    actor_org_name: Set(String::new()),
                    actor_upn: Set(String::new()),
                }
            });
            audit_log::Entity::insert_many(rows)
                .exec(&tx)
                .await
                .unwrap();
            done = batch_end;
        }
        tx.commit().await.unwrap();
    }
}

#[tokio::test]
async fn a_large_export_streams_in_bounded_memory() {
    let n: usize = std::env::var("AUDIT_EXPORT_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000);
    let (db, place) = database().await;
    let (org, grace, session) = organisation(&db).await;
    let seeding = Instant::now();
    seed(&db, org, grace, n).await;
    println!(
        "seeded {n} audit entries in {:.1} s",
        seeding.elapsed().as_secs_f64()
    );

    let mut config = Config::new(url::Url::parse("http://127.0.0.1:3000").unwrap());
    config.seed_demo = false;
    let options = LeptosOptions::builder().output_name("rooms").build();
    let app = router(AppState::new(options, db.clone(), config));
    let today = Utc::now().date_naive();
    let from = today - chrono::Days::new(10);
    let request = Request::get(format!(
        "/api/audit-log/export?org={org}&from={from}&to={today}"
    ))
    .header(header::COOKIE, format!("rooms_session={session}"))
    .body(Body::empty())
    .unwrap();

    let baseline = reset_peak();
    let started = Instant::now();
    let response = app.oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let mut stream = response.into_body().into_data_stream();
    let (mut bytes, mut newlines, mut chunks) = (0usize, 0usize, 0usize);
    let mut header_line = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.unwrap();
        if newlines == 0 {
            let end = chunk
                .iter()
                .position(|b| *b == b'\n')
                .map_or(chunk.len(), |p| p + 1);
            header_line.extend_from_slice(&chunk[..end]);
        }
        bytes += chunk.len();
        newlines += chunk.iter().filter(|b| **b == b'\n').count();
        chunks += 1;
    }
    drop(stream);
    let elapsed = started.elapsed();
    let growth = peak().saturating_sub(baseline);
    let rows = newlines.saturating_sub(1);

    println!(
        "exported {rows} rows, {bytes} bytes of CSV ({:.1} MiB) in {chunks} chunks, {:.1} s",
        bytes as f64 / MIB as f64,
        elapsed.as_secs_f64()
    );
    println!(
        "heap: baseline {:.1} MiB, peak growth during the export {:.2} MiB (bound {} MiB)",
        baseline as f64 / MIB as f64,
        growth as f64 / MIB as f64,
        BOUND / MIB
    );
    assert_eq!(
        String::from_utf8_lossy(&header_line),
        "activity.category,activity.objectName,activity.operation,activity.resultStatus,\
         activity.tenantId,creationTime,user.userId,user.userTenantId\r\n"
    );
    assert_eq!(rows, n, "every entry exported exactly once");
    assert!(
        bytes > 4 * BOUND,
        "the CSV ({bytes} bytes) must be far larger than the bound for this test to mean \
         anything: raise AUDIT_EXPORT_ROWS"
    );
    assert!(
        growth < BOUND,
        "the heap grew by {growth} bytes while exporting {bytes} bytes of CSV"
    );
    remove(db, place).await;
}
