//! Heartbeats and incidents (specification sections 2 and 8). A heartbeat updates its room's
//! component signals, opens an incident for a component turning bad and resolves it when the
//! component turns good, and sets the room's health from its active incidents. One transaction
//! per heartbeat, which starts by writing the room row: concurrent heartbeats of one room take
//! turns (a row lock on PostgreSQL, the single writer on SQLite). At most one active incident
//! per room and component is the database's rule (a partial unique index), whoever inserts.

use super::sha256_hex;
use super::tickets;
use crate::domain::health::{
    health_of, incident_for, Component, Heartbeat, IncidentStatus, Signal,
};
use crate::domain::ids::{IncidentId, OrgId, RoomId};
use crate::domain::rooms::ServiceSettings;
use crate::domain::rooms::{Enrollment, Health};
use crate::server::entity::{incident, org_settings, organisation, room, room_component};
use crate::server::error::ServiceError;
use crate::server::scope::TenantScope;
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set, TransactionSession,
    TransactionTrait, TryInsertResult,
};
use std::collections::BTreeMap;

/// An enrolled room's device, as its credential proved it (see [`device_of`]).
#[derive(Clone, Debug)]
pub struct Device(room::Model);

impl Device {
    pub fn room(&self) -> RoomId {
        self.0.id
    }

    pub fn org(&self) -> OrgId {
        self.0.org_id
    }
}

/// The enrolled room whose device holds `token`, if any: the credential is read once per
/// heartbeat, and the caller may refuse (rate) before anything is written.
pub async fn device_of(
    db: &impl ConnectionTrait,
    token: &str,
) -> Result<Option<Device>, ServiceError> {
    Ok(TenantScope::by_device_credential(&sha256_hex(token))
        .one(db)
        .await?
        .map(Device))
}

/// What became of a heartbeat.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recorded {
    /// The device's credential was revoked (unenrolled or enrolled again) since [`device_of`]
    /// read it: nothing is stored.
    Revoked,
    /// Stored; no incident opened, changed or resolved.
    Quiet,
    /// Stored, and the room's incidents changed.
    IncidentsChanged,
}

/// Records a heartbeat of `device`. Signals older than the ones stored (by
/// `sent_at`, at most `now`) change nothing, so heartbeats may arrive in any order.
pub async fn record_heartbeat(
    db: &(impl ConnectionTrait + TransactionTrait),
    device: &Device,
    beat: &Heartbeat,
    now: DateTime<Utc>,
) -> Result<Recorded, ServiceError> {
    let found = &device.0;
    let scope = TenantScope::trusted(found.org_id);
    let sent_at = beat.sent_at.min(now);
    let tx = db.begin().await?;
    // First the room row: the turn of this heartbeat. The credential is checked again in the
    // same statement, so a heartbeat racing an unenrollment changes nothing.
    let still = scope
        .update_many::<room::Entity>()
        .col_expr(room::Column::LastHeartbeat, Expr::value(now))
        .filter(room::Column::Id.eq(found.id))
        .filter(room::Column::DeviceTokenHash.eq(found.device_token_hash.clone()))
        .exec(&tx)
        .await?
        .rows_affected;
    if still != 1 {
        return Ok(Recorded::Revoked);
    }
    let stored: BTreeMap<Component, room_component::Model> = scope
        .select::<room_component::Entity>()
        .filter(room_component::Column::RoomId.eq(found.id))
        .all(&tx)
        .await?
        .into_iter()
        .map(|c| (c.component, c))
        .collect();
    // A heartbeat is the room speaking again: it ends an offline incident.
    let mut changes: Vec<(Component, Signal)> = vec![(Component::Offline, Signal::Ok)];
    let mut reported = Vec::new();
    for (&component, &signal) in &beat.components {
        let previous = stored.get(&component);
        if previous.is_some_and(|s| s.changed_at > sent_at) {
            continue;
        }
        // Every reported signal is stored with its time (so that an older heartbeat arriving
        // late changes nothing), but only a different one can open or resolve an incident.
        if previous.is_none_or(|s| s.signal != signal) {
            changes.push((component, signal));
        }
        reported.push(room_component::ActiveModel {
            org_id: Set(found.org_id),
            room_id: Set(found.id),
            component: Set(component),
            signal: Set(signal),
            changed_at: Set(sent_at),
        });
    }
    if !reported.is_empty() {
        room_component::Entity::insert_many(reported)
            .on_conflict(
                OnConflict::columns([
                    room_component::Column::RoomId,
                    room_component::Column::Component,
                ])
                .update_columns([
                    room_component::Column::Signal,
                    room_component::Column::ChangedAt,
                ])
                .to_owned(),
            )
            .exec(&tx)
            .await?;
    }
    let mut incidents_changed = false;
    for (component, signal) in changes {
        incidents_changed |= apply(&tx, &scope, found, component, signal, sent_at).await?;
    }
    // Health follows the incidents: read again only when they may have changed, or when the
    // room has none computed yet (its first heartbeat) or was offline.
    if incidents_changed || matches!(found.health, Health::Unknown | Health::Offline) {
        let active = scope
            .select::<incident::Entity>()
            .filter(incident::Column::RoomId.eq(found.id))
            .filter(incident::Column::Status.eq(IncidentStatus::Active))
            .all(&tx)
            .await?;
        scope
            .update_many::<room::Entity>()
            .col_expr(
                room::Column::Health,
                Expr::value(health_of(active.iter().map(|i| (i.component, i.severity)))),
            )
            .filter(room::Column::Id.eq(found.id))
            .exec(&tx)
            .await?;
    }
    tx.commit().await?;
    Ok(if incidents_changed {
        Recorded::IncidentsChanged
    } else {
        Recorded::Quiet
    })
}

/// Opens, updates or resolves the room's incident for one component after its signal; whether
/// anything changed.
async fn apply(
    db: &impl ConnectionTrait,
    scope: &TenantScope,
    room: &room::Model,
    component: Component,
    signal: Signal,
    at: DateTime<Utc>,
) -> Result<bool, ServiceError> {
    // The room row is this transaction's (see `record_heartbeat`): nobody else changes the
    // room's incidents until it commits.
    let active = scope
        .select::<incident::Entity>()
        .filter(incident::Column::RoomId.eq(room.id))
        .filter(incident::Column::Component.eq(component))
        .filter(incident::Column::Status.eq(IncidentStatus::Active))
        .one(db)
        .await?;
    let by_id = |found: &incident::Model| {
        scope
            .update_many::<incident::Entity>()
            .filter(incident::Column::Id.eq(found.id))
    };
    match (active, incident_for(component, signal)) {
        (None, None) => Ok(false),
        (None, Some(_)) => open(db, room, component, signal, at).await,
        (Some(found), None) => {
            by_id(&found)
                .col_expr(
                    incident::Column::Status,
                    Expr::value(IncidentStatus::Resolved),
                )
                .col_expr(incident::Column::ResolvedAt, Expr::value(at))
                .exec(db)
                .await?;
            tickets::resolved_by_device(db, &found, at).await?;
            Ok(true)
        }
        (Some(found), Some((severity, _))) if found.severity == severity => Ok(false),
        // From warning to error or back: the open incident follows the signal.
        (Some(found), Some((severity, title))) => {
            by_id(&found)
                .col_expr(incident::Column::Severity, Expr::value(severity))
                .col_expr(incident::Column::SeverityRank, Expr::value(severity.rank()))
                .col_expr(incident::Column::Title, Expr::value(title))
                .exec(db)
                .await?;
            Ok(true)
        }
    }
}

/// Opens the room's incident for `component` unless one is active; whether it did. Another
/// writer (a heartbeat, the offline detector, another process) may have opened it meanwhile:
/// the partial unique index keeps one, and this insert then does nothing.
async fn open(
    db: &impl ConnectionTrait,
    room: &room::Model,
    component: Component,
    signal: Signal,
    at: DateTime<Utc>,
) -> Result<bool, ServiceError> {
    let Some((severity, title)) = incident_for(component, signal) else {
        return Ok(false);
    };
    let opened = incident::Model {
        id: IncidentId::new(),
        org_id: room.org_id,
        room_id: room.id,
        component,
        severity,
        severity_rank: severity.rank(),
        status: IncidentStatus::Active,
        title,
        opened_at: at,
        resolved_at: None,
    };
    let inserted = incident::Entity::insert(incident::ActiveModel::from(opened.clone()))
        .on_conflict(OnConflict::new().do_nothing().to_owned())
        .try_insert()
        .exec(db)
        .await?;
    if !matches!(inserted, TryInsertResult::Inserted(_)) {
        return Ok(false);
    }
    let body = match component {
        Component::Offline => format!("No heartbeat from {} since then.", room.display_name),
        c => format!(
            "{}: the device reports {}.",
            c.label(),
            signal.label().to_lowercase()
        ),
    };
    tickets::open_ticket(db, &opened, &tickets::Author::portal(), None, body).await?;
    Ok(true)
}

/// Marks offline every enrolled room that has been silent for longer than its organisation's
/// "minutes before offline", with a critical incident; returns the organisation of each
/// incident it opened. Each room is
/// decided in a transaction that first writes the room row on the condition that it is still
/// silent, so a heartbeat arriving meanwhile wins, and the partial unique index keeps one
/// offline incident however many detectors (processes) run at once.
pub async fn detect_offline(
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
) -> Result<Vec<OrgId>, ServiceError> {
    let mut opened = Vec::new();
    // Every organisation, with its threshold or the default one: a room counts as silent
    // whether or not anyone has opened its organisation's settings yet.
    let thresholds: BTreeMap<OrgId, i32> = TenantScope::portal_job::<org_settings::Entity>()
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.org_id, s.offline_after_minutes))
        .collect();
    let default = ServiceSettings::default().offline_after_minutes;
    for org in organisation::Entity::find()
        .select_only()
        .column(organisation::Column::Id)
        .into_tuple::<OrgId>()
        .all(db)
        .await?
    {
        let minutes = thresholds
            .get(&org)
            .map_or(i64::from(default), |m| i64::from(*m));
        let silence = Duration::minutes(minutes.max(1));
        let cutoff = now - silence;
        let scope = TenantScope::trusted(org);
        let silent = scope
            .select::<room::Entity>()
            .filter(room::Column::Enrollment.eq(Enrollment::Enrolled))
            .filter(room::Column::LastHeartbeat.lte(cutoff))
            .filter(room::Column::Health.ne(Health::Offline))
            .all(db)
            .await?;
        for found in silent {
            let tx = db.begin().await?;
            let still_silent = scope
                .update_many::<room::Entity>()
                .col_expr(room::Column::Health, Expr::value(Health::Offline))
                .filter(room::Column::Id.eq(found.id))
                .filter(room::Column::Enrollment.eq(Enrollment::Enrolled))
                .filter(room::Column::LastHeartbeat.lte(cutoff))
                .exec(&tx)
                .await?
                .rows_affected
                == 1;
            if still_silent {
                // Offline from the moment the silence became too long.
                let since = found.last_heartbeat.map_or(now, |t| t + silence);
                if open(&tx, &found, Component::Offline, Signal::Error, since).await? {
                    opened.push(found.org_id);
                }
            }
            tx.commit().await?;
        }
    }
    Ok(opened)
}
