//! Reports on both databases: health counts, incidents per day and category, and availability
//! from offline incidents, each counting only the rooms in the viewer's reach.

use crate::common::*;
use crate::partners::{active, pat, world, World};
use app::domain::health::{Component, Heartbeat};
use app::domain::reports::{Period, Reports};
use app::domain::rooms::{Health, Platform};
use app::server::entity::org_settings;
use app::server::service::settings::{self, DeviceEnrollment};
use app::server::service::{health, reports};
use app::server::ServiceError;
use chrono::{DateTime, Duration, Utc};
use sea_orm::EntityTrait;
use std::collections::BTreeMap;

async fn enroll(w: &World, account: &str) -> String {
    let key = settings::enrollment_key(&w.db, &w.grace, w.contoso.id, now())
        .await
        .unwrap();
    let device = DeviceEnrollment {
        resource_account: account.into(),
        display_name: "ignored".into(),
        platform: Platform::Android,
    };
    settings::enroll(&w.db, &key, device, now())
        .await
        .unwrap_or_else(|_| panic!("enrolls"))
        .1
}

async fn beat(w: &World, token: &str, at: DateTime<Utc>, pairs: &[(&str, &str)]) {
    let components: BTreeMap<String, String> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let beat = Heartbeat::parse(&at.to_rfc3339(), "1.0", &components).unwrap();
    let (verdict, _) = heartbeat(&w.db, token, &beat, at).await.unwrap();
    assert_eq!(verdict, health::Verdict::Accepted);
}

async fn report(w: &World, actor: &app::domain::authz::Actor) -> Result<Reports, ServiceError> {
    let day = now().date_naive();
    let period = Period { from: day, to: day };
    let later = now() + Duration::days(1);
    reports::reports(
        &w.db,
        actor,
        w.contoso.id,
        period.validate(later.date_naive()).unwrap(),
        later,
    )
    .await
}

fn counts(r: &Reports) -> BTreeMap<Health, u64> {
    r.health.iter().map(|h| (h.health, h.rooms)).collect()
}

#[tokio::test]
async fn reports_count_only_the_rooms_in_reach() {
    let w = world().await;
    active(&w).await;
    let seattle = enroll(&w, "rainier@contoso.com").await;
    let london = enroll(&w, "thames@contoso.com").await;
    let morning = now() - Duration::hours(4);
    beat(&w, &seattle, morning, &[("camera", "error")]).await;
    beat(&w, &london, morning, &[("network", "warning")]).await;
    // Seattle falls silent; the detector marks it offline from the threshold on, and its next
    // heartbeat an hour after that ends it.
    let minutes = org_settings::Entity::find()
        .one(&w.db)
        .await
        .unwrap()
        .unwrap()
        .offline_after_minutes;
    let offline_from = morning + Duration::minutes(i64::from(minutes));
    let opened = health::detect_offline(&w.db, offline_from + Duration::minutes(5))
        .await
        .unwrap();
    assert_eq!(opened.len(), 2, "both rooms were silent");
    beat(&w, &seattle, offline_from + Duration::hours(1), &[]).await;
    beat(&w, &london, offline_from, &[]).await;

    let all = report(&w, &w.grace).await.unwrap();
    assert_eq!(counts(&all)[&Health::Unhealthy], 1, "Seattle's camera");
    assert_eq!(counts(&all)[&Health::Warning], 1, "London's network");
    let per_category: BTreeMap<Component, u64> = all
        .incidents
        .iter()
        .map(|c| (c.category, c.incidents))
        .collect();
    assert_eq!(
        per_category,
        BTreeMap::from([
            (Component::Camera, 1),
            (Component::Network, 1),
            (Component::Offline, 2)
        ])
    );
    assert!(all.incidents.iter().all(|c| c.day == now().date_naive()));
    assert_eq!(all.enrolled, 2);
    // Offline for an hour of a day: 23/24 = 958 ‰; London for an instant: 999 ‰ at most.
    assert_eq!(all.worst[0].name, "Rainier");
    assert_eq!(all.worst[0].offline_minutes, 60);
    assert_eq!(all.worst[0].permille, 958);
    assert_eq!(all.worst[1].name, "Thames");
    assert_eq!(all.worst[1].permille, 1000);

    // Pat, a partner's Primary admin over the US rooms: Seattle only, in every report.
    let pat = pat(&w).await;
    let scoped = report(&w, &pat).await.unwrap();
    assert_eq!(counts(&scoped).values().sum::<u64>(), 1);
    assert_eq!(counts(&scoped)[&Health::Unhealthy], 1);
    let per_category: BTreeMap<Component, u64> = scoped
        .incidents
        .iter()
        .map(|c| (c.category, c.incidents))
        .collect();
    assert_eq!(
        per_category,
        BTreeMap::from([(Component::Camera, 1), (Component::Offline, 1)])
    );
    assert_eq!(scoped.enrolled, 1);
    assert_eq!(
        scoped
            .worst
            .iter()
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>(),
        ["Rainier"]
    );

    // Someone without *Reports: View* is refused; a stranger finds nothing.
    let omar = user(&w.db, &w.contoso, "omar@contoso.com", "Omar").await;
    let omar = actor(&w.db, &w.contoso, omar).await;
    assert!(matches!(
        report(&w, &omar).await,
        Err(ServiceError::Forbidden(_))
    ));
    assert!(matches!(
        report(&w, &w.tina).await,
        Err(ServiceError::NotFound)
    ));
}
