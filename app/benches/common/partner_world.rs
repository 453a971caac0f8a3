//! The world of the partner benchmarks (`partners`, `incidents`): one partner with many
//! customers. Each customer has rooms (the first half in the US), 2 room groups (a rule group
//! "All US rooms" and a static "Boardrooms"), an active relationship (odd customers all rooms,
//! even ones scoped to "All US rooms") and 10 partner roles: Primary admins (whose "Assigned
//! admins" name the user) and 9 custom roles, each with one assignment naming the user directly
//! or through a security group of the partner; 5 of the 10 assignments are scoped to a room
//! group. Customer 0 is made through the services, the others in bulk as copies of its shape.

#![allow(dead_code)]

use super::rows::room_row;
use app::domain::authz::{Actor, BuiltInRole, Permission};
use app::domain::directory::Principal;
use app::domain::ids::{
    GroupId, OrgId, RelationshipId, RoleAssignmentId, RoleId, RoomGroupId, RoomId, UserId,
};
use app::domain::partners::{
    ApprovalMode, ChangeCategory, InvitationDraft, RelationshipState, ScopeChoice,
};
use app::domain::roles::{AssignmentDraft, RoleDraft};
use app::domain::rooms::RoomGroupInput;
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
use sea_orm::{ActiveModelTrait, DatabaseConnection, InsertMany, Set};
use uuid::Uuid;

/// Rows per `insert_many` statement: far below both databases' limits on bound parameters.
pub const CHUNK: usize = 500;

pub const PARTNER_DOMAIN: &str = "fabrikam.bench.example";

/// The nine custom partner roles of every customer, within Primary admins' permissions.
pub const CUSTOM: [(&str, &[Permission]); 9] = [
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
pub fn scoped(k: usize) -> bool {
    k.is_multiple_of(2)
}

/// Custom role `k`'s assignment names the partner's group "Technicians" (the user is its member)
/// for the last 4 roles, the user directly otherwise.
pub fn through_group(k: usize) -> bool {
    k >= 5
}

/// Odd customers give the partner all rooms, even ones "All US rooms".
pub fn all_rooms(i: usize) -> bool {
    i % 2 == 1
}

pub type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

pub struct Partner {
    pub org: OrgId,
    pub admin: Actor,
    /// The benchmarked user.
    pub user: UserId,
    /// "Technicians", of which `user` is a member.
    pub group: GroupId,
    /// Rooms per customer.
    pub rooms: usize,
}

/// Someone of the organisation of `domain`, as its identity provider names them.
pub fn person(domain: &str, upn: &str, name: &str) -> identity::VerifiedIdentity {
    identity::VerifiedIdentity {
        issuer: format!("https://login.example/{domain}"),
        tenant_id: None,
        subject: format!("sub-{upn}"),
        upn: upn.to_owned(),
        display_name: name.to_owned(),
    }
}

/// A new organisation of `domain` with its first Global admin, `admin@<domain>`.
pub async fn organisation_with_admin(
    db: &DatabaseConnection,
    name: &str,
    domain: &str,
    manages_customers: bool,
    now: DateTime<Utc>,
) -> Result<(OrgId, Actor)> {
    let org = identity::create_organisation(
        db,
        identity::NewOrganisation {
            name: name.into(),
            domains: vec![domain.into()],
            manages_customers,
            issuer_url: format!("https://login.example/{domain}"),
            client_id: "client".into(),
            client_secret: "secret".into(),
            accepted_tenant_ids: vec![],
            is_demo: false,
        },
        now,
    )
    .await?;
    let upn = format!("admin@{domain}");
    let admin = identity::provision_user(db, org, &person(domain, &upn, &upn), now).await?;
    org_roles::grant_first_global_admin(db, org, admin, now).await?;
    Ok((org, load(db, org, admin).await?))
}

/// The partner, its admin and the benchmarked user; each customer will have `rooms` rooms.
pub async fn seed_partner(
    db: &DatabaseConnection,
    rooms: usize,
    now: DateTime<Utc>,
) -> Result<Partner> {
    let (org, admin) =
        organisation_with_admin(db, "Fabrikam Partners", PARTNER_DOMAIN, true, now).await?;
    let tess = person(
        PARTNER_DOMAIN,
        "tess@fabrikam.bench.example",
        "Tess Technician",
    );
    let user = identity::provision_user(db, org, &tess, now).await?;
    let group = groups::create_group(db, &admin, org, GroupName::parse("Technicians")?, now)
        .await?
        .id;
    groups::add_group_member(db, &admin, org, group, user, now).await?;
    Ok(Partner {
        org,
        admin,
        user,
        group,
        rooms,
    })
}

pub fn customer_name(i: usize) -> String {
    format!("Customer {i:04}")
}

pub fn customer_domain(i: usize) -> String {
    format!("c{i:04}.bench.example")
}

/// Customer `i`'s `rooms` rooms: the first half in the US, the others in Great Britain.
pub fn room_rows(org: OrgId, i: usize, rooms: usize, now: DateTime<Utc>) -> Vec<room::ActiveModel> {
    (0..rooms)
        .map(|j| {
            let (site, city, country) = if j < rooms / 2 {
                ("Seattle HQ", "Seattle", "US")
            } else {
                ("London", "London", "GB")
            };
            room_row(
                (RoomId::new(), org),
                format!("Room {i:04}-{j}"),
                format!("room{j}@{}", customer_domain(i)),
                (site.into(), city.into(), country.into()),
                now,
            )
        })
        .collect()
}

pub fn static_member(
    group: RoomGroupId,
    room: &room::ActiveModel,
) -> room_group_member::ActiveModel {
    room_group_member::ActiveModel {
        room_group_id: Set(group),
        room_id: room.id.clone(),
        org_id: room.org_id.clone(),
    }
}

/// The room group custom role assignments are scoped to: inside the relationship's scope.
pub fn assignment_group(i: usize, us: RoomGroupId, boardrooms: RoomGroupId) -> RoomGroupId {
    if all_rooms(i) {
        boardrooms
    } else {
        us
    }
}

pub fn principal(partner: &Partner, k: usize) -> Principal {
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
pub async fn seed_customer_through_services(
    db: &DatabaseConnection,
    partner: &Partner,
    now: DateTime<Utc>,
) -> Result<OrgId> {
    let (org, admin) =
        organisation_with_admin(db, &customer_name(0), &customer_domain(0), false, now).await?;
    let rooms = room_rows(org, 0, partner.rooms, now);
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
pub struct Rows {
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
        let rooms = room_rows(org, i, partner.rooms, now);
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

pub fn role_row(
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
pub async fn seed_customers_in_bulk(
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

pub async fn insert_chunked<A: ActiveModelTrait + Send>(
    db: &impl sea_orm::ConnectionTrait,
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

pub async fn load(db: &DatabaseConnection, org: OrgId, user: UserId) -> Result<Actor> {
    Ok(
        identity::load_actor(db, &SignedIn { user, org }, Utc::now())
            .await?
            .ok_or("the user was just made")?,
    )
}

pub async fn actor_of(
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
