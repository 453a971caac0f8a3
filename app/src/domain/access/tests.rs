//! Effective permissions over generated assignment graphs, checked against a reference
//! implementation written straight from section 3 of the specification: a user holds permission
//! P on room R when some assignment of a role with P has the user among its members (directly or
//! through a group) and R in its scope (directly, through a group's static members or through a
//! group's rule).

use super::*;
use crate::domain::authz::{
    authorize, authorize_grant, reach, Action, Actor, Decision, DenyReason, Resource,
};
use std::collections::BTreeMap;
use strum::IntoEnumIterator;

use crate::domain::test_rng::Rng;

/// The same, across a partner organisation and its customers.
mod multi_org;

const COUNTRIES: [&str; 3] = ["US", "GB", "DE"];
const SITES: [&str; 3] = ["HQ", "Harbour", "Airport"];

struct Graph {
    org: OrgId,
    users: Vec<UserId>,
    membership: BTreeMap<GroupId, BTreeSet<UserId>>,
    rooms: Vec<RoomFacts>,
    room_groups: Vec<RoomGroupDef>,
    assignments: Vec<AssignmentDef>,
}

/// `rooms` rooms on random sites and `groups` room groups over them, about half with a rule,
/// each with about `percent`% of the rooms as static members.
fn rooms_and_groups(
    rng: &mut Rng,
    rooms: usize,
    groups: usize,
    percent: u64,
) -> (Vec<RoomFacts>, Vec<RoomGroupDef>) {
    let rooms: Vec<RoomFacts> = (0..rooms)
        .map(|_| RoomFacts {
            id: RoomId::new(),
            country: COUNTRIES[rng.below(3)].to_owned(),
            site: SITES[rng.below(3)].to_owned(),
        })
        .collect();
    let room_ids: Vec<RoomId> = rooms.iter().map(|r| r.id).collect();
    let room_groups = (0..groups)
        .map(|_| RoomGroupDef {
            id: RoomGroupId::new(),
            rule: rng.chance(50).then(|| GroupRule {
                country: rng.chance(70).then(|| COUNTRIES[rng.below(3)].to_owned()),
                site: rng.chance(50).then(|| SITES[rng.below(3)].to_owned()),
            }),
            members: rng.subset(&room_ids, percent),
        })
        .collect();
    (rooms, room_groups)
}

fn generate(rng: &mut Rng) -> Graph {
    let org = OrgId::new();
    let users: Vec<UserId> = (0..5).map(|_| UserId::new()).collect();
    let groups: Vec<GroupId> = (0..3).map(|_| GroupId::new()).collect();
    let membership = groups
        .iter()
        .map(|g| (*g, rng.subset(&users, 40)))
        .collect();
    let (rooms, room_groups) = rooms_and_groups(rng, 8, 4, 25);
    let room_ids: Vec<RoomId> = rooms.iter().map(|r| r.id).collect();
    let room_group_ids: Vec<RoomGroupId> = room_groups.iter().map(|g| g.id).collect();
    let permissions: Vec<Permission> = Permission::iter().collect();
    let assignments = (0..1 + rng.below(5))
        .map(|_| AssignmentDef {
            org,
            permissions: rng.subset(&permissions, 40),
            scope: if rng.chance(20) {
                Scope::AllRooms
            } else {
                Scope::Some {
                    rooms: rng.subset(&room_ids, 20),
                    room_groups: rng.subset(&room_group_ids, 30),
                }
            },
            users: rng.subset(&users, 30),
            groups: rng.subset(&groups, 30),
        })
        .collect();
    Graph {
        org,
        users,
        membership,
        rooms,
        room_groups,
        assignments,
    }
}

/// Section 3, read literally.
fn reference_holds(g: &Graph, user: UserId, room: &RoomFacts, permission: Permission) -> bool {
    g.assignments.iter().any(|a| {
        let member = a.users.contains(&user)
            || a.groups
                .iter()
                .any(|group| g.membership[group].contains(&user));
        let in_scope = match &a.scope {
            Scope::AllRooms => true,
            Scope::Some { rooms, room_groups } => {
                rooms.contains(&room.id)
                    || g.room_groups.iter().any(|rg| {
                        room_groups.contains(&rg.id)
                            && (rg.members.contains(&room.id)
                                || rg.rule.as_ref().is_some_and(|rule| {
                                    (rule.country.is_some() || rule.site.is_some())
                                        && rule.country.as_ref().is_none_or(|c| *c == room.country)
                                        && rule.site.as_ref().is_none_or(|s| *s == room.site)
                                }))
                    })
            }
        };
        member && in_scope && a.permissions.contains(&permission)
    })
}

fn action_for(permission: Permission) -> Action {
    Action::iter()
        .find(|a| {
            let org = OrgId::new();
            let probe = Actor {
                user: UserId::new(),
                org,
                org_manages_customers: false,
                org_roles: BTreeSet::new(),
                grants: vec![Grant {
                    org,
                    permissions: BTreeSet::from([permission]),
                    scope: Scope::AllRooms,
                }],
                partnerships: vec![],
            };
            let without = Actor {
                grants: vec![],
                ..probe.clone()
            };
            // Exactly the action this permission alone allows.
            authorize(&probe, *a, &Resource::Org(org)) == Decision::Allow
                && authorize(&without, *a, &Resource::Org(org)) != Decision::Allow
        })
        .unwrap_or_else(|| panic!("no action for {permission:?}"))
}

fn actor_of(g: &Graph, user: UserId) -> Actor {
    let user_groups: BTreeSet<GroupId> = g
        .membership
        .iter()
        .filter(|(_, members)| members.contains(&user))
        .map(|(group, _)| *group)
        .collect();
    Actor {
        user,
        org: g.org,
        org_manages_customers: false,
        org_roles: BTreeSet::new(),
        grants: grants_for(user, &user_groups, &g.assignments),
        partnerships: vec![],
    }
}

#[test]
fn effective_permissions_match_the_reference_over_generated_graphs() {
    let mut checked = 0usize;
    let mut allowed = 0usize;
    for seed in 1..=400u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let g = generate(&mut rng);
        for user in &g.users {
            let actor = actor_of(&g, *user);
            for room in &g.rooms {
                let resource = Resource::Room {
                    org: g.org,
                    room: room.id,
                    room_groups: groups_of(room, &g.room_groups),
                };
                for permission in Permission::iter() {
                    let expected = reference_holds(&g, *user, room, permission);
                    let decided =
                        authorize(&actor, action_for(permission), &resource) == Decision::Allow;
                    assert_eq!(
                        decided, expected,
                        "seed {seed}: {permission:?} on room {:?}",
                        room.id
                    );
                    // The list filter agrees with the per-room decision.
                    let listed = reach(&actor, g.org, permission)
                        .is_some_and(|r| r.covers_room(room.id, &groups_of(room, &g.room_groups)));
                    assert_eq!(listed, expected, "seed {seed}: reach of {permission:?}");
                    checked += 1;
                    allowed += usize::from(expected);
                }
            }
        }
    }
    // The generator must produce both outcomes in quantity, or the test proves little.
    assert!(
        allowed > checked / 10 && allowed < checked * 9 / 10,
        "{allowed}/{checked}"
    );
}

#[test]
fn nobody_grants_beyond_what_they_hold_over_generated_graphs() {
    for seed in 1..=300u64 {
        let mut rng = Rng(seed.wrapping_mul(0xD1B5_4A32_D192_ED03));
        let g = generate(&mut rng);
        let groups_of_rooms: BTreeMap<RoomId, BTreeSet<RoomGroupId>> = g
            .rooms
            .iter()
            .map(|r| (r.id, groups_of(r, &g.room_groups)))
            .collect();
        let room_ids: Vec<RoomId> = g.rooms.iter().map(|r| r.id).collect();
        let permissions: Vec<Permission> = Permission::iter().collect();
        for user in &g.users {
            let actor = actor_of(&g, *user);
            // A requested assignment over some rooms only.
            let wanted = rng.subset(&permissions, 15);
            let rooms = rng.subset(&room_ids, 25);
            let scope = Scope::Some {
                rooms: rooms.clone(),
                room_groups: BTreeSet::new(),
            };
            let decision = authorize_grant(&actor, g.org, &wanted, &scope, &groups_of_rooms);
            let holds_all = wanted.iter().all(|p| {
                g.rooms
                    .iter()
                    .filter(|r| rooms.contains(&r.id))
                    .all(|r| reference_holds(&g, *user, r, *p))
                    && (reach(&actor, g.org, *p).is_some())
            });
            assert_eq!(
                decision == Decision::Allow,
                holds_all,
                "seed {seed}: granting {wanted:?} over {} rooms",
                rooms.len()
            );
            // Never all rooms unless a grant over all rooms holds every permission.
            let all = authorize_grant(&actor, g.org, &wanted, &Scope::AllRooms, &groups_of_rooms);
            let all_expected = wanted.iter().all(|p| {
                g.assignments.iter().any(|a| {
                    a.permissions.contains(p)
                        && a.scope == Scope::AllRooms
                        && grants_for(*user, &user_groups(&g, *user), std::slice::from_ref(a)).len()
                            == 1
                })
            });
            assert_eq!(all == Decision::Allow, all_expected, "seed {seed}");
            if !wanted.is_empty() && all != Decision::Allow {
                assert!(matches!(
                    all,
                    Decision::Deny(DenyReason::MissingRole | DenyReason::OutOfScope)
                ));
            }
        }
    }
}

fn user_groups(g: &Graph, user: UserId) -> BTreeSet<GroupId> {
    g.membership
        .iter()
        .filter(|(_, m)| m.contains(&user))
        .map(|(group, _)| *group)
        .collect()
}

#[test]
fn group_sizes_count_each_room_once_as_groups_of_places_it() {
    let mut rng = Rng(0x5eed_6a0b);
    for _ in 0..300 {
        let g = generate(&mut rng);
        let mut places: BTreeMap<(String, String), u64> = BTreeMap::new();
        for r in &g.rooms {
            *places
                .entry((r.country.clone(), r.site.clone()))
                .or_default() += 1;
        }
        let places: Vec<_> = places.into_iter().map(|((c, s), n)| (c, s, n)).collect();
        let facts = g.rooms.iter().map(|r| (r.id, r.clone())).collect();
        let mut expected: BTreeMap<RoomGroupId, u64> =
            g.room_groups.iter().map(|group| (group.id, 0)).collect();
        for r in &g.rooms {
            for group in groups_of(r, &g.room_groups) {
                *expected.entry(group).or_default() += 1;
            }
        }
        assert_eq!(group_sizes(&places, &g.room_groups, &facts), expected);
    }
}

#[test]
fn rules_match_country_and_site_and_need_one_criterion() {
    let rule = GroupRule {
        country: Some("US".into()),
        site: None,
    };
    assert!(rule.matches("US", "Seattle"));
    assert!(!rule.matches("GB", "Seattle"));
    let both = GroupRule {
        country: Some("US".into()),
        site: Some("Seattle".into()),
    };
    assert!(both.matches("US", "Seattle"));
    assert!(!both.matches("US", "seattle"));
    assert!(!both.matches("US", "Boston"));
    let empty = GroupRule {
        country: None,
        site: None,
    };
    assert!(!empty.matches("US", "Seattle"));
    assert_eq!(both.describe(), "Country/region is US and site is Seattle");
}
