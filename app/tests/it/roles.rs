//! *Settings > Roles*: the wizard, nobody granting more than they hold, built-in roles fixed,
//! revocation on the next request, and one organisation never reaching another's ids.

use crate::common::*;
use crate::rooms::{
    all_members, all_rooms_query, assignment, built_in, group_input, new_room, valid_room,
};
use app::domain::audit::AuditEntryView;
use app::domain::authz::{Actor, BuiltInRole, DenyReason, Permission, Scope};
use app::domain::directory::{GroupView, Principal};
use app::domain::ids::{RoleId, RoomGroupId, RoomId, UserId};
use app::domain::overview::Holding;
use app::domain::roles::RoleDraft;
use app::domain::rooms::RoomRow;
use app::domain::validation::{GroupName, Valid};
use app::server::service::{groups, overview, roles, room_groups, rooms, settings};
use app::server::{ConflictKind, ServiceError};
use sea_orm::DatabaseConnection;
use std::collections::BTreeSet;

fn draft(name: &str, permissions: &[Permission]) -> Valid<RoleDraft> {
    RoleDraft {
        name: name.to_owned(),
        description: format!("{name} for tests"),
        permissions: permissions.to_vec(),
    }
    .validate()
    .unwrap()
}

struct World {
    org: Org,
    grace: Actor,
    us_group: RoomGroupId,
    us_room: RoomRow,
    gb_room: RoomRow,
}

async fn world(db: &DatabaseConnection) -> World {
    let (org, grace) = org_with_admin(db, "Contoso", "contoso.com").await;
    let us_room = new_room(
        db,
        &grace,
        org.id,
        (
            "Harbour 1",
            "harbour1@contoso.com",
            "Harbour",
            "Seattle",
            "US",
        ),
    )
    .await;
    let gb_room = new_room(
        db,
        &grace,
        org.id,
        ("Thames 3", "thames3@contoso.com", "Thames", "London", "GB"),
    )
    .await;
    let us_group = room_groups::create_room_group(
        db,
        &grace,
        org.id,
        group_input("All US rooms", "US"),
        now(),
    )
    .await
    .unwrap()
    .id;
    World {
        org,
        grace,
        us_group,
        us_room,
        gb_room,
    }
}

/// A custom role made by the Global admin, given to `members` over all rooms.
async fn custom_role_for(
    db: &DatabaseConnection,
    w: &World,
    name: &str,
    permissions: &[Permission],
    members: Vec<Principal>,
) -> RoleId {
    roles::create_role(
        db,
        &w.grace,
        w.org.id,
        draft(name, permissions),
        Some(assignment(name, members, vec![], vec![], true)),
        now(),
    )
    .await
    .unwrap()
}

fn by(rows: &[AuditEntryView], user: UserId) -> Vec<(&str, &str)> {
    rows.iter()
        .filter(|r| r.user_id == user)
        .map(|r| (r.operation.as_str(), r.object_name.as_str()))
        .collect()
}

fn role_names(list: &[app::domain::roles::RoleView]) -> Vec<&str> {
    list.iter().map(|r| r.name.as_str()).collect()
}

#[tokio::test]
async fn the_wizard_creates_a_role_with_its_first_assignment() {
    let db = db().await;
    let w = world(&db).await;
    let lena = user(&db, &w.org, "lena@contoso.co.uk", "Lena Fischer").await;
    let id = roles::create_role(
        &db,
        &w.grace,
        w.org.id,
        draft(
            "Help desk",
            &[
                Permission::TicketsUpdate,
                Permission::RoomsView,
                Permission::TicketsView,
            ],
        ),
        Some(assignment(
            "US help desk",
            vec![Principal::User(lena)],
            vec![],
            vec![w.us_group],
            false,
        )),
        now(),
    )
    .await
    .unwrap();

    let list = roles::list_roles(&db, &w.grace, w.org.id).await.unwrap();
    assert_eq!(
        role_names(&list),
        ["MMR Admin", "Site Lead", "Site Tech", "Help desk"],
        "built-in roles first, then custom roles"
    );
    let detail = roles::get_role(&db, &w.grace, w.org.id, id).await.unwrap();
    assert_eq!(detail.role.built_in, None);
    assert_eq!(
        detail.role.permissions,
        [
            Permission::RoomsView,
            Permission::TicketsView,
            Permission::TicketsUpdate
        ]
    );
    assert_eq!(detail.assignments.len(), 1);
    let a = &detail.assignments[0];
    assert_eq!(a.name, "US help desk");
    assert_eq!(
        a.members
            .iter()
            .map(|m| m.name.as_str())
            .collect::<Vec<_>>(),
        ["Lena Fischer"]
    );
    assert!(!a.all_rooms);
    assert_eq!(a.room_groups, [(w.us_group, "All US rooms".to_owned())]);

    let lena = actor(&db, &w.org, lena).await;
    assert_eq!(
        lena.grants
            .iter()
            .map(|g| (g.permissions.len(), g.scope.clone()))
            .collect::<Vec<_>>(),
        [(
            3,
            Scope::Some {
                rooms: BTreeSet::new(),
                room_groups: BTreeSet::from([w.us_group])
            }
        )]
    );
    let page = rooms::list_rooms(&db, &lena, w.org.id, all_rooms_query())
        .await
        .unwrap();
    assert_eq!(
        page.rows.iter().map(|r| r.id).collect::<Vec<_>>(),
        [w.us_room.id]
    );
    assert!(matches!(
        rooms::unenroll_room(&db, &lena, w.org.id, w.us_room.id, now()).await,
        Err(ServiceError::Forbidden(DenyReason::MissingRole))
    ));

    let ok = audit_rows(&db, &w.grace, w.org.id, "Role", "Successful").await;
    assert_eq!(by(&ok, w.grace.user), [("Create", "Help desk")]);
    let ok = audit_rows(&db, &w.grace, w.org.id, "Assignment", "Successful").await;
    assert!(
        by(&ok, w.grace.user).contains(&("Create", "Help desk: US help desk")),
        "{ok:?}"
    );
}

#[tokio::test]
async fn the_wizard_hears_of_a_taken_name_on_its_first_step() {
    let db = db().await;
    let w = world(&db).await;
    let name_taken = |r: Result<(), ServiceError>| {
        matches!(r, Err(ServiceError::Conflict(ConflictKind::NameTaken)))
    };
    roles::create_role(
        &db,
        &w.grace,
        w.org.id,
        draft("Help desk", &[Permission::RoomsView]),
        None,
        now(),
    )
    .await
    .unwrap();
    // In any case, as the unique index compares names.
    assert!(name_taken(
        roles::check_role_name(&db, &w.grace, w.org.id, "HELP DESK").await
    ));
    assert!(name_taken(
        roles::check_role_name(&db, &w.grace, w.org.id, "Help desk").await
    ));
    roles::check_role_name(&db, &w.grace, w.org.id, "Help desk 2")
        .await
        .unwrap();
    // A built-in role's name is taken too.
    assert!(name_taken(
        roles::check_role_name(&db, &w.grace, w.org.id, "site lead").await
    ));
    // Another organisation has its own names, and may not ask about Contoso's.
    let (fabrikam, felix) = org_with_admin(&db, "Fabrikam", "fabrikam.com").await;
    roles::check_role_name(&db, &felix, fabrikam.id, "Help desk")
        .await
        .unwrap();
    assert!(matches!(
        roles::check_role_name(&db, &felix, w.org.id, "Something new").await,
        Err(ServiceError::Forbidden(_) | ServiceError::NotFound)
    ));
}

#[tokio::test]
async fn a_role_manager_cannot_hand_out_what_they_do_not_hold() {
    let db = db().await;
    let w = world(&db).await;
    let rita = user(&db, &w.org, "rita@contoso.com", "Rita Moreno").await;
    let lena = user(&db, &w.org, "lena@contoso.co.uk", "Lena Fischer").await;
    custom_role_for(
        &db,
        &w,
        "Role managers",
        &[
            Permission::RolesView,
            Permission::RolesModify,
            Permission::RoomsView,
        ],
        vec![Principal::User(rita)],
    )
    .await;
    let rita_actor = actor(&db, &w.org, rita).await;

    // A role with a permission Rita lacks.
    let refused = roles::create_role(
        &db,
        &rita_actor,
        w.org.id,
        draft(
            "Key keepers",
            &[Permission::RoomsView, Permission::RoomsResetKey],
        ),
        Some(assignment(
            "Everyone",
            vec![Principal::User(lena)],
            vec![],
            vec![],
            true,
        )),
        now(),
    )
    .await;
    assert!(
        matches!(
            refused,
            Err(ServiceError::Forbidden(DenyReason::MissingRole))
        ),
        "{refused:?}"
    );
    let failed = audit_rows(&db, &w.grace, w.org.id, "Role", "Failed").await;
    assert_eq!(by(&failed, rita), [("Create", "Key keepers")]);
    assert_eq!(failed[0].user_tenant_id, w.org.id);
    let list = roles::list_roles(&db, &rita_actor, w.org.id).await.unwrap();
    assert!(!role_names(&list).contains(&"Key keepers"));
    assert!(actor(&db, &w.org, lena).await.grants.is_empty());

    // Site Lead over all rooms: far more than Rooms: View.
    let site_lead = built_in(&db, &w.grace, w.org.id, BuiltInRole::SiteLead).await;
    let refused = roles::save_assignment(
        &db,
        &rita_actor,
        w.org.id,
        site_lead,
        None,
        assignment(
            "Everything",
            vec![Principal::User(rita)],
            vec![],
            vec![],
            true,
        ),
        now(),
    )
    .await;
    assert!(
        matches!(
            refused,
            Err(ServiceError::Forbidden(DenyReason::MissingRole))
        ),
        "{refused:?}"
    );
    let failed = audit_rows(&db, &w.grace, w.org.id, "Assignment", "Failed").await;
    assert_eq!(by(&failed, rita), [("Create", "Site Lead: Everything")]);
    let rita_after = actor(&db, &w.org, rita).await;
    assert_eq!(rita_after.grants, rita_actor.grants, "nothing was granted");

    // What she holds, she may hand out.
    roles::create_role(
        &db,
        &rita_actor,
        w.org.id,
        draft("Viewers", &[Permission::RoomsView]),
        Some(assignment(
            "Everyone",
            vec![Principal::User(lena)],
            vec![],
            vec![],
            true,
        )),
        now(),
    )
    .await
    .unwrap();
    let lena = actor(&db, &w.org, lena).await;
    assert_eq!(
        rooms::list_rooms(&db, &lena, w.org.id, all_rooms_query())
            .await
            .unwrap()
            .total,
        2
    );
}

#[tokio::test]
async fn a_site_lead_gives_site_lead_only_over_their_own_rooms() {
    let db = db().await;
    let w = world(&db).await;
    let sam = user(&db, &w.org, "sam@contoso.com", "Sam Lee").await;
    let lena = user(&db, &w.org, "lena@contoso.co.uk", "Lena Fischer").await;
    let site_lead = built_in(&db, &w.grace, w.org.id, BuiltInRole::SiteLead).await;
    roles::save_assignment(
        &db,
        &w.grace,
        w.org.id,
        site_lead,
        None,
        assignment(
            "Sam in the US",
            vec![Principal::User(sam)],
            vec![],
            vec![w.us_group],
            false,
        ),
        now(),
    )
    .await
    .unwrap();
    // Sam may manage roles (over all rooms), but his rooms are the US ones.
    custom_role_for(
        &db,
        &w,
        "Role managers",
        &[Permission::RolesView, Permission::RolesModify],
        vec![Principal::User(sam)],
    )
    .await;
    let sam_actor = actor(&db, &w.org, sam).await;
    let give = |name: &'static str, rooms: Vec<RoomId>, groups: Vec<RoomGroupId>, all: bool| {
        let sam_actor = sam_actor.clone();
        let db = &db;
        let org = w.org.id;
        async move {
            roles::save_assignment(
                db,
                &sam_actor,
                org,
                site_lead,
                None,
                assignment(name, vec![Principal::User(lena)], rooms, groups, all),
                now(),
            )
            .await
        }
    };

    let outside = give("London", vec![w.gb_room.id], vec![], false).await;
    assert!(
        matches!(
            outside,
            Err(ServiceError::Forbidden(DenyReason::OutOfScope))
        ),
        "{outside:?}"
    );
    let everywhere = give("Everywhere", vec![], vec![], true).await;
    assert!(
        matches!(
            everywhere,
            Err(ServiceError::Forbidden(DenyReason::OutOfScope))
        ),
        "{everywhere:?}"
    );
    let mixed = give("Both", vec![w.us_room.id, w.gb_room.id], vec![], false).await;
    assert!(matches!(
        mixed,
        Err(ServiceError::Forbidden(DenyReason::OutOfScope))
    ));
    assert!(actor(&db, &w.org, lena).await.grants.is_empty());
    let failed = audit_rows(&db, &w.grace, w.org.id, "Assignment", "Failed").await;
    assert_eq!(by(&failed, sam).len(), 3, "{failed:?}");

    // Within his scope: the group itself, or a room the group holds.
    give("US", vec![], vec![w.us_group], false).await.unwrap();
    give("Seattle", vec![w.us_room.id], vec![], false)
        .await
        .unwrap();
    let lena = actor(&db, &w.org, lena).await;
    assert_eq!(lena.grants.len(), 2);
    assert!(matches!(
        rooms::get_room(&db, &lena, w.org.id, w.gb_room.id).await,
        Err(ServiceError::NotFound)
    ));

    // Nor can he widen a role whose assignment covers all rooms with a permission he holds
    // over the US rooms only.
    let remote = custom_role_for(
        &db,
        &w,
        "Remote hands",
        &[Permission::TicketsView],
        vec![Principal::User(w.grace.user)],
    )
    .await;
    let refused = roles::update_role(
        &db,
        &sam_actor,
        w.org.id,
        remote,
        draft(
            "Remote hands",
            &[Permission::TicketsView, Permission::RoomsModify],
        ),
        now(),
    )
    .await;
    assert!(
        matches!(
            refused,
            Err(ServiceError::Forbidden(DenyReason::OutOfScope))
        ),
        "{refused:?}"
    );
    let detail = roles::get_role(&db, &w.grace, w.org.id, remote)
        .await
        .unwrap();
    assert_eq!(detail.role.permissions, [Permission::TicketsView]);
    let failed = audit_rows(&db, &w.grace, w.org.id, "Role", "Failed").await;
    assert_eq!(by(&failed, sam), [("Update", "Remote hands")]);
}

#[tokio::test]
async fn updating_a_role_with_a_permission_the_actor_lacks_is_refused() {
    let db = db().await;
    let w = world(&db).await;
    let rita = user(&db, &w.org, "rita@contoso.com", "Rita Moreno").await;
    custom_role_for(
        &db,
        &w,
        "Role managers",
        &[
            Permission::RolesView,
            Permission::RolesModify,
            Permission::RoomsView,
        ],
        vec![Principal::User(rita)],
    )
    .await;
    let rita = actor(&db, &w.org, rita).await;
    let viewers = roles::create_role(
        &db,
        &rita,
        w.org.id,
        draft("Viewers", &[Permission::RoomsView]),
        None,
        now(),
    )
    .await
    .unwrap();
    let refused = roles::update_role(
        &db,
        &rita,
        w.org.id,
        viewers,
        draft(
            "Viewers",
            &[Permission::RoomsView, Permission::RoomsResetKey],
        ),
        now(),
    )
    .await;
    assert!(
        matches!(
            refused,
            Err(ServiceError::Forbidden(DenyReason::MissingRole))
        ),
        "{refused:?}"
    );
    // Renaming and keeping what she holds is fine; so is removing a permission.
    roles::update_role(
        &db,
        &rita,
        w.org.id,
        viewers,
        draft("Room viewers", &[Permission::RoomsView]),
        now(),
    )
    .await
    .unwrap();
    let detail = roles::get_role(&db, &rita, w.org.id, viewers)
        .await
        .unwrap();
    assert_eq!(
        (
            detail.role.name.as_str(),
            detail.role.permissions.as_slice()
        ),
        ("Room viewers", [Permission::RoomsView].as_slice())
    );
    // The Global admin may add it.
    roles::update_role(
        &db,
        &w.grace,
        w.org.id,
        viewers,
        draft(
            "Room viewers",
            &[Permission::RoomsView, Permission::RoomsResetKey],
        ),
        now(),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn built_in_roles_cannot_be_changed_or_deleted() {
    let db = db().await;
    let w = world(&db).await;
    let before = roles::list_roles(&db, &w.grace, w.org.id).await.unwrap();
    assert_eq!(before.len(), 3);
    for role in &before {
        let which = role.built_in.unwrap();
        assert_eq!(
            role.permissions.iter().copied().collect::<BTreeSet<_>>(),
            which.permissions()
        );
        let changed = roles::update_role(
            &db,
            &w.grace,
            w.org.id,
            role.id,
            draft("Renamed", &[Permission::RoomsView]),
            now(),
        )
        .await;
        assert!(
            matches!(
                changed,
                Err(ServiceError::Conflict(ConflictKind::BuiltInRole))
            ),
            "{changed:?}"
        );
        let deleted = roles::delete_role(&db, &w.grace, w.org.id, role.id, now()).await;
        assert!(
            matches!(
                deleted,
                Err(ServiceError::Conflict(ConflictKind::BuiltInRole))
            ),
            "{deleted:?}"
        );
    }
    assert_eq!(
        roles::list_roles(&db, &w.grace, w.org.id).await.unwrap(),
        before
    );
    let site_tech = before
        .iter()
        .find(|r| r.built_in == Some(BuiltInRole::SiteTech))
        .unwrap();
    assert_eq!(
        site_tech.permissions,
        [
            Permission::RoomsView,
            Permission::RoomsModify,
            Permission::RoomsDownloadKey,
            Permission::RoomsUnenroll,
            Permission::ReportsCreateCustomerIncident,
            Permission::TicketsView,
            Permission::TicketsUpdate,
        ]
    );
}

#[tokio::test]
async fn deleting_a_role_revokes_its_grants_on_the_next_request() {
    let db = db().await;
    let w = world(&db).await;
    let lena = user(&db, &w.org, "lena@contoso.co.uk", "Lena Fischer").await;
    let role = custom_role_for(
        &db,
        &w,
        "Settings team",
        &[Permission::SettingsView, Permission::RoomsView],
        vec![Principal::User(lena)],
    )
    .await;
    let before = actor(&db, &w.org, lena).await;
    assert!(settings::get_settings(&db, &before, w.org.id, now())
        .await
        .is_ok());

    roles::delete_role(&db, &w.grace, w.org.id, role, now())
        .await
        .unwrap();
    let after = actor(&db, &w.org, lena).await;
    assert!(after.grants.is_empty(), "{:?}", after.grants);
    assert!(matches!(
        settings::get_settings(&db, &after, w.org.id, now()).await,
        Err(ServiceError::Forbidden(_))
    ));
    assert!(matches!(
        rooms::list_rooms(&db, &after, w.org.id, all_rooms_query()).await,
        Err(ServiceError::Forbidden(_))
    ));
    assert!(matches!(
        roles::get_role(&db, &w.grace, w.org.id, role).await,
        Err(ServiceError::NotFound)
    ));
    let ok = audit_rows(&db, &w.grace, w.org.id, "Role", "Successful").await;
    assert!(by(&ok, w.grace.user).contains(&("Delete", "Settings team")));
}

/// A new security group, and an assignment of `role` over the US rooms that names it.
async fn group_assigned(
    db: &DatabaseConnection,
    w: &World,
    name: &str,
    role: BuiltInRole,
) -> GroupView {
    let team = groups::create_group(
        db,
        &w.grace,
        w.org.id,
        GroupName::parse(name).unwrap(),
        now(),
    )
    .await
    .unwrap();
    let role_id = built_in(db, &w.grace, w.org.id, role).await;
    roles::save_assignment(
        db,
        &w.grace,
        w.org.id,
        role_id,
        None,
        assignment(
            &format!("{name} assignment"),
            vec![Principal::Group(team.id)],
            vec![],
            vec![w.us_group],
            false,
        ),
        now(),
    )
    .await
    .unwrap();
    team
}

#[tokio::test]
async fn a_security_group_grants_a_role_to_its_members_as_of_now() {
    let db = db().await;
    let w = world(&db).await;
    let omar = user(&db, &w.org, "omar@contoso.com", "Omar Haddad").await;
    let team = group_assigned(&db, &w, "Facilities team", BuiltInRole::SiteTech).await;
    assert!(actor(&db, &w.org, omar).await.grants.is_empty());

    groups::add_group_member(&db, &w.grace, w.org.id, team.id, omar, now())
        .await
        .unwrap();
    let member = actor(&db, &w.org, omar).await;
    assert_eq!(member.grants.len(), 1);
    assert_eq!(
        member.grants[0].permissions,
        BuiltInRole::SiteTech.permissions()
    );
    let page = rooms::list_rooms(&db, &member, w.org.id, all_rooms_query())
        .await
        .unwrap();
    assert_eq!(
        page.rows.iter().map(|r| r.id).collect::<Vec<_>>(),
        [w.us_room.id]
    );

    groups::remove_group_member(&db, &w.grace, w.org.id, team.id, omar, now())
        .await
        .unwrap();
    let gone = actor(&db, &w.org, omar).await;
    assert!(gone.grants.is_empty());
    assert!(matches!(
        rooms::list_rooms(&db, &gone, w.org.id, all_rooms_query()).await,
        Err(ServiceError::Forbidden(_))
    ));
}

/// The overview says what a person holds, how and over which rooms, and counts only the rooms
/// in their reach; a member holding nothing is told so and sees no counts.
#[tokio::test]
async fn the_overview_says_what_a_member_holds_through_which_group_and_counts_their_rooms() {
    let db = db().await;
    let w = world(&db).await;
    let omar = user(&db, &w.org, "omar@contoso.com", "Omar Haddad").await;
    let nothing = overview::overview(&db, &actor(&db, &w.org, omar).await, w.org.id, now())
        .await
        .unwrap();
    assert!(nothing.holdings.is_empty());
    assert_eq!(nothing.rooms, None);
    assert_eq!(nothing.refusals, None);

    let team = group_assigned(&db, &w, "US site leads", BuiltInRole::SiteLead).await;
    groups::add_group_member(&db, &w.grace, w.org.id, team.id, omar, now())
        .await
        .unwrap();
    let member = actor(&db, &w.org, omar).await;
    let held = overview::overview(&db, &member, w.org.id, now())
        .await
        .unwrap();
    assert_eq!(
        held.holdings,
        vec![Holding {
            role: "Site Lead".into(),
            scope: Some(vec!["All US rooms".into()]),
            rooms: 1,
            direct: false,
            through: vec!["US site leads".into()],
        }]
    );
    let rooms = held.rooms.unwrap();
    assert_eq!(rooms.total, 1, "only the US room is in reach");
    assert_eq!(rooms.by_enrollment.iter().map(|(_, n)| n).sum::<u64>(), 1);
    assert_eq!(rooms.without_ring, 1);
    assert_eq!(
        held.refusals, None,
        "a Site Lead does not read the audit log"
    );

    let admin = overview::overview(&db, &w.grace, w.org.id, now())
        .await
        .unwrap();
    assert!(
        admin
            .holdings
            .iter()
            .any(|h| h.role == "Global admin" && h.scope.is_none() && h.direct && h.rooms == 2),
        "{:?}",
        admin.holdings
    );
    assert_eq!(admin.rooms.unwrap().total, 2);
    assert!(admin.refusals.is_some());
}

#[tokio::test]
async fn one_organisation_never_reaches_anothers_roles_rooms_or_groups() {
    let db = db().await;
    let w = world(&db).await;
    let (fabrikam, felix) = org_with_admin(&db, "Fabrikam", "fabrikam.com").await;
    let paul = user(&db, &fabrikam, "paul@fabrikam.com", "Paul Martin").await;
    let their_room = new_room(
        &db,
        &felix,
        fabrikam.id,
        ("Rhein 1", "rhein1@fabrikam.com", "Rhein", "Cologne", "DE"),
    )
    .await;
    let their_group = room_groups::create_room_group(
        &db,
        &felix,
        fabrikam.id,
        group_input("All German rooms", "DE"),
        now(),
    )
    .await
    .unwrap()
    .id;
    let their_role = roles::create_role(
        &db,
        &felix,
        fabrikam.id,
        draft("AV support", &[Permission::RoomsView]),
        None,
        now(),
    )
    .await
    .unwrap();
    let g = &w.grace;
    let ours = w.org.id;

    // Their ids under our organisation: not found.
    assert!(matches!(
        roles::get_role(&db, g, ours, their_role).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        roles::delete_role(&db, g, ours, their_role, now()).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        roles::update_role(
            &db,
            g,
            ours,
            their_role,
            draft("Mine", &[Permission::RoomsView]),
            now()
        )
        .await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        roles::save_assignment(
            &db,
            g,
            ours,
            their_role,
            None,
            assignment("X", vec![Principal::User(g.user)], vec![], vec![], true),
            now()
        )
        .await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        rooms::get_room(&db, g, ours, their_room.id).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        rooms::update_room(
            &db,
            g,
            ours,
            their_room.id,
            valid_room("Mine", "rhein1@fabrikam.com", "Rhein", "Cologne", "DE"),
            now()
        )
        .await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        rooms::unenroll_room(&db, g, ours, their_room.id, now()).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        room_groups::get_room_group(&db, g, ours, their_group, all_members()).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        room_groups::delete_room_group(&db, g, ours, their_group, now()).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        room_groups::set_room_group_member(&db, g, ours, w.us_group, their_room.id, true, now())
            .await,
        Err(ServiceError::NotFound)
    ));
    // Our role, but their user, room or group in the assignment.
    let site_tech = built_in(&db, g, ours, BuiltInRole::SiteTech).await;
    for draft in [
        assignment("Paul", vec![Principal::User(paul)], vec![], vec![], true),
        assignment(
            "Their room",
            vec![Principal::User(g.user)],
            vec![their_room.id],
            vec![],
            false,
        ),
        assignment(
            "Their group",
            vec![Principal::User(g.user)],
            vec![],
            vec![their_group],
            false,
        ),
    ] {
        let result = roles::save_assignment(&db, g, ours, site_tech, None, draft, now()).await;
        assert!(matches!(result, Err(ServiceError::NotFound)), "{result:?}");
    }

    // Their organisation named outright: forbidden, and their data unchanged.
    assert!(matches!(
        roles::get_role(&db, g, fabrikam.id, their_role).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        roles::list_roles(&db, g, fabrikam.id).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        roles::delete_role(&db, g, fabrikam.id, their_role, now()).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        rooms::get_room(&db, g, fabrikam.id, their_room.id).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        rooms::list_rooms(&db, g, fabrikam.id, all_rooms_query()).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        rooms::unenroll_room(&db, g, fabrikam.id, their_room.id, now()).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        room_groups::get_room_group(&db, g, fabrikam.id, their_group, all_members()).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        room_groups::list_room_groups(&db, g, fabrikam.id).await,
        Err(ServiceError::NotFound)
    ));
    assert!(roles::get_role(&db, &felix, fabrikam.id, their_role)
        .await
        .is_ok());
    assert_eq!(
        rooms::get_room(&db, &felix, fabrikam.id, their_room.id)
            .await
            .unwrap()
            .room
            .display_name,
        "Rhein 1"
    );
    // Our lists never show their things.
    let ours_listed = rooms::list_rooms(&db, g, ours, all_rooms_query())
        .await
        .unwrap();
    assert!(ours_listed.rows.iter().all(|r| r.id != their_room.id));
    let roles_listed = roles::list_roles(&db, g, ours).await.unwrap();
    assert!(!role_names(&roles_listed).contains(&"AV support"));
}

/// Issue 8, finding 1: taking a grant away is handing it out in reverse. Someone who may manage
/// roles but does not hold MMR settings cannot remove, narrow or delete an assignment of it.
#[tokio::test]
async fn nobody_takes_away_a_grant_they_could_not_hand_out() {
    let db = db().await;
    let w = world(&db).await;
    let rita = user(&db, &w.org, "rita@contoso.com", "Rita Moreno").await;
    let lena = user(&db, &w.org, "lena@contoso.co.uk", "Lena Fischer").await;
    custom_role_for(
        &db,
        &w,
        "Role managers",
        &[Permission::RolesView, Permission::RolesModify],
        vec![Principal::User(rita)],
    )
    .await;
    let settings_role = custom_role_for(
        &db,
        &w,
        "Settings editors",
        &[Permission::SettingsView, Permission::SettingsModify],
        vec![Principal::User(lena)],
    )
    .await;
    let rita = actor(&db, &w.org, rita).await;
    let detail = roles::get_role(&db, &w.grace, w.org.id, settings_role)
        .await
        .unwrap();

    let refused =
        roles::delete_assignment(&db, &rita, w.org.id, detail.assignments[0].id, now()).await;
    assert!(
        matches!(refused, Err(ServiceError::Forbidden(_))),
        "{refused:?}"
    );
    // Narrowing an assignment takes it away from the rooms left out: Rita views US rooms only,
    // so she may not narrow Lena's view of every room down to the US.
    let rita_id = rita.user;
    custom_role_for_scope(&db, &w, "US viewers", rita_id).await;
    let viewers = custom_role_for(
        &db,
        &w,
        "Viewers everywhere",
        &[Permission::RoomsView],
        vec![Principal::User(lena)],
    )
    .await;
    let rita = actor(&db, &w.org, rita_id).await;
    let everywhere = roles::get_role(&db, &w.grace, w.org.id, viewers)
        .await
        .unwrap()
        .assignments[0]
        .id;
    let held = actor(&db, &w.org, lena).await.grants;
    let refused = roles::save_assignment(
        &db,
        &rita,
        w.org.id,
        viewers,
        Some(everywhere),
        assignment(
            "Viewers everywhere",
            vec![Principal::User(lena)],
            vec![],
            vec![w.us_group],
            false,
        ),
        now(),
    )
    .await;
    assert!(
        matches!(refused, Err(ServiceError::Forbidden(_))),
        "{refused:?}"
    );
    let refused = roles::update_role(
        &db,
        &rita,
        w.org.id,
        settings_role,
        draft("Settings editors", &[Permission::SettingsView]),
        now(),
    )
    .await;
    assert!(
        matches!(refused, Err(ServiceError::Forbidden(_))),
        "{refused:?}"
    );
    let refused = roles::delete_role(&db, &rita, w.org.id, settings_role, now()).await;
    assert!(
        matches!(refused, Err(ServiceError::Forbidden(_))),
        "{refused:?}"
    );
    assert_eq!(
        actor(&db, &w.org, lena).await.grants,
        held,
        "Lena keeps her grant"
    );
    let failed = audit_rows(&db, &w.grace, w.org.id, "Assignment", "Failed").await;
    assert_eq!(failed.len(), 2, "{failed:?}");
    assert_eq!(
        audit_rows(&db, &w.grace, w.org.id, "Role", "Failed")
            .await
            .len(),
        2
    );

    // The Global admin holds everything, so may.
    roles::delete_role(&db, &w.grace, w.org.id, settings_role, now())
        .await
        .unwrap();
    roles::delete_role(&db, &w.grace, w.org.id, viewers, now())
        .await
        .unwrap();
    assert!(actor(&db, &w.org, lena).await.grants.is_empty());
}

/// Gives `user` Rooms: View over the US room group only.
async fn custom_role_for_scope(db: &DatabaseConnection, w: &World, name: &str, user: UserId) {
    roles::create_role(
        db,
        &w.grace,
        w.org.id,
        draft(name, &[Permission::RoomsView]),
        Some(assignment(
            name,
            vec![Principal::User(user)],
            vec![],
            vec![w.us_group],
            false,
        )),
        now(),
    )
    .await
    .unwrap();
}

/// Issue 8, finding 1, by way of room groups: putting a room into a group, changing its rule or
/// deleting it gives (or takes) the permissions of every assignment scoped to the group on the
/// rooms that move. Rita may manage groups everywhere but cannot unenroll rooms, so she cannot
/// hand Lena "unenroll" on a London room by adding it to Lena's group.
#[tokio::test]
async fn moving_rooms_between_groups_hands_over_no_more_than_the_actor_holds() {
    let db = db().await;
    let w = world(&db).await;
    let rita = user(&db, &w.org, "rita@contoso.com", "Rita Moreno").await;
    let lena = user(&db, &w.org, "lena@contoso.co.uk", "Lena Fischer").await;
    custom_role_for(
        &db,
        &w,
        "Group keepers",
        &[
            Permission::RoomsView,
            Permission::GroupsView,
            Permission::GroupsModify,
        ],
        vec![Principal::User(rita)],
    )
    .await;
    let boardrooms = room_groups::create_room_group(
        &db,
        &w.grace,
        w.org.id,
        crate::rooms::group_input("Boardrooms", ""),
        now(),
    )
    .await
    .unwrap()
    .id;
    roles::create_role(
        &db,
        &w.grace,
        w.org.id,
        draft(
            "Unenrollers",
            &[Permission::RoomsView, Permission::RoomsUnenroll],
        ),
        Some(assignment(
            "Boardrooms",
            vec![Principal::User(lena)],
            vec![],
            vec![boardrooms],
            false,
        )),
        now(),
    )
    .await
    .unwrap();
    let rita = actor(&db, &w.org, rita).await;

    let refused = room_groups::set_room_group_member(
        &db,
        &rita,
        w.org.id,
        boardrooms,
        w.gb_room.id,
        true,
        now(),
    )
    .await;
    assert!(
        matches!(refused, Err(ServiceError::Forbidden(_))),
        "{refused:?}"
    );
    let refused = room_groups::update_room_group(
        &db,
        &rita,
        w.org.id,
        boardrooms,
        crate::rooms::group_input("Boardrooms", "GB"),
        now(),
    )
    .await;
    assert!(
        matches!(refused, Err(ServiceError::Forbidden(_))),
        "{refused:?}"
    );
    let refused = room_groups::delete_room_group(&db, &rita, w.org.id, boardrooms, now()).await;
    assert!(
        matches!(refused, Err(ServiceError::Forbidden(_))),
        "{refused:?}"
    );
    assert!(matches!(
        rooms::unenroll_room(
            &db,
            &actor(&db, &w.org, lena).await,
            w.org.id,
            w.gb_room.id,
            now()
        )
        .await,
        Err(ServiceError::NotFound)
    ));
    let failed = audit_rows(&db, &w.grace, w.org.id, "RoomGroup", "Failed").await;
    assert_eq!(failed.len(), 3, "{failed:?}");

    // A group no assignment is scoped to is Rita's to fill; the Global admin may fill this one.
    let spare = room_groups::create_room_group(
        &db,
        &w.grace,
        w.org.id,
        crate::rooms::group_input("Spare", ""),
        now(),
    )
    .await
    .unwrap()
    .id;
    room_groups::set_room_group_member(&db, &rita, w.org.id, spare, w.gb_room.id, true, now())
        .await
        .unwrap();
    room_groups::set_room_group_member(
        &db,
        &w.grace,
        w.org.id,
        boardrooms,
        w.gb_room.id,
        true,
        now(),
    )
    .await
    .unwrap();
    let lena = actor(&db, &w.org, lena).await;
    rooms::unenroll_room(&db, &lena, w.org.id, w.gb_room.id, now())
        .await
        .unwrap();
}
