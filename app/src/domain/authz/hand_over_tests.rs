//! No path grants or revokes more than the direct one. Generated sequences of changes, each made
//! by a random user of the organisation and applied only when the same checks the services make
//! allow it; after every applied change, whatever any user gained or lost (an organisation role,
//! a permission on a room, a permission over all rooms) must be something the acting user could
//! have assigned or removed directly.

use super::*;
use crate::domain::access::{
    grants_for, groups_of, AssignmentDef, GroupRule, RoomFacts, RoomGroupDef,
};
use crate::domain::directory::{Principal, RoleFamily};
use crate::domain::ids::{GroupId, OrgId, RoomGroupId, RoomId, UserId};
use crate::domain::test_rng::Rng;
use std::collections::BTreeMap;

struct World {
    org: OrgId,
    manages_customers: bool,
    users: Vec<UserId>,
    groups: Vec<GroupId>,
    rooms: Vec<RoomFacts>,
    room_groups: Vec<RoomGroupDef>,
    members: BTreeSet<(GroupId, UserId)>,
    org_roles: Vec<(OrgRole, Principal)>,
    assignments: Vec<AssignmentDef>,
}

#[derive(Clone, Debug)]
enum Change {
    AssignOrgRole(OrgRole, Principal),
    RemoveOrgRole(usize),
    AddMember(GroupId, UserId),
    RemoveMember(GroupId, UserId),
    DeleteGroup(GroupId),
    /// Renaming changes nothing anyone holds; it is here to show that it stays so.
    RenameGroup(#[allow(dead_code)] GroupId),
    CreateAssignment(AssignmentDef),
    SetAssignmentMembers(usize, BTreeSet<UserId>, BTreeSet<GroupId>),
    SetRolePermissions(usize, BTreeSet<Permission>),
    DeleteAssignment(usize),
}

impl World {
    fn generate(rng: &mut Rng) -> Self {
        let org = OrgId::new();
        let users: Vec<UserId> = (0..6).map(|_| UserId::new()).collect();
        let groups: Vec<GroupId> = (0..3).map(|_| GroupId::new()).collect();
        let rooms: Vec<RoomFacts> = (0..6)
            .map(|i| RoomFacts {
                id: RoomId::new(),
                country: ["US", "GB"][i % 2].to_owned(),
                site: ["HQ", "Harbour", "Airport"][i % 3].to_owned(),
            })
            .collect();
        let room_ids: Vec<RoomId> = rooms.iter().map(|r| r.id).collect();
        let room_groups = vec![
            RoomGroupDef {
                id: RoomGroupId::new(),
                rule: Some(GroupRule {
                    country: Some("US".into()),
                    site: None,
                }),
                members: BTreeSet::new(),
            },
            RoomGroupDef {
                id: RoomGroupId::new(),
                rule: None,
                members: rng.subset(&room_ids, 40),
            },
        ];
        let mut members = BTreeSet::new();
        for g in &groups {
            for u in rng.subset(&users, 35) {
                members.insert((*g, u));
            }
        }
        // The first user is a Global admin, so that the organisation starts as a real one does;
        // groups hold organisation roles as in the demo ("Branch IT" holds MSA).
        let mut org_roles = vec![(OrgRole::GlobalAdmin, Principal::User(users[0]))];
        for _ in 0..4 {
            let role = OrgRole::iter()
                .nth(rng.below(3))
                .unwrap_or(OrgRole::TenantManager);
            org_roles.push((role, random_principal(rng, &users, &groups)));
        }
        let mut world = World {
            org,
            manages_customers: rng.chance(50),
            users,
            groups,
            rooms,
            room_groups,
            members,
            org_roles,
            assignments: vec![],
        };
        for _ in 0..4 {
            let a = world.random_assignment(rng);
            world.assignments.push(a);
        }
        world
    }

    fn random_scope(&self, rng: &mut Rng) -> Scope {
        if rng.chance(30) {
            return Scope::AllRooms;
        }
        let rooms: Vec<RoomId> = self.rooms.iter().map(|r| r.id).collect();
        let groups: Vec<RoomGroupId> = self.room_groups.iter().map(|g| g.id).collect();
        Scope::Some {
            rooms: rng.subset(&rooms, 30),
            room_groups: rng.subset(&groups, 40),
        }
    }

    fn random_assignment(&self, rng: &mut Rng) -> AssignmentDef {
        let permissions: Vec<Permission> = Permission::iter().collect();
        AssignmentDef {
            org: self.org,
            permissions: rng.subset(&permissions, 40),
            scope: self.random_scope(rng),
            users: rng.subset(&self.users, 25),
            groups: rng.subset(&self.groups, 30),
        }
    }

    fn random_change(&self, rng: &mut Rng) -> Change {
        let user = self.users[rng.below(self.users.len())];
        let group = self.groups[rng.below(self.groups.len())];
        let permissions: Vec<Permission> = Permission::iter().collect();
        let assignment = rng.below(self.assignments.len().max(1));
        match rng.below(10) {
            0 => Change::AssignOrgRole(
                OrgRole::iter()
                    .nth(rng.below(3))
                    .unwrap_or(OrgRole::GlobalAdmin),
                random_principal(rng, &self.users, &self.groups),
            ),
            1 => Change::RemoveOrgRole(rng.below(self.org_roles.len().max(1))),
            2 | 3 => Change::AddMember(group, user),
            4 => Change::RemoveMember(group, user),
            5 => {
                if rng.chance(50) {
                    Change::DeleteGroup(group)
                } else {
                    Change::RenameGroup(group)
                }
            }
            6 => Change::CreateAssignment(self.random_assignment(rng)),
            7 => Change::SetAssignmentMembers(
                assignment,
                rng.subset(&self.users, 30),
                rng.subset(&self.groups, 30),
            ),
            8 => Change::SetRolePermissions(assignment, rng.subset(&permissions, 40)),
            _ => Change::DeleteAssignment(assignment),
        }
    }

    fn groups_of_user(&self, user: UserId) -> BTreeSet<GroupId> {
        self.members
            .iter()
            .filter(|(_, u)| *u == user)
            .map(|(g, _)| *g)
            .collect()
    }

    fn actor(&self, user: UserId) -> Actor {
        let groups = self.groups_of_user(user);
        Actor {
            user,
            org: self.org,
            org_manages_customers: self.manages_customers,
            org_roles: self
                .org_roles
                .iter()
                .filter(|(_, p)| match p {
                    Principal::User(u) => *u == user,
                    Principal::Group(g) => groups.contains(g),
                })
                .map(|(r, _)| *r)
                .collect(),
            grants: grants_for(user, &groups, &self.assignments),
            partnerships: vec![],
        }
    }

    fn groups_of_rooms(&self) -> BTreeMap<RoomId, BTreeSet<RoomGroupId>> {
        self.rooms
            .iter()
            .map(|r| (r.id, groups_of(r, &self.room_groups)))
            .collect()
    }

    /// What a security group confers, as `service::groups` reads it.
    fn held_by_group(&self, group: GroupId) -> Holdings {
        Holdings {
            org_roles: self
                .org_roles
                .iter()
                .filter(|(_, p)| *p == Principal::Group(group))
                .map(|(r, _)| *r)
                .collect(),
            grants: self
                .assignments
                .iter()
                .filter(|a| a.groups.contains(&group))
                .map(|a| (a.permissions.clone(), a.scope.clone()))
                .collect(),
            groups_of_rooms: self.groups_of_rooms(),
        }
    }

    fn grant(&self, permissions: BTreeSet<Permission>, scope: Scope) -> Holdings {
        Holdings {
            org_roles: BTreeSet::new(),
            grants: vec![(permissions, scope)],
            groups_of_rooms: self.groups_of_rooms(),
        }
    }

    fn global_admins(&self) -> usize {
        self.users
            .iter()
            .filter(|u| self.actor(**u).has_org_role(OrgRole::GlobalAdmin))
            .count()
    }

    /// The checks the services make, in the same order; `None` when the change does not apply
    /// (nothing to change), else whether it is allowed.
    fn allowed(&self, actor: &Actor, change: &Change) -> Option<Decision> {
        let org = self.org;
        let both = |a: Decision, b: Decision| if a == Decision::Allow { b } else { a };
        let org_wide = |action| authorize(actor, action, &Resource::Org(org));
        let role_change = |action, after: &World| {
            authorize(
                actor,
                action,
                &Resource::OrgRoleChange {
                    org,
                    global_admins_after: after.global_admins(),
                },
            )
        };
        Some(match change {
            Change::AssignOrgRole(role, principal) => {
                let gone = matches!(principal, Principal::Group(g) if !self.groups.contains(g));
                if self.org_roles.contains(&(*role, *principal)) || gone {
                    return None;
                }
                org_wide(RoleFamily::of(*role).manage_action())
            }
            Change::RemoveOrgRole(i) => {
                let (role, _) = self.org_roles.get(*i)?;
                role_change(RoleFamily::of(*role).manage_action(), &self.after(change)?)
            }
            Change::AddMember(g, u) => {
                if self.members.contains(&(*g, *u)) || !self.groups.contains(g) {
                    return None;
                }
                both(
                    org_wide(Action::ManageSecurityGroups),
                    authorize_hand_over(actor, org, &self.held_by_group(*g)),
                )
            }
            Change::RemoveMember(g, _) | Change::DeleteGroup(g) => both(
                role_change(Action::ManageSecurityGroups, &self.after(change)?),
                authorize_hand_over(actor, org, &self.held_by_group(*g)),
            ),
            Change::RenameGroup(_) => org_wide(Action::ManageSecurityGroups),
            Change::CreateAssignment(a) => both(
                org_wide(Action::ModifyRoles),
                authorize_hand_over(
                    actor,
                    org,
                    &self.grant(a.permissions.clone(), a.scope.clone()),
                ),
            ),
            Change::SetAssignmentMembers(i, ..) | Change::DeleteAssignment(i) => {
                let a = self.assignments.get(*i)?;
                both(
                    org_wide(Action::ModifyRoles),
                    authorize_hand_over(
                        actor,
                        org,
                        &self.grant(a.permissions.clone(), a.scope.clone()),
                    ),
                )
            }
            Change::SetRolePermissions(i, permissions) => {
                let a = self.assignments.get(*i)?;
                let changed = a
                    .permissions
                    .symmetric_difference(permissions)
                    .copied()
                    .collect();
                both(
                    org_wide(Action::ModifyRoles),
                    authorize_hand_over(actor, org, &self.grant(changed, a.scope.clone())),
                )
            }
        })
    }

    fn after(&self, change: &Change) -> Option<World> {
        let mut w = World {
            org: self.org,
            manages_customers: self.manages_customers,
            users: self.users.clone(),
            groups: self.groups.clone(),
            rooms: self.rooms.clone(),
            room_groups: self.room_groups.clone(),
            members: self.members.clone(),
            org_roles: self.org_roles.clone(),
            assignments: self.assignments.clone(),
        };
        match change {
            Change::AssignOrgRole(role, principal) => w.org_roles.push((*role, *principal)),
            Change::RemoveOrgRole(i) => {
                self.org_roles.get(*i)?;
                w.org_roles.remove(*i);
            }
            Change::AddMember(g, u) => {
                w.members.insert((*g, *u));
            }
            Change::RemoveMember(g, u) => {
                if !w.members.remove(&(*g, *u)) {
                    return None;
                }
            }
            Change::DeleteGroup(g) => {
                if !w.groups.contains(g) {
                    return None;
                }
                // Members, organisation roles and assignment memberships go with it; a new,
                // empty group takes its place, as an admin would create one.
                for x in &mut w.groups {
                    if x == g {
                        *x = GroupId::new();
                    }
                }
                w.members.retain(|(x, _)| x != g);
                w.org_roles.retain(|(_, p)| *p != Principal::Group(*g));
                for a in &mut w.assignments {
                    a.groups.remove(g);
                }
            }
            Change::RenameGroup(_) => {}
            Change::CreateAssignment(a) => w.assignments.push(a.clone()),
            Change::SetAssignmentMembers(i, users, groups) => {
                let a = w.assignments.get_mut(*i)?;
                a.users = users.clone();
                a.groups = groups
                    .intersection(&self.groups.iter().copied().collect())
                    .copied()
                    .collect();
            }
            Change::SetRolePermissions(i, permissions) => {
                w.assignments.get_mut(*i)?.permissions = permissions.clone();
            }
            Change::DeleteAssignment(i) => {
                self.assignments.get(*i)?;
                w.assignments.remove(*i);
            }
        }
        Some(w)
    }

    /// What `user` holds: organisation roles, and per permission the rooms it covers and whether
    /// it covers all rooms (organisation-wide actions).
    fn holdings_of(
        &self,
        user: UserId,
    ) -> (BTreeSet<OrgRole>, BTreeSet<(Permission, Option<RoomId>)>) {
        let actor = self.actor(user);
        let mut held = BTreeSet::new();
        for p in Permission::iter() {
            let Some(reach) = reach(&actor, self.org, p) else {
                continue;
            };
            if reach.is_all_rooms() {
                held.insert((p, None));
            }
            for r in &self.rooms {
                if reach.covers_room(r.id, &groups_of(r, &self.room_groups)) {
                    held.insert((p, Some(r.id)));
                }
            }
        }
        (actor.org_roles, held)
    }
}

fn random_principal(rng: &mut Rng, users: &[UserId], groups: &[GroupId]) -> Principal {
    if rng.chance(50) {
        Principal::User(users[rng.below(users.len())])
    } else {
        Principal::Group(groups[rng.below(groups.len())])
    }
}

/// Whether `actor` could give or take `held` (one role, or one permission on one room or over all
/// rooms) directly: assign the organisation role, or create an assignment of just that.
fn directly(world: &World, actor: &Actor, held: Either) -> bool {
    let org = world.org;
    match held {
        Either::Role(role) => {
            authorize(
                actor,
                RoleFamily::of(role).manage_action(),
                &Resource::Org(org),
            ) == Decision::Allow
        }
        Either::Permission(p, room) => {
            let scope = match room {
                None => Scope::AllRooms,
                Some(room) => Scope::Some {
                    rooms: BTreeSet::from([room]),
                    room_groups: BTreeSet::new(),
                },
            };
            authorize_grant(
                actor,
                org,
                &BTreeSet::from([p]),
                &scope,
                &world.groups_of_rooms(),
            ) == Decision::Allow
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum Either {
    Role(OrgRole),
    Permission(Permission, Option<RoomId>),
}

#[test]
fn no_path_grants_or_revokes_beyond_what_the_actor_could_directly() {
    let mut applied: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut refused_hand_overs = 0usize;
    for seed in 1..=250u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let mut world = World::generate(&mut rng);
        for step in 0..40 {
            let user = world.users[rng.below(world.users.len())];
            let actor = world.actor(user);
            let change = world.random_change(&mut rng);
            let Some(decision) = world.allowed(&actor, &change) else {
                continue;
            };
            if decision != Decision::Allow {
                if matches!(
                    change,
                    Change::AddMember(..) | Change::RemoveMember(..) | Change::DeleteGroup(_)
                ) && decision != Decision::Deny(DenyReason::LastGlobalAdmin)
                    && authorize(
                        &actor,
                        Action::ManageSecurityGroups,
                        &Resource::Org(world.org),
                    ) == Decision::Allow
                {
                    refused_hand_overs += 1;
                }
                continue;
            }
            let Some(next) = world.after(&change) else {
                continue;
            };
            for u in &world.users {
                let (roles_before, perms_before) = world.holdings_of(*u);
                let (roles_after, perms_after) = next.holdings_of(*u);
                let changed = roles_before
                    .symmetric_difference(&roles_after)
                    .map(|r| Either::Role(*r))
                    .chain(
                        perms_before
                            .symmetric_difference(&perms_after)
                            .map(|(p, r)| Either::Permission(*p, *r)),
                    );
                for held in changed {
                    assert!(
                        directly(&world, &actor, held),
                        "seed {seed} step {step}: {change:?} by a holder of {:?} changed {held:?} of another user",
                        actor.org_roles
                    );
                }
            }
            let name = match change {
                Change::AssignOrgRole(..) => "assign org role",
                Change::RemoveOrgRole(_) => "remove org role",
                Change::AddMember(..) => "add member",
                Change::RemoveMember(..) => "remove member",
                Change::DeleteGroup(_) => "delete group",
                Change::RenameGroup(_) => "rename group",
                Change::CreateAssignment(_) => "create assignment",
                Change::SetAssignmentMembers(..) => "set assignment members",
                Change::SetRolePermissions(..) => "set role permissions",
                Change::DeleteAssignment(_) => "delete assignment",
            };
            *applied.entry(name).or_default() += 1;
            world = next;
        }
    }
    // The sequences did exercise every path, and the hand-over rule did refuse some changes a
    // plain "may manage security groups" would have let through.
    assert_eq!(applied.len(), 10, "{applied:?}");
    assert!(applied.values().all(|n| *n >= 20), "{applied:?}");
    assert!(refused_hand_overs >= 20, "{refused_hand_overs}");
}

#[test]
fn an_msa_cannot_hand_out_global_admin_or_msa_through_a_group() {
    let mut rng = Rng(7);
    let mut world = World::generate(&mut rng);
    let (msa, lead, branch_it) = (world.users[1], world.users[2], world.groups[0]);
    world.members.clear();
    world.org_roles = vec![
        (OrgRole::GlobalAdmin, Principal::User(world.users[0])),
        (OrgRole::ManagedServiceAdmin, Principal::User(msa)),
        (OrgRole::ManagedServiceAdmin, Principal::Group(branch_it)),
    ];
    let actor = world.actor(msa);
    assert_eq!(
        world.allowed(&actor, &Change::AddMember(branch_it, lead)),
        Some(Decision::Deny(DenyReason::MissingRole))
    );
    // A group that holds only room grants the MSA holds (everything) can be changed.
    let helpdesk = world.groups[1];
    assert_eq!(
        world.allowed(&actor, &Change::AddMember(helpdesk, lead)),
        Some(Decision::Allow)
    );
    // The Global admin may.
    let admin = world.actor(world.users[0]);
    assert_eq!(
        world.allowed(&admin, &Change::AddMember(branch_it, lead)),
        Some(Decision::Allow)
    );
}

#[test]
fn only_permissions_that_act_on_rooms_move_with_a_room() {
    let on_rooms: BTreeSet<Permission> = Permission::iter().filter(|p| p.acts_on_rooms()).collect();
    for p in [
        Permission::RoomsView,
        Permission::RoomsUnenroll,
        Permission::RoomsDownloadKey,
        Permission::GroupsModify,
        Permission::TicketsUpdate,
    ] {
        assert!(on_rooms.contains(&p), "{p:?}");
    }
    for p in [
        Permission::RoomsResetKey,
        Permission::SettingsModify,
        Permission::RolesModify,
        Permission::UpdateRingsCreate,
    ] {
        assert!(!on_rooms.contains(&p), "{p:?}");
    }
}
