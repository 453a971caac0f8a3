//! A room row for the benchmarks' bulk inserts (through the service, hundreds of thousands of
//! rooms would take minutes): on Windows, unenrolled, health unknown. Callers set what differs.

use app::domain::ids::{OrgId, RoomId};
use app::domain::rooms::{Enrollment, Health, Platform};
use app::server::entity::room;
use chrono::{DateTime, Utc};
use sea_orm::Set;

pub fn room_row(
    (id, org): (RoomId, OrgId),
    name: String,
    account: String,
    (site, city, country): (String, String, String),
    now: DateTime<Utc>,
) -> room::ActiveModel {
    room::ActiveModel {
        id: Set(id),
        org_id: Set(org),
        name_lower: Set(name.to_lowercase()),
        display_name: Set(name),
        resource_account: Set(account),
        site: Set(site),
        city: Set(city),
        country: Set(country),
        platform: Set(Platform::Windows),
        enrollment: Set(Enrollment::Unenrolled),
        health: Set(Health::Unknown),
        last_heartbeat: Set(None),
        signals_at: Set(None),
        update_ring_id: Set(None),
        device_token_hash: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
}
