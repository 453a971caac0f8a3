//! Heartbeats and incidents on both databases: open, resolve, order, repetition and
//! concurrency of heartbeats for one room.

use crate::common::*;
use app::domain::health::{Component, Heartbeat, IncidentStatus};
use app::domain::rooms::{Health, Platform};
use app::server::entity::{incident, org_settings, room};
use app::server::service::health;
use app::server::service::settings::{self, DeviceEnrollment};
use chrono::Duration;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use std::collections::BTreeMap;

/// An enrolled room of a new organisation: (database, room, device token).
async fn enrolled_room() -> (DatabaseConnection, app::domain::ids::RoomId, String) {
    let db = db().await;
    let (org, admin) = org_with_admin(&db, "Contoso", "contoso.com").await;
    let key = settings::enrollment_key(&db, &admin, org.id, now())
        .await
        .unwrap();
    let device = DeviceEnrollment {
        resource_account: "room1@contoso.com".into(),
        display_name: "Room 1".into(),
        platform: Platform::Windows,
    };
    let (room, token) = settings::enroll(&db, &key, device, now())
        .await
        .unwrap_or_else(|_| panic!("enrolls"));
    (db, room, token)
}

fn beat(minutes_ago: i64, pairs: &[(&str, &str)]) -> Heartbeat {
    let components: BTreeMap<String, String> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let at = (now() - Duration::minutes(minutes_ago)).to_rfc3339();
    Heartbeat::parse(&at, "1.0", &components).unwrap()
}

/// A heartbeat as the agent API records it: the device by its token, then the heartbeat; the
/// room, or `None` for a token no enrolled room holds.
async fn record(
    db: &DatabaseConnection,
    token: &str,
    beat: &Heartbeat,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Option<app::domain::ids::RoomId>, app::server::ServiceError> {
    let Some(device) = health::device_of(db, token).await? else {
        return Ok(None);
    };
    let recorded = health::record_heartbeat(db, &device, beat, now).await?;
    Ok((recorded != health::Recorded::Revoked).then(|| device.room()))
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
        assert_eq!(recorded, Some(room));
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
        None
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
