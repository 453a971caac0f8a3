//! Rooms, room groups, update rings and the enrollment key, as a scoped Site Tech and Site Lead
//! see them: only the rooms of their scope, refusals recorded in the organisation's log.

use crate::common::*;
use app::domain::audit::AuditQuery;
use app::domain::authz::{Actor, BuiltInRole, DenyReason, Permission};
use app::domain::directory::Principal;
use app::domain::health::Heartbeat;
use app::domain::ids::{OrgId, RoleId, RoomGroupId, RoomId, UserId};
use app::domain::partners::ChangeOutcome;
use app::domain::roles::{AssignmentDraft, RoleDraft};
use app::domain::rooms::{
    Enrollment, MemberQuery, Platform, RoomGroupInput, RoomInput, RoomQuery, RoomRow,
    UpdateRingInput,
};
use app::domain::validation::Valid;
use app::server::entity::{incident, room};
use app::server::service::health::Verdict;
use app::server::service::settings::{self, DeviceEnrollment, EnrollError};
use app::server::service::{audit, roles, room_groups, rooms};
use app::server::ServiceError;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use std::collections::BTreeSet;

pub fn room_input(name: &str, account: &str, site: &str, city: &str, country: &str) -> RoomInput {
    RoomInput {
        display_name: name.to_owned(),
        resource_account: account.to_owned(),
        site: site.to_owned(),
        city: city.to_owned(),
        country: country.to_owned(),
        platform: Some(Platform::Windows),
    }
}

pub fn valid_room(
    name: &str,
    account: &str,
    site: &str,
    city: &str,
    country: &str,
) -> Valid<RoomInput> {
    room_input(name, account, site, city, country)
        .validate()
        .unwrap()
}

pub fn all_rooms_query() -> Valid<RoomQuery> {
    RoomQuery::default().validate().unwrap()
}

/// The first page of a group's rooms: all of them, in these small worlds.
pub fn all_members() -> Valid<MemberQuery> {
    MemberQuery::default().validate().unwrap()
}

pub fn group_input(name: &str, rule_country: &str) -> Valid<RoomGroupInput> {
    RoomGroupInput {
        name: name.to_owned(),
        description: String::new(),
        rule_country: rule_country.to_owned(),
        rule_site: String::new(),
    }
    .validate()
    .unwrap()
}

/// The id of a built-in role of the organisation, found as its Global admin would.
pub async fn built_in(
    db: &DatabaseConnection,
    admin: &Actor,
    org: OrgId,
    which: BuiltInRole,
) -> RoleId {
    roles::list_roles(db, admin, org)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.built_in == Some(which))
        .unwrap()
        .id
}

pub fn assignment(
    name: &str,
    members: Vec<Principal>,
    rooms: Vec<RoomId>,
    room_groups: Vec<RoomGroupId>,
    all_rooms: bool,
) -> Valid<AssignmentDraft> {
    AssignmentDraft {
        name: name.to_owned(),
        description: String::new(),
        notify: false,
        members,
        all_rooms,
        rooms,
        room_groups,
    }
    .validate()
    .unwrap()
}

fn ids(rows: &[RoomRow]) -> BTreeSet<RoomId> {
    rows.iter().map(|r| r.id).collect()
}

/// (name, resource account, site, city, country)
pub type RoomSpec<'a> = (&'a str, &'a str, &'a str, &'a str, &'a str);

/// A room created by an actor who may.
pub async fn new_room(
    db: &DatabaseConnection,
    by: &Actor,
    org: OrgId,
    spec: RoomSpec<'_>,
) -> RoomRow {
    let (name, account, site, city, country) = spec;
    rooms::create_room(
        db,
        by,
        org,
        valid_room(name, account, site, city, country),
        now(),
    )
    .await
    .unwrap()
}

/// Contoso with rooms in three countries, a rule group "All US rooms", a static group and two
/// update rings.
struct Estate {
    org: Org,
    grace: Actor,
    seattle: RoomRow,
    boston: RoomRow,
    london: RoomRow,
    berlin: RoomRow,
    us_group: RoomGroupId,
    static_group: RoomGroupId,
}

async fn estate(db: &DatabaseConnection) -> Estate {
    let (org, grace) = org_with_admin(db, "Contoso", "contoso.com").await;
    let seattle = new_room(
        db,
        &grace,
        org.id,
        (
            "Harbour 1",
            "harbour1@contoso.com",
            "Harbour",
            "Seattle",
            "us",
        ),
    )
    .await;
    let boston = new_room(
        db,
        &grace,
        org.id,
        ("Beacon 2", "beacon2@contoso.com", "Beacon", "Boston", "US"),
    )
    .await;
    let london = new_room(
        db,
        &grace,
        org.id,
        ("Thames 3", "thames3@contoso.com", "Thames", "London", "GB"),
    )
    .await;
    let berlin = new_room(
        db,
        &grace,
        org.id,
        ("Spree 4", "spree4@contoso.com", "Spree", "Berlin", "DE"),
    )
    .await;
    assert_eq!(
        seattle.country, "US",
        "country codes are stored upper-cased"
    );
    assert_eq!(seattle.enrollment, Enrollment::Unenrolled);

    let us_group = room_groups::create_room_group(
        db,
        &grace,
        org.id,
        group_input("All US rooms", "US"),
        now(),
    )
    .await
    .unwrap();
    assert_eq!(
        us_group.rule.as_ref().map(|r| r.describe()),
        Some("Country/region is US".to_owned())
    );
    let static_group =
        room_groups::create_room_group(db, &grace, org.id, group_input("Boardrooms", ""), now())
            .await
            .unwrap();
    assert_eq!(static_group.rule, None);
    room_groups::set_room_group_member(db, &grace, org.id, static_group.id, london.id, true, now())
        .await
        .unwrap();
    room_groups::set_room_group_member(db, &grace, org.id, static_group.id, berlin.id, true, now())
        .await
        .unwrap();

    let ring = |name: &str, days: &str| UpdateRingInput {
        name: name.to_owned(),
        deferral_days: days.to_owned(),
    };
    let pilot = room_groups::create_update_ring(
        db,
        &grace,
        org.id,
        ring("Pilot", "0").validate().unwrap(),
        now(),
    )
    .await
    .unwrap();
    let broad = room_groups::create_update_ring(
        db,
        &grace,
        org.id,
        ring("Broad", "14").validate().unwrap(),
        now(),
    )
    .await
    .unwrap();
    rooms::set_room_ring(db, &grace, org.id, seattle.id, Some(pilot.id), now())
        .await
        .unwrap();
    rooms::set_room_ring(db, &grace, org.id, london.id, Some(broad.id), now())
        .await
        .unwrap();
    rooms::set_room_ring(db, &grace, org.id, berlin.id, Some(broad.id), now())
        .await
        .unwrap();

    Estate {
        org,
        grace,
        seattle,
        boston,
        london,
        berlin,
        us_group: us_group.id,
        static_group: static_group.id,
    }
}

/// A plain user of the estate's organisation given a built-in role over the rule group.
async fn scoped_user(
    db: &DatabaseConnection,
    e: &Estate,
    upn: &str,
    name: &str,
    which: BuiltInRole,
) -> (UserId, Actor) {
    let id = user(db, &e.org, upn, name).await;
    let role = built_in(db, &e.grace, e.org.id, which).await;
    roles::save_assignment(
        db,
        &e.grace,
        e.org.id,
        role,
        None,
        assignment(
            &format!("{name} in the US"),
            vec![Principal::User(id)],
            vec![],
            vec![e.us_group],
            false,
        ),
        now(),
    )
    .await
    .unwrap();
    (id, actor(db, &e.org, id).await)
}

#[tokio::test]
async fn the_global_admin_sees_every_room_group_and_ring() {
    let db = db().await;
    let e = estate(&db).await;
    let page = rooms::list_rooms(&db, &e.grace, e.org.id, all_rooms_query())
        .await
        .unwrap();
    assert_eq!(page.total, 4);
    assert_eq!(
        page.rows
            .iter()
            .map(|r| r.display_name.as_str())
            .collect::<Vec<_>>(),
        ["Beacon 2", "Harbour 1", "Spree 4", "Thames 3"],
        "sorted by name"
    );
    let seattle = page.rows.iter().find(|r| r.id == e.seattle.id).unwrap();
    assert_eq!(
        seattle.update_ring.as_ref().map(|(_, n)| n.as_str()),
        Some("Pilot")
    );
    let groups = room_groups::list_room_groups(&db, &e.grace, e.org.id)
        .await
        .unwrap();
    let counts: Vec<_> = groups
        .iter()
        .map(|g| (g.name.as_str(), g.room_count))
        .collect();
    assert_eq!(counts, [("All US rooms", 2), ("Boardrooms", 2)]);
    let detail =
        room_groups::get_room_group(&db, &e.grace, e.org.id, e.static_group, all_members())
            .await
            .unwrap();
    let members: BTreeSet<_> = detail.members.iter().map(|(r, s)| (r.id, *s)).collect();
    assert_eq!(
        members,
        BTreeSet::from([(e.london.id, true), (e.berlin.id, true)])
    );
    let rings = room_groups::list_update_rings(&db, &e.grace, e.org.id)
        .await
        .unwrap();
    let rings: Vec<_> = rings
        .iter()
        .map(|r| (r.name.as_str(), r.deferral_days, r.room_count))
        .collect();
    assert_eq!(rings, [("Pilot", 0, 1), ("Broad", 14, 2)]);
}

#[tokio::test]
async fn group_and_ring_counts_cover_only_what_the_scope_reaches() {
    let db = db().await;
    let e = estate(&db).await;
    let (sofia, lead) = scoped_user(
        &db,
        &e,
        "sofia@contoso.com",
        "Sofia Rossi",
        BuiltInRole::SiteLead,
    )
    .await;
    let groups = room_groups::list_room_groups(&db, &lead, e.org.id)
        .await
        .unwrap();
    let counts: Vec<_> = groups
        .iter()
        .map(|g| (g.name.as_str(), g.room_count))
        .collect();
    assert_eq!(counts, [("All US rooms", 2)]);
    let rings = room_groups::list_update_rings(&db, &lead, e.org.id)
        .await
        .unwrap();
    let rings: Vec<_> = rings
        .iter()
        .map(|r| (r.name.as_str(), r.room_count))
        .collect();
    assert_eq!(
        rings,
        [("Pilot", 1), ("Broad", 0)],
        "Broad holds the two European rooms, outside the Site Lead's scope"
    );

    // A second assignment shows Sofia the Boardrooms group but none of its (European) rooms.
    let viewer = RoleDraft {
        name: "Group viewer".into(),
        description: String::new(),
        permissions: vec![Permission::GroupsView],
    };
    roles::create_role(
        &db,
        &e.grace,
        e.org.id,
        viewer.validate().unwrap(),
        Some(assignment(
            "Boardrooms",
            vec![Principal::User(sofia)],
            vec![],
            vec![e.static_group],
            false,
        )),
        now(),
    )
    .await
    .unwrap();
    let lead = actor(&db, &e.org, sofia).await;
    let boardrooms =
        room_groups::get_room_group(&db, &lead, e.org.id, e.static_group, all_members())
            .await
            .unwrap();
    assert_eq!(boardrooms.group.room_count, 2);
    assert!(boardrooms.members.is_empty());
    assert_eq!(boardrooms.hidden_members, 2);
    let us = room_groups::get_room_group(&db, &lead, e.org.id, e.us_group, all_members())
        .await
        .unwrap();
    let names: Vec<_> = us
        .members
        .iter()
        .map(|(r, is_static)| (r.display_name.as_str(), *is_static))
        .collect();
    assert_eq!(names, [("Beacon 2", false), ("Harbour 1", false)]);
    assert_eq!(us.hidden_members, 0);
}

#[tokio::test]
async fn deleting_an_update_ring_needs_the_whole_organisation_and_leaves_its_rooms_in_no_ring() {
    let db = db().await;
    let e = estate(&db).await;
    let (_, lead) = scoped_user(
        &db,
        &e,
        "sofia@contoso.com",
        "Sofia Rossi",
        BuiltInRole::SiteLead,
    )
    .await;
    let rings = room_groups::list_update_rings(&db, &e.grace, e.org.id)
        .await
        .unwrap();
    let ring = |name: &str| rings.iter().find(|r| r.name == name).unwrap().id;
    // The Site Lead may modify rings only over the US rooms; Pilot holds one of them, and
    // deleting it would still move every room of the organisation that it holds.
    assert!(matches!(
        room_groups::delete_update_ring(&db, &lead, e.org.id, ring("Pilot"), now()).await,
        Err(ServiceError::Forbidden(DenyReason::OutOfScope))
    ));
    let failed = audit_rows(&db, &e.grace, e.org.id, "UpdateRing", "Failed").await;
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].object_name, "Pilot");
    assert_eq!(failed[0].operation, "Delete");

    room_groups::delete_update_ring(&db, &e.grace, e.org.id, ring("Broad"), now())
        .await
        .unwrap();
    let left: Vec<_> = room_groups::list_update_rings(&db, &e.grace, e.org.id)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.name)
        .collect();
    assert_eq!(left, ["Pilot"]);
    for id in [e.london.id, e.berlin.id] {
        let room = rooms::get_room(&db, &e.grace, e.org.id, id).await.unwrap();
        assert_eq!(room.room.update_ring, None, "{}", room.room.display_name);
    }
    let seattle = rooms::get_room(&db, &e.grace, e.org.id, e.seattle.id)
        .await
        .unwrap();
    assert!(seattle.room.update_ring.is_some(), "Pilot keeps its room");
    let done = audit_rows(&db, &e.grace, e.org.id, "UpdateRing", "Successful").await;
    assert!(done
        .iter()
        .any(|a| a.object_name == "Broad" && a.operation == "Delete"));
    // Gone is gone: a second delete finds nothing.
    assert!(matches!(
        room_groups::delete_update_ring(&db, &e.grace, e.org.id, ring("Broad"), now()).await,
        Err(ServiceError::NotFound)
    ));
}

#[tokio::test]
async fn deleting_a_room_takes_its_device_incidents_and_memberships_and_widens_no_scope() {
    let db = db().await;
    let e = estate(&db).await;
    let (_, lead) = scoped_user(
        &db,
        &e,
        "sofia@contoso.com",
        "Sofia Rossi",
        BuiltInRole::SiteLead,
    )
    .await;
    // Omar's only room is Thames 3, named by his assignment itself.
    let omar = user(&db, &e.org, "omar@contoso.com", "Omar Haddad").await;
    let tech = built_in(&db, &e.grace, e.org.id, BuiltInRole::SiteTech).await;
    roles::save_assignment(
        &db,
        &e.grace,
        e.org.id,
        tech,
        None,
        assignment(
            "Omar on Thames 3",
            vec![Principal::User(omar)],
            vec![e.london.id],
            vec![],
            false,
        ),
        now(),
    )
    .await
    .unwrap();
    // Thames 3's device is enrolled and has reported a broken camera.
    let key = settings::enrollment_key(&db, &e.grace, e.org.id, now())
        .await
        .unwrap();
    let (_, token) = settings::enroll(&db, &key, device("thames3@contoso.com", "Thames 3"), now())
        .await
        .unwrap();
    let broken = Heartbeat::parse(
        &now().to_rfc3339(),
        "1.0",
        &[("camera".to_owned(), "error".to_owned())].into(),
    )
    .unwrap();
    assert_eq!(
        heartbeat(&db, &token, &broken, now()).await.unwrap().0,
        Verdict::Accepted
    );
    let of_thames = || incident::Entity::find().filter(incident::Column::RoomId.eq(e.london.id));
    assert_eq!(of_thames().all(&db).await.unwrap().len(), 1);

    // The Site Lead may delete US rooms only. A room outside her rooms is not found, as for
    // any other change, and the refusal is logged.
    assert!(matches!(
        rooms::delete_room(&db, &lead, e.org.id, e.london.id, now()).await,
        Err(ServiceError::NotFound)
    ));
    let failed = audit_rows(&db, &e.grace, e.org.id, "Room", "Failed").await;
    assert_eq!(failed.len(), 1);
    assert_eq!(
        (failed[0].object_name.as_str(), failed[0].operation.as_str()),
        ("Thames 3", "Delete")
    );
    assert!(matches!(
        rooms::delete_room(&db, &lead, e.org.id, e.seattle.id, now()).await,
        Ok(ChangeOutcome::Applied)
    ));

    assert!(matches!(
        rooms::delete_room(&db, &e.grace, e.org.id, e.london.id, now()).await,
        Ok(ChangeOutcome::Applied)
    ));
    assert_eq!(
        heartbeat(&db, &token, &broken, now()).await.unwrap().0,
        Verdict::UnknownDevice,
        "the device's credential went with its room"
    );
    assert!(of_thames().all(&db).await.unwrap().is_empty());
    let boardrooms =
        room_groups::get_room_group(&db, &e.grace, e.org.id, e.static_group, all_members())
            .await
            .unwrap();
    assert_eq!(boardrooms.group.room_count, 1, "Spree 4 stays");
    // Omar's assignment named only the deleted room: it reaches no room now, not every room.
    let omar = actor(&db, &e.org, omar).await;
    match rooms::list_rooms(&db, &omar, e.org.id, all_rooms_query()).await {
        Ok(page) => assert!(page.rows.is_empty(), "{:?}", page.rows),
        Err(err) => assert!(matches!(err, ServiceError::Forbidden(_)), "{err:?}"),
    }
    let left = rooms::list_rooms(&db, &e.grace, e.org.id, all_rooms_query())
        .await
        .unwrap();
    assert_eq!(
        left.rows
            .iter()
            .map(|r| r.display_name.as_str())
            .collect::<Vec<_>>(),
        ["Beacon 2", "Spree 4"]
    );
    let done = audit_rows(&db, &e.grace, e.org.id, "Room", "Successful").await;
    assert!(done
        .iter()
        .any(|a| a.object_name == "Thames 3" && a.operation == "Delete"));
    // Gone is gone.
    assert!(matches!(
        rooms::delete_room(&db, &e.grace, e.org.id, e.london.id, now()).await,
        Err(ServiceError::NotFound)
    ));
}

#[tokio::test]
async fn a_site_tech_scoped_to_all_us_rooms_works_on_us_rooms_only() {
    let db = db().await;
    let e = estate(&db).await;
    let (lena, tech) = scoped_user(
        &db,
        &e,
        "lena@contoso.co.uk",
        "Lena Fischer",
        BuiltInRole::SiteTech,
    )
    .await;
    assert_eq!(tech.grants.len(), 1, "the assignment is loaded as a grant");

    let page = rooms::list_rooms(&db, &tech, e.org.id, all_rooms_query())
        .await
        .unwrap();
    assert_eq!(page.total, 2);
    assert_eq!(ids(&page.rows), BTreeSet::from([e.seattle.id, e.boston.id]));
    let facets = rooms::room_facets(&db, &tech, e.org.id).await.unwrap();
    assert_eq!(facets.countries, ["US"]);

    let detail = rooms::get_room(&db, &tech, e.org.id, e.seattle.id)
        .await
        .unwrap();
    assert_eq!(
        detail.your_permissions,
        [
            Permission::RoomsView,
            Permission::RoomsModify,
            Permission::RoomsUnenroll
        ]
    );
    assert!(
        detail.groups.is_empty(),
        "a Site Tech has no Group management: View, so group names stay hidden"
    );
    assert!(matches!(
        rooms::get_room(&db, &tech, e.org.id, e.london.id).await,
        Err(ServiceError::NotFound)
    ));

    assert!(matches!(
        rooms::unenroll_room(&db, &tech, e.org.id, e.london.id, now()).await,
        Err(ServiceError::NotFound)
    ));
    let failed = audit_rows(&db, &e.grace, e.org.id, "Room", "Failed").await;
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0].user_id, lena);
    assert_eq!(failed[0].user_tenant_id, e.org.id);
    assert_eq!(failed[0].tenant_id, e.org.id);
    assert_eq!(failed[0].operation, "Update");
    assert!(
        failed[0].object_name.contains("Thames 3"),
        "{}",
        failed[0].object_name
    );
    assert_eq!(failed[0].user_name.as_deref(), Some("Lena Fischer"));

    // Moving a room of their scope out of it is refused too: the room must stay theirs.
    let moved = valid_room(
        "Harbour 1",
        "harbour1@contoso.com",
        "Harbour",
        "Seattle",
        "GB",
    );
    assert!(matches!(
        rooms::update_room(&db, &tech, e.org.id, e.seattle.id, moved, now()).await,
        Err(ServiceError::Forbidden(DenyReason::OutOfScope))
    ));
    assert_eq!(
        rooms::get_room(&db, &e.grace, e.org.id, e.seattle.id)
            .await
            .unwrap()
            .room
            .country,
        "US"
    );
    let renamed = valid_room(
        "Harbour One",
        "harbour1@contoso.com",
        "Harbour",
        "Seattle",
        "US",
    );
    rooms::update_room(&db, &tech, e.org.id, e.seattle.id, renamed, now())
        .await
        .unwrap();

    // The key: a Site Tech downloads their own, but cannot reset the organisation's.
    let key = settings::enrollment_key(&db, &tech, e.org.id, now())
        .await
        .unwrap();
    let admin_key = settings::enrollment_key(&db, &e.grace, e.org.id, now())
        .await
        .unwrap();
    assert_ne!(key, admin_key, "each holder has a key of their own");
    assert_eq!(
        key,
        settings::enrollment_key(&db, &tech, e.org.id, now())
            .await
            .unwrap(),
        "the same holder gets the same key again"
    );
    assert!(matches!(
        settings::reset_enrollment_key(&db, &tech, e.org.id, now()).await,
        Err(ServiceError::Forbidden(DenyReason::MissingRole))
    ));
    assert_eq!(
        settings::enrollment_key(&db, &e.grace, e.org.id, now())
            .await
            .unwrap(),
        admin_key,
        "the refused reset changed nothing"
    );
    let failed = audit_rows(&db, &e.grace, e.org.id, "Settings", "Failed").await;
    assert_eq!(
        failed
            .iter()
            .map(|r| (r.user_id, r.object_name.as_str()))
            .collect::<Vec<_>>(),
        [(lena, "Enrollment key")]
    );
    // Nor create rooms, groups or rings.
    assert!(matches!(
        rooms::create_room(
            &db,
            &tech,
            e.org.id,
            valid_room("Pier 9", "pier9@contoso.com", "Pier", "Seattle", "US"),
            now()
        )
        .await,
        Err(ServiceError::Forbidden(DenyReason::MissingRole))
    ));
    assert!(matches!(
        room_groups::create_room_group(&db, &tech, e.org.id, group_input("Mine", ""), now()).await,
        Err(ServiceError::Forbidden(_))
    ));
}

#[tokio::test]
async fn a_site_lead_creates_rooms_only_inside_their_scope() {
    let db = db().await;
    let e = estate(&db).await;
    let (omar, lead) = scoped_user(
        &db,
        &e,
        "omar@contoso.com",
        "Omar Haddad",
        BuiltInRole::SiteLead,
    )
    .await;

    let refused = rooms::create_room(
        &db,
        &lead,
        e.org.id,
        valid_room("Isar 5", "isar5@contoso.com", "Isar", "Munich", "DE"),
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
    let failed = audit_rows(&db, &e.grace, e.org.id, "Room", "Failed").await;
    assert_eq!(
        failed
            .iter()
            .map(|r| (r.user_id, r.operation.as_str(), r.object_name.as_str()))
            .collect::<Vec<_>>(),
        [(omar, "Create", "Isar 5")]
    );

    let created = rooms::create_room(
        &db,
        &lead,
        e.org.id,
        valid_room("Pier 9", "pier9@contoso.com", "Pier", "Seattle", "US"),
        now(),
    )
    .await
    .unwrap();
    let page = rooms::list_rooms(&db, &lead, e.org.id, all_rooms_query())
        .await
        .unwrap();
    assert_eq!(
        ids(&page.rows),
        BTreeSet::from([e.seattle.id, e.boston.id, created.id])
    );
    let detail = rooms::get_room(&db, &lead, e.org.id, created.id)
        .await
        .unwrap();
    assert_eq!(
        detail
            .groups
            .iter()
            .map(|(_, n)| n.as_str())
            .collect::<Vec<_>>(),
        ["All US rooms"],
        "the new room is in the rule group, which a Site Lead may see"
    );
    // Nothing was created in Germany.
    let all = rooms::list_rooms(&db, &e.grace, e.org.id, all_rooms_query())
        .await
        .unwrap();
    assert_eq!(all.total, 5);
    assert!(all.rows.iter().all(|r| r.display_name != "Isar 5"));
    // An account already in use is a conflict, not a second room.
    assert!(matches!(
        rooms::create_room(
            &db,
            &lead,
            e.org.id,
            valid_room("Pier 10", "PIER9@contoso.com", "Pier", "Seattle", "US"),
            now()
        )
        .await,
        Err(ServiceError::Conflict(
            app::server::ConflictKind::RoomAccountTaken
        ))
    ));
}

#[tokio::test]
async fn a_rule_group_follows_a_room_whose_country_changes() {
    let db = db().await;
    let e = estate(&db).await;
    let (_, tech) = scoped_user(
        &db,
        &e,
        "lena@contoso.co.uk",
        "Lena Fischer",
        BuiltInRole::SiteTech,
    )
    .await;

    let to_us = valid_room(
        "Thames 3",
        "thames3@contoso.com",
        "Thames",
        "New York",
        "US",
    );
    rooms::update_room(&db, &e.grace, e.org.id, e.london.id, to_us, now())
        .await
        .unwrap();
    let group = room_groups::get_room_group(&db, &e.grace, e.org.id, e.us_group, all_members())
        .await
        .unwrap();
    let members: BTreeSet<_> = group.members.iter().map(|(r, s)| (r.id, *s)).collect();
    assert_eq!(
        members,
        BTreeSet::from([
            (e.seattle.id, false),
            (e.boston.id, false),
            (e.london.id, false)
        ])
    );
    assert_eq!(group.group.room_count, 3);
    // The tech's scope follows at once, through the group.
    let page = rooms::list_rooms(&db, &tech, e.org.id, all_rooms_query())
        .await
        .unwrap();
    assert_eq!(
        ids(&page.rows),
        BTreeSet::from([e.seattle.id, e.boston.id, e.london.id])
    );
    rooms::unenroll_room(&db, &tech, e.org.id, e.london.id, now())
        .await
        .unwrap();

    let back = valid_room("Thames 3", "thames3@contoso.com", "Thames", "London", "GB");
    rooms::update_room(&db, &e.grace, e.org.id, e.london.id, back, now())
        .await
        .unwrap();
    let page = rooms::list_rooms(&db, &tech, e.org.id, all_rooms_query())
        .await
        .unwrap();
    assert_eq!(page.total, 2);
    assert!(matches!(
        rooms::get_room(&db, &tech, e.org.id, e.london.id).await,
        Err(ServiceError::NotFound)
    ));
    // A static member stays whatever its country.
    let statics =
        room_groups::get_room_group(&db, &e.grace, e.org.id, e.static_group, all_members())
            .await
            .unwrap();
    assert_eq!(statics.group.room_count, 2);
}

fn device(account: &str, name: &str) -> DeviceEnrollment {
    DeviceEnrollment {
        resource_account: account.to_owned(),
        display_name: name.to_owned(),
        platform: Platform::Android,
    }
}

async fn token_hash(db: &DatabaseConnection, id: RoomId) -> Option<String> {
    room::Entity::find_by_id(id)
        .one(db)
        .await
        .unwrap()
        .unwrap()
        .device_token_hash
}

#[tokio::test]
async fn a_reset_key_stops_working_at_once_and_unenroll_revokes_the_device() {
    let db = db().await;
    let e = estate(&db).await;
    let (_, tech) = scoped_user(
        &db,
        &e,
        "lena@contoso.co.uk",
        "Lena Fischer",
        BuiltInRole::SiteTech,
    )
    .await;
    let old_key = settings::enrollment_key(&db, &e.grace, e.org.id, now())
        .await
        .unwrap();
    assert!(old_key.len() >= 32, "{old_key}");

    let (room_id, first_token) = settings::enroll(
        &db,
        &old_key,
        device("harbour1@contoso.com", "Harbour 1"),
        now(),
    )
    .await
    .unwrap();
    assert_eq!(room_id, e.seattle.id, "matched by resource account");
    let detail = rooms::get_room(&db, &tech, e.org.id, e.seattle.id)
        .await
        .unwrap();
    assert_eq!(detail.room.enrollment, Enrollment::Enrolled);
    assert_eq!(detail.room.platform, Platform::Android);
    assert!(token_hash(&db, room_id).await.is_some());

    let new_key = settings::reset_enrollment_key(&db, &e.grace, e.org.id, now())
        .await
        .unwrap();
    assert_ne!(new_key, old_key);
    assert!(matches!(
        settings::enroll(
            &db,
            &old_key,
            device("beacon2@contoso.com", "Beacon 2"),
            now()
        )
        .await,
        Err(EnrollError::BadKey)
    ));
    assert_eq!(
        rooms::get_room(&db, &e.grace, e.org.id, e.boston.id)
            .await
            .unwrap()
            .room
            .enrollment,
        Enrollment::Unenrolled,
        "the old key enrolled nothing"
    );
    assert!(matches!(
        settings::enroll(&db, "", device("beacon2@contoso.com", "Beacon 2"), now()).await,
        Err(EnrollError::BadKey)
    ));
    let (boston, _) = settings::enroll(
        &db,
        &new_key,
        device("beacon2@contoso.com", "Beacon 2"),
        now(),
    )
    .await
    .unwrap();
    assert_eq!(boston, e.boston.id);

    // Unenroll: the room shows Unenrolled and its device credential is gone.
    rooms::unenroll_room(&db, &tech, e.org.id, e.seattle.id, now())
        .await
        .unwrap();
    let detail = rooms::get_room(&db, &tech, e.org.id, e.seattle.id)
        .await
        .unwrap();
    assert_eq!(detail.room.enrollment, Enrollment::Unenrolled);
    assert_eq!(token_hash(&db, e.seattle.id).await, None);
    // Enrolling again works and issues a new credential.
    let (again, second_token) = settings::enroll(
        &db,
        &new_key,
        device("harbour1@contoso.com", "Harbour 1"),
        now(),
    )
    .await
    .unwrap();
    assert_eq!(again, e.seattle.id);
    assert_ne!(second_token, first_token);
    assert!(token_hash(&db, e.seattle.id).await.is_some());
    assert_eq!(
        rooms::get_room(&db, &tech, e.org.id, e.seattle.id)
            .await
            .unwrap()
            .room
            .enrollment,
        Enrollment::Enrolled
    );

    // An unknown account becomes a new room the Global admin sees, outside the tech's scope.
    let (fresh, _) = settings::enroll(
        &db,
        &new_key,
        device("lobby7@contoso.com", "Lobby 7"),
        now(),
    )
    .await
    .unwrap();
    let all = rooms::list_rooms(&db, &e.grace, e.org.id, all_rooms_query())
        .await
        .unwrap();
    assert!(all
        .rows
        .iter()
        .any(|r| r.id == fresh && r.enrollment == Enrollment::Enrolled));
    assert!(matches!(
        rooms::get_room(&db, &tech, e.org.id, fresh).await,
        Err(ServiceError::NotFound)
    ));
    let successful = audit::list(
        &db,
        &e.grace,
        e.org.id,
        AuditQuery {
            category: Some("Settings".into()),
            result_status: Some("Successful".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(successful
        .rows
        .iter()
        .any(|r| r.object_name == "Enrollment key" && r.user_id == e.grace.user));
}

#[tokio::test]
async fn a_key_belongs_to_its_organisation() {
    let db = db().await;
    let e = estate(&db).await;
    let (fabrikam, felix) = org_with_admin(&db, "Fabrikam", "fabrikam.com").await;
    let their_key = settings::enrollment_key(&db, &felix, fabrikam.id, now())
        .await
        .unwrap();
    // Fabrikam's key enrolls a room of the same account into Fabrikam, not Contoso's room.
    let (id, _) = settings::enroll(
        &db,
        &their_key,
        device("harbour1@contoso.com", "Harbour 1"),
        now(),
    )
    .await
    .unwrap();
    assert_ne!(id, e.seattle.id);
    assert_eq!(
        rooms::get_room(&db, &e.grace, e.org.id, e.seattle.id)
            .await
            .unwrap()
            .room
            .enrollment,
        Enrollment::Unenrolled
    );
    assert!(matches!(
        rooms::get_room(&db, &e.grace, e.org.id, id).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        settings::enrollment_key(&db, &e.grace, fabrikam.id, now()).await,
        Err(ServiceError::NotFound)
    ));
}

/// Issue 8, finding 3: a key is only as wide as its holder's reach, as it stands when a device
/// uses it; every enrollment and refusal is logged under the holder.
#[tokio::test]
async fn a_key_enrolls_only_within_its_holders_reach() {
    let db = db().await;
    let e = estate(&db).await;
    let (tech_id, tech) = scoped_user(
        &db,
        &e,
        "tariq@contoso.com",
        "Tariq Aziz",
        BuiltInRole::SiteTech,
    )
    .await;
    let key = settings::enrollment_key(&db, &tech, e.org.id, now())
        .await
        .unwrap();
    let before = token_hash(&db, e.london.id).await;

    // London is outside the tech's US scope: no takeover of its device credential.
    assert!(matches!(
        settings::enroll(&db, &key, device("thames3@contoso.com", "Thames 3"), now()).await,
        Err(EnrollError::OutOfReach)
    ));
    assert_eq!(token_hash(&db, e.london.id).await, before);
    // Nor a new room: creating one needs a reach over all rooms.
    assert!(matches!(
        settings::enroll(&db, &key, device("lobby9@contoso.com", "Lobby 9"), now()).await,
        Err(EnrollError::OutOfReach)
    ));
    let all = rooms::list_rooms(&db, &e.grace, e.org.id, all_rooms_query())
        .await
        .unwrap();
    assert!(!all.rows.iter().any(|r| r.display_name == "Lobby 9"));
    // A room in reach enrolls.
    let (id, _) = settings::enroll(
        &db,
        &key,
        device("harbour1@contoso.com", "Harbour 1"),
        now(),
    )
    .await
    .unwrap();
    assert_eq!(id, e.seattle.id);

    // The reach is read at enrollment: once the tech's assignment is gone, the key enrolls nothing.
    let role = built_in(&db, &e.grace, e.org.id, BuiltInRole::SiteTech).await;
    let detail = roles::get_role(&db, &e.grace, e.org.id, role)
        .await
        .unwrap();
    roles::delete_assignment(&db, &e.grace, e.org.id, detail.assignments[0].id, now())
        .await
        .unwrap();
    assert!(matches!(
        settings::enroll(&db, &key, device("beacon2@contoso.com", "Beacon 2"), now()).await,
        Err(EnrollError::OutOfReach)
    ));
    // A key with a forged holder is no key.
    let forged = key.replace(
        &tech_id.0.simple().to_string(),
        &e.grace.user.0.simple().to_string(),
    );
    assert!(matches!(
        settings::enroll(&db, &forged, device("lobby9@contoso.com", "Lobby 9"), now()).await,
        Err(EnrollError::BadKey)
    ));

    // Each attempt is in the log under the holder, with the room it aimed at.
    let rows = |status: &'static str| {
        let (db, grace, org) = (&db, &e.grace, e.org.id);
        async move {
            let mut rows: Vec<(String, String)> = audit_rows(db, grace, org, "Room", status)
                .await
                .into_iter()
                .filter(|r| r.user_id == tech_id)
                .map(|r| (r.operation, r.object_name))
                .collect();
            rows.sort();
            rows
        }
    };
    let pair = |op: &str, object: &str| (op.to_owned(), object.to_owned());
    assert_eq!(
        rows("Failed").await,
        [
            pair("Create", "Lobby 9: device enrolled"),
            pair("Update", "Beacon 2: device re-enrolled"),
            pair("Update", "Thames 3: device re-enrolled"),
        ]
    );
    assert!(rows("Successful")
        .await
        .contains(&pair("Update", "Harbour 1: device re-enrolled")));
}
