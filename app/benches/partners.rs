//! How a partner user's requests grow with the partner's customers: one partner with 20, then
//! 2,000 customers. Each customer has 4 rooms, 2 room groups (a rule group "All US rooms" and a
//! static "Boardrooms"), an active relationship (odd customers all rooms, even ones scoped to
//! "All US rooms") and 10 partner roles: Primary admins (whose "Assigned admins" name the user)
//! and 9 custom roles, each with one assignment naming the user directly or through a security
//! group of the partner; 5 of the 10 assignments are scoped to a room group.
//!
//! Timed 20 times each, median and p95 printed side by side for 20 and 2,000 customers: the
//! actor load of a request about one customer (`identity::load_actor_for`, customer 0), the
//! Tenants page's first page (`partners::list_tenants`, 50 rows) and the tenant switcher
//! (`partners::customer_names`). Targets: actor load ≤ 5 ms median, each page
//! ≤ 20 ms median. Then each is called once more on a handle that records every statement, to
//! show where the time goes: how many statements, how long the driver took to run them and fetch
//! their rows (the rest is taking the connection from the pool, decoding rows and work in Rust),
//! and the statement shapes that took longest. `SELECT 1` is timed too: what any one statement
//! costs on this connection.
//!
//! One connection, as in the `scale` bench. `cargo bench -p app --features ssr --bench partners`
//! (SQLite in memory; set `BENCH_DATABASE_URL=postgres://…` for PostgreSQL, on an empty
//! database).

#[path = "common/rows.rs"]
mod rows;
#[path = "common/timing.rs"]
mod timing;
#[path = "common/partner_world.rs"]
mod world;

use timing::*;
use world::*;

use app::domain::authz::{Actor, Partnership, Scope};
use app::domain::ids::OrgId;
use app::domain::partners::{TenantAccess, TenantView, TENANT_PAGE_SIZE};
use app::server::service::identity::Addressed;
use app::server::service::partners;
use chrono::Utc;
use migrations::MigratorTrait;
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection, Statement,
};
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const SIZES: [usize; 2] = [20, 2_000];
const ROOMS_PER_CUSTOMER: usize = 4;
const ACTOR_TARGET_MS: f64 = 5.0;
const PAGE_TARGET_MS: f64 = 20.0;

type Log = Arc<Mutex<Vec<(String, Duration)>>>;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let url = std::env::var("BENCH_DATABASE_URL").unwrap_or_else(|_| "sqlite::memory:".into());
    let mut options = ConnectOptions::new(url.as_str());
    options.max_connections(1).sqlx_logging(false);
    let db = Database::connect(options).await?;
    migrations::Migrator::up(&db, None).await?;
    // The same pool, with every statement recorded: used only for the one-off profile calls, so
    // that the timed calls run without the callback.
    let log: Log = Arc::default();
    let mut probe = db.clone();
    let recorder = log.clone();
    probe.set_metric_callback(move |info| {
        if let Ok(mut log) = recorder.lock() {
            log.push((info.statement.sql.clone(), info.elapsed));
        }
    });
    let now = Utc::now();

    let started = Instant::now();
    let partner = seed_partner(&db, ROOMS_PER_CUSTOMER, now).await?;
    let reference = seed_customer_through_services(&db, &partner, now).await?;
    println!(
        "seeded the partner and customer 0 through the services in {:.1} s ({url})",
        started.elapsed().as_secs_f64()
    );

    let mut steps = Vec::new();
    let mut seeded = 1;
    for n in SIZES {
        let started = Instant::now();
        seed_customers_in_bulk(&db, &partner, seeded..n, now).await?;
        if db.get_database_backend() == DatabaseBackend::Postgres {
            // Planner statistics, as autovacuum would have gathered them by the first request.
            db.execute_unprepared("ANALYZE").await?;
        }
        seeded = n;
        println!(
            "\n{} customers: seeded in {:.1} s",
            thousands(n),
            started.elapsed().as_secs_f64()
        );
        let step = measure(&db, &probe, &log, &partner, reference, n).await?;
        if n == SIZES[0] {
            same_shape(&step, &reference)?;
        }
        steps.push(step);
    }
    print_table(&url, &steps);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Seeding.

// ---------------------------------------------------------------------------------------------
// Measuring.

/// One call on the recording handle: its statements grouped by shape.
struct Profile {
    wall: Duration,
    statements: usize,
    /// What SeaORM's metric sees: running each statement and fetching its rows, without taking
    /// the connection from the pool (a ping first, by default) or decoding rows into models.
    in_driver: Duration,
    /// (shape, how many, total time), longest total first.
    shapes: Vec<(String, usize, Duration)>,
}

struct Step {
    customers: usize,
    /// `SELECT 1` through SeaORM: what any one statement costs on this connection.
    statement: Timing,
    actor: Timing,
    tenants: Timing,
    switcher: Timing,
    profiles: [Profile; 3],
    actor_loaded: Actor,
    tenant_rows: Vec<TenantView>,
}

const WHAT: [&str; 3] = [
    "actor load, one customer (load_actor_for)",
    "Tenants page, first 50 (list_tenants)",
    "tenant switcher (customer_names)",
];

async fn measure(
    db: &DatabaseConnection,
    probe: &DatabaseConnection,
    log: &Log,
    partner: &Partner,
    reference: OrgId,
    n: usize,
) -> Result<Step> {
    let one = Addressed::Org(reference);
    let (actor, addressed) = time(|| actor_of(db, partner, one)).await?;
    let (tenants, page) = time(|| partners::list_tenants(db, &addressed, 0, Utc::now())).await?;
    let (switcher, names) = time(|| partners::customer_names(db, &addressed, Utc::now())).await?;
    let backend = db.get_database_backend();
    let (statement, _) =
        time(|| db.query_one_raw(Statement::from_string(backend, "SELECT 1"))).await?;

    // Every customer's partnership, as a view across customers would load it: not per request,
    // so not timed against the target, but checked like the rest.
    let started = Instant::now();
    let loaded = actor_of(db, partner, Addressed::AllCustomers).await?;
    println!(
        "  the actor with all {} partnerships (untimed, once): {:.1} ms",
        thousands(loaded.partnerships.len()),
        ms(started.elapsed())
    );
    if addressed.partnerships.len() != 1
        || addressed.partnership(reference) != loaded.partnership(reference)
    {
        return Err("a request about customer 0 must load exactly its partnership".into());
    }
    let rows = &page.rows;
    let p = &loaded.partnerships;
    let grants: Vec<usize> = p.iter().map(|p| p.grants.len()).collect();
    let primary = p.iter().filter(|p| p.primary_admin).count();
    let narrow = p
        .iter()
        .filter(|p| matches!(p.ceiling, Scope::Some { .. }))
        .count();
    let works = rows
        .iter()
        .filter(|t| t.access == TenantAccess::Works)
        .count();
    println!(
        "  sanity: the actor holds {} partnerships ({}–{} grants each, Primary admin in {primary}, \
         {narrow} scoped to a room group); the Tenants page lists {} ({works} to work in); the \
         switcher lists {}",
        p.len(),
        grants.iter().min().unwrap_or(&0),
        grants.iter().max().unwrap_or(&0),
        rows.len(),
        names.len(),
    );
    let first_page = n.min(TENANT_PAGE_SIZE as usize);
    if p.len() != n
        || rows.len() != first_page
        || page.customers != n as u64
        || works != first_page
        || names.len() != n
        || primary != n
    {
        return Err(format!("expected {n} customers everywhere").into());
    }
    if grants.iter().any(|g| *g != 1 + CUSTOM.len()) {
        return Err("expected 10 grants in every customer".into());
    }

    let profiles = [
        profile(log, || actor_of(probe, partner, one)).await?,
        profile(log, || {
            partners::list_tenants(probe, &addressed, 0, Utc::now())
        })
        .await?,
        profile(log, || {
            partners::customer_names(probe, &addressed, Utc::now())
        })
        .await?,
    ];
    for (what, (timing, profile)) in WHAT
        .iter()
        .zip([actor, tenants, switcher].iter().zip(&profiles))
    {
        println!(
            "  {what}: median {:.2} ms, p95 {:.2} ms; recorded call {:.2} ms, {} statements, \
             {:.2} ms of them in the driver (running them and fetching rows)",
            timing.median,
            timing.p95,
            ms(profile.wall),
            profile.statements,
            ms(profile.in_driver),
        );
        for (shape, count, total) in profile.shapes.iter().take(4) {
            println!("      {count:>5} × {:>8.2} ms  {shape}", ms(*total));
        }
    }
    Ok(Step {
        customers: n,
        statement,
        actor,
        tenants,
        switcher,
        profiles,
        actor_loaded: loaded,
        tenant_rows: page.rows,
    })
}

async fn profile<T, E, F, Fut>(log: &Log, call: F) -> Result<Profile>
where
    E: std::error::Error + 'static,
    F: Fn() -> Fut,
    Fut: Future<Output = std::result::Result<T, E>>,
{
    log.lock().map_err(|_| "log poisoned")?.clear();
    let started = Instant::now();
    call().await.map_err(boxed)?;
    let wall = started.elapsed();
    let recorded = std::mem::take(&mut *log.lock().map_err(|_| "log poisoned")?);
    let mut by_shape: BTreeMap<String, (usize, Duration)> = BTreeMap::new();
    for (sql, elapsed) in &recorded {
        let entry = by_shape.entry(shape_of(sql)).or_default();
        entry.0 += 1;
        entry.1 += *elapsed;
    }
    let mut shapes: Vec<(String, usize, Duration)> = by_shape
        .into_iter()
        .map(|(shape, (count, total))| (shape, count, total))
        .collect();
    shapes.sort_by_key(|s| std::cmp::Reverse(s.2));
    Ok(Profile {
        wall,
        statements: recorded.len(),
        in_driver: recorded.iter().map(|(_, d)| *d).sum(),
        shapes,
    })
}

/// A statement with its placeholders numbered alike and lists of them collapsed, and column
/// lists left out, so that one statement run per customer groups as one shape.
fn shape_of(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            while chars.peek().is_some_and(char::is_ascii_digit) {
                chars.next();
            }
            out.push('?');
        } else {
            out.push(c);
        }
    }
    let many = out.matches("?, ").count();
    let mut collapsed = out.replace("?, ", "");
    if many > 0 {
        collapsed = collapsed.replace("IN (?)", "IN (?…)");
    }
    let mut shape = String::new();
    let mut rest = collapsed.as_str();
    while let Some(at) = rest.find("SELECT ") {
        let (head, tail) = rest.split_at(at + "SELECT ".len());
        shape.push_str(head);
        match tail.find(" FROM ") {
            Some(end) if !tail[..end].contains('(') => {
                shape.push('…');
                rest = &tail[end..];
            }
            _ => rest = tail,
        }
    }
    shape.push_str(rest);
    let shape = shape.replace('"', "");
    match shape.char_indices().nth(150) {
        Some((cut, _)) => format!("{}…", &shape[..cut]),
        None => shape,
    }
}

/// Customer 0 (made through the services) and customer 2 (bulk rows, also scoped to "All US
/// rooms") must look alike to the partner: the same partnership and the same Tenants row.
fn same_shape(step: &Step, reference: &OrgId) -> Result<()> {
    let find = |i: usize| -> Result<(&Partnership, &TenantView)> {
        let name = customer_name(i);
        let row = step
            .tenant_rows
            .iter()
            .find(|t| t.summary.customer_name == name)
            .ok_or("customer missing from the Tenants page")?;
        let p = step
            .actor_loaded
            .partnership(row.summary.customer)
            .ok_or("customer missing from the actor")?;
        Ok((p, row))
    };
    let (service, service_row) = find(0)?;
    if service.customer != *reference {
        return Err("customer 0 is not the one made through the services".into());
    }
    let (bulk, bulk_row) = find(2)?;
    let tenant = |t: &TenantView| {
        format!(
            "{} / {} rooms / {:?} / primary admin {}",
            t.summary.scope_summary, t.summary.rooms_in_scope, t.summary.approvals, t.primary_admin
        )
    };
    if partnership_shape(service) != partnership_shape(bulk)
        || tenant(service_row) != tenant(bulk_row)
    {
        return Err(format!(
            "bulk rows differ from the services':\n  services: {} | {}\n  bulk:     {} | {}",
            partnership_shape(service),
            tenant(service_row),
            partnership_shape(bulk),
            tenant(bulk_row)
        )
        .into());
    }
    println!(
        "  customer 0 (services) and customer 2 (bulk) look alike: {}",
        tenant(bulk_row)
    );
    Ok(())
}

fn partnership_shape(p: &Partnership) -> String {
    let scope = |s: &Scope| match s {
        Scope::AllRooms => "all rooms".to_owned(),
        Scope::Some { rooms, room_groups } => {
            format!("{} rooms + {} groups", rooms.len(), room_groups.len())
        }
    };
    let mut grants: Vec<String> = p
        .grants
        .iter()
        .map(|g| format!("{:?} over {}", g.permissions, scope(&g.scope)))
        .collect();
    grants.sort();
    format!(
        "primary admin {}, ceiling {}, grants {grants:?}",
        p.primary_admin,
        scope(&p.ceiling)
    )
}

fn print_table(url: &str, steps: &[Step]) {
    println!("\nA partner user's requests, median / p95 of {RUNS} runs, on {url}");
    let mut header = format!("  {:<44}", "");
    for s in steps {
        let customers = format!("{} customers", thousands(s.customers));
        header.push_str(&format!("{customers:>22}"));
    }
    println!("{header}   target (median)");
    let targets = [ACTOR_TARGET_MS, PAGE_TARGET_MS, PAGE_TARGET_MS];
    for (row, (what, target)) in WHAT.iter().zip(targets).enumerate() {
        let mut line = format!("  {what:<44}");
        let mut met = true;
        for s in steps {
            let t = [s.actor, s.tenants, s.switcher][row];
            met &= t.median <= target;
            line.push_str(&format!(
                "{:>22}",
                format!("{:.2} / {:.2} ms", t.median, t.p95)
            ));
        }
        let verdict = if met { "met" } else { "MISSED" };
        println!("{line}   ≤ {target} ms: {verdict}");
    }
    let mut line = format!("  {:<44}", "one statement (SELECT 1), for scale");
    for s in steps {
        line.push_str(&format!(
            "{:>22}",
            format!("{:.3} / {:.3} ms", s.statement.median, s.statement.p95)
        ));
    }
    println!("{line}");
    let mut line = format!("  {:<44}", "statements per call (actor / page / switcher)");
    for s in steps {
        let [a, t, w] = &s.profiles;
        line.push_str(&format!(
            "{:>22}",
            format!("{} / {} / {}", a.statements, t.statements, w.statements)
        ));
    }
    println!("{line}");
}
