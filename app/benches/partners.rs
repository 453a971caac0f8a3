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

use app::domain::authz::{Actor, BuiltInRole, Partnership, Permission, Scope};
use app::domain::directory::Principal;
use app::domain::ids::{
    GroupId, OrgId, RelationshipId, RoleAssignmentId, RoleId, RoomGroupId, RoomId, UserId,
};
use app::domain::partners::{
    ApprovalMode, ChangeCategory, InvitationDraft, RelationshipState, ScopeChoice, TenantAccess,
    TenantView, TENANT_PAGE_SIZE,
};
use app::domain::roles::{AssignmentDraft, RoleDraft};
use app::domain::rooms::{Enrollment, Health, Platform, RoomGroupInput};
use app::domain::validation::GroupName;
use app::server::context::SignedIn;
use app::server::entity::{
    org_domain, organisation, partner_approval, partner_relationship, partner_scope_item, role,
    role_assignment, role_assignment_member, role_assignment_scope, role_permission, room,
    room_group, room_group_member,
};
use app::server::service::identity::Addressed;
use app::server::service::{groups, identity, org_roles, partners, roles, room_groups};
use app::server::ServiceError;
use chrono::{DateTime, Duration as Days, Utc};
use migrations::MigratorTrait;
use sea_orm::{
    ActiveModelTrait, ConnectOptions, ConnectionTrait, Database, DatabaseBackend,
    DatabaseConnection, InsertMany, Set, Statement,
};
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use uuid::Uuid;

const SIZES: [usize; 2] = [20, 2_000];
const RUNS: usize = 20;
const ROOMS_PER_CUSTOMER: usize = 4;
/// Rows per `insert_many` statement: far below both databases' limits on bound parameters.
const CHUNK: usize = 500;
const ACTOR_TARGET_MS: f64 = 5.0;
const PAGE_TARGET_MS: f64 = 20.0;
const PARTNER_DOMAIN: &str = "fabrikam.bench.example";

/// The nine custom partner roles of every customer, within Primary admins' permissions.
const CUSTOM: [(&str, &[Permission]); 9] = [
    (
        "Help desk",
        &[Permission::TicketsView, Permission::TicketsUpdate],
    ),
    (
        "Field techs",
        &[Permission::RoomsView, Permission::RoomsModify],
    ),
    (
        "Reporting",
        &[Permission::RoomsView, Permission::ReportsView],
    ),
    (
        "Ring managers",
        &[Permission::UpdateRingsView, Permission::UpdateRingsModify],
    ),
    (
        "Group viewers",
        &[Permission::RoomsView, Permission::GroupsView],
    ),
    (
        "Incident desk",
        &[
            Permission::RoomsView,
            Permission::ReportsCreateCustomerIncident,
        ],
    ),
    (
        "Night shift",
        &[Permission::RoomsView, Permission::TicketsView],
    ),
    ("Ring viewers", &[Permission::UpdateRingsView]),
    ("Viewers", &[Permission::RoomsView]),
];

/// Custom role `k`'s assignment is scoped to a room group for even `k`: 5 of the 9, and with
/// Primary admins' all-rooms "Assigned admins", 5 of the 10 assignments naming the user.
fn scoped(k: usize) -> bool {
    k.is_multiple_of(2)
}

/// Custom role `k`'s assignment names the partner's group "Technicians" (the user is its member)
/// for the last 4 roles, the user directly otherwise.
fn through_group(k: usize) -> bool {
    k >= 5
}

/// Odd customers give the partner all rooms, even ones "All US rooms".
fn all_rooms(i: usize) -> bool {
    i % 2 == 1
}

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;
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
    let partner = seed_partner(&db, now).await?;
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

struct Partner {
    org: OrgId,
    admin: Actor,
    /// The benchmarked user.
    user: UserId,
    /// "Technicians", of which `user` is a member.
    group: GroupId,
}

async fn seed_partner(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<Partner> {
    let issuer = "https://login.example/fabrikam".to_owned();
    let org = identity::create_organisation(
        db,
        identity::NewOrganisation {
            name: "Fabrikam Partners".into(),
            domains: vec![PARTNER_DOMAIN.into()],
            manages_customers: true,
            issuer_url: issuer.clone(),
            client_id: "client".into(),
            client_secret: "secret".into(),
            accepted_tenant_ids: vec![],
            is_demo: false,
        },
        now,
    )
    .await?;
    let person = |upn: &str, name: &str| identity::VerifiedIdentity {
        issuer: issuer.clone(),
        tenant_id: None,
        subject: format!("sub-{upn}"),
        upn: upn.to_owned(),
        display_name: name.to_owned(),
    };
    let admin = identity::provision_user(
        db,
        org,
        &person("admin@fabrikam.bench.example", "Fabrikam Admin"),
        now,
    )
    .await?;
    org_roles::grant_first_global_admin(db, org, admin, now).await?;
    let admin = load(db, org, admin).await?;
    let user = identity::provision_user(
        db,
        org,
        &person("tess@fabrikam.bench.example", "Tess Technician"),
        now,
    )
    .await?;
    let group = groups::create_group(db, &admin, org, GroupName::parse("Technicians")?, now)
        .await?
        .id;
    groups::add_group_member(db, &admin, org, group, user, now).await?;
    Ok(Partner {
        org,
        admin,
        user,
        group,
    })
}

fn customer_name(i: usize) -> String {
    format!("Customer {i:04}")
}

fn customer_domain(i: usize) -> String {
    format!("c{i:04}.bench.example")
}

/// Customer `i`'s rooms: two in the US, two in Great Britain.
fn room_rows(org: OrgId, i: usize, now: DateTime<Utc>) -> Vec<room::ActiveModel> {
    (0..ROOMS_PER_CUSTOMER)
        .map(|j| {
            let (site, city, country) = if j < ROOMS_PER_CUSTOMER / 2 {
                ("Seattle HQ", "Seattle", "US")
            } else {
                ("London", "London", "GB")
            };
            let name = format!("Room {i:04}-{j}");
            room::ActiveModel {
                id: Set(RoomId::new()),
                org_id: Set(org),
                name_lower: Set(name.to_lowercase()),
                display_name: Set(name),
                resource_account: Set(format!("room{j}@{}", customer_domain(i))),
                site: Set(site.into()),
                city: Set(city.into()),
                country: Set(country.into()),
                platform: Set(Platform::Windows),
                enrollment: Set(Enrollment::Unenrolled),
                health: Set(Health::Unknown),
                last_heartbeat: Set(None),
                update_ring_id: Set(None),
                device_token_hash: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            }
        })
        .collect()
}

fn static_member(group: RoomGroupId, room: &room::ActiveModel) -> room_group_member::ActiveModel {
    room_group_member::ActiveModel {
        room_group_id: Set(group),
        room_id: room.id.clone(),
        org_id: room.org_id.clone(),
    }
}

/// The room group custom role assignments are scoped to: inside the relationship's scope.
fn assignment_group(i: usize, us: RoomGroupId, boardrooms: RoomGroupId) -> RoomGroupId {
    if all_rooms(i) {
        boardrooms
    } else {
        us
    }
}

fn principal(partner: &Partner, k: usize) -> Principal {
    if through_group(k) {
        Principal::Group(partner.group)
    } else {
        Principal::User(partner.user)
    }
}

/// Customer 0, made as a customer and the partner would make it: the organisation and its admin,
/// room groups, an invitation accepted by the partner's admin naming the user as Primary admin,
/// and the 9 custom roles created by the user. Only its rooms are inserted directly. The bulk
/// rows of the other customers copy what this produces (checked by [`same_shape`]).
async fn seed_customer_through_services(
    db: &DatabaseConnection,
    partner: &Partner,
    now: DateTime<Utc>,
) -> Result<OrgId> {
    let issuer = "https://login.example/c0000".to_owned();
    let org = identity::create_organisation(
        db,
        identity::NewOrganisation {
            name: customer_name(0),
            domains: vec![customer_domain(0)],
            manages_customers: false,
            issuer_url: issuer.clone(),
            client_id: "client".into(),
            client_secret: "secret".into(),
            accepted_tenant_ids: vec![],
            is_demo: false,
        },
        now,
    )
    .await?;
    let upn = format!("admin@{}", customer_domain(0));
    let who = identity::VerifiedIdentity {
        issuer,
        tenant_id: None,
        subject: format!("sub-{upn}"),
        display_name: upn.clone(),
        upn,
    };
    let admin = identity::provision_user(db, org, &who, now).await?;
    org_roles::grant_first_global_admin(db, org, admin, now).await?;
    let admin = load(db, org, admin).await?;
    let rooms = room_rows(org, 0, now);
    let first = rooms.first().cloned().ok_or("no rooms")?;
    insert_chunked(db, rooms).await?;
    let group = |name: &str, country: &str| {
        RoomGroupInput {
            name: name.into(),
            description: String::new(),
            rule_country: country.into(),
            rule_site: String::new(),
        }
        .validate()
    };
    let us = room_groups::create_room_group(db, &admin, org, group("All US rooms", "US")?, now)
        .await?
        .id;
    let boardrooms = room_groups::create_room_group(db, &admin, org, group("Boardrooms", "")?, now)
        .await?
        .id;
    insert_chunked(db, vec![static_member(boardrooms, &first)]).await?;

    let invitation = InvitationDraft {
        partner_domain: PARTNER_DOMAIN.into(),
        expires_in_days: 14,
        invited_admins: vec![],
        approvals: vec![(ChangeCategory::Rooms, ApprovalMode::Auto)],
        scope: ScopeChoice {
            all_rooms: all_rooms(0),
            rooms: vec![],
            room_groups: if all_rooms(0) { vec![] } else { vec![us] },
        },
        ends_on: None,
        terms_accepted: true,
    }
    .validate(now.date_naive())?;
    let id = partners::invite_partner(db, &admin, org, invitation, now).await?;
    let primary = vec![Principal::User(partner.user)];
    partners::accept_invitation(db, &partner.admin, id, primary, now).await?;

    let user = actor_of(db, partner, Addressed::Org(org)).await?;
    for (k, (name, permissions)) in CUSTOM.iter().enumerate() {
        let draft = RoleDraft {
            name: (*name).into(),
            description: String::new(),
            permissions: permissions.to_vec(),
        }
        .validate()?;
        let assignment = AssignmentDraft {
            name: format!("{name} team"),
            description: String::new(),
            notify: false,
            members: vec![principal(partner, k)],
            all_rooms: !scoped(k),
            rooms: vec![],
            room_groups: if scoped(k) {
                vec![assignment_group(0, us, boardrooms)]
            } else {
                vec![]
            },
        }
        .validate()?;
        roles::create_role(db, &user, org, draft, Some(assignment), now).await?;
    }
    Ok(org)
}

/// Every row of a batch of customers, in the order foreign keys need.
#[derive(Default)]
struct Rows {
    orgs: Vec<organisation::ActiveModel>,
    domains: Vec<org_domain::ActiveModel>,
    roles: Vec<role::ActiveModel>,
    rooms: Vec<room::ActiveModel>,
    room_groups: Vec<room_group::ActiveModel>,
    static_members: Vec<room_group_member::ActiveModel>,
    relationships: Vec<partner_relationship::ActiveModel>,
    scope_items: Vec<partner_scope_item::ActiveModel>,
    approvals: Vec<partner_approval::ActiveModel>,
    permissions: Vec<role_permission::ActiveModel>,
    assignments: Vec<role_assignment::ActiveModel>,
    members: Vec<role_assignment_member::ActiveModel>,
    scopes: Vec<role_assignment_scope::ActiveModel>,
}

impl Rows {
    /// Customer `i` as `seed_customer_through_services` leaves customer 0, without the audit
    /// entries and the customer's own admin (neither is read by the partner's requests).
    fn customer(&mut self, partner: &Partner, i: usize, now: DateTime<Utc>) {
        let org = OrgId::new();
        self.orgs.push(organisation::ActiveModel {
            id: Set(org),
            name: Set(customer_name(i)),
            manages_customers: Set(false),
            issuer_url: Set(format!("https://login.example/c{i:04}")),
            client_id: Set("client".into()),
            client_secret: Set("secret".into()),
            accepted_tenant_ids: Set(String::new()),
            client_secret_ref: Set(None),
            pending_global_admin: Set(None),
            is_demo: Set(false),
            created_at: Set(now),
        });
        self.domains.push(org_domain::ActiveModel {
            domain: Set(customer_domain(i)),
            org_id: Set(org),
        });
        for built_in in BuiltInRole::CUSTOMER {
            let id = RoleId::new();
            let row = role_row(id, org, built_in.name(), Some(built_in), None, now);
            self.roles.push(row);
        }
        let rooms = room_rows(org, i, now);
        let group = |id, name: &str, country: Option<&str>| room_group::ActiveModel {
            id: Set(id),
            org_id: Set(org),
            name: Set(name.into()),
            name_lower: Set(name.to_lowercase()),
            description: Set(String::new()),
            rule_country: Set(country.map(str::to_owned)),
            rule_site: Set(None),
            created_at: Set(now),
        };
        let us = RoomGroupId::new();
        let boardrooms = RoomGroupId::new();
        self.room_groups.push(group(us, "All US rooms", Some("US")));
        self.room_groups.push(group(boardrooms, "Boardrooms", None));
        if let Some(first) = rooms.first() {
            self.static_members.push(static_member(boardrooms, first));
        }
        self.rooms.extend(rooms);

        let rel = RelationshipId::new();
        let at = now + Days::seconds(i64::try_from(i).unwrap_or_default());
        self.relationships.push(partner_relationship::ActiveModel {
            id: Set(rel),
            org_id: Set(org),
            partner_org_id: Set(partner.org),
            state: Set(RelationshipState::Active),
            all_rooms: Set(all_rooms(i)),
            invitation_expires_at: Set(at + Days::days(14)),
            ends_at: Set(None),
            created_at: Set(at),
            accepted_at: Set(Some(at)),
            lapse_logged_for: Set(None),
        });
        if !all_rooms(i) {
            self.scope_items.push(partner_scope_item::ActiveModel {
                id: Set(Uuid::new_v4()),
                org_id: Set(org),
                relationship_id: Set(rel),
                room_id: Set(None),
                room_group_id: Set(Some(us)),
            });
        }
        self.approvals.push(partner_approval::ActiveModel {
            relationship_id: Set(rel),
            category: Set(ChangeCategory::Rooms),
            org_id: Set(org),
            mode: Set(ApprovalMode::Auto),
        });

        // Primary admins, as `accept_invitation` makes it: "Assigned admins" name the user,
        // "Invited admins" nobody (the invitation named no one).
        let primary = BuiltInRole::PrimaryAdmins;
        let role_id = RoleId::new();
        let row = role_row(role_id, org, primary.name(), Some(primary), Some(rel), now);
        self.roles.push(row);
        let assigned = self.assignment(org, role_id, partners::ASSIGNED_ADMINS, None, now);
        self.member(org, assigned, Principal::User(partner.user));
        self.assignment(org, role_id, partners::INVITED_ADMINS, None, now);

        let scoped_to = assignment_group(i, us, boardrooms);
        for (k, (name, permissions)) in CUSTOM.iter().enumerate() {
            let role_id = RoleId::new();
            self.roles
                .push(role_row(role_id, org, name, None, Some(rel), now));
            self.permissions
                .extend(permissions.iter().map(|p| role_permission::ActiveModel {
                    role_id: Set(role_id),
                    permission: Set(*p),
                    org_id: Set(org),
                }));
            let within = scoped(k).then_some(scoped_to);
            let name = format!("{name} team");
            let assignment = self.assignment(org, role_id, &name, within, now);
            self.member(org, assignment, principal(partner, k));
        }
    }

    fn assignment(
        &mut self,
        org: OrgId,
        role: RoleId,
        name: &str,
        room_group: Option<RoomGroupId>,
        now: DateTime<Utc>,
    ) -> RoleAssignmentId {
        let id = RoleAssignmentId::new();
        self.assignments.push(role_assignment::ActiveModel {
            id: Set(id),
            org_id: Set(org),
            role_id: Set(role),
            name: Set(name.into()),
            description: Set(String::new()),
            notify: Set(false),
            all_rooms: Set(room_group.is_none()),
            created_at: Set(now),
        });
        if let Some(group) = room_group {
            self.scopes.push(role_assignment_scope::ActiveModel {
                id: Set(Uuid::new_v4()),
                org_id: Set(org),
                assignment_id: Set(id),
                room_id: Set(None),
                room_group_id: Set(Some(group)),
            });
        }
        id
    }

    fn member(&mut self, org: OrgId, assignment: RoleAssignmentId, who: Principal) {
        let (user_id, group_id) = match who {
            Principal::User(u) => (Some(u), None),
            Principal::Group(g) => (None, Some(g)),
        };
        self.members.push(role_assignment_member::ActiveModel {
            id: Set(Uuid::new_v4()),
            org_id: Set(org),
            assignment_id: Set(assignment),
            user_id: Set(user_id),
            group_id: Set(group_id),
        });
    }

    async fn insert(self, db: &DatabaseConnection) -> Result<()> {
        insert_chunked(db, self.orgs).await?;
        insert_chunked(db, self.domains).await?;
        insert_chunked(db, self.roles).await?;
        insert_chunked(db, self.rooms).await?;
        insert_chunked(db, self.room_groups).await?;
        insert_chunked(db, self.static_members).await?;
        insert_chunked(db, self.relationships).await?;
        insert_chunked(db, self.scope_items).await?;
        insert_chunked(db, self.approvals).await?;
        insert_chunked(db, self.permissions).await?;
        insert_chunked(db, self.assignments).await?;
        insert_chunked(db, self.members).await?;
        insert_chunked(db, self.scopes).await
    }
}

fn role_row(
    id: RoleId,
    org: OrgId,
    name: &str,
    built_in: Option<BuiltInRole>,
    relationship: Option<RelationshipId>,
    now: DateTime<Utc>,
) -> role::ActiveModel {
    role::ActiveModel {
        id: Set(id),
        org_id: Set(org),
        name: Set(name.into()),
        name_lower: Set(name.to_lowercase()),
        description: Set(built_in
            .map(|b| b.description().to_owned())
            .unwrap_or_default()),
        built_in: Set(built_in),
        created_at: Set(now),
        relationship_id: Set(relationship),
    }
}

/// Customers `range` in bulk: through the services, 2,000 customers would take long (each
/// invitation, acceptance and role is a transaction with audit entries, and creating a role
/// loads the user's partnerships in every customer so far), so their rows are written with
/// `insert_many`, 100 customers at a time.
async fn seed_customers_in_bulk(
    db: &DatabaseConnection,
    partner: &Partner,
    range: std::ops::Range<usize>,
    now: DateTime<Utc>,
) -> Result<()> {
    let all: Vec<usize> = range.collect();
    for batch in all.chunks(100) {
        let mut rows = Rows::default();
        for i in batch {
            rows.customer(partner, *i, now);
        }
        rows.insert(db).await?;
    }
    Ok(())
}

async fn insert_chunked<A: ActiveModelTrait + Send>(
    db: &DatabaseConnection,
    mut rows: Vec<A>,
) -> Result<()> {
    while !rows.is_empty() {
        let rest = rows.split_off(rows.len().min(CHUNK));
        InsertMany::<A>::many(rows)
            .exec_without_returning(db)
            .await?;
        rows = rest;
    }
    Ok(())
}

async fn load(db: &DatabaseConnection, org: OrgId, user: UserId) -> Result<Actor> {
    Ok(
        identity::load_actor(db, &SignedIn { user, org }, Utc::now())
            .await?
            .ok_or("the user was just made")?,
    )
}

// ---------------------------------------------------------------------------------------------
// Measuring.

/// Median and p95 of `RUNS` calls, in milliseconds.
#[derive(Clone, Copy)]
struct Timing {
    median: f64,
    p95: f64,
}

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

async fn actor_of(
    db: &DatabaseConnection,
    partner: &Partner,
    addressed: Addressed,
) -> std::result::Result<Actor, ServiceError> {
    let who = SignedIn {
        user: partner.user,
        org: partner.org,
    };
    identity::load_actor_for(db, &who, addressed, Utc::now())
        .await?
        .ok_or(ServiceError::NotFound)
}

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

async fn time<T, E, F, Fut>(call: F) -> Result<(Timing, T)>
where
    E: std::error::Error + 'static,
    F: Fn() -> Fut,
    Fut: Future<Output = std::result::Result<T, E>>,
{
    // One call first, untimed: connection and statement caches warm, as in a running server.
    let mut last = call().await.map_err(boxed)?;
    let mut times: Vec<Duration> = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let started = Instant::now();
        last = call().await.map_err(boxed)?;
        times.push(started.elapsed());
    }
    times.sort();
    let median = (ms(times[RUNS / 2 - 1]) + ms(times[RUNS / 2])) / 2.0;
    // Nearest rank: the 19th of 20.
    let p95 = ms(times[(RUNS * 95).div_ceil(100) - 1]);
    Ok((Timing { median, p95 }, last))
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

fn boxed<E: std::error::Error + 'static>(e: E) -> Box<dyn std::error::Error> {
    Box::new(e)
}

fn thousands(n: usize) -> String {
    match n {
        0..1000 => n.to_string(),
        _ => format!("{},{:03}", n / 1000, n % 1000),
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
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
