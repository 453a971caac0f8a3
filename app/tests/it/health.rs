//! Heartbeats and incidents on both databases: open, resolve, order, repetition and
//! concurrency of heartbeats for one room.

use crate::common::*;
use app::domain::health::{Component, Heartbeat, IncidentStatus};
use app::domain::rooms::{Health, Platform};
use app::domain::tickets::{TicketStatus, TimelineKind};
use app::server::entity::{incident, org_settings, room, ticket, ticket_event};
use app::server::service::health;
use app::server::service::settings::{self, DeviceEnrollment};
use chrono::Duration;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use std::collections::BTreeMap;

/// An enrolled room of a new organisation: (database, room, device token).
async fn enrolled_room() -> (DatabaseConnection, app::domain::ids::RoomId, String) {
    let (db, room, token, _) = enrolled_room_and_key().await;
    (db, room, token)
}

/// The same, with the enrollment key that enrolled it.
async fn enrolled_room_and_key() -> (DatabaseConnection, app::domain::ids::RoomId, String, String) {
    let db = db().await;
    let (org, admin) = org_with_admin(&db, "Contoso", "contoso.com").await;
    let key = settings::enrollment_key(&db, &admin, org.id, now())
        .await
        .unwrap();
    let (room, token) = settings::enroll(&db, &key, room_1(), now())
        .await
        .unwrap_or_else(|_| panic!("enrolls"));
    (db, room, token, key)
}

fn room_1() -> DeviceEnrollment {
    DeviceEnrollment {
        resource_account: "room1@contoso.com".into(),
        display_name: "Room 1".into(),
        platform: Platform::Windows,
    }
}

fn beat(minutes_ago: i64, pairs: &[(&str, &str)]) -> Heartbeat {
    let components: BTreeMap<String, String> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let at = (now() - Duration::minutes(minutes_ago)).to_rfc3339();
    Heartbeat::parse(&at, "1.0", &components).unwrap()
}

/// A heartbeat as the agent API records it: a batch of one, under no rate.
async fn record(
    db: &DatabaseConnection,
    token: &str,
    beat: &Heartbeat,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<health::Verdict, app::server::ServiceError> {
    Ok(heartbeat(db, token, beat, now).await?.0)
}

async fn incidents(
    db: &DatabaseConnection,
    room: app::domain::ids::RoomId,
) -> Vec<incident::Model> {
    incident::Entity::find()
        .filter(incident::Column::RoomId.eq(room))
        .all(db)
        .await
        .unwrap()
}

async fn health_of(db: &DatabaseConnection, id: app::domain::ids::RoomId) -> Health {
    room::Entity::find_by_id(id)
        .one(db)
        .await
        .unwrap()
        .unwrap()
        .health
}

#[tokio::test]
async fn a_component_turning_bad_opens_one_incident_and_turning_good_resolves_it() {
    let (db, room, token) = enrolled_room().await;
    for minutes_ago in [30, 29, 28] {
        let recorded = record(
            &db,
            &token,
            &beat(minutes_ago, &[("camera", "error")]),
            now(),
        )
        .await
        .unwrap();
        assert_eq!(recorded, health::Verdict::Accepted);
    }
    let open = incidents(&db, room).await;
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0].component, Component::Camera);
    assert_eq!(open[0].status, IncidentStatus::Active);
    assert_eq!(open[0].title, "Camera failed");
    assert_eq!(health_of(&db, room).await, Health::Unhealthy);

    // A warning of the same component: the open incident follows, no second one.
    record(&db, &token, &beat(27, &[("camera", "warning")]), now())
        .await
        .unwrap();
    let open = incidents(&db, room).await;
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].title, "Camera reports a warning");
    assert_eq!(health_of(&db, room).await, Health::Warning);

    record(&db, &token, &beat(26, &[("camera", "ok")]), now())
        .await
        .unwrap();
    let all = incidents(&db, room).await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].status, IncidentStatus::Resolved);
    assert!(all[0].resolved_at.is_some());
    assert_eq!(health_of(&db, room).await, Health::Healthy);

    // Breaking again is a new incident.
    record(&db, &token, &beat(25, &[("camera", "error")]), now())
        .await
        .unwrap();
    let all = incidents(&db, room).await;
    assert_eq!(all.len(), 2);
    assert_eq!(
        all.iter()
            .filter(|i| i.status == IncidentStatus::Active)
            .count(),
        1
    );
    // An unknown token records nothing.
    assert_eq!(
        record(&db, "nope", &beat(1, &[("display", "error")]), now())
            .await
            .unwrap(),
        health::Verdict::UnknownDevice
    );
    assert_eq!(incidents(&db, room).await.len(), 2);
}

/// Many heartbeats of one room at once, alternating bad and good in any order: never two
/// active incidents for one component, and the room ends as its newest heartbeat says.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_heartbeats_of_one_room_keep_one_active_incident() {
    let (db, room, token) = enrolled_room().await;
    for round in 0..6 {
        let mut tasks = Vec::new();
        for k in 0..8i64 {
            let (db, token) = (db.clone(), token.clone());
            let signal = if k % 2 == 0 { "error" } else { "warning" };
            let minutes_ago = 100 - round * 10 - k;
            tasks.push(tokio::spawn(async move {
                record(
                    &db,
                    &token,
                    &beat(minutes_ago, &[("camera", signal), ("speaker", signal)]),
                    now(),
                )
                .await
            }));
        }
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        let all = incidents(&db, room).await;
        for component in [Component::Camera, Component::Speaker] {
            let active = all
                .iter()
                .filter(|i| i.component == component && i.status == IncidentStatus::Active)
                .count();
            assert_eq!(active, 1, "round {round}, {component:?}: {all:?}");
        }
        // The newest heartbeat (k = 7, a warning) decides the open incident's title.
        let camera = all
            .iter()
            .find(|i| i.component == Component::Camera && i.status == IncidentStatus::Active);
        assert_eq!(
            camera.map(|i| i.title.as_str()),
            Some("Camera reports a warning")
        );
    }
    assert_eq!(
        incidents(&db, room).await.len(),
        2,
        "one per component, never resolved"
    );
}

/// A room silent for longer than its organisation's "minutes before offline" is marked offline
/// with one critical incident, however many detectors run at once; its next heartbeat resolves
/// it. The clock is the caller's.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_silent_room_goes_offline_once_and_its_next_heartbeat_brings_it_back() {
    let (db, room, token) = enrolled_room().await;
    let t0 = now();
    record(&db, &token, &beat(0, &[("camera", "ok")]), t0)
        .await
        .unwrap();
    let minutes = org_settings::Entity::find()
        .one(&db)
        .await
        .unwrap()
        .unwrap()
        .offline_after_minutes;
    let threshold = Duration::minutes(i64::from(minutes));
    assert_eq!(
        health::detect_offline(&db, t0 + threshold - Duration::seconds(1))
            .await
            .unwrap()
            .len(),
        0
    );
    assert_eq!(health_of(&db, room).await, Health::Healthy);

    let later = t0 + threshold + Duration::minutes(1);
    let detectors: Vec<_> = (0..4)
        .map(|_| {
            let db = db.clone();
            tokio::spawn(async move { health::detect_offline(&db, later).await })
        })
        .collect();
    let mut opened = 0;
    for d in detectors {
        opened += d.await.unwrap().unwrap().len();
    }
    assert_eq!(opened, 1);
    assert!(health::detect_offline(&db, later).await.unwrap().is_empty());
    let all = incidents(&db, room).await;
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0].component, Component::Offline);
    assert_eq!(all[0].opened_at, t0 + threshold);
    assert_eq!(health_of(&db, room).await, Health::Offline);

    record(&db, &token, &beat(0, &[]), later + Duration::minutes(1))
        .await
        .unwrap();
    let all = incidents(&db, room).await;
    assert_eq!(all[0].status, IncidentStatus::Resolved);
    assert_eq!(health_of(&db, room).await, Health::Healthy);
}

/// A batch (group commit) is recorded heartbeat by heartbeat, in order: a room breaking and
/// healing in one batch gets its incident opened and resolved, a late older heartbeat changes
/// nothing, an unknown credential and a room over its rate store nothing, and the others are
/// stored.
#[tokio::test]
async fn a_batch_is_recorded_in_order_and_refuses_each_heartbeat_on_its_own() {
    let (db, room, token) = enrolled_room().await;
    let (org, admin) = org_with_admin(&db, "Fabrikam", "fabrikam.com").await;
    let key = settings::enrollment_key(&db, &admin, org.id, now())
        .await
        .unwrap();
    let other = DeviceEnrollment {
        resource_account: "lobby@fabrikam.com".into(),
        display_name: "Lobby".into(),
        platform: Platform::Android,
    };
    let (limited, limited_token) = settings::enroll(&db, &key, other, now())
        .await
        .unwrap_or_else(|_| panic!("enrolls"));
    let received = |token: &str, beat: Heartbeat| health::Received {
        token: token.to_owned(),
        beat,
    };
    let batch = [
        received(&token, beat(10, &[("camera", "error")])),
        received("nope", beat(10, &[("display", "error")])),
        received(&limited_token, beat(10, &[("display", "error")])),
        received(&token, beat(9, &[("camera", "ok"), ("network", "warning")])),
        // Older than the one before: its camera error changes nothing.
        received(&token, beat(11, &[("camera", "error")])),
    ];
    let recorded = health::record_heartbeats(&db, &batch, now(), |r| {
        if r == limited {
            Err(42)
        } else {
            Ok(())
        }
    })
    .await
    .unwrap();
    use health::Verdict::*;
    assert_eq!(
        recorded.verdicts,
        [
            Accepted,
            UnknownDevice,
            Limited {
                retry_after_secs: 42
            },
            Accepted,
            Accepted
        ]
    );
    assert_eq!(
        recorded.changed.len(),
        1,
        "only Contoso's incidents changed"
    );

    let all = incidents(&db, room).await;
    let camera: Vec<_> = all
        .iter()
        .filter(|i| i.component == Component::Camera)
        .collect();
    assert_eq!(camera.len(), 1, "{all:?}");
    assert_eq!(camera[0].status, IncidentStatus::Resolved);
    // Its ticket was opened and resolved with it, and the timeline says both, in order.
    let camera_ticket = ticket::Entity::find_by_id(camera[0].id)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(camera_ticket.status, TicketStatus::Resolved);
    let timeline: Vec<TimelineKind> = ticket_event::Entity::find()
        .filter(ticket_event::Column::IncidentId.eq(camera[0].id))
        .order_by_asc(ticket_event::Column::At)
        .all(&db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(timeline, [TimelineKind::Opened, TimelineKind::Resolved]);
    let network: Vec<_> = all
        .iter()
        .filter(|i| i.component == Component::Network)
        .collect();
    assert_eq!(network.len(), 1);
    assert_eq!(network[0].status, IncidentStatus::Active);
    assert_eq!(health_of(&db, room).await, Health::Warning);

    // The limited room: no heartbeat time, no incident, health still unknown.
    assert!(incidents(&db, limited).await.is_empty());
    let limited_room = room::Entity::find_by_id(limited)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(limited_room.last_heartbeat, None);
    assert_eq!(limited_room.health, Health::Unknown);
}

/// Heartbeats are ordered by their device's clock: enrolling the room again (a new device)
/// starts over, so a new device whose clock is behind the old one's is not ignored.
#[tokio::test]
async fn a_new_device_is_ordered_by_its_own_clock() {
    let (db, room, token, key) = enrolled_room_and_key().await;
    record(&db, &token, &beat(0, &[("camera", "ok")]), now())
        .await
        .unwrap();
    // Older than the heartbeat already applied: ignored.
    record(&db, &token, &beat(60, &[("camera", "error")]), now())
        .await
        .unwrap();
    assert!(incidents(&db, room).await.is_empty());

    let (same, new_token) = settings::enroll(&db, &key, room_1(), now())
        .await
        .unwrap_or_else(|_| panic!("enrolls again"));
    assert_eq!(same, room);
    record(&db, &new_token, &beat(60, &[("camera", "error")]), now())
        .await
        .unwrap();
    let open = incidents(&db, room).await;
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0].component, Component::Camera);
}
