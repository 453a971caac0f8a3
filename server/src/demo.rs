//! The demo: organisations, users, groups and roles of `end2end/idp/demo.json` (the same file
//! the local identity provider serves), seeded into an empty database through the services the
//! pages use, acting as each organisation's first Global admin.
//!
//! A customer's `fleet` describes its sites; [`plan_rooms`] expands it deterministically into
//! rooms (names, resource accounts, platforms and rings derived from indexes, nothing random).
//! Rooms are pre-provisioned (unenrolled, health unknown): health only ever comes from a device.
//! Room groups, update rings and role `assignments` (members over part of the fleet) follow, so
//! that a Site Lead or a Site Tech of the demo sees only their part.
//!
//! Then the `partnerships`: each customer invites its partner, the partner's Tenant manager
//! accepts (or leaves it pending), and the Primary admin creates the partner roles, each step
//! by the user who would take it in the portal.

use anyhow::{bail, Context};
use app::domain::authz::Permission;
use app::domain::authz::{Actor, OrgRole};
use app::domain::directory::Principal;
use app::domain::ids::{GroupId, OrgId, RoomGroupId, RoomId, UpdateRingId, UserId};
use app::domain::partners::{ApprovalMode, ChangeCategory, InvitationDraft, ScopeChoice};
use app::domain::roles::{AssignmentDraft, RoleDraft};
use app::domain::rooms::{Platform, RoomGroupInput, RoomInput, UpdateRingInput};
use app::domain::validation::GroupName;
use app::server::context::SignedIn;
use app::server::service::{groups, identity, org_roles, partners, roles, room_groups, rooms};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{DatabaseConnection, DatabaseTransaction};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap, HashSet};

const DEMO: &str = include_str!("../../end2end/idp/demo.json");

#[derive(Deserialize)]
struct Demo {
    issuers: Vec<Issuer>,
    organisations: Vec<Org>,
    #[serde(default)]
    partnerships: Vec<PartnershipSpec>,
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
    /// The customer's rooms; none for an organisation that only manages others.
    #[serde(default)]
    fleet: Option<Fleet>,
    #[serde(default)]
    assignments: Vec<Assignment>,
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

/// A customer's rooms, as sites expanded by [`plan_rooms`], with its update rings and room
/// groups.
#[derive(Deserialize)]
struct Fleet {
    platform_mix: PlatformMix,
    sites: Vec<Site>,
    rings: Vec<Ring>,
    room_groups: Vec<RoomGroupSpec>,
}

/// How many rooms of each platform in every `windows + android + surface_hub` rooms.
#[derive(Deserialize)]
struct PlatformMix {
    windows: u32,
    android: u32,
    surface_hub: u32,
}

/// A building: `rooms` rooms spread over `floors` floors. Room `n` of floor `f` is called
/// `"{code} {f}.{n:02} {name}"`, the names taken in turn from `names` (none: just the number),
/// with the resource account `"{account}-{f}{n:02}@{domain}"`. Elsewhere in demo.json a room
/// is referred to by its code without the name, like `"Harbour 6.01"`.
#[derive(Deserialize)]
struct Site {
    name: String,
    code: String,
    account: String,
    city: String,
    country: String,
    domain: String,
    rooms: u32,
    floors: u32,
    /// The ring of the site's rooms that no ring lists by code; none: not in a ring yet.
    #[serde(default)]
    ring: Option<String>,
    #[serde(default)]
    names: Vec<String>,
}

#[derive(Deserialize)]
struct Ring {
    name: String,
    deferral_days: u32,
    /// Room codes put in this ring whatever their site's ring.
    #[serde(default)]
    rooms: Vec<String>,
}

#[derive(Deserialize)]
struct RoomGroupSpec {
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    rule_country: String,
    #[serde(default)]
    rule_site: String,
    /// Static members, by room code.
    #[serde(default)]
    rooms: Vec<String>,
}

/// An assignment of a built-in role (by its name): members are UPNs or security group names,
/// the scope room groups (by name) and rooms (by code).
#[derive(Deserialize)]
struct Assignment {
    role: String,
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    notify: bool,
    members: Vec<String>,
    #[serde(default)]
    room_groups: Vec<String>,
    #[serde(default)]
    rooms: Vec<String>,
}

/// A customer's invitation to a partner (named by one of its domains), sent by the customer's
/// first Global admin, over all rooms or the room groups (by name) and rooms (by code) listed.
/// With `accepted_by` (one of the partner's Tenant managers, by UPN) it is accepted, naming
/// `primary_admins` (the partner's users or security groups), and the first of them who is a
/// user creates the partner `roles`; without, it stays pending.
#[derive(Deserialize)]
struct PartnershipSpec {
    customer: String,
    partner_domain: String,
    #[serde(default)]
    all_rooms: bool,
    #[serde(default)]
    room_groups: Vec<String>,
    #[serde(default)]
    rooms: Vec<String>,
    #[serde(default)]
    approvals: BTreeMap<ChangeCategory, ApprovalMode>,
    expires_in_days: u32,
    /// The relationship's last day, this many days after seeding; none: no end date.
    #[serde(default)]
    ends_in_days: Option<i64>,
    /// The partner's UPNs, who join "Invited admins" on acceptance.
    #[serde(default)]
    invited_admins: Vec<String>,
    #[serde(default)]
    accepted_by: Option<String>,
    #[serde(default)]
    primary_admins: Vec<String>,
    #[serde(default)]
    roles: Vec<PartnerRoleSpec>,
}

/// A partner role with one assignment, `members` (the partner's UPNs or security groups) over
/// all the relationship's rooms.
#[derive(Deserialize)]
struct PartnerRoleSpec {
    name: String,
    #[serde(default)]
    description: String,
    permissions: Vec<Permission>,
    assignment: String,
    members: Vec<String>,
}

/// One room of the expanded fleet.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PlannedRoom {
    /// `"Harbour 6.01"`: how demo.json refers to the room.
    code: String,
    input: RoomInput,
    ring: Option<String>,
}

/// The platforms of `mix`, interleaved evenly (smooth weighted round robin), one cycle long.
fn platform_cycle(mix: &PlatformMix) -> Vec<Platform> {
    let weights = [
        (Platform::Windows, i64::from(mix.windows)),
        (Platform::Android, i64::from(mix.android)),
        (Platform::SurfaceHub, i64::from(mix.surface_hub)),
    ];
    let total: i64 = weights.iter().map(|(_, w)| w).sum();
    let mut current = [0i64; 3];
    let mut cycle = Vec::new();
    for _ in 0..total {
        for (c, (_, w)) in current.iter_mut().zip(&weights) {
            *c += w;
        }
        let mut best = 0;
        for k in 1..current.len() {
            if current[k] > current[best] {
                best = k;
            }
        }
        current[best] -= total;
        cycle.push(weights[best].0);
    }
    cycle
}

/// Expands the fleet into rooms, deterministically, and checks that every room code, ring and
/// site named elsewhere in the fleet exists.
fn plan_rooms(fleet: &Fleet) -> anyhow::Result<Vec<PlannedRoom>> {
    let cycle = platform_cycle(&fleet.platform_mix);
    if cycle.is_empty() {
        bail!("platform_mix needs at least one room");
    }
    let ring_names: HashSet<&str> = fleet.rings.iter().map(|r| r.name.as_str()).collect();
    let mut explicit: HashMap<&str, &str> = HashMap::new();
    for ring in &fleet.rings {
        for code in &ring.rooms {
            if explicit.insert(code, &ring.name).is_some() {
                bail!("room {code} is listed in two rings");
            }
        }
    }
    let mut planned = Vec::new();
    for site in &fleet.sites {
        if let Some(ring) = &site.ring {
            if !ring_names.contains(ring.as_str()) {
                bail!("site {} names the unknown ring {ring}", site.name);
            }
        }
        if site.floors == 0 || site.rooms == 0 {
            bail!("site {} needs rooms and floors", site.name);
        }
        let per_floor = site.rooms.div_ceil(site.floors);
        if per_floor > 99 {
            bail!("site {} has more than 99 rooms per floor", site.name);
        }
        for i in 0..site.rooms {
            let (floor, number) = (i / per_floor + 1, i % per_floor + 1);
            let code = format!("{} {floor}.{number:02}", site.code);
            let display_name = if site.names.is_empty() {
                code.clone()
            } else {
                // Shifted by the floor, so that floors do not repeat each other's names.
                let k = (number - 1 + floor - 1) as usize % site.names.len();
                format!("{code} {}", site.names[k])
            };
            let ring = match explicit.remove(code.as_str()) {
                Some(ring) => Some(ring.to_owned()),
                None => site.ring.clone(),
            };
            planned.push(PlannedRoom {
                input: RoomInput {
                    display_name,
                    resource_account: format!(
                        "{}-{floor}{number:02}@{}",
                        site.account, site.domain
                    ),
                    site: site.name.clone(),
                    city: site.city.clone(),
                    country: site.country.clone(),
                    platform: Some(cycle[planned.len() % cycle.len()]),
                },
                code,
                ring,
            });
        }
    }
    if let Some(code) = explicit.keys().next() {
        bail!("a ring lists the unknown room {code}");
    }
    let mut codes = HashSet::new();
    let mut accounts = HashSet::new();
    for room in &planned {
        if !codes.insert(room.code.as_str()) {
            bail!("two rooms have the code {}", room.code);
        }
        if !accounts.insert(room.input.resource_account.as_str()) {
            bail!("two rooms have the account {}", room.input.resource_account);
        }
    }
    let sites: HashSet<&str> = fleet.sites.iter().map(|s| s.name.as_str()).collect();
    for group in &fleet.room_groups {
        if !group.rule_site.is_empty() && !sites.contains(group.rule_site.as_str()) {
            bail!(
                "room group {} names the unknown site {}",
                group.name,
                group.rule_site
            );
        }
        if let Some(code) = group.rooms.iter().find(|c| !codes.contains(c.as_str())) {
            bail!("room group {} lists the unknown room {code}", group.name);
        }
    }
    Ok(planned)
}

fn role(key: &str) -> anyhow::Result<OrgRole> {
    OrgRole::from_key(key).with_context(|| format!("unknown role {key} in demo.json"))
}

/// Seeds the demo unless the database already has an organisation. One transaction: a seed
/// that fails leaves the database empty (and the next start tries again), and a SQLite file
/// is written once instead of once per service call.
pub async fn seed_if_empty(db: &DatabaseConnection, now: DateTime<Utc>) -> anyhow::Result<()> {
    if identity::any_organisation(db).await? {
        return Ok(());
    }
    let started = std::time::Instant::now();
    let demo: Demo = serde_json::from_str(DEMO).context("parsing demo.json")?;
    let tx = app::server::service::begin_write(db).await?;
    let mut seeded = HashMap::new();
    for org in &demo.organisations {
        let done = seed_org(&tx, &demo, org, now)
            .await
            .with_context(|| format!("seeding {}", org.name))?;
        seeded.insert(org.name.as_str(), done);
    }
    for p in &demo.partnerships {
        seed_partnership(&tx, &demo, &seeded, p, now)
            .await
            .with_context(|| format!("seeding {}'s partner {}", p.customer, p.partner_domain))?;
    }
    tx.commit().await?;
    tracing::info!(
        organisations = demo.organisations.len(),
        partnerships = demo.partnerships.len(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "demo seeded"
    );
    Ok(())
}

/// What the partnerships need of a seeded organisation.
struct Seeded {
    id: OrgId,
    /// The first Global admin, who seeded it.
    admin: UserId,
    users: HashMap<String, UserId>,
    groups: HashMap<String, GroupId>,
    rooms: HashMap<String, RoomId>,
    room_groups: HashMap<String, RoomGroupId>,
}

impl Seeded {
    fn principals(&self) -> Principals<'_> {
        Principals {
            users: &self.users,
            groups: &self.groups,
        }
    }

    fn user(&self, upn: &str) -> anyhow::Result<UserId> {
        self.users
            .get(upn)
            .copied()
            .with_context(|| format!("unknown user {upn}"))
    }

    /// The user's actor now: partnerships are read when it is loaded.
    async fn actor(
        &self,
        db: &DatabaseTransaction,
        user: UserId,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Actor> {
        let signed_in = SignedIn { user, org: self.id };
        identity::load_actor_for(db, &signed_in, identity::Addressed::AllCustomers, now)
            .await?
            .context("a seeded user")
    }
}

async fn seed_org(
    db: &DatabaseTransaction,
    demo: &Demo,
    org: &Org,
    now: DateTime<Utc>,
) -> anyhow::Result<Seeded> {
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
        now,
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
    let mut security_groups = HashMap::new();
    for g in &org.groups {
        let group =
            groups::create_group(db, &actor, org_id, GroupName::parse(&g.name)?, now).await?;
        security_groups.insert(g.name.clone(), group.id);
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
    let (room_ids, room_group_ids) = match &org.fleet {
        Some(fleet) => seed_fleet(db, &actor, org_id, fleet, now).await?,
        None => Default::default(),
    };
    let principals = Principals {
        users: &users,
        groups: &security_groups,
    };
    seed_assignments(
        db,
        &actor,
        org_id,
        &org.assignments,
        &principals,
        (&room_ids, &room_group_ids),
        now,
    )
    .await?;
    tracing::debug!(org = %org.name, first_assignment = %first, "demo organisation seeded");
    Ok(Seeded {
        id: org_id,
        admin: *first_admin,
        users,
        groups: security_groups,
        rooms: room_ids,
        room_groups: room_group_ids,
    })
}

/// Invites the partner, and accepts and delegates as [`PartnershipSpec`] says.
async fn seed_partnership(
    db: &DatabaseTransaction,
    demo: &Demo,
    seeded: &HashMap<&str, Seeded>,
    p: &PartnershipSpec,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let customer = seeded
        .get(p.customer.as_str())
        .with_context(|| format!("unknown customer {}", p.customer))?;
    let partner = demo
        .organisations
        .iter()
        .find(|o| o.domains.contains(&p.partner_domain))
        .and_then(|o| seeded.get(o.name.as_str()))
        .with_context(|| format!("no organisation has the domain {}", p.partner_domain))?;
    let scope = ScopeChoice {
        all_rooms: p.all_rooms,
        rooms: p
            .rooms
            .iter()
            .map(|c| customer.rooms.get(c).copied())
            .collect::<Option<_>>()
            .context("the scope names an unknown room")?,
        room_groups: p
            .room_groups
            .iter()
            .map(|g| customer.room_groups.get(g).copied())
            .collect::<Option<_>>()
            .context("the scope names an unknown room group")?,
    };
    let draft = InvitationDraft {
        partner_domain: p.partner_domain.clone(),
        expires_in_days: p.expires_in_days,
        invited_admins: p.invited_admins.clone(),
        approvals: p.approvals.iter().map(|(c, m)| (*c, *m)).collect(),
        scope,
        ends_on: p
            .ends_in_days
            .map(|days| (now + Duration::days(days)).date_naive()),
        terms_accepted: true,
    }
    .validate(now.date_naive())
    .context("the invitation")?;
    let admin = customer.actor(db, customer.admin, now).await?;
    let id = partners::invite_partner(db, &admin, customer.id, draft, now).await?;
    let Some(tenant_manager) = &p.accepted_by else {
        if !p.primary_admins.is_empty() || !p.roles.is_empty() {
            bail!("a pending invitation has no primary admins or roles yet");
        }
        return Ok(());
    };
    let accepting = partner
        .actor(db, partner.user(tenant_manager)?, now)
        .await?;
    let principals = partner.principals();
    let primary_admins = p
        .primary_admins
        .iter()
        .map(|m| principals.find(m))
        .collect::<anyhow::Result<_>>()?;
    partners::accept_invitation(db, &accepting, id, primary_admins, now).await?;
    if p.roles.is_empty() {
        return Ok(());
    }
    let upn = p
        .primary_admins
        .iter()
        .find(|m| m.contains('@'))
        .context("partner roles need a primary admin who is a user to create them")?;
    let primary = partner.actor(db, partner.user(upn)?, now).await?;
    for r in &p.roles {
        let draft = RoleDraft {
            name: r.name.clone(),
            description: r.description.clone(),
            permissions: r.permissions.clone(),
        }
        .validate()
        .with_context(|| format!("role {}", r.name))?;
        let assignment = AssignmentDraft {
            name: r.assignment.clone(),
            description: String::new(),
            notify: false,
            members: r
                .members
                .iter()
                .map(|m| principals.find(m))
                .collect::<anyhow::Result<_>>()?,
            all_rooms: true,
            rooms: vec![],
            room_groups: vec![],
        }
        .validate()
        .with_context(|| format!("assignment {}", r.assignment))?;
        roles::create_role(db, &primary, customer.id, draft, Some(assignment), now)
            .await
            .with_context(|| format!("role {}", r.name))?;
    }
    Ok(())
}

/// Rings, rooms (each in its ring), then room groups; returns the rooms by code and the room
/// groups by name.
async fn seed_fleet(
    db: &DatabaseTransaction,
    actor: &Actor,
    org: OrgId,
    fleet: &Fleet,
    now: DateTime<Utc>,
) -> anyhow::Result<(HashMap<String, RoomId>, HashMap<String, RoomGroupId>)> {
    let planned = plan_rooms(fleet)?;
    let mut rings: HashMap<&str, UpdateRingId> = HashMap::new();
    for ring in &fleet.rings {
        let input = UpdateRingInput {
            name: ring.name.clone(),
            deferral_days: ring.deferral_days.to_string(),
        }
        .validate()
        .with_context(|| format!("ring {}", ring.name))?;
        let view = room_groups::create_update_ring(db, actor, org, input, now).await?;
        rings.insert(&ring.name, view.id);
    }
    let mut room_ids = HashMap::new();
    for room in planned {
        let input = room
            .input
            .validate()
            .with_context(|| format!("room {}", room.code))?;
        let id = rooms::create_room(db, actor, org, input, now).await?.id;
        if let Some(ring) = &room.ring {
            rooms::set_room_ring(db, actor, org, id, Some(rings[ring.as_str()]), now).await?;
        }
        room_ids.insert(room.code, id);
    }
    let mut group_ids = HashMap::new();
    for g in &fleet.room_groups {
        let input = RoomGroupInput {
            name: g.name.clone(),
            description: g.description.clone(),
            rule_country: g.rule_country.clone(),
            rule_site: g.rule_site.clone(),
        }
        .validate()
        .with_context(|| format!("room group {}", g.name))?;
        let id = room_groups::create_room_group(db, actor, org, input, now)
            .await?
            .id;
        for code in &g.rooms {
            room_groups::set_room_group_member(db, actor, org, id, room_ids[code], true, now)
                .await?;
        }
        group_ids.insert(g.name.clone(), id);
    }
    Ok((room_ids, group_ids))
}

/// The users (by UPN) and security groups (by name) assignments may name.
struct Principals<'a> {
    users: &'a HashMap<String, UserId>,
    groups: &'a HashMap<String, GroupId>,
}

impl Principals<'_> {
    fn find(&self, member: &str) -> anyhow::Result<Principal> {
        if member.contains('@') {
            self.users.get(member).copied().map(Principal::User)
        } else {
            self.groups.get(member).copied().map(Principal::Group)
        }
        .with_context(|| format!("unknown member {member}"))
    }
}

async fn seed_assignments(
    db: &DatabaseTransaction,
    actor: &Actor,
    org: OrgId,
    assignments: &[Assignment],
    principals: &Principals<'_>,
    (room_ids, group_ids): (&HashMap<String, RoomId>, &HashMap<String, RoomGroupId>),
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    if assignments.is_empty() {
        return Ok(());
    }
    let built_in = roles::list_roles(db, actor, org).await?;
    for a in assignments {
        let role = built_in
            .iter()
            .find(|r| r.built_in.is_some_and(|b| b.name() == a.role))
            .with_context(|| format!("no built-in role {}", a.role))?;
        let draft = AssignmentDraft {
            name: a.name.clone(),
            description: a.description.clone(),
            notify: a.notify,
            members: a
                .members
                .iter()
                .map(|m| principals.find(m))
                .collect::<anyhow::Result<_>>()?,
            all_rooms: false,
            rooms: a
                .rooms
                .iter()
                .map(|c| room_ids.get(c).copied())
                .collect::<Option<_>>()
                .with_context(|| format!("assignment {} names an unknown room", a.name))?,
            room_groups: a
                .room_groups
                .iter()
                .map(|g| group_ids.get(g).copied())
                .collect::<Option<_>>()
                .with_context(|| format!("assignment {} names an unknown room group", a.name))?,
        }
        .validate()
        .with_context(|| format!("assignment {}", a.name))?;
        roles::save_assignment(db, actor, org, role.id, None, draft, now).await?;
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use app::domain::authz::Scope;
    use app::domain::partners::RelationshipStatus;
    use app::domain::rooms::RoomQuery;
    use app::server::entity::{organisation, room, user};
    use sea_orm::{
        ColumnTrait, ConnectOptions, Database, EntityTrait, PaginatorTrait, QueryFilter,
    };
    use std::collections::BTreeSet;

    fn demo() -> Demo {
        serde_json::from_str(DEMO).unwrap()
    }

    #[test]
    fn every_customer_fleet_expands_into_valid_distinct_rooms_the_same_way_each_time() {
        for org in demo().organisations {
            let Some(fleet) = &org.fleet else { continue };
            let rooms = plan_rooms(fleet).unwrap();
            assert_eq!(rooms, plan_rooms(fleet).unwrap(), "{}", org.name);
            assert!(rooms.len() >= 150, "{} has {} rooms", org.name, rooms.len());
            for platform in [Platform::Windows, Platform::Android, Platform::SurfaceHub] {
                assert!(rooms.iter().any(|r| r.input.platform == Some(platform)));
            }
            for r in &rooms {
                let valid = r.input.clone().validate().unwrap();
                assert_eq!(valid.get(), &r.input, "{} is stored as given", r.code);
                assert!(
                    org.domains
                        .iter()
                        .any(|d| r.input.resource_account.ends_with(d)),
                    "{} is on a domain of {}",
                    r.input.resource_account,
                    org.name
                );
            }
        }
    }

    #[test]
    fn platforms_are_interleaved_in_proportion() {
        let cycle = platform_cycle(&PlatformMix {
            windows: 2,
            android: 1,
            surface_hub: 1,
        });
        assert_eq!(
            cycle,
            [
                Platform::Windows,
                Platform::Android,
                Platform::SurfaceHub,
                Platform::Windows
            ]
        );
    }

    async fn seeded() -> DatabaseConnection {
        use migrations::MigratorTrait;
        let mut options = ConnectOptions::new("sqlite::memory:");
        options.max_connections(1).sqlx_logging(false);
        let db = Database::connect(options).await.unwrap();
        migrations::Migrator::up(&db, None).await.unwrap();
        let started = std::time::Instant::now();
        seed_if_empty(&db, Utc::now()).await.unwrap();
        eprintln!("demo seeded in {:?}", started.elapsed());
        db
    }

    async fn actor_of(db: &DatabaseConnection, upn: &str) -> Actor {
        let u = user::Entity::find()
            .filter(user::Column::UpnLower.eq(upn))
            .one(db)
            .await
            .unwrap()
            .unwrap();
        let signed_in = SignedIn {
            user: u.id,
            org: u.org_id,
        };
        identity::load_actor_for(
            db,
            &signed_in,
            identity::Addressed::AllCustomers,
            chrono::Utc::now(),
        )
        .await
        .unwrap()
        .unwrap()
    }

    /// How many rooms `upn` sees in `org`, or `None` when refused.
    async fn rooms_seen(db: &DatabaseConnection, upn: &str, org: &str) -> Option<u64> {
        let org = organisation::Entity::find()
            .filter(organisation::Column::Name.eq(org))
            .one(db)
            .await
            .unwrap()
            .unwrap()
            .id;
        let actor = actor_of(db, upn).await;
        let query = RoomQuery::default().validate().unwrap();
        rooms::list_rooms(db, &actor, org, query)
            .await
            .ok()
            .map(|page| page.total)
    }

    #[tokio::test]
    async fn demo_users_see_the_part_of_the_fleet_they_are_assigned() {
        let db = seeded().await;
        assert_eq!(room::Entity::find().count(&db).await.unwrap(), 650);
        let seen = [
            ("grace@contoso.com", "Contoso", Some(300)),
            ("ivan@contoso.com", "Contoso", Some(300)),
            ("sofia@contoso.com", "Contoso", Some(192)),
            ("tariq@contoso.com", "Contoso", Some(72)),
            ("george@contoso.co.uk", "Contoso", Some(45)),
            ("omar@contoso.com", "Contoso", None),
            ("lena@contoso.co.uk", "Contoso", None),
            ("sofia@contoso.com", "Fabrikam", None),
            ("felix@fabrikam.com", "Fabrikam", Some(200)),
            ("jonas@fabrikam.de", "Fabrikam", Some(115)),
            ("marco@fabrikam.com", "Fabrikam", Some(30)),
            ("paul@fabrikam.com", "Fabrikam", None),
            ("tom@woodgrovebank.com", "Woodgrove Bank", Some(150)),
            ("claire@woodgrove.ca", "Woodgrove Bank", Some(105)),
            ("devon@woodgrovebank.com", "Woodgrove Bank", Some(32)),
            (
                "ada@northwindmsp.com",
                "Northwind Managed Services",
                Some(0),
            ),
        ];
        for (upn, org, expected) in seen {
            assert_eq!(rooms_seen(&db, upn, org).await, expected, "{upn} in {org}");
        }
        let sofia = actor_of(&db, "sofia@contoso.com").await;
        let groups = room_groups::list_room_groups(&db, &sofia, sofia.org)
            .await
            .unwrap();
        let groups: Vec<_> = groups
            .iter()
            .map(|g| (g.name.as_str(), g.room_count))
            .collect();
        assert_eq!(groups, [("All US rooms", 192)]);
        let rings = room_groups::list_update_rings(&db, &sofia, sofia.org)
            .await
            .unwrap();
        let rings: Vec<_> = rings
            .iter()
            .map(|r| (r.name.as_str(), r.room_count))
            .collect();
        assert_eq!(rings, [("Pilot", 6), ("Broad", 183), ("Late", 3)]);
        let tariq = actor_of(&db, "tariq@contoso.com").await;
        assert!(room_groups::list_room_groups(&db, &tariq, tariq.org)
            .await
            .is_err());
    }

    async fn org_named(db: &DatabaseConnection, name: &str) -> OrgId {
        organisation::Entity::find()
            .filter(organisation::Column::Name.eq(name))
            .one(db)
            .await
            .unwrap()
            .unwrap()
            .id
    }

    #[tokio::test]
    async fn the_seeded_partnerships_hold() {
        let db = seeded().await;
        let now = Utc::now();
        let contoso = org_named(&db, "Contoso").await;
        let fabrikam = org_named(&db, "Fabrikam").await;
        let woodgrove = org_named(&db, "Woodgrove Bank").await;
        let grace = actor_of(&db, "grace@contoso.com").await;
        let us_rooms = room_groups::list_room_groups(&db, &grace, contoso)
            .await
            .unwrap()
            .into_iter()
            .find(|g| g.name == "All US rooms")
            .unwrap()
            .id;

        // Pia: Primary admin of Contoso (the US rooms) and of Fabrikam (all rooms).
        let pia = actor_of(&db, "pia@northwindmsp.com").await;
        assert!(pia.org_roles.is_empty());
        assert_eq!(pia.partnerships.len(), 2);
        let in_contoso = pia.partnership(contoso).unwrap();
        assert!(in_contoso.primary_admin);
        assert_eq!(
            in_contoso.ceiling,
            Scope::Some {
                rooms: BTreeSet::new(),
                room_groups: BTreeSet::from([us_rooms]),
            }
        );
        let in_fabrikam = pia.partnership(fabrikam).unwrap();
        assert!(in_fabrikam.primary_admin);
        assert_eq!(in_fabrikam.ceiling, Scope::AllRooms);

        // Hal: Help desk over Fabrikam, tickets only.
        let hal = actor_of(&db, "hal@northwind-msp.eu").await;
        assert_eq!(hal.partnerships.len(), 1);
        let help_desk = &hal.partnerships[0];
        assert_eq!(help_desk.customer, fabrikam);
        assert!(!help_desk.primary_admin);
        let held: BTreeSet<Permission> = help_desk
            .grants
            .iter()
            .flat_map(|g| g.permissions.iter().copied())
            .collect();
        assert_eq!(
            held,
            BTreeSet::from([Permission::TicketsView, Permission::TicketsUpdate])
        );
        for (upn, org, expected) in [
            ("pia@northwindmsp.com", "Contoso", Some(192)),
            ("pia@northwindmsp.com", "Fabrikam", Some(200)),
            ("pia@northwindmsp.com", "Woodgrove Bank", None),
            ("una@northwindmsp.com", "Contoso", Some(192)),
            ("hal@northwind-msp.eu", "Fabrikam", None),
        ] {
            assert_eq!(rooms_seen(&db, upn, org).await, expected, "{upn} in {org}");
        }

        // Contoso's side: manual approval of room changes, ending within 30 days, Una invited.
        let listed = partners::list_partners(&db, &grace, contoso, now)
            .await
            .unwrap();
        assert_eq!(listed.len(), 1);
        let northwind = &listed[0];
        assert_eq!(northwind.summary.partner_name, "Northwind Managed Services");
        assert_eq!(northwind.summary.status, RelationshipStatus::EndingSoon);
        assert_eq!(
            northwind.summary.approvals,
            [(ChangeCategory::Rooms, ApprovalMode::Manual)]
        );
        assert_eq!(northwind.summary.scope_summary, "Room group: All US rooms");
        assert_eq!(northwind.invited_admins, ["una@northwindmsp.com"]);
        let felix = actor_of(&db, "felix@fabrikam.com").await;
        let listed = partners::list_partners(&db, &felix, fabrikam, now)
            .await
            .unwrap();
        let roles: Vec<_> = listed[0].roles.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(roles, ["Help desk", "Primary admins"]);
        assert_eq!(listed[0].summary.status, RelationshipStatus::Active);

        // Woodgrove's invitation waits for Northwind's answer.
        let sam = actor_of(&db, "sam@woodgrovebank.com").await;
        let listed = partners::list_partners(&db, &sam, woodgrove, now)
            .await
            .unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].summary.status, RelationshipStatus::Pending);

        // Tess, Tenant manager, sees the three customers and may answer Woodgrove.
        let tess = actor_of(&db, "tess@northwindmsp.com").await;
        let tenants = partners::list_tenants(&db, &tess, 0, now)
            .await
            .unwrap()
            .rows;
        // All three were created at the same moment: in no particular order.
        let mut seen: Vec<_> = tenants
            .iter()
            .map(|t| (t.summary.customer_name.as_str(), t.may_answer))
            .collect();
        seen.sort();
        assert_eq!(
            seen,
            [
                ("Contoso", false),
                ("Fabrikam", false),
                ("Woodgrove Bank", true)
            ]
        );
    }
}
