//! How long the room pages' services take on a large organisation: 20,000 rooms on 40 sites in
//! 10 countries, a rule group per country and per site, a static group of 500 rooms, three
//! update rings. Each call is timed 20 times; the median is printed, for the Global admin and
//! for a Site Lead over one country.
//!
//! `cargo bench -p app --features ssr --bench scale` (SQLite in memory; set
//! `BENCH_DATABASE_URL=postgres://…` for PostgreSQL, on a database it may fill).

#[path = "common/rows.rs"]
mod rows;
use app::domain::authz::{Actor, BuiltInRole};
use app::domain::directory::Principal;
use app::domain::ids::{OrgId, RoomGroupId, RoomId, UpdateRingId};
use app::domain::roles::AssignmentDraft;
use app::domain::rooms::{MemberQuery, RoomGroupInput, RoomQuery, UpdateRingInput};
use app::server::context::SignedIn;
use app::server::entity::{room, room_group_member};
use app::server::service::{identity, org_roles, roles, room_groups, rooms};
use chrono::{DateTime, Utc};
use migrations::MigratorTrait;
use rows::room_row;
use sea_orm::{
    ColumnTrait, ConnectOptions, Database, DatabaseConnection, EntityTrait, QueryFilter, Set,
};
use std::future::Future;
use std::time::{Duration, Instant};

const ROOMS: usize = 20_000;
const COUNTRIES: usize = 10;
const SITES: usize = 40;
const RUNS: usize = 20;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let url = std::env::var("BENCH_DATABASE_URL").unwrap_or_else(|_| "sqlite::memory:".into());
    let mut options = ConnectOptions::new(url.as_str());
    options.max_connections(1).sqlx_logging(false);
    let db = Database::connect(options).await?;
    migrations::Migrator::up(&db, None).await?;
    let now = Utc::now();

    let started = Instant::now();
    let estate = seed(&db, now).await?;
    println!(
        "seeded {ROOMS} rooms, {} groups in {:.1} s ({url})",
        COUNTRIES + SITES + 1,
        started.elapsed().as_secs_f64()
    );

    let query = RoomQuery::default().validate()?;
    let members = MemberQuery::default().validate()?;
    for (who, actor) in [("Global admin", &estate.admin), ("Site Lead", &estate.lead)] {
        let org = estate.org;
        let first_page = || rooms::list_rooms(&db, actor, org, query.clone());
        report(who, "list rooms (first page of 25)", first_page).await?;
        let groups = || room_groups::list_room_groups(&db, actor, org);
        report(who, "list room groups with counts", groups).await?;
        let group =
            || room_groups::get_room_group(&db, actor, org, estate.country_group, members.clone());
        report(who, "one country group, its first page of rooms", group).await?;
        let rings = || room_groups::list_update_rings(&db, actor, org);
        report(who, "list update rings with counts", rings).await?;
    }
    Ok(())
}

struct Estate {
    org: OrgId,
    admin: Actor,
    lead: Actor,
    country_group: RoomGroupId,
}

fn country(i: usize) -> String {
    const CODES: [&str; COUNTRIES] = ["US", "GB", "DE", "FR", "IN", "JP", "CA", "AU", "BR", "NL"];
    CODES[i % COUNTRIES].to_owned()
}

fn site(i: usize) -> String {
    format!("Site {}", i % SITES)
}

async fn seed(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<Estate> {
    let issuer = "https://login.example/bench".to_owned();
    let org = identity::create_organisation(
        db,
        identity::NewOrganisation {
            name: "Bench".into(),
            domains: vec!["bench.example".into()],
            manages_customers: false,
            issuer_url: issuer.clone(),
            client_id: "client".into(),
            client_secret: "secret".into(),
            accepted_tenant_ids: vec!["tenant".into()],
            is_demo: false,
        },
        now,
    )
    .await?;
    let person = |upn: &str| identity::VerifiedIdentity {
        issuer: issuer.clone(),
        tenant_id: Some("tenant".into()),
        subject: format!("sub-{upn}"),
        upn: upn.to_owned(),
        display_name: upn.to_owned(),
    };
    let admin = identity::provision_user(db, org, &person("admin@bench.example"), now).await?;
    org_roles::grant_first_global_admin(db, org, admin, now).await?;
    let admin = load(db, org, admin).await?;

    // Rooms are written in bulk: through the service, 20,000 rooms would take minutes.
    let ids: Vec<RoomId> = (0..ROOMS).map(|_| RoomId::new()).collect();
    for chunk in ids.chunks(500).enumerate() {
        let (c, chunk) = chunk;
        let rows = chunk.iter().enumerate().map(|(k, id)| {
            let i = c * 500 + k;
            room_row(
                (*id, org),
                format!("Room {i:05}"),
                format!("room{i}@bench.example"),
                (site(i), format!("City {}", i % SITES), country(i)),
                now,
            )
        });
        room::Entity::insert_many(rows).exec(db).await?;
    }

    let group = |name: String, rule_country: String, rule_site: String| RoomGroupInput {
        name,
        description: String::new(),
        rule_country,
        rule_site,
    };
    let mut country_group = None;
    for c in 0..COUNTRIES {
        let input = group(
            format!("All {} rooms", country(c)),
            country(c),
            String::new(),
        );
        let made = room_groups::create_room_group(db, &admin, org, input.validate()?, now).await?;
        country_group.get_or_insert(made.id);
    }
    for s in 0..SITES {
        let input = group(site(s), String::new(), site(s));
        room_groups::create_room_group(db, &admin, org, input.validate()?, now).await?;
    }
    let statics = group("Boardrooms".into(), String::new(), String::new());
    let statics = room_groups::create_room_group(db, &admin, org, statics.validate()?, now).await?;
    let members = ids
        .iter()
        .step_by(ROOMS / 500)
        .map(|id| room_group_member::ActiveModel {
            room_group_id: Set(statics.id),
            room_id: Set(*id),
            org_id: Set(org),
        });
    room_group_member::Entity::insert_many(members)
        .exec(db)
        .await?;

    let mut rings: Vec<UpdateRingId> = vec![];
    for (name, days) in [("Pilot", "0"), ("Broad", "7"), ("Late", "21")] {
        let input = UpdateRingInput {
            name: name.into(),
            deferral_days: days.into(),
        };
        let made = room_groups::create_update_ring(db, &admin, org, input.validate()?, now).await?;
        rings.push(made.id);
    }
    for (i, ring) in rings.iter().enumerate() {
        room::Entity::update_many()
            .col_expr(room::Column::UpdateRingId, (*ring).into())
            .filter(room::Column::Site.is_in((0..SITES).filter(|s| s % 3 == i).map(site)))
            .exec(db)
            .await?;
    }

    let country_group = country_group.ok_or("no country group")?;
    let lead = identity::provision_user(db, org, &person("lead@bench.example"), now).await?;
    let site_lead = roles::list_roles(db, &admin, org)
        .await?
        .into_iter()
        .find(|r| r.built_in == Some(BuiltInRole::SiteLead))
        .ok_or("no Site Lead role")?;
    let assignment = AssignmentDraft {
        name: "Country lead".into(),
        description: String::new(),
        notify: false,
        members: vec![Principal::User(lead)],
        all_rooms: false,
        rooms: vec![],
        room_groups: vec![country_group],
    };
    roles::save_assignment(
        db,
        &admin,
        org,
        site_lead.id,
        None,
        assignment.validate()?,
        now,
    )
    .await?;
    let lead = load(db, org, lead).await?;
    Ok(Estate {
        org,
        admin,
        lead,
        country_group,
    })
}

async fn load(
    db: &DatabaseConnection,
    org: OrgId,
    user: app::domain::ids::UserId,
) -> Result<Actor> {
    Ok(
        identity::load_actor(db, &SignedIn { user, org }, chrono::Utc::now())
            .await?
            .ok_or("the user was just made")?,
    )
}

async fn report<T, E, F, Fut>(who: &str, what: &str, call: F) -> Result<()>
where
    E: std::error::Error + 'static,
    F: Fn() -> Fut,
    Fut: Future<Output = std::result::Result<T, E>>,
{
    let mut times: Vec<Duration> = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let started = Instant::now();
        call()
            .await
            .map_err(|e| Box::new(e) as Box<dyn std::error::Error>)?;
        times.push(started.elapsed());
    }
    times.sort();
    let median = times[RUNS / 2].as_secs_f64() * 1000.0;
    let worst = times[RUNS - 1].as_secs_f64() * 1000.0;
    println!("{who:>12}: {what:<36} median {median:7.2} ms, slowest {worst:7.2} ms");
    Ok(())
}
