//! Heartbeats and incidents (specification sections 2 and 8). A heartbeat updates its room's
//! component signals, opens an incident for a component turning bad and resolves it when the
//! component turns good, and sets the room's health from its active incidents. Heartbeats are
//! recorded in batches (group commit): one transaction per batch, which starts by locking the
//! rooms' rows (PostgreSQL) or writing them (SQLite, whose single writer it then is), so
//! concurrent batches of one room take turns. At most one active incident per room and
//! component is the database's rule (a partial unique index), whoever inserts.

use super::sha256_hex;
use super::tickets;
use crate::domain::health::{
    health_of, incident_for, Component, Heartbeat, IncidentStatus, Severity, Signal,
};
use crate::domain::ids::{IncidentId, OrgId, RoomId};
use crate::domain::rooms::ServiceSettings;
use crate::domain::rooms::{Enrollment, Health};
use crate::domain::tickets::{TicketStatus, TimelineKind};
use crate::server::entity::{
    incident, org_settings, organisation, room, room_component, ticket, ticket_event,
};
use crate::server::error::ServiceError;
use crate::server::scope::{ProvenRooms, TenantScope};
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{CaseStatement, Expr, OnConflict, Query, SimpleExpr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, FromQueryResult, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait, Set, TransactionSession, TransactionTrait,
    TryInsertResult,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One heartbeat as the API received it: the device's credential and what it reports.
#[derive(Clone, Debug)]
pub struct Received {
    pub token: String,
    pub beat: Heartbeat,
}

/// What became of one heartbeat of a batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Stored.
    Accepted,
    /// No enrolled room's device holds the credential (never did, or it was revoked, also while
    /// the batch was being written): nothing stored.
    UnknownDevice,
    /// Over the room's rate, as `admit` said: nothing stored; retry after so many seconds.
    Limited { retry_after_secs: u64 },
}

/// A recorded batch: a verdict per heartbeat, in order, and the organisations whose incidents
/// changed.
#[derive(Debug, Default)]
pub struct Batch {
    pub verdicts: Vec<Verdict>,
    pub changed: BTreeSet<OrgId>,
}

/// Most heartbeats in one batch: a batch's statements bind a value or two per heartbeat (its
/// credential, its room), far below SQLite's 32,766 bound values a statement; rows written are
/// split by [`ROWS_PER_STATEMENT`].
pub const MAX_BATCH: usize = 512;

/// Records a batch of heartbeats (at most [`MAX_BATCH`]) in one transaction of a few statements,
/// whatever its size: group commit, so the rate is not one transaction per heartbeat.
///
/// Each heartbeat's device is proved by its credential; `admit` may then refuse it for its
/// room's rate, before anything is written. The transaction starts by taking the proven rooms:
/// concurrent batches of the same rooms take turns (row locks taken in the rooms' order on
/// PostgreSQL, the single writer on SQLite). A heartbeat older (by `sent_at`, at most `now`)
/// than one already applied to its room changes no signal, so
/// heartbeats may arrive in any order, in one batch or several; only a signal that changes is
/// written. One error fails the whole batch, and nothing of it is stored.
pub async fn record_heartbeats(
    db: &(impl ConnectionTrait + TransactionTrait),
    received: &[Received],
    now: DateTime<Utc>,
    mut admit: impl FnMut(RoomId) -> Result<(), u64>,
) -> Result<Batch, ServiceError> {
    let started = std::time::Instant::now();
    let hashes: Vec<String> = received.iter().map(|r| sha256_hex(&r.token)).collect();
    let distinct: BTreeSet<&str> = hashes.iter().map(String::as_str).collect();
    let holders: HashMap<String, RoomId> = ProvenRooms::holding(distinct.iter().copied())
        .select_only()
        .column(room::Column::DeviceTokenHash)
        .column(room::Column::Id)
        .into_tuple::<(String, RoomId)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut batch = Batch::default();
    let mut admitted = BTreeSet::new();
    for hash in &hashes {
        let verdict = match holders.get(hash) {
            None => Verdict::UnknownDevice,
            Some(&room) => match admit(room) {
                Ok(()) => {
                    admitted.insert(hash.as_str());
                    Verdict::Accepted
                }
                Err(retry_after_secs) => Verdict::Limited { retry_after_secs },
            },
        };
        batch.verdicts.push(verdict);
    }
    if admitted.is_empty() {
        return Ok(batch);
    }

    let proved_at = started.elapsed();
    let tx = super::begin_write(db).await?;
    let written: Vec<Proven> = if tx.get_database_backend() == DbBackend::Postgres {
        // The rooms as they were, locked in one order (so two processes' batches over the same
        // rooms never wait on each other in a cycle), the credentials checked under the locks.
        // They are written once, at the end: one new row version per room and batch.
        ProvenRooms::holding(admitted.iter().copied())
            .select_only()
            .columns(Proven::COLUMNS)
            .order_by_asc(room::Column::Id)
            .lock_exclusive()
            .into_model::<Proven>()
            .all(&tx)
            .await?
    } else {
        // SQLite has one writer: writing first makes this transaction the writer at once (a
        // read first would make it a reader that may not become the writer).
        let mut prove = ProvenRooms::prove(admitted.iter().copied())
            .col_expr(room::Column::LastHeartbeat, Expr::value(now))
            .into_query();
        prove.returning(Query::returning().columns(Proven::COLUMNS));
        let backend = tx.get_database_backend();
        Proven::find_by_statement(backend.build(&prove))
            .all(&tx)
            .await?
    };
    let written_at = started.elapsed();
    let rooms = ProvenRooms::of(written.iter().map(|r| (r.id, r.org_id)));
    let proven: HashMap<String, Proven> = written
        .into_iter()
        .filter_map(|r| Some((r.device_token_hash.clone()?, r)))
        .collect();
    let mut stored: HashMap<(RoomId, Component), Signal> = rooms
        .select::<room_component::Entity>()
        .select_only()
        .column(room_component::Column::RoomId)
        .column(room_component::Column::Component)
        .column(room_component::Column::Signal)
        .into_tuple::<(RoomId, Component, Signal)>()
        .all(&tx)
        .await?
        .into_iter()
        .map(|(room, component, signal)| ((room, component), signal))
        .collect();
    let mut incidents = IncidentChanges::of(
        rooms
            .select::<incident::Entity>()
            .filter(incident::Column::Status.eq(IncidentStatus::Active))
            .filter(incident::Column::Component.ne(Component::Customer))
            .all(&tx)
            .await?,
    );

    let read_at = started.elapsed();
    // The signals that changed, with when (each room's newest), and each room's newest
    // heartbeat time applied.
    let mut changed_signals: BTreeMap<(RoomId, Component), (Signal, DateTime<Utc>)> =
        BTreeMap::new();
    let mut signals_at: BTreeMap<RoomId, DateTime<Utc>> = BTreeMap::new();
    for ((r, hash), verdict) in received.iter().zip(&hashes).zip(&mut batch.verdicts) {
        if *verdict != Verdict::Accepted {
            continue;
        }
        let Some(room) = proven.get(hash) else {
            // Revoked (unenrolled, or enrolled again) since it was read.
            *verdict = Verdict::UnknownDevice;
            continue;
        };
        let sent_at = r.beat.sent_at.min(now);
        // A heartbeat is the room speaking again: it ends an offline incident, even one sent
        // before another already recorded.
        incidents.apply(room, Component::Offline, Signal::Ok, sent_at);
        let newest = signals_at.get(&room.id).copied().or(room.signals_at);
        if newest.is_some_and(|t| sent_at < t) {
            // Older than a heartbeat already applied: its signals are not the room's now.
            continue;
        }
        signals_at.insert(room.id, sent_at);
        for (&component, &signal) in &r.beat.components {
            let key = (room.id, component);
            // Only a different signal is written, and only it can open or resolve an
            // incident: most heartbeats write their room's row alone.
            if stored.insert(key, signal) != Some(signal) {
                incidents.apply(room, component, signal, sent_at);
                changed_signals.insert(key, (signal, sent_at));
            }
        }
    }
    incidents.write(&tx, &rooms).await?;

    let incidents_at = started.elapsed();
    let org_of: HashMap<RoomId, OrgId> = proven.values().map(|r| (r.id, r.org_id)).collect();
    let signals: Vec<room_component::ActiveModel> = changed_signals
        .iter()
        .filter_map(|(&(room, component), &(signal, at))| {
            Some(room_component::ActiveModel {
                org_id: Set(*org_of.get(&room)?),
                room_id: Set(room),
                component: Set(component),
                signal: Set(signal),
                changed_at: Set(at),
            })
        })
        .collect();
    for chunk in signals.chunks(ROWS_PER_STATEMENT) {
        room_component::Entity::insert_many(chunk.iter().cloned())
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

    let signals_done_at = started.elapsed();
    // Then the rooms in one statement: their last heartbeat, their newest heartbeat time
    // applied, and their health, which follows the incidents as this transaction left them (the
    // rooms are its own). Health is written where it changed, or where the room had none
    // computed yet (its first heartbeat) or was offline.
    let mut health: BTreeMap<RoomId, Health> = BTreeMap::new();
    for room in proven.values() {
        if incidents.rooms.contains(&room.id)
            || matches!(room.health, Health::Unknown | Health::Offline)
        {
            let now_health = health_of(incidents.active_of(room.id));
            if now_health != room.health {
                health.insert(room.id, now_health);
            }
        }
    }
    if !proven.is_empty() {
        use room::Column as R;
        let mut update = rooms
            .update_many::<room::Entity>()
            .col_expr(R::LastHeartbeat, Expr::value(now));
        if !signals_at.is_empty() {
            let values = signals_at.iter().map(|(id, at)| (*id, Some(*at)));
            update = update.col_expr(R::SignalsAt, per_row(R::Id, values, R::SignalsAt));
        }
        if !health.is_empty() {
            let values = health.iter().map(|(id, h)| (*id, *h));
            update = update.col_expr(R::Health, per_row(R::Id, values, R::Health));
        }
        update.exec(&tx).await?;
    }
    let health_at = started.elapsed();
    tx.commit().await?;
    // Where a batch's time goes, for the ingest benchmark and for operators.
    tracing::debug!(
        heartbeats = received.len(),
        incidents_changed = incidents.rooms.len(),
        ?proved_at,
        ?written_at,
        ?read_at,
        ?incidents_at,
        ?signals_done_at,
        ?health_at,
        done = ?started.elapsed(),
        "heartbeat batch"
    );
    batch.changed = incidents.orgs;
    Ok(batch)
}

/// `CASE key WHEN k THEN v … ELSE column END`: each row's own value in one `UPDATE` of many
/// rows, and the value it has for a row not named.
fn per_row<C, K, V>(key: C, values: impl IntoIterator<Item = (K, V)>, column: C) -> SimpleExpr
where
    C: ColumnTrait,
    K: Into<sea_orm::Value>,
    V: Into<sea_orm::Value>,
{
    values
        .into_iter()
        .fold(CaseStatement::new(), |case, (k, v)| {
            case.case(key.eq(k), Expr::val(v))
        })
        .finally(Expr::col(column))
        .into()
}

/// What a batch needs of a room its device proved, read back by the statement that proves it
/// (rather than the whole row: a batch reads hundreds).
#[derive(Clone, Debug, FromQueryResult)]
struct Proven {
    id: RoomId,
    org_id: OrgId,
    device_token_hash: Option<String>,
    display_name: String,
    health: Health,
    signals_at: Option<DateTime<Utc>>,
}

impl Proven {
    const COLUMNS: [room::Column; 6] = [
        room::Column::Id,
        room::Column::OrgId,
        room::Column::DeviceTokenHash,
        room::Column::DisplayName,
        room::Column::Health,
        room::Column::SignalsAt,
    ];
}

impl From<&room::Model> for Proven {
    fn from(room: &room::Model) -> Self {
        Self {
            id: room.id,
            org_id: room.org_id,
            device_token_hash: room.device_token_hash.clone(),
            display_name: room.display_name.clone(),
            health: room.health,
            signals_at: room.signals_at,
        }
    }
}

/// Rows a statement writes at most: far below both databases' limits on bound values (an
/// incident binds ten).
const ROWS_PER_STATEMENT: usize = 1_000;

/// A batch's changes to incidents: made heartbeat by heartbeat in memory, in order, then
/// written in a few statements however many there are. The batch's transaction holds its rooms
/// (see [`record_heartbeats`]), so nobody else changes their incidents meanwhile.
#[derive(Default)]
struct IncidentChanges {
    /// The rooms' active incidents by component (customer incidents aside), as the batch
    /// leaves them.
    active: HashMap<(RoomId, Component), incident::Model>,
    /// Incidents the batch opened, as it leaves them (perhaps resolved again).
    opened: BTreeMap<IncidentId, incident::Model>,
    /// Incidents active before the batch that it changed, as it leaves them.
    changed: BTreeMap<IncidentId, incident::Model>,
    /// The timeline entries, in order.
    events: Vec<ticket_event::ActiveModel>,
    /// Rooms and organisations whose incidents changed.
    rooms: BTreeSet<RoomId>,
    orgs: BTreeSet<OrgId>,
}

impl IncidentChanges {
    fn of(active: Vec<incident::Model>) -> Self {
        Self {
            active: active
                .into_iter()
                .map(|i| ((i.room_id, i.component), i))
                .collect(),
            ..Self::default()
        }
    }

    fn active_of(&self, room: RoomId) -> impl Iterator<Item = (Component, Severity)> + '_ {
        self.active
            .iter()
            .filter(move |((r, _), _)| *r == room)
            .map(|(_, i)| (i.component, i.severity))
    }

    /// Opens, updates or resolves the room's incident for one component after its signal.
    fn apply(&mut self, room: &Proven, component: Component, signal: Signal, at: DateTime<Utc>) {
        let key = (room.id, component);
        let portal = tickets::Author::portal();
        let (found, opened_now) = match (
            self.active.get(&key).cloned(),
            incident_for(component, signal),
        ) {
            (None, None) => return,
            (None, Some(_)) => {
                let Some(opened) = new_incident(room, component, signal, at) else {
                    return;
                };
                let body = opened_body(room, component, signal);
                self.events.push(tickets::event(
                    &opened,
                    &portal,
                    TimelineKind::Opened,
                    body,
                    at,
                ));
                self.active.insert(key, opened.clone());
                (opened, true)
            }
            (Some(mut found), None) => {
                found.status = IncidentStatus::Resolved;
                found.resolved_at = Some(at);
                self.events.push(tickets::event(
                    &found,
                    &portal,
                    TimelineKind::Resolved,
                    tickets::resolved_body(component),
                    at,
                ));
                self.active.remove(&key);
                (found, false)
            }
            (Some(found), Some((severity, _))) if found.severity == severity => return,
            // From warning to error or back: the open incident follows the signal.
            (Some(mut found), Some((severity, title))) => {
                found.severity = severity;
                found.severity_rank = severity.rank();
                found.title = title;
                self.active.insert(key, found.clone());
                (found, false)
            }
        };
        self.rooms.insert(room.id);
        self.orgs.insert(room.org_id);
        if opened_now || self.opened.contains_key(&found.id) {
            self.opened.insert(found.id, found);
        } else {
            self.changed.insert(found.id, found);
        }
    }

    /// Writes the changes: new incidents and their tickets, then what changed in the others
    /// (and the tickets of those resolved), then the timeline.
    async fn write(&self, db: &impl ConnectionTrait, rooms: &ProvenRooms) -> Result<(), DbErr> {
        let opened: Vec<&incident::Model> = self.opened.values().collect();
        for chunk in opened.chunks(ROWS_PER_STATEMENT) {
            incident::Entity::insert_many(
                chunk
                    .iter()
                    .map(|&i| incident::ActiveModel::from(i.clone())),
            )
            .exec_without_returning(db)
            .await?;
            ticket::Entity::insert_many(chunk.iter().map(|&i| tickets::ticket_of(i, None)))
                .exec_without_returning(db)
                .await?;
        }
        if !self.changed.is_empty() {
            use incident::Column as I;
            let by_id = |value: fn(&incident::Model) -> sea_orm::Value, column: I| {
                let values = self.changed.values().map(|i| (i.id, value(i)));
                per_row(I::Id, values, column)
            };
            rooms
                .update_many::<incident::Entity>()
                .filter(I::Id.is_in(self.changed.keys().copied()))
                .col_expr(I::Status, by_id(|i| i.status.into(), I::Status))
                .col_expr(
                    I::ResolvedAt,
                    by_id(|i| i.resolved_at.into(), I::ResolvedAt),
                )
                .col_expr(I::Severity, by_id(|i| i.severity.into(), I::Severity))
                .col_expr(
                    I::SeverityRank,
                    by_id(|i| i.severity_rank.into(), I::SeverityRank),
                )
                .col_expr(I::Title, by_id(|i| i.title.clone().into(), I::Title))
                .exec(db)
                .await?;
            // A device's incident that resolved itself resolves its ticket, unless someone
            // closed it.
            let resolved: Vec<(IncidentId, DateTime<Utc>)> = self
                .changed
                .values()
                .filter_map(|i| Some((i.id, i.resolved_at?)))
                .collect();
            if !resolved.is_empty() {
                use ticket::Column as T;
                rooms
                    .update_many_of_orgs::<ticket::Entity>()
                    .filter(T::IncidentId.is_in(resolved.iter().map(|(id, _)| *id)))
                    .filter(T::Status.ne(TicketStatus::Closed))
                    .col_expr(T::Status, Expr::value(TicketStatus::Resolved))
                    .col_expr(
                        T::UpdatedAt,
                        per_row(T::IncidentId, resolved.iter().copied(), T::UpdatedAt),
                    )
                    .exec(db)
                    .await?;
            }
        }
        for chunk in self.events.chunks(ROWS_PER_STATEMENT) {
            ticket_event::Entity::insert_many(chunk.iter().cloned())
                .exec_without_returning(db)
                .await?;
        }
        Ok(())
    }
}

/// A new active incident of the room's `component`, if `signal` is bad.
fn new_incident(
    room: &Proven,
    component: Component,
    signal: Signal,
    at: DateTime<Utc>,
) -> Option<incident::Model> {
    let (severity, title) = incident_for(component, signal)?;
    Some(incident::Model {
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
    })
}

/// The first words of an incident's timeline.
fn opened_body(room: &Proven, component: Component, signal: Signal) -> String {
    match component {
        Component::Offline => format!("No heartbeat from {} since then.", room.display_name),
        c => format!(
            "{}: the device reports {}.",
            c.label(),
            signal.label().to_lowercase()
        ),
    }
}

/// Opens the room's incident for `component` unless one is active; whether it did. Another
/// writer (the offline detector in another process) may have opened it meanwhile: the partial
/// unique index keeps one, and this insert then does nothing.
async fn open(
    db: &impl ConnectionTrait,
    room: &Proven,
    component: Component,
    signal: Signal,
    at: DateTime<Utc>,
) -> Result<bool, ServiceError> {
    let Some(opened) = new_incident(room, component, signal, at) else {
        return Ok(false);
    };
    let inserted = incident::Entity::insert(incident::ActiveModel::from(opened.clone()))
        .on_conflict(OnConflict::new().do_nothing().to_owned())
        .try_insert()
        .exec(db)
        .await?;
    if !matches!(inserted, TryInsertResult::Inserted(_)) {
        return Ok(false);
    }
    let body = opened_body(room, component, signal);
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
            let tx = super::begin_write(db).await?;
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
                let room = Proven::from(&found);
                if open(&tx, &room, Component::Offline, Signal::Error, since).await? {
                    opened.push(found.org_id);
                }
            }
            tx.commit().await?;
        }
    }
    Ok(opened)
}
