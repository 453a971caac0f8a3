//! Scale L: one partner over 2,000 customers, 200,000 rooms and 2,000,000 incidents (each with
//! its ticket), and one more organisation of 200,000 enrolled rooms for the reports.
//!
//! The partner's world is the `partners` bench's (`common/partner_world.rs`) with 100 rooms per
//! customer: odd customers give the partner all rooms, even ones "All US rooms" (half of them),
//! and the benchmarked user, Tess, is among Primary admins everywhere. Customers 1 to 1,999 have 9
//! incidents per room over the last 90 days; customer 0 has 200,900, for a customer's Incidents
//! page at 200,000 incidents. Incidents, tickets and rooms are generated with `insert_many`, 500
//! rows a statement, 100,000 rows a transaction: minutes, not hours (the time is printed).
//!
//! Each measurement is the service call the page makes, side by side with the same rows fetched
//! by one hand-written SQL query on the same database (the floor), page 1 and page 100 (keyset:
//! the cursor of page 99's last row), unfiltered and filtered (camera incidents of high
//! severity). The rows are compared with the floor's before timing. Targets: ≤ 1.5× the floor,
//! ≤ 25 ms median, page 100 ≤ 1.2× page 1.
//!
//! `cargo bench -p app --features ssr --bench incidents` (a SQLite file in the temporary
//! directory, kept and reused by the next run; `BENCH_DATABASE_URL=postgres://…` for
//! PostgreSQL, on an empty database or one this bench seeded).

#[path = "common/rows.rs"]
mod rows;
#[path = "common/timing.rs"]
mod timing;
#[path = "common/partner_world.rs"]
mod world;
use rows::room_row;

use timing::*;
use world::*;

use app::domain::authz::Actor;
use app::domain::health::{incident_for, Component, IncidentStatus, Severity, Signal};
use app::domain::ids::{IncidentId, OrgId, RoomId};
use app::domain::reports::{Period, Reports};
use app::domain::rooms::{Enrollment, Health};
use app::domain::tickets::{Cursor, IncidentPage, IncidentQuery, PageFrom, Priority, TicketStatus};
use app::server::context::SignedIn;
use app::server::entity::{incident, room, ticket, user};
use app::server::service::identity::Addressed;
use app::server::service::{identity, reports, tickets};
use chrono::{DateTime, Duration as Days, Utc};
use migrations::MigratorTrait;
use sea_orm::{
    ActiveEnum, ColumnTrait, ConnectOptions, ConnectionTrait, Database, DatabaseBackend,
    DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set, Statement,
    TransactionTrait, Value,
};
use std::hint::black_box;
use std::time::Instant;

const CUSTOMERS: usize = 2_000;
const ROOMS_PER_CUSTOMER: usize = 100;
const INCIDENTS_PER_ROOM: usize = 9;
/// Customer 0's incidents: with the others' 9 per room, 2,000,000 in all.
const CUSTOMER_0_INCIDENTS: usize = 200_900;
const REPORT_ROOMS: usize = 200_000;
const REPORT_DOMAIN: &str = "single.bench.example";
const TARGET_MS: f64 = 25.0;
const FLOOR_RATIO: f64 = 1.5;
const PAGE_100_RATIO: f64 = 1.2;
/// Rows a transaction while generating.
const TX_ROWS: usize = 100_000;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let url = std::env::var("BENCH_DATABASE_URL").unwrap_or_else(|_| {
        let file = std::env::temp_dir().join("rooms-scale-l.db");
        format!("sqlite://{}?mode=rwc", file.display())
    });
    let mut options = ConnectOptions::new(url.as_str());
    options.max_connections(1).sqlx_logging(false);
    let db = Database::connect(options).await?;
    if db.get_database_backend() == DatabaseBackend::Sqlite {
        // As the server opens it (`server::startup`).
        db.execute_unprepared("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL")
            .await?;
    }
    migrations::Migrator::up(&db, None).await?;
    let now = Utc::now();
    let world = match existing(&db).await? {
        Some(world) => {
            println!("reusing the data set in {url}");
            world
        }
        None => generate(&db, now).await?,
    };
    let mut lines = Vec::new();
    lines.extend(all_tickets(&db, &world, now).await?);
    lines.extend(customer_incidents(&db, &world).await?);
    lines.extend(reports_at_scale(&db, &world, now).await?);
    print_table(&url, &lines);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The data set.

struct World {
    partner: OrgId,
    tess: Actor,
    customer_0: OrgId,
    customer_0_admin: Actor,
    single: OrgId,
    single_admin: Actor,
}

async fn existing(db: &DatabaseConnection) -> Result<Option<World>> {
    let Some(single) = organisation_of(db, REPORT_DOMAIN).await? else {
        return Ok(None);
    };
    let partner = organisation_of(db, PARTNER_DOMAIN)
        .await?
        .ok_or("partner missing")?;
    let customer_0 = organisation_of(db, &customer_domain(0))
        .await?
        .ok_or("customer 0 missing")?;
    Ok(Some(World {
        partner,
        tess: actor_by_upn(db, partner, "tess@fabrikam.bench.example").await?,
        customer_0,
        customer_0_admin: actor_by_upn(db, customer_0, &format!("admin@{}", customer_domain(0)))
            .await?,
        single,
        single_admin: actor_by_upn(db, single, &format!("admin@{REPORT_DOMAIN}")).await?,
    }))
}

async fn organisation_of(db: &DatabaseConnection, domain: &str) -> Result<Option<OrgId>> {
    Ok(identity::find_org_by_domain(db, domain)
        .await?
        .map(|o| o.id))
}

async fn actor_by_upn(db: &DatabaseConnection, org: OrgId, upn: &str) -> Result<Actor> {
    let found = user::Entity::find()
        .filter(user::Column::OrgId.eq(org))
        .filter(user::Column::Upn.eq(upn))
        .one(db)
        .await?
        .ok_or_else(|| format!("{upn} missing"))?;
    load(db, org, found.id).await
}

async fn generate(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<World> {
    let started = Instant::now();
    let partner = seed_partner(db, ROOMS_PER_CUSTOMER, now).await?;
    let customer_0 = seed_customer_through_services(db, &partner, now).await?;
    seed_customers_in_bulk(db, &partner, 1..CUSTOMERS, now).await?;
    println!(
        "{} customers, {} rooms: {:.1} s",
        thousands(CUSTOMERS),
        thousands(CUSTOMERS * ROOMS_PER_CUSTOMER),
        started.elapsed().as_secs_f64()
    );

    let started = Instant::now();
    let rooms: Vec<(RoomId, OrgId)> = room::Entity::find()
        .select_only()
        .column(room::Column::Id)
        .column(room::Column::OrgId)
        .order_by_asc(room::Column::OrgId)
        .order_by_asc(room::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let mut made = Incidents::new(now);
    for (room, org) in &rooms {
        let n = if *org == customer_0 {
            CUSTOMER_0_INCIDENTS / ROOMS_PER_CUSTOMER
        } else {
            INCIDENTS_PER_ROOM
        };
        made.of_room(*room, *org, n);
        made.flush_if_full(db).await?;
    }
    // Customer 0's rest (200,900 is not a multiple of its 100 rooms).
    let first_of_0 = rooms
        .iter()
        .find(|(_, o)| *o == customer_0)
        .ok_or("customer 0 has no rooms")?;
    made.resolved_only(
        first_of_0.0,
        customer_0,
        CUSTOMER_0_INCIDENTS % ROOMS_PER_CUSTOMER,
    );
    let incidents = made.flush(db).await?;
    println!(
        "{} incidents with their tickets: {:.1} s",
        thousands(incidents),
        started.elapsed().as_secs_f64()
    );

    let started = Instant::now();
    let (single, single_admin) = seed_single(db, now).await?;
    println!(
        "one organisation of {} enrolled rooms and their incidents: {:.1} s",
        thousands(REPORT_ROOMS),
        started.elapsed().as_secs_f64()
    );
    // Planner statistics, as autovacuum (or the next optimize) would have gathered them.
    db.execute_unprepared("ANALYZE").await?;
    let customer_0_admin =
        actor_by_upn(db, customer_0, &format!("admin@{}", customer_domain(0))).await?;
    Ok(World {
        partner: partner.org,
        tess: load(db, partner.org, partner.user).await?,
        customer_0,
        customer_0_admin,
        single,
        single_admin,
    })
}

/// A small, fast, reproducible generator (xorshift): the same data set on every run.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Incidents and their tickets, written in transactions of [`TX_ROWS`].
struct Incidents {
    now: DateTime<Utc>,
    random: Random,
    incidents: Vec<incident::ActiveModel>,
    tickets: Vec<ticket::ActiveModel>,
    written: usize,
}

const DEVICE_COMPONENTS: [Component; 8] = [
    Component::Display,
    Component::Camera,
    Component::Microphone,
    Component::Speaker,
    Component::Network,
    Component::SignIn,
    Component::Software,
    Component::Offline,
];

impl Incidents {
    fn new(now: DateTime<Utc>) -> Self {
        Self {
            now,
            random: Random(0x9E37_79B9_7F4A_7C15),
            incidents: Vec::new(),
            tickets: Vec::new(),
            written: 0,
        }
    }

    /// `n` incidents of one room over the last 90 days, the newest still active (one per
    /// component at most, as the database requires).
    fn of_room(&mut self, room: RoomId, org: OrgId, n: usize) {
        self.resolved_only(room, org, n.saturating_sub(1));
        if n > 0 {
            self.one(room, org, true);
        }
    }

    fn resolved_only(&mut self, room: RoomId, org: OrgId, n: usize) {
        for _ in 0..n {
            self.one(room, org, false);
        }
    }

    fn one(&mut self, room: RoomId, org: OrgId, active: bool) {
        let r = &mut self.random;
        let component = DEVICE_COMPONENTS[r.below(8) as usize];
        let signal = if r.below(3) == 0 {
            Signal::Warning
        } else {
            Signal::Error
        };
        let Some((severity, title)) = incident_for(component, signal) else {
            return;
        };
        let opened = self.now - Days::seconds(r.below(90 * 86_400) as i64 + 3_600);
        let resolved = (!active).then(|| opened + Days::seconds(300 + r.below(3 * 3_600) as i64));
        let id = IncidentId::new();
        let status = match (active, r.below(4)) {
            (true, 0) => TicketStatus::InProgress,
            (true, _) => TicketStatus::New,
            (false, 0) => TicketStatus::Closed,
            (false, _) => TicketStatus::Resolved,
        };
        self.incidents.push(incident::ActiveModel {
            id: Set(id),
            org_id: Set(org),
            room_id: Set(room),
            component: Set(component),
            severity: Set(severity),
            severity_rank: Set(severity.rank()),
            status: Set(if active {
                IncidentStatus::Active
            } else {
                IncidentStatus::Resolved
            }),
            title: Set(title),
            opened_at: Set(opened),
            resolved_at: Set(resolved),
        });
        self.tickets.push(ticket::ActiveModel {
            incident_id: Set(id),
            org_id: Set(org),
            status: Set(status),
            priority: Set(Priority::for_severity(severity)),
            assignee_user_id: Set(None),
            assignee_org_id: Set(None),
            assignee_name: Set(None),
            raised_by: Set(None),
            updated_at: Set(resolved.unwrap_or(opened)),
        });
    }

    async fn flush_if_full(&mut self, db: &DatabaseConnection) -> Result<()> {
        if self.incidents.len() >= TX_ROWS {
            self.flush(db).await?;
        }
        Ok(())
    }

    /// Writes what is pending; the number written so far.
    async fn flush(&mut self, db: &DatabaseConnection) -> Result<usize> {
        let tx = db.begin().await?;
        self.written += self.incidents.len();
        insert_chunked(&tx, std::mem::take(&mut self.incidents)).await?;
        insert_chunked(&tx, std::mem::take(&mut self.tickets)).await?;
        tx.commit().await?;
        Ok(self.written)
    }
}

/// The reports' organisation: 200,000 enrolled rooms in every health; one incident each over the
/// last 30 days, and an offline one (resolved) for every tenth room.
async fn seed_single(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<(OrgId, Actor)> {
    let (org, admin) =
        organisation_with_admin(db, "Single Large", REPORT_DOMAIN, false, now).await?;
    let healths = [
        Health::Healthy,
        Health::Healthy,
        Health::Healthy,
        Health::Warning,
        Health::Unhealthy,
        Health::Offline,
    ];
    let mut made = Incidents::new(now);
    let mut rooms = Vec::with_capacity(TX_ROWS);
    for k in 0..REPORT_ROOMS {
        let id = RoomId::new();
        let mut row = room_row(
            (id, org),
            format!("Room {k:06}"),
            format!("room{k}@{REPORT_DOMAIN}"),
            (format!("Site {}", k % 50), "Seattle".into(), "US".into()),
            now,
        );
        row.enrollment = Set(Enrollment::Enrolled);
        row.health = Set(healths[k % healths.len()]);
        row.last_heartbeat = Set(Some(now));
        row.device_token_hash = Set(Some(format!("bench-{k}")));
        rooms.push(row);
        made.resolved_only(id, org, 1);
        if k % 10 == 0 {
            made.offline(id, org);
        }
        if rooms.len() == TX_ROWS / 2 {
            insert_chunked(db, std::mem::take(&mut rooms)).await?;
            made.flush(db).await?;
        }
    }
    insert_chunked(db, rooms).await?;
    made.flush(db).await?;
    Ok((org, admin))
}

impl Incidents {
    /// A resolved offline incident of a few hours within the last 30 days.
    fn offline(&mut self, room: RoomId, org: OrgId) {
        let opened = self.now - Days::seconds(self.random.below(29 * 86_400) as i64 + 86_400);
        let resolved = opened + Days::seconds(600 + self.random.below(6 * 3_600) as i64);
        let id = IncidentId::new();
        self.incidents.push(incident::ActiveModel {
            id: Set(id),
            org_id: Set(org),
            room_id: Set(room),
            component: Set(Component::Offline),
            severity: Set(Severity::Critical),
            severity_rank: Set(Severity::Critical.rank()),
            status: Set(IncidentStatus::Resolved),
            title: Set("Room offline".into()),
            opened_at: Set(opened),
            resolved_at: Set(Some(resolved)),
        });
        self.tickets.push(ticket::ActiveModel {
            incident_id: Set(id),
            org_id: Set(org),
            status: Set(TicketStatus::Resolved),
            priority: Set(Priority::Urgent),
            assignee_user_id: Set(None),
            assignee_org_id: Set(None),
            assignee_name: Set(None),
            raised_by: Set(None),
            updated_at: Set(resolved),
        });
    }
}

// ---------------------------------------------------------------------------------------------
// Measuring.

/// One line of the table: the service against its floor.
struct Line {
    what: String,
    rows: usize,
    service: Timing,
    floor: Timing,
    /// Page 1's median, for page 100's ratio.
    page_1: Option<f64>,
}

/// The filter of the filtered measurements: camera incidents of high severity.
fn filtered(mut q: IncidentQuery, on: bool) -> IncidentQuery {
    if on {
        q.category = Some(Component::Camera);
        q.severity = Some(Severity::High);
    }
    q
}

/// The query for page `page` (1 or 100), walking the cursors once to find page 100's.
async fn query_for_page<F, Fut>(base: IncidentQuery, page: usize, list: F) -> Result<IncidentQuery>
where
    F: Fn(IncidentQuery) -> Fut,
    Fut: std::future::Future<Output = std::result::Result<IncidentPage, app::server::ServiceError>>,
{
    let mut q = base;
    for _ in 1..page {
        let listed = list(q.clone()).await?;
        let next = listed.next.ok_or("fewer than 100 pages")?;
        q.page = PageFrom::After(Cursor::decode(&next)?);
    }
    Ok(q)
}

/// The keyset condition of the floor: rows after the cursor in newest-first order.
fn after(q: &IncidentQuery) -> Option<Cursor> {
    match &q.page {
        PageFrom::After(c) => Some(*c),
        _ => None,
    }
}

/// `?` placeholders, numbered for PostgreSQL.
fn placeholders(backend: DatabaseBackend, sql: &str) -> String {
    if backend != DatabaseBackend::Postgres {
        return sql.to_owned();
    }
    let mut out = String::with_capacity(sql.len() + 16);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push_str(&format!("${n}"));
        } else {
            out.push(c);
        }
    }
    out
}

/// The floor: one hand-written query for the same page, with the same columns (and, for the
/// all-tickets view, the customer's name), its incident ids in order.
async fn floor(
    db: &DatabaseConnection,
    whose: &str,
    mut values: Vec<Value>,
    q: &IncidentQuery,
) -> std::result::Result<Vec<IncidentId>, sea_orm::DbErr> {
    let mut sql = format!(
        "SELECT i.id, i.org_id, i.room_id, i.component, i.severity, i.severity_rank, i.status, \
         i.title, i.opened_at, i.resolved_at, t.status, t.priority, t.assignee_name, \
         r.display_name, (SELECT o.name FROM organisations o WHERE o.id = i.org_id) \
         FROM incidents i JOIN tickets t ON t.incident_id = i.id \
         JOIN rooms r ON r.id = i.room_id {whose}"
    );
    if let (Some(category), Some(severity)) = (q.category, q.severity) {
        sql.push_str(" AND i.component = ? AND i.severity = ?");
        values.push(category.to_value().into());
        values.push(severity.to_value().into());
    }
    if let Some(c) = after(q) {
        sql.push_str(" AND (i.opened_at, i.id) < (?, ?)");
        values.push(c.opened_at.into());
        values.push(c.id.0.into());
    }
    sql.push_str(" ORDER BY i.opened_at DESC, i.id DESC LIMIT 51");
    let backend = db.get_database_backend();
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            placeholders(backend, &sql),
            values,
        ))
        .await?;
    // Every column decoded, as the service decodes its rows.
    let mut ids = Vec::with_capacity(rows.len());
    for row in rows.iter().take(IncidentQuery::PAGE_SIZE as usize) {
        let decoded = (
            row.try_get_by_index::<uuid::Uuid>(0)?,
            row.try_get_by_index::<uuid::Uuid>(1)?,
            row.try_get_by_index::<uuid::Uuid>(2)?,
            row.try_get_by_index::<String>(3)?,
            row.try_get_by_index::<String>(4)?,
            row.try_get_by_index::<i16>(5)?,
            row.try_get_by_index::<String>(6)?,
            row.try_get_by_index::<String>(7)?,
            row.try_get_by_index::<DateTime<Utc>>(8)?,
            row.try_get_by_index::<Option<DateTime<Utc>>>(9)?,
            row.try_get_by_index::<String>(10)?,
            row.try_get_by_index::<String>(11)?,
            row.try_get_by_index::<Option<String>>(12)?,
            row.try_get_by_index::<String>(13)?,
            row.try_get_by_index::<Option<String>>(14)?,
        );
        ids.push(IncidentId(black_box(decoded).0));
    }
    Ok(ids)
}

async fn side_by_side<F, Fut, G, GFut>(
    what: String,
    service: F,
    hand_written: G,
    page_1: Option<f64>,
) -> Result<Line>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = std::result::Result<IncidentPage, app::server::ServiceError>>,
    G: Fn() -> GFut,
    GFut: std::future::Future<Output = std::result::Result<Vec<IncidentId>, sea_orm::DbErr>>,
{
    let (service_time, page) = time(&service).await?;
    let (floor_time, ids) = time(&hand_written).await?;
    let listed: Vec<IncidentId> = page.rows.iter().map(|r| r.id).collect();
    if listed != ids {
        return Err(format!("{what}: the service and the floor disagree").into());
    }
    if listed.len() != IncidentQuery::PAGE_SIZE as usize {
        return Err(format!("{what}: a short page ({})", listed.len()).into());
    }
    Ok(Line {
        what,
        rows: listed.len(),
        service: service_time,
        floor: floor_time,
        page_1,
    })
}

async fn all_tickets(db: &DatabaseConnection, w: &World, now: DateTime<Utc>) -> Result<Vec<Line>> {
    let list = |q: IncidentQuery| async move {
        tickets::list_all_tickets(db, &w.tess, q.validate()?, now).await
    };
    // The scope of this data set by hand: the partner's live relationships, all rooms or the
    // US ones (Tess is among Primary admins, of all rooms, everywhere).
    let whose = "WHERE EXISTS (SELECT 1 FROM partner_relationships p \
                 WHERE p.org_id = i.org_id AND p.partner_org_id = ? AND p.state = 'active' \
                 AND (p.all_rooms OR r.country = 'US'))";
    four_pages(db, "All tickets", list, whose, w.partner).await
}

async fn customer_incidents(db: &DatabaseConnection, w: &World) -> Result<Vec<Line>> {
    let mut lines = Vec::new();
    let org = w.customer_0;
    // The customer's admin (every room), then Tess in partner mode: customer 0 gives the partner
    // "All US rooms", half of its rooms.
    let tess = identity::load_actor_for(
        db,
        &SignedIn {
            user: w.tess.user,
            org: w.partner,
        },
        Addressed::Org(org),
        Utc::now(),
    )
    .await?
    .ok_or("Tess has no standing in customer 0")?;
    for (who, actor, whose) in [
        ("admin", &w.customer_0_admin, "WHERE i.org_id = ?"),
        ("Tess", &tess, "WHERE i.org_id = ? AND r.country = 'US'"),
    ] {
        let list = |q: IncidentQuery| async move {
            tickets::list_incidents(db, actor, org, q.validate()?).await
        };
        let label = format!(
            "Customer 0 ({} incidents), {who}",
            thousands(CUSTOMER_0_INCIDENTS)
        );
        lines.extend(four_pages(db, &label, list, whose, org).await?);
    }
    Ok(lines)
}

/// Pages 1 and 100 of a list, unfiltered and filtered, each against its floor: the rows of
/// `whose`, the organisation its one placeholder names.
async fn four_pages<F, Fut>(
    db: &DatabaseConnection,
    label: &str,
    list: F,
    whose: &str,
    org: OrgId,
) -> Result<Vec<Line>>
where
    F: Fn(IncidentQuery) -> Fut,
    Fut: std::future::Future<Output = std::result::Result<IncidentPage, app::server::ServiceError>>,
{
    let mut lines = Vec::new();
    for on in [false, true] {
        let mut first = None;
        for page in [1, 100] {
            let q = query_for_page(filtered(IncidentQuery::default(), on), page, &list).await?;
            let line = side_by_side(
                format!(
                    "{label}, {}, page {page}",
                    if on { "camera + high" } else { "unfiltered" }
                ),
                || list(q.clone()),
                || floor(db, whose, vec![org.0.into()], &q),
                first,
            )
            .await?;
            first = first.or(Some(line.service.median));
            lines.push(line);
        }
    }
    Ok(lines)
}

/// The reports page of the 200,000-room organisation over the last 30 days, against the same
/// three reads by hand: rooms per enrollment and health, incidents per day and category, the
/// offline incidents of enrolled rooms.
async fn reports_at_scale(
    db: &DatabaseConnection,
    w: &World,
    now: DateTime<Utc>,
) -> Result<Vec<Line>> {
    let today = now.date_naive();
    let period = Period {
        from: today - Days::days(29),
        to: today,
    };
    let (service, shown) = time(|| async {
        reports::reports(db, &w.single_admin, w.single, period.validate(today)?, now).await
    })
    .await?;
    let backend = db.get_database_backend();
    let start = period.start();
    let end = period.end(now);
    let org: Value = w.single.0.into();
    let day = match backend {
        DatabaseBackend::Postgres => "to_char(opened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
        _ => "substr(opened_at, 1, 10)",
    };
    // The same reads by hand: rooms per enrollment and health, incidents per day and category,
    // and the offline incidents of enrolled rooms with their names (every room offline in this
    // data set is below 1000 ‰, so no rooms are read to fill the list).
    let statements = [
        (
            Read::PerHealth,
            "SELECT enrollment, health, COUNT(*) FROM rooms WHERE org_id = ? \
             GROUP BY enrollment, health"
                .to_owned(),
            vec![org.clone()],
        ),
        (
            Read::PerDay,
            format!(
                "SELECT {day}, component, COUNT(*) FROM incidents WHERE org_id = ? \
                 AND opened_at >= ? AND opened_at < ? GROUP BY {day}, component"
            ),
            vec![org.clone(), start.into(), end.into()],
        ),
        (
            Read::Offline,
            "SELECT i.room_id, r.display_name, i.opened_at, i.resolved_at FROM incidents i \
             JOIN rooms r ON r.id = i.room_id WHERE i.org_id = ? AND i.component = 'offline' \
             AND i.opened_at < ? AND (i.resolved_at IS NULL OR i.resolved_at > ?) \
             AND r.enrollment = 'enrolled' ORDER BY r.name_lower, i.room_id"
                .to_owned(),
            vec![org.clone(), end.into(), start.into()],
        ),
    ];
    let (floor, counts) = time(|| async {
        let mut counts = Vec::new();
        for (read, sql, values) in &statements {
            let rows = db
                .query_all_raw(Statement::from_sql_and_values(
                    backend,
                    placeholders(backend, sql),
                    values.clone(),
                ))
                .await?;
            // Every column decoded, as the service decodes its rows.
            for row in &rows {
                match read {
                    Read::PerHealth | Read::PerDay => {
                        black_box((
                            row.try_get_by_index::<String>(0)?,
                            row.try_get_by_index::<String>(1)?,
                            row.try_get_by_index::<i64>(2)?,
                        ));
                    }
                    Read::Offline => {
                        black_box((
                            row.try_get_by_index::<uuid::Uuid>(0)?,
                            row.try_get_by_index::<String>(1)?,
                            row.try_get_by_index::<DateTime<Utc>>(2)?,
                            row.try_get_by_index::<Option<DateTime<Utc>>>(3)?,
                        ));
                    }
                }
            }
            counts.push(rows.len());
        }
        Ok::<_, sea_orm::DbErr>(counts)
    })
    .await?;
    if shown.worst.len() != Reports::WORST || counts[2] < Reports::WORST {
        return Err("the reports and the floor read different rooms".into());
    }
    Ok(vec![Line {
        what: format!("Reports, {} rooms, 30 days", thousands(REPORT_ROOMS)),
        rows: counts.iter().sum(),
        service,
        floor,
        page_1: None,
    }])
}

/// What a statement of the reports' floor reads.
enum Read {
    PerHealth,
    PerDay,
    Offline,
}

fn print_table(url: &str, lines: &[Line]) {
    let backend = url.split(':').next().unwrap_or(url);
    println!("\nScale L on {backend} ({RUNS} runs each; median / p95 in ms)");
    println!(
        "{:<66} {:>6} {:>16} {:>16} {:>7} {:>9}  targets",
        "", "rows", "service", "floor", "×floor", "÷page 1"
    );
    for l in lines {
        let ratio = l.service.median / l.floor.median;
        let page = l.page_1.map(|p| l.service.median / p);
        let mut misses = Vec::new();
        if ratio > FLOOR_RATIO {
            misses.push(format!("> {FLOOR_RATIO}× floor"));
        }
        if l.service.median > TARGET_MS {
            misses.push(format!("> {TARGET_MS} ms"));
        }
        if page.is_some_and(|p| p > PAGE_100_RATIO) {
            misses.push(format!("> {PAGE_100_RATIO}× page 1"));
        }
        println!(
            "{:<66} {:>6} {:>7.2} / {:>6.2} {:>7.2} / {:>6.2} {:>7.2} {:>9}  {}",
            l.what,
            l.rows,
            l.service.median,
            l.service.p95,
            l.floor.median,
            l.floor.p95,
            ratio,
            page.map_or(String::new(), |p| format!("{p:.2}")),
            if misses.is_empty() {
                "met".to_owned()
            } else {
                misses.join(", ")
            }
        );
    }
}
