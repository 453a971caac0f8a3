//! Effective permissions across organisations, over generated worlds: one partner organisation
//! with 2-4 customers, every organisation with its own users, security groups, rooms, room
//! groups and role assignments, one relationship per customer (live or not) with a random
//! ceiling and partner roles whose members are the partner's users and groups.
//!
//! Each partner user's `Actor` is built as the server builds it (home grants from the home
//! organisation's assignments, one `Partnership` per live relationship in which a partner role
//! names the user), then `authorize`, `reach` and `has_standing` are checked against a reference
//! that reads the raw graph with plain loops, straight from sections 3 and 4 of the
//! specification:
//! - at home, a Global admin or MSA holds everything; anyone else holds permission P on room R
//!   when an assignment of the home organisation with P names them and its scope covers R;
//! - in a customer, a partner user holds P on R when a live relationship's partner-role
//!   assignment names them, holds P, P is one of Primary admins' permissions, its scope covers R
//!   and the relationship's ceiling covers R;
//! - nobody holds anything in an organisation where they have no standing.

use super::*;
use crate::domain::authz::{has_standing, BuiltInRole, OrgRole, Partnership};
use crate::domain::ids::RelationshipId;

/// Users, groups, rooms and assignments of one organisation.
struct Org {
    id: OrgId,
    users: Vec<UserId>,
    /// Organisation roles held directly, for some users. A Global admin or MSA holds everything
    /// at home; a Tenant manager nothing on rooms.
    org_roles: BTreeMap<UserId, OrgRole>,
    membership: BTreeMap<GroupId, BTreeSet<UserId>>,
    rooms: Vec<RoomFacts>,
    room_groups: Vec<RoomGroupDef>,
    /// Assignments of the organisation's own roles to its own users and groups.
    assignments: Vec<AssignmentDef>,
}

/// One assignment of a partner role for a customer: partner users and groups as members.
struct PartnerAssignment {
    /// Whether the role is the built-in Primary admins (otherwise a custom partner role).
    primary_admins: bool,
    permissions: BTreeSet<Permission>,
    scope: Scope,
    users: BTreeSet<UserId>,
    groups: BTreeSet<GroupId>,
}

struct Relationship {
    id: RelationshipId,
    /// Index into `World::customers`.
    customer: usize,
    /// Accepted and not past its end date; the server loads only live relationships.
    live: bool,
    ceiling: Scope,
    assignments: Vec<PartnerAssignment>,
}

struct World {
    partner: Org,
    customers: Vec<Org>,
    relationships: Vec<Relationship>,
}

impl World {
    fn orgs(&self) -> impl Iterator<Item = &Org> {
        std::iter::once(&self.partner).chain(&self.customers)
    }
}

fn generate_org(rng: &mut Rng) -> Org {
    let id = OrgId::new();
    let users: Vec<UserId> = (0..4).map(|_| UserId::new()).collect();
    let groups: Vec<GroupId> = (0..2).map(|_| GroupId::new()).collect();
    let membership = groups
        .iter()
        .map(|g| (*g, rng.subset(&users, 40)))
        .collect();
    let (rooms, room_groups) = rooms_and_groups(rng, 6, 3, 30);
    let roles: Vec<OrgRole> = OrgRole::iter().collect();
    let mut org_roles = BTreeMap::new();
    for user in &users {
        if rng.chance(20) {
            org_roles.insert(*user, roles[rng.below(roles.len())]);
        }
    }
    let mut org = Org {
        id,
        org_roles,
        users,
        membership,
        rooms,
        room_groups,
        assignments: vec![],
    };
    let permissions: Vec<Permission> = Permission::iter().collect();
    org.assignments = (0..rng.below(4))
        .map(|_| AssignmentDef {
            org: id,
            permissions: rng.subset(&permissions, 40),
            scope: random_scope(rng, &org, 20),
            users: rng.subset(&org.users, 30),
            groups: rng.subset(&groups_of_org(&org), 30),
        })
        .collect();
    org
}

fn groups_of_org(org: &Org) -> Vec<GroupId> {
    org.membership.keys().copied().collect()
}

fn random_scope(rng: &mut Rng, org: &Org, all_rooms_percent: u64) -> Scope {
    if rng.chance(all_rooms_percent) {
        return Scope::AllRooms;
    }
    let rooms: Vec<RoomId> = org.rooms.iter().map(|r| r.id).collect();
    let groups: Vec<RoomGroupId> = org.room_groups.iter().map(|g| g.id).collect();
    Scope::Some {
        rooms: rng.subset(&rooms, 35),
        room_groups: rng.subset(&groups, 40),
    }
}

fn generate_world(rng: &mut Rng) -> World {
    let partner = generate_org(rng);
    let customers: Vec<Org> = (0..2 + rng.below(3)).map(|_| generate_org(rng)).collect();
    let permissions: Vec<Permission> = Permission::iter().collect();
    let partner_groups = groups_of_org(&partner);
    let relationships = customers
        .iter()
        .enumerate()
        .map(|(index, customer)| {
            // Primary admins always has members (the specification requires one); custom
            // partner roles hold any permissions, beyond Primary admins' too, as a stored row
            // may.
            let mut assignments = vec![PartnerAssignment {
                primary_admins: true,
                permissions: BuiltInRole::PrimaryAdmins.permissions(),
                scope: random_scope(rng, customer, 60),
                users: rng.subset(&partner.users, 30),
                groups: rng.subset(&partner_groups, 30),
            }];
            for _ in 0..rng.below(3) {
                assignments.push(PartnerAssignment {
                    primary_admins: false,
                    permissions: rng.subset(&permissions, 45),
                    scope: random_scope(rng, customer, 30),
                    users: rng.subset(&partner.users, 35),
                    groups: rng.subset(&partner_groups, 35),
                });
            }
            Relationship {
                id: RelationshipId::new(),
                customer: index,
                live: rng.chance(85),
                ceiling: random_scope(rng, customer, 30),
                assignments,
            }
        })
        .collect();
    World {
        partner,
        customers,
        relationships,
    }
}

fn groups_of_user(org: &Org, user: UserId) -> BTreeSet<GroupId> {
    org.membership
        .iter()
        .filter(|(_, members)| members.contains(&user))
        .map(|(group, _)| *group)
        .collect()
}

/// The actor as the server loads it: home organisation roles and grants, and one partnership
/// per live relationship in which a partner-role assignment names the user or one of their
/// groups.
fn actor_in(world: &World, home: &Org, user: UserId) -> Actor {
    let user_groups = groups_of_user(home, user);
    let is_partner = home.id == world.partner.id;
    let partnerships = world
        .relationships
        .iter()
        .filter(|r| is_partner && r.live)
        .filter_map(|r| {
            let customer = world.customers[r.customer].id;
            let rows: Vec<AssignmentDef> = r
                .assignments
                .iter()
                .map(|a| AssignmentDef {
                    org: customer,
                    permissions: a.permissions.clone(),
                    scope: a.scope.clone(),
                    users: a.users.clone(),
                    groups: a.groups.clone(),
                })
                .collect();
            let grants = grants_for(user, &user_groups, &rows);
            let primary_admin = r.assignments.iter().any(|a| {
                a.primary_admins && (a.users.contains(&user) || !a.groups.is_disjoint(&user_groups))
            });
            (!grants.is_empty()).then(|| Partnership {
                relationship: r.id,
                customer,
                ceiling: r.ceiling.clone(),
                grants,
                primary_admin,
            })
        })
        .collect();
    Actor {
        user,
        org: home.id,
        org_manages_customers: is_partner,
        org_roles: home.org_roles.get(&user).copied().into_iter().collect(),
        grants: grants_for(user, &user_groups, &home.assignments),
        partnerships,
    }
}

/// Whether `scope` of organisation `org` covers `room`: named directly, or through a room group
/// listing it or whose rule matches it.
fn scope_covers(org: &Org, scope: &Scope, room: &RoomFacts) -> bool {
    match scope {
        Scope::AllRooms => true,
        Scope::Some { rooms, room_groups } => {
            if rooms.contains(&room.id) {
                return true;
            }
            for group in &org.room_groups {
                if !room_groups.contains(&group.id) {
                    continue;
                }
                if group.members.contains(&room.id) {
                    return true;
                }
                if let Some(rule) = &group.rule {
                    let some_criterion = rule.country.is_some() || rule.site.is_some();
                    let country = rule.country.as_ref().is_none_or(|c| *c == room.country);
                    let site = rule.site.as_ref().is_none_or(|s| *s == room.site);
                    if some_criterion && country && site {
                        return true;
                    }
                }
            }
            false
        }
    }
}

fn names(
    membership: &BTreeMap<GroupId, BTreeSet<UserId>>,
    users: &BTreeSet<UserId>,
    groups: &BTreeSet<GroupId>,
    user: UserId,
) -> bool {
    if users.contains(&user) {
        return true;
    }
    for group in groups {
        if membership[group].contains(&user) {
            return true;
        }
    }
    false
}

/// The live relationships with `customer` that name `home`'s `user` in some partner role.
fn standing_relationships<'w>(
    world: &'w World,
    home: &Org,
    user: UserId,
    customer: &Org,
) -> Vec<&'w Relationship> {
    let mut found = Vec::new();
    if home.id != world.partner.id {
        return found;
    }
    for r in &world.relationships {
        if !r.live || world.customers[r.customer].id != customer.id {
            continue;
        }
        for a in &r.assignments {
            if names(&home.membership, &a.users, &a.groups, user) {
                found.push(r);
                break;
            }
        }
    }
    found
}

/// Sections 3 and 4, read literally: does `home`'s `user` hold `permission` on `room` of `org`?
fn reference_holds(
    world: &World,
    home: &Org,
    user: UserId,
    org: &Org,
    room: &RoomFacts,
    permission: Permission,
) -> bool {
    if home.id == org.id {
        if matches!(
            home.org_roles.get(&user),
            Some(OrgRole::GlobalAdmin | OrgRole::ManagedServiceAdmin)
        ) {
            return true;
        }
        for a in &home.assignments {
            if names(&home.membership, &a.users, &a.groups, user)
                && a.permissions.contains(&permission)
                && scope_covers(home, &a.scope, room)
            {
                return true;
            }
        }
        return false;
    }
    let primary_admins = BuiltInRole::PrimaryAdmins.permissions();
    if !primary_admins.contains(&permission) {
        return false;
    }
    for r in standing_relationships(world, home, user, org) {
        if !scope_covers(org, &r.ceiling, room) {
            continue;
        }
        for a in &r.assignments {
            if names(&home.membership, &a.users, &a.groups, user)
                && a.permissions.contains(&permission)
                && scope_covers(org, &a.scope, room)
            {
                return true;
            }
        }
    }
    false
}

/// Counts of what the generator produced, so that the test proves something.
#[derive(Default, Debug)]
struct Tally {
    checked: usize,
    allowed: usize,
    /// (user, room of a customer) pairs checked from the partner organisation.
    partner_checked: usize,
    partner_allowed: usize,
    /// Refused only because of the ceiling: a live partner role names the user, holds one of
    /// Primary admins' permissions and its scope covers the room.
    ceiling_refusals: usize,
    /// Refused only because of the cap: a live partner role naming the user holds the permission
    /// over the room inside the ceiling, but it is not one of Primary admins'.
    cap_refusals: usize,
    /// Refused only because the relationship is not live.
    not_live_refusals: usize,
    /// Checked in an organisation where the user has no standing.
    stranger_checked: usize,
}

impl Tally {
    /// Why a partner cell was refused, when a single cap explains it (see the fields).
    fn classify(
        &mut self,
        world: &World,
        user: UserId,
        org: &Org,
        room: &RoomFacts,
        p: Permission,
    ) {
        let partner = &world.partner;
        let primary_admins = BuiltInRole::PrimaryAdmins.permissions();
        for r in &world.relationships {
            if world.customers[r.customer].id != org.id {
                continue;
            }
            let holding = r.assignments.iter().any(|a| {
                names(&partner.membership, &a.users, &a.groups, user)
                    && a.permissions.contains(&p)
                    && scope_covers(org, &a.scope, room)
            });
            if !holding {
                continue;
            }
            let in_ceiling = scope_covers(org, &r.ceiling, room);
            let capped = primary_admins.contains(&p);
            match (r.live, in_ceiling, capped) {
                (true, false, true) => self.ceiling_refusals += 1,
                (true, true, false) => self.cap_refusals += 1,
                (false, true, true) => self.not_live_refusals += 1,
                _ => {}
            }
        }
    }
}

#[test]
fn effective_permissions_across_partner_and_customers_match_the_reference() {
    let mut tally = Tally::default();
    let actions: BTreeMap<Permission, Action> =
        Permission::iter().map(|p| (p, action_for(p))).collect();
    for seed in 1..=150u64 {
        let mut rng = Rng(seed.wrapping_mul(0xA076_1D64_78BD_642F) | 1);
        let world = generate_world(&mut rng);
        for home in world.orgs() {
            for user in &home.users {
                let actor = actor_in(&world, home, *user);
                for org in world.orgs() {
                    let standing = home.id == org.id
                        || !standing_relationships(&world, home, *user, org).is_empty();
                    assert_eq!(
                        has_standing(&actor, org.id),
                        standing,
                        "seed {seed}: standing in {:?}",
                        org.id
                    );
                    check_remove_customer(&world, home, &actor, org, seed);
                    for room in &org.rooms {
                        let room_groups = groups_of(room, &org.room_groups);
                        let resource = Resource::Room {
                            org: org.id,
                            room: room.id,
                            room_groups: room_groups.clone(),
                        };
                        for permission in Permission::iter() {
                            let expected =
                                reference_holds(&world, home, *user, org, room, permission);
                            let decided = authorize(&actor, actions[&permission], &resource)
                                == Decision::Allow;
                            assert_eq!(
                                decided, expected,
                                "seed {seed}: {permission:?} on a room of {:?} for a user of {:?}",
                                org.id, home.id
                            );
                            let listed = reach(&actor, org.id, permission)
                                .is_some_and(|r| r.covers_room(room.id, &room_groups));
                            assert_eq!(
                                listed, expected,
                                "seed {seed}: reach of {permission:?} in {:?}",
                                org.id
                            );
                            tally.checked += 1;
                            tally.allowed += usize::from(expected);
                            if !standing {
                                tally.stranger_checked += 1;
                            }
                            if home.id == world.partner.id && org.id != home.id {
                                tally.partner_checked += 1;
                                tally.partner_allowed += usize::from(expected);
                                if !expected {
                                    tally.classify(&world, *user, org, room, permission);
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    // Both outcomes in quantity, overall and for partner users in customers, and every cap
    // actually tried: otherwise the comparison above proves little.
    let t = &tally;
    let with_standing = t.checked - t.stranger_checked;
    assert!(
        t.allowed > with_standing / 5 && t.allowed < with_standing * 4 / 5,
        "{t:?}"
    );
    assert!(
        t.partner_allowed > t.partner_checked / 10 && t.partner_allowed < t.partner_checked * 4 / 5,
        "{t:?}"
    );
    assert!(t.ceiling_refusals > 1000, "{t:?}");
    assert!(t.cap_refusals > 1000, "{t:?}");
    assert!(t.not_live_refusals > 100, "{t:?}");
    assert!(t.stranger_checked > t.checked / 4, "{t:?}");
}

/// `RemoveCustomer` on a relationship: only a member of that live relationship's Primary admins.
fn check_remove_customer(world: &World, home: &Org, actor: &Actor, org: &Org, seed: u64) {
    for r in &world.relationships {
        if world.customers[r.customer].id != org.id {
            continue;
        }
        let expected = home.id == world.partner.id
            && r.live
            && r.assignments.iter().any(|a| {
                a.primary_admins && names(&home.membership, &a.users, &a.groups, actor.user)
            });
        let resource = Resource::Relationship {
            org: org.id,
            relationship: r.id,
        };
        let decided = authorize(actor, Action::RemoveCustomer, &resource) == Decision::Allow;
        assert_eq!(decided, expected, "seed {seed}: RemoveCustomer");
    }
}
