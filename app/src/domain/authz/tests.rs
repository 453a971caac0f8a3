//! The specification's tables, cell by cell. A new `Permission`, `BuiltInRole`, `OrgRole` or
//! `Action` variant fails these tests until someone writes down its rows.

use super::*;
use crate::domain::ids::{OrgId, RelationshipId, RoomGroupId, RoomId, UserId};

/// Section 3 of the specification, copied as it stands. Columns: MMR Admin, Site Lead, Site Tech,
/// Primary admins.
const SPEC_MATRIX: &str = "
Rooms                  | View                     | Y | Y | Y | Y
Rooms                  | Modify                   | Y | Y | Y | Y
Rooms                  | Reset key                | Y | . | . | .
Rooms                  | Download key             | Y | Y | Y | .
Rooms                  | Unenroll                 | Y | Y | Y | .
Rooms                  | Create                   | Y | Y | . | .
Group management       | View                     | Y | Y | . | Y
Group management       | Modify                   | Y | Y | . | .
Group management       | Create                   | Y | Y | . | .
Update ring management | View                     | Y | Y | . | Y
Update ring management | Modify                   | Y | Y | . | Y
Update ring management | Create                   | Y | . | . | .
Reports                | View                     | Y | Y | . | Y
Reports                | Create customer incident | Y | Y | Y | Y
Tickets management     | View                     | Y | Y | Y | Y
Tickets management     | Update                   | Y | Y | Y | Y
MMR settings           | View                     | Y | . | . | .
MMR settings           | Modify                   | Y | . | . | .
Role management        | View                     | Y | . | . | Y
Role management        | Modify                   | Y | . | . | Y
";

const ROLES: [BuiltInRole; 4] = [
    BuiltInRole::MmrAdmin,
    BuiltInRole::SiteLead,
    BuiltInRole::SiteTech,
    BuiltInRole::PrimaryAdmins,
];

fn permission_named(feature: &str, name: &str) -> Permission {
    use Permission::*;
    match (feature, name) {
        ("Rooms", "View") => RoomsView,
        ("Rooms", "Modify") => RoomsModify,
        ("Rooms", "Reset key") => RoomsResetKey,
        ("Rooms", "Download key") => RoomsDownloadKey,
        ("Rooms", "Unenroll") => RoomsUnenroll,
        ("Rooms", "Create") => RoomsCreate,
        ("Group management", "View") => GroupsView,
        ("Group management", "Modify") => GroupsModify,
        ("Group management", "Create") => GroupsCreate,
        ("Update ring management", "View") => UpdateRingsView,
        ("Update ring management", "Modify") => UpdateRingsModify,
        ("Update ring management", "Create") => UpdateRingsCreate,
        ("Reports", "View") => ReportsView,
        ("Reports", "Create customer incident") => ReportsCreateCustomerIncident,
        ("Tickets management", "View") => TicketsView,
        ("Tickets management", "Update") => TicketsUpdate,
        ("MMR settings", "View") => SettingsView,
        ("MMR settings", "Modify") => SettingsModify,
        ("Role management", "View") => RolesView,
        ("Role management", "Modify") => RolesModify,
        other => panic!("unknown row {other:?}"),
    }
}

fn spec_rows() -> Vec<(Permission, [bool; 4])> {
    SPEC_MATRIX
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let permission = permission_named(cells[0], cells[1]);
            let marks = [cells[2], cells[3], cells[4], cells[5]].map(|c| c == "Y");
            (permission, marks)
        })
        .collect()
}

/// The action whose requirement is exactly `permission`.
fn action_for(permission: Permission) -> Action {
    let found: Vec<Action> = Action::iter()
        .filter(|a| matches!(a.requirement(), Requirement::Permission(p) if p == permission))
        .collect();
    assert_eq!(found.len(), 1, "{permission:?} needs exactly one action");
    found[0]
}

struct World {
    customer: OrgId,
    partner: OrgId,
    in_scope: RoomId,
    in_scope_by_group: RoomId,
    out_of_scope: RoomId,
    group: RoomGroupId,
}

fn world() -> World {
    World {
        customer: OrgId::new(),
        partner: OrgId::new(),
        in_scope: RoomId::new(),
        in_scope_by_group: RoomId::new(),
        out_of_scope: RoomId::new(),
        group: RoomGroupId::new(),
    }
}

fn room(w: &World, room: RoomId, groups: &[RoomGroupId]) -> Resource {
    Resource::Room {
        org: w.customer,
        room,
        room_groups: groups.iter().copied().collect(),
    }
}

/// A user of another organisation (a partner's user for Primary admins, otherwise a plain user
/// of the customer) holding one built-in role over part of the customer's rooms.
fn holder(w: &World, role: BuiltInRole, scope: Scope) -> Actor {
    let grant = Grant {
        org: w.customer,
        permissions: role.permissions(),
        scope,
    };
    match role {
        BuiltInRole::PrimaryAdmins => Actor {
            user: UserId::new(),
            org: w.partner,
            org_manages_customers: true,
            org_roles: BTreeSet::new(),
            grants: vec![],
            partnerships: vec![Partnership {
                relationship: RelationshipId::new(),
                customer: w.customer,
                ceiling: Scope::AllRooms,
                grants: vec![grant],
                primary_admin: true,
            }],
        },
        BuiltInRole::MmrAdmin | BuiltInRole::SiteLead | BuiltInRole::SiteTech => Actor {
            user: UserId::new(),
            org: w.customer,
            org_manages_customers: false,
            org_roles: BTreeSet::new(),
            grants: vec![grant],
            partnerships: vec![],
        },
    }
}

/// What an organisation-wide permission is used on: a partner's role management acts on the
/// relationship's partner roles, everything else on the customer's organisation.
fn org_wide(w: &World, actor: &Actor, permission: Permission) -> Resource {
    match actor.partnerships.first() {
        Some(p) if matches!(permission, Permission::RolesView | Permission::RolesModify) => {
            Resource::Relationship {
                org: w.customer,
                relationship: p.relationship,
            }
        }
        _ => Resource::Org(w.customer),
    }
}

#[test]
fn spec_matrix_covers_every_permission_and_role() {
    let rows = spec_rows();
    assert_eq!(rows.len(), Permission::iter().count());
    assert_eq!(ROLES.len(), BuiltInRole::iter().count());
    let distinct: BTreeSet<Permission> = rows.iter().map(|(p, _)| *p).collect();
    assert_eq!(distinct.len(), rows.len(), "a permission is listed twice");
}

#[test]
fn built_in_roles_match_the_spec_cell_by_cell_in_scope() {
    let w = world();
    let scope = Scope::Some {
        rooms: [w.in_scope].into(),
        room_groups: [w.group].into(),
    };
    for (permission, marks) in spec_rows() {
        let action = action_for(permission);
        for (role, expected) in ROLES.iter().zip(marks) {
            let actor = holder(&w, *role, scope.clone());
            let want = if expected {
                Decision::Allow
            } else {
                Decision::Deny(DenyReason::MissingRole)
            };
            for resource in [
                room(&w, w.in_scope, &[]),
                room(&w, w.in_scope_by_group, &[w.group]),
            ] {
                assert_eq!(
                    authorize(&actor, action, &resource),
                    want,
                    "{role:?} / {permission:?} on {resource:?}"
                );
            }
        }
    }
}

#[test]
fn built_in_roles_never_reach_outside_their_scope_or_organisation() {
    let w = world();
    let scope = Scope::Some {
        rooms: [w.in_scope].into(),
        room_groups: [w.group].into(),
    };
    for (permission, marks) in spec_rows() {
        let action = action_for(permission);
        for (role, held) in ROLES.iter().zip(marks) {
            let actor = holder(&w, *role, scope.clone());
            let outside = if held {
                DenyReason::OutOfScope
            } else {
                DenyReason::MissingRole
            };
            assert_eq!(
                authorize(&actor, action, &room(&w, w.out_of_scope, &[])),
                Decision::Deny(outside),
                "{role:?} / {permission:?} outside scope"
            );
            // Organisation-wide resources need a grant over all rooms.
            assert_eq!(
                authorize(&actor, action, &org_wide(&w, &actor, permission)),
                Decision::Deny(outside),
                "{role:?} / {permission:?} organisation-wide"
            );
            let elsewhere = Resource::Room {
                org: OrgId::new(),
                room: w.in_scope,
                room_groups: [w.group].into(),
            };
            assert_eq!(
                authorize(&actor, action, &elsewhere),
                Decision::Deny(DenyReason::NotMember),
                "{role:?} / {permission:?} in another organisation"
            );
        }
    }
}

#[test]
fn all_rooms_grants_reach_organisation_wide_resources() {
    let w = world();
    for (permission, marks) in spec_rows() {
        for (role, held) in ROLES.iter().zip(marks) {
            let actor = holder(&w, *role, Scope::AllRooms);
            let resource = org_wide(&w, &actor, permission);
            let got = authorize(&actor, action_for(permission), &resource);
            assert_eq!(got == Decision::Allow, held, "{role:?} / {permission:?}");
        }
    }
}

/// Who holds organisation roles, in customer mode and partner mode.
#[derive(Clone, Copy, Debug, EnumIter, PartialEq)]
enum Holder {
    GlobalAdmin,
    Msa,
    TenantManager,
    PlainUser,
}

const A: &str = "allow";

/// Organisation-level actions: rows of (action, [Global admin, MSA, Tenant manager, plain user])
/// for the actor's own organisation when it manages customers, then when it does not.
const ORG_TABLE: &[(Action, [&str; 4], [&str; 4])] = &[
    (Action::SearchDirectory, [A, A, A, A], [A, A, A, A]),
    (Action::ViewOverview, [A, A, A, A], [A, A, A, A]),
    (
        Action::ViewAdministrators,
        [A, A, "MissingRole", "MissingRole"],
        [A, A, "MissingRole", "MissingRole"],
    ),
    (
        Action::ManageAdministrators,
        [A, "MissingRole", "MissingRole", "MissingRole"],
        [A, "MissingRole", "MissingRole", "MissingRole"],
    ),
    (
        Action::ViewSecurityGroups,
        [A, A, "MissingRole", "MissingRole"],
        [A, A, "MissingRole", "MissingRole"],
    ),
    (
        Action::ManageSecurityGroups,
        [A, A, "MissingRole", "MissingRole"],
        [A, A, "MissingRole", "MissingRole"],
    ),
    (
        Action::ViewTenantManagers,
        [A, A, A, "MissingRole"],
        ["NotAPartner", "NotAPartner", "NotAPartner", "NotAPartner"],
    ),
    (
        Action::ManageTenantManagers,
        [A, A, "MissingRole", "MissingRole"],
        ["NotAPartner", "NotAPartner", "NotAPartner", "NotAPartner"],
    ),
    (
        Action::ViewPartners,
        [A, A, "MissingRole", "MissingRole"],
        [A, A, "MissingRole", "MissingRole"],
    ),
    (
        Action::ManagePartners,
        [A, A, "MissingRole", "MissingRole"],
        [A, A, "MissingRole", "MissingRole"],
    ),
    (
        Action::ViewTenants,
        [A, A, A, "MissingRole"],
        ["NotAPartner", "NotAPartner", "NotAPartner", "NotAPartner"],
    ),
    (
        Action::ViewAllTickets,
        [A, A, A, A],
        ["NotAPartner", "NotAPartner", "NotAPartner", "NotAPartner"],
    ),
    (
        Action::AnswerInvitation,
        [A, A, A, "MissingRole"],
        ["NotAPartner", "NotAPartner", "NotAPartner", "NotAPartner"],
    ),
    (
        Action::RemoveCustomer,
        ["MissingRole", "MissingRole", "MissingRole", "MissingRole"],
        ["MissingRole", "MissingRole", "MissingRole", "MissingRole"],
    ),
    (
        Action::ViewAuditLog,
        [A, A, "MissingRole", "MissingRole"],
        [A, A, "MissingRole", "MissingRole"],
    ),
];

fn org_actor(holder: Holder, org: OrgId, partner: bool) -> Actor {
    let role = match holder {
        Holder::GlobalAdmin => Some(OrgRole::GlobalAdmin),
        Holder::Msa => Some(OrgRole::ManagedServiceAdmin),
        Holder::TenantManager => Some(OrgRole::TenantManager),
        Holder::PlainUser => None,
    };
    Actor {
        user: UserId::new(),
        org,
        org_manages_customers: partner,
        org_roles: role.into_iter().collect(),
        grants: vec![],
        partnerships: vec![],
    }
}

fn expected(cell: &str) -> Decision {
    match cell {
        "allow" => Decision::Allow,
        "MissingRole" => Decision::Deny(DenyReason::MissingRole),
        "NotAPartner" => Decision::Deny(DenyReason::NotAPartner),
        other => panic!("unknown cell {other}"),
    }
}

#[test]
fn organisation_roles_match_the_table_in_own_and_other_organisation() {
    let permission_actions = Permission::iter().count();
    assert_eq!(
        ORG_TABLE.len() + permission_actions,
        Action::iter().count(),
        "every action is either in ORG_TABLE or maps to one permission"
    );
    let holders: Vec<Holder> = Holder::iter().collect();
    let mut checked = 0;
    for (action, as_partner, as_customer) in ORG_TABLE {
        for (partner, cells) in [(true, as_partner), (false, as_customer)] {
            for (holder, cell) in holders.iter().zip(cells.iter()) {
                let org = OrgId::new();
                let actor = org_actor(*holder, org, partner);
                assert_eq!(
                    authorize(&actor, *action, &Resource::Org(org)),
                    expected(cell),
                    "{holder:?} / {action:?} / partner={partner}"
                );
                assert_eq!(
                    authorize(&actor, *action, &Resource::Org(OrgId::new())),
                    Decision::Deny(DenyReason::NotMember),
                    "{holder:?} / {action:?} in another organisation"
                );
                checked += 1;
            }
        }
    }
    assert_eq!(checked, ORG_TABLE.len() * 2 * Holder::iter().count());
}

#[test]
fn global_admins_and_msas_hold_every_permission_in_their_own_organisation_only() {
    for holder in [Holder::GlobalAdmin, Holder::Msa] {
        let org = OrgId::new();
        let actor = org_actor(holder, org, false);
        for permission in Permission::iter() {
            let action = action_for(permission);
            assert_eq!(
                authorize(&actor, action, &Resource::Org(org)),
                Decision::Allow
            );
            assert_eq!(
                authorize(&actor, action, &Resource::Org(OrgId::new())),
                Decision::Deny(DenyReason::NotMember),
                "{holder:?} / {permission:?} elsewhere"
            );
        }
    }
    let org = OrgId::new();
    let manager = org_actor(Holder::TenantManager, org, true);
    assert_eq!(
        authorize(&manager, Action::ViewRooms, &Resource::Org(org)),
        Decision::Deny(DenyReason::NotMember),
        "a tenant manager holds no room permission by that role"
    );
}

#[test]
fn removing_the_last_global_admin_is_refused() {
    let org = OrgId::new();
    let admin = org_actor(Holder::GlobalAdmin, org, false);
    let last = Resource::OrgRoleChange {
        org,
        global_admins_after: 0,
    };
    let fine = Resource::OrgRoleChange {
        org,
        global_admins_after: 1,
    };
    for action in [Action::ManageAdministrators, Action::ManageSecurityGroups] {
        assert_eq!(
            authorize(&admin, action, &last),
            Decision::Deny(DenyReason::LastGlobalAdmin)
        );
        assert_eq!(authorize(&admin, action, &fine), Decision::Allow);
    }
    let plain = org_actor(Holder::PlainUser, org, false);
    assert_eq!(
        authorize(&plain, Action::ManageAdministrators, &fine),
        Decision::Deny(DenyReason::MissingRole)
    );
}

/// A scope naming one room group covers that group and its rooms, and only "some rooms" of the
/// organisation: never the organisation as a whole, another group, or another organisation.
#[test]
fn group_scopes_reach_their_group_some_rooms_and_nothing_organisation_wide() {
    let w = world();
    let tech = holder(
        &w,
        BuiltInRole::SiteLead,
        Scope::Some {
            rooms: BTreeSet::new(),
            room_groups: BTreeSet::from([w.group]),
        },
    );
    let cases = [
        (
            Action::ModifyRoomGroup,
            Resource::RoomGroup {
                org: w.customer,
                group: w.group,
            },
            Decision::Allow,
        ),
        (
            Action::ModifyRoomGroup,
            Resource::RoomGroup {
                org: w.customer,
                group: RoomGroupId::new(),
            },
            Decision::Deny(DenyReason::OutOfScope),
        ),
        (
            Action::ModifyRoomGroup,
            Resource::RoomGroup {
                org: w.partner,
                group: w.group,
            },
            Decision::Deny(DenyReason::NotMember),
        ),
        (
            Action::ViewRooms,
            Resource::SomeRooms(w.customer),
            Decision::Allow,
        ),
        (
            Action::ViewRooms,
            Resource::SomeRooms(w.partner),
            Decision::Deny(DenyReason::NotMember),
        ),
        (
            Action::CreateRoomGroup,
            Resource::Org(w.customer),
            Decision::Deny(DenyReason::OutOfScope),
        ),
        (
            Action::ResetEnrollmentKey,
            Resource::SomeRooms(w.customer),
            Decision::Deny(DenyReason::MissingRole),
        ),
    ];
    for (action, resource, expected) in cases {
        assert_eq!(
            authorize(&tech, action, &resource),
            expected,
            "{action:?} on {resource:?}"
        );
    }
}

#[test]
fn granting_is_bounded_by_what_the_actor_holds() {
    let w = world();
    let lead = holder(
        &w,
        BuiltInRole::SiteLead,
        Scope::Some {
            rooms: BTreeSet::from([w.in_scope]),
            room_groups: BTreeSet::from([w.group]),
        },
    );
    let groups = std::collections::BTreeMap::from([
        (w.in_scope, BTreeSet::new()),
        (w.in_scope_by_group, BTreeSet::from([w.group])),
    ]);
    let own = BuiltInRole::SiteLead.permissions();
    let some = |rooms: &[RoomId], room_groups: &[RoomGroupId]| Scope::Some {
        rooms: rooms.iter().copied().collect(),
        room_groups: room_groups.iter().copied().collect(),
    };
    let check = |perms: &BTreeSet<Permission>, scope: &Scope| {
        authorize_grant(&lead, w.customer, perms, scope, &groups)
    };
    assert_eq!(
        check(&own, &some(&[w.in_scope, w.in_scope_by_group], &[w.group])),
        Decision::Allow
    );
    assert_eq!(
        check(&own, &Scope::AllRooms),
        Decision::Deny(DenyReason::OutOfScope)
    );
    assert_eq!(
        check(&own, &some(&[RoomId::new()], &[])),
        Decision::Deny(DenyReason::OutOfScope)
    );
    assert_eq!(
        check(&own, &some(&[], &[RoomGroupId::new()])),
        Decision::Deny(DenyReason::OutOfScope)
    );
    let with_reset: BTreeSet<Permission> = own
        .iter()
        .copied()
        .chain([Permission::RoomsResetKey])
        .collect();
    assert_eq!(
        check(&with_reset, &some(&[w.in_scope], &[])),
        Decision::Deny(DenyReason::MissingRole)
    );
    assert_eq!(
        authorize_role_permissions(&lead, w.customer, &with_reset),
        Decision::Deny(DenyReason::MissingRole)
    );
    assert_eq!(
        authorize_role_permissions(&lead, w.customer, &own),
        Decision::Allow
    );
    assert_eq!(
        authorize_role_permissions(&lead, w.partner, &own),
        Decision::Deny(DenyReason::MissingRole)
    );
}
