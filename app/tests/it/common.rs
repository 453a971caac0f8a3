use app::domain::audit::{AuditEntryView, AuditQuery};
use app::domain::authz::Actor;
use app::domain::ids::{OrgId, UserId};
use app::server::context::SignedIn;
use app::server::service::{audit, identity, org_roles};
use chrono::{DateTime, TimeZone, Utc};
use migrations::MigratorTrait;
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection};

pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).unwrap()
}

/// A migrated, empty database of its own.
pub async fn db() -> DatabaseConnection {
    let conn = match std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres"))
    {
        Some(server) => {
            let name = format!("it_{}", uuid::Uuid::new_v4().simple());
            let admin = Database::connect(server.as_str())
                .await
                .expect("PostgreSQL reachable");
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .unwrap();
            admin.close().await.unwrap();
            let (base, _) = server.rsplit_once('/').unwrap();
            Database::connect(format!("{base}/{name}")).await.unwrap()
        }
        None => {
            let mut options = ConnectOptions::new("sqlite::memory:");
            options.max_connections(1).sqlx_logging(false);
            Database::connect(options).await.unwrap()
        }
    };
    migrations::Migrator::up(&conn, None).await.unwrap();
    conn
}

pub struct Org {
    pub id: OrgId,
    pub issuer: String,
    pub tenant: String,
}

pub async fn org(db: &DatabaseConnection, name: &str, domain: &str) -> Org {
    new_org(db, name, domain, false).await
}

/// An organisation that manages customers (has a partner mode).
pub async fn partner_org(db: &DatabaseConnection, name: &str, domain: &str) -> Org {
    new_org(db, name, domain, true).await
}

async fn new_org(db: &DatabaseConnection, name: &str, domain: &str, partner: bool) -> Org {
    let issuer = format!("https://login.example/{domain}");
    let tenant = uuid::Uuid::new_v4().to_string();
    let id = identity::create_organisation(
        db,
        identity::NewOrganisation {
            name: name.to_owned(),
            domains: vec![domain.to_owned()],
            manages_customers: partner,
            issuer_url: issuer.clone(),
            client_id: "client".to_owned(),
            client_secret: "secret".to_owned(),
            accepted_tenant_ids: vec![tenant.clone()],
            is_demo: false,
        },
        now(),
    )
    .await
    .unwrap();
    Org { id, issuer, tenant }
}

pub fn identity_of(org: &Org, upn: &str, name: &str) -> identity::VerifiedIdentity {
    identity::VerifiedIdentity {
        issuer: org.issuer.clone(),
        tenant_id: Some(org.tenant.clone()),
        subject: format!("sub-{upn}"),
        upn: upn.to_owned(),
        display_name: name.to_owned(),
    }
}

pub async fn user(db: &DatabaseConnection, org: &Org, upn: &str, name: &str) -> UserId {
    identity::provision_user(db, org.id, &identity_of(org, upn, name), now())
        .await
        .unwrap()
}

pub async fn actor(db: &DatabaseConnection, org: &Org, user: UserId) -> Actor {
    actor_at(db, org, user, now()).await
}

/// The actor as a request at `at` would load it (relationships past their end date are gone),
/// with its partnerships in every customer, so that one actor can be used on each of them.
pub async fn actor_at(
    db: &DatabaseConnection,
    org: &Org,
    user: UserId,
    at: DateTime<Utc>,
) -> Actor {
    identity::load_actor_for(
        db,
        &SignedIn { user, org: org.id },
        identity::Addressed::AllCustomers,
        at,
    )
    .await
    .unwrap()
    .expect("user exists")
}

/// An organisation with a first Global admin, returned as an actor.
pub async fn org_with_admin(db: &DatabaseConnection, name: &str, domain: &str) -> (Org, Actor) {
    let o = org(db, name, domain).await;
    with_admin(db, o, name, domain).await
}

/// A partner organisation with a first Global admin.
pub async fn partner_with_admin(db: &DatabaseConnection, name: &str, domain: &str) -> (Org, Actor) {
    let o = partner_org(db, name, domain).await;
    with_admin(db, o, name, domain).await
}

async fn with_admin(db: &DatabaseConnection, o: Org, name: &str, domain: &str) -> (Org, Actor) {
    let admin = user(db, &o, &format!("admin@{domain}"), &format!("{name} Admin")).await;
    org_roles::grant_first_global_admin(db, o.id, admin, now())
        .await
        .unwrap();
    let a = actor(db, &o, admin).await;
    (o, a)
}

/// The audit entries of one category and result, newest first, as the admin sees them.
pub async fn audit_rows(
    db: &DatabaseConnection,
    admin: &Actor,
    org: OrgId,
    category: &str,
    result: &str,
) -> Vec<AuditEntryView> {
    audit::list(
        db,
        admin,
        org,
        AuditQuery {
            category: Some(category.to_owned()),
            result_status: Some(result.to_owned()),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .rows
}

/// One heartbeat recorded as the agent API records it (a batch of one, under no rate): its
/// verdict, and whether the room's incidents changed.
pub async fn heartbeat(
    db: &DatabaseConnection,
    token: &str,
    beat: &app::domain::health::Heartbeat,
    now: DateTime<Utc>,
) -> Result<(app::server::service::health::Verdict, bool), app::server::ServiceError> {
    use app::server::service::health;
    let received = [health::Received {
        token: token.to_owned(),
        beat: beat.clone(),
    }];
    let batch = health::record_heartbeats(db, &received, now, |_| Ok(())).await?;
    Ok((batch.verdicts[0], !batch.changed.is_empty()))
}
