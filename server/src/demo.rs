//! The demo: organisations, users, groups and roles of `end2end/idp/demo.json` (the same file
//! the local identity provider serves), seeded into an empty database through the services the
//! pages use, acting as each organisation's first Global admin.

use anyhow::Context;
use app::domain::authz::OrgRole;
use app::domain::directory::Principal;
use app::domain::validation::GroupName;
use app::server::context::SignedIn;
use app::server::service::{groups, identity, org_roles};
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use serde::Deserialize;
use std::collections::HashMap;

const DEMO: &str = include_str!("../../end2end/idp/demo.json");

#[derive(Deserialize)]
struct Demo {
    issuers: Vec<Issuer>,
    organisations: Vec<Org>,
}

#[derive(Deserialize)]
struct Issuer {
    key: String,
    port: u16,
    client_id: String,
    client_secret: String,
}

#[derive(Deserialize)]
struct Org {
    name: String,
    domains: Vec<String>,
    issuer: String,
    tenant_id: String,
    manages_customers: bool,
    users: Vec<User>,
    groups: Vec<Group>,
}

#[derive(Deserialize)]
struct User {
    upn: String,
    name: String,
    oid: String,
    roles: Vec<String>,
    #[serde(default)]
    jit_only: bool,
}

#[derive(Deserialize)]
struct Group {
    name: String,
    members: Vec<String>,
    roles: Vec<String>,
}

fn role(key: &str) -> anyhow::Result<OrgRole> {
    OrgRole::from_key(key).with_context(|| format!("unknown role {key} in demo.json"))
}

/// Seeds the demo unless the database already has an organisation.
pub async fn seed_if_empty(db: &DatabaseConnection, now: DateTime<Utc>) -> anyhow::Result<()> {
    if identity::any_organisation(db).await? {
        return Ok(());
    }
    let demo: Demo = serde_json::from_str(DEMO).context("parsing demo.json")?;
    for org in &demo.organisations {
        seed_org(db, &demo, org, now)
            .await
            .with_context(|| format!("seeding {}", org.name))?;
    }
    tracing::info!(organisations = demo.organisations.len(), "demo seeded");
    Ok(())
}

async fn seed_org(
    db: &DatabaseConnection,
    demo: &Demo,
    org: &Org,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let issuer = demo
        .issuers
        .iter()
        .find(|i| i.key == org.issuer)
        .with_context(|| format!("unknown issuer {}", org.issuer))?;
    let issuer_url = format!("http://127.0.0.1:{}", issuer.port);
    let org_id = identity::create_organisation(
        db,
        identity::NewOrganisation {
            name: org.name.clone(),
            domains: org.domains.clone(),
            manages_customers: org.manages_customers,
            issuer_url: issuer_url.clone(),
            client_id: issuer.client_id.clone(),
            client_secret: issuer.client_secret.clone(),
            accepted_tenant_ids: vec![org.tenant_id.clone()],
            is_demo: true,
        },
        now,
    )
    .await?;
    let mut users = HashMap::new();
    for u in org.users.iter().filter(|u| !u.jit_only) {
        let identity = identity::VerifiedIdentity {
            issuer: issuer_url.clone(),
            tenant_id: Some(org.tenant_id.clone()),
            subject: u.oid.clone(),
            upn: u.upn.clone(),
            display_name: u.name.clone(),
        };
        users.insert(
            u.upn.clone(),
            identity::provision_user(db, org_id, &identity, now).await?,
        );
    }
    let first_admin = org
        .users
        .iter()
        .find(|u| u.roles.iter().any(|r| r == OrgRole::GlobalAdmin.key()))
        .and_then(|u| users.get(&u.upn))
        .context("every demo organisation needs a Global admin")?;
    let first = org_roles::grant_first_global_admin(db, org_id, *first_admin, now).await?;
    let actor = identity::load_actor(
        db,
        &SignedIn {
            user: *first_admin,
            org: org_id,
        },
    )
    .await?
    .context("the first Global admin")?;
    for u in org.users.iter().filter(|u| !u.jit_only) {
        for key in &u.roles {
            let (role, user) = (role(key)?, users[&u.upn]);
            if user == *first_admin && role == OrgRole::GlobalAdmin {
                continue;
            }
            org_roles::assign_org_role(db, &actor, org_id, role, Principal::User(user), now)
                .await?;
        }
    }
    for g in &org.groups {
        let group =
            groups::create_group(db, &actor, org_id, GroupName::parse(&g.name)?, now).await?;
        for member in &g.members {
            let user = *users
                .get(member)
                .with_context(|| format!("unknown member {member}"))?;
            groups::add_group_member(db, &actor, org_id, group.id, user, now).await?;
        }
        for key in &g.roles {
            org_roles::assign_org_role(
                db,
                &actor,
                org_id,
                role(key)?,
                Principal::Group(group.id),
                now,
            )
            .await?;
        }
    }
    tracing::debug!(org = %org.name, first_assignment = %first, "demo organisation seeded");
    Ok(())
}
