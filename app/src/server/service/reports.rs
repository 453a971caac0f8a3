//! Reports (specification section 2), over the rooms the actor may see reports of: how many
//! rooms are in each health, incidents opened per day and category, and each enrolled room's
//! availability (the period less its offline incidents). Aggregated in the database where a
//! count will do; availability from the offline incidents that overlap the period.

use super::audit::csv_cell;
use super::membership::rooms_within;
use crate::domain::authz::{reach, Action, Actor, Permission, Resource};
use crate::domain::health::Component;
use crate::domain::ids::{OrgId, RoomId};
use crate::domain::reports::{
    covered_seconds, permille, DayCount, HealthCount, Period, ReportKind, Reports, RoomAvailability,
};
use crate::domain::rooms::{Enrollment, Health};
use crate::domain::validation::Valid;
use crate::server::entity::{incident, room};
use crate::server::error::ServiceError;
use crate::server::scope::TenantScope;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, JoinType, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait, RelationTrait, Select,
};
use std::collections::BTreeMap;
use strum::IntoEnumIterator;

/// The rooms in reach for *Reports: View* and their incidents. When the reach is every room of
/// the organisation, incidents are the organisation's (the scope says so) rather than "of a
/// room in this list": with 200,000 rooms, the list alone costs more than the report.
async fn in_reach(
    db: &impl ConnectionTrait,
    actor: &Actor,
    org: OrgId,
) -> Result<(Select<room::Entity>, Select<incident::Entity>), ServiceError> {
    let scope = TenantScope::authorize(actor, Action::ViewReports, &Resource::SomeRooms(org))?;
    let reach = reach(actor, org, Permission::ReportsView).ok_or(ServiceError::NotFound)?;
    let rooms = rooms_within(db, &scope, &reach).await?;
    let mut incidents = scope.select::<incident::Entity>();
    if !reach.is_all_rooms() {
        let ids = rooms
            .clone()
            .select_only()
            .column(room::Column::Id)
            .into_query();
        incidents = incidents.filter(incident::Column::RoomId.in_subquery(ids));
    }
    Ok((rooms, incidents))
}

/// The UTC day of `opened_at`, as text `YYYY-MM-DD`, on either database. Literal SQL without
/// parameters, so that the same expression in `SELECT` and `GROUP BY` is one to PostgreSQL.
fn day_of_opening(backend: DbBackend) -> SimpleExpr {
    match backend {
        DbBackend::Postgres => {
            Expr::cust(r#"to_char("incidents"."opened_at" AT TIME ZONE 'UTC', 'YYYY-MM-DD')"#)
        }
        // Stored as ISO 8601 text: the day is its first ten characters.
        _ => Expr::cust(r#"substr("incidents"."opened_at", 1, 10)"#),
    }
}

/// `COUNT(*)`, which an index answers alone (counting a column reads it from every row).
fn count_all() -> SimpleExpr {
    Expr::cust("COUNT(*)")
}

/// # Authorization
/// `Action::ViewReports` over some rooms; every number counts only rooms in the actor's reach.
pub async fn reports(
    db: &impl ConnectionTrait,
    actor: &Actor,
    org: OrgId,
    period: Valid<Period>,
    now: DateTime<Utc>,
) -> Result<Reports, ServiceError> {
    let period = *period.get();
    let (rooms, incidents) = in_reach(db, actor, org).await?;
    // Grouped as the index is ordered (enrollment, then health), which counts without sorting,
    // and gives the enrolled rooms' count with the same read.
    let mut health: BTreeMap<Health, u64> = BTreeMap::new();
    let mut enrolled = 0;
    for (enrollment, h, n) in rooms
        .clone()
        .select_only()
        .column(room::Column::Enrollment)
        .column(room::Column::Health)
        .expr_as(count_all(), "rooms")
        .group_by(room::Column::Enrollment)
        .group_by(room::Column::Health)
        .into_tuple::<(Enrollment, Health, i64)>()
        .all(db)
        .await?
    {
        *health.entry(h).or_default() += n.unsigned_abs();
        if enrollment == Enrollment::Enrolled {
            enrolled += n.unsigned_abs();
        }
    }
    let start = period.start();
    let end = period.end(now);
    let day = day_of_opening(db.get_database_backend());
    let per_day = incidents
        .clone()
        .filter(incident::Column::OpenedAt.gte(start))
        .filter(incident::Column::OpenedAt.lt(end))
        .select_only()
        .expr_as(day.clone(), "day")
        .column(incident::Column::Component)
        .expr_as(count_all(), "incidents")
        .group_by(day)
        .group_by(incident::Column::Component)
        .into_tuple::<(String, Component, i64)>()
        .all(db)
        .await?;
    let mut counts: Vec<DayCount> = per_day
        .into_iter()
        .filter_map(|(d, category, n)| {
            let day = NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()?;
            Some(DayCount {
                day,
                category,
                incidents: n.unsigned_abs(),
            })
        })
        .collect();
    counts.sort_by_key(|c| (c.day, c.category));
    let (average_permille, worst) =
        least_available(db, rooms, incidents, enrolled, (start, end)).await?;
    Ok(Reports {
        period,
        health: Health::iter()
            .map(|h| HealthCount {
                health: h,
                rooms: health.get(&h).copied().unwrap_or(0),
            })
            .collect(),
        incidents: counts,
        enrolled,
        average_permille,
        worst,
    })
}

/// An offline incident's time, `[opened, resolved or the period's end)`.
type Span = (DateTime<Utc>, DateTime<Utc>);

/// The offline incidents that overlap `[start, end)`.
fn offline_during(
    incidents: Select<incident::Entity>,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Select<incident::Entity> {
    incidents
        .filter(incident::Column::Component.eq(Component::Offline))
        .filter(incident::Column::OpenedAt.lt(end))
        .filter(
            Condition::any()
                .add(incident::Column::ResolvedAt.is_null())
                .add(incident::Column::ResolvedAt.gt(start)),
        )
}

/// A room's availability from its offline spans.
fn availability_of(
    room: RoomId,
    name: String,
    spans: Vec<Span>,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> RoomAvailability {
    let down = covered_seconds(spans, start, end);
    RoomAvailability {
        room,
        name,
        offline_minutes: (down / 60).unsigned_abs(),
        permille: permille(down, (end - start).num_seconds()),
    }
}

/// For the page: the average availability of the `count` enrolled rooms, and the
/// [`Reports::WORST`] least available (then by name). Only rooms that were offline can be below
/// 1000 ‰, so only they are read with their incidents; the others are counted, and named only
/// to fill the list.
async fn least_available(
    db: &impl ConnectionTrait,
    rooms: Select<room::Entity>,
    incidents: Select<incident::Entity>,
    count: u64,
    (start, end): Span,
) -> Result<(u32, Vec<RoomAvailability>), ServiceError> {
    let enrolled = rooms.filter(room::Column::Enrollment.eq(Enrollment::Enrolled));
    // The offline spans of enrolled rooms, in the rooms' name order.
    let mut down: Vec<(RoomId, String, Vec<Span>)> = Vec::new();
    for (room, name, opened, resolved) in offline_during(incidents, start, end)
        .join(JoinType::InnerJoin, incident::Relation::Room.def())
        .filter(room::Column::Enrollment.eq(Enrollment::Enrolled))
        .select_only()
        .column(incident::Column::RoomId)
        .column(room::Column::DisplayName)
        .column(incident::Column::OpenedAt)
        .column(incident::Column::ResolvedAt)
        .order_by_asc(room::Column::NameLower)
        .order_by_asc(incident::Column::RoomId)
        .into_tuple::<(RoomId, String, DateTime<Utc>, Option<DateTime<Utc>>)>()
        .all(db)
        .await?
    {
        let span = (opened, resolved.unwrap_or(end));
        match down.last_mut() {
            Some((last, _, spans)) if *last == room => spans.push(span),
            _ => down.push((room, name, vec![span])),
        }
    }
    let down: Vec<RoomAvailability> = down
        .into_iter()
        .map(|(room, name, spans)| availability_of(room, name, spans, start, end))
        .collect();
    let sum = down.iter().map(|r| u64::from(r.permille)).sum::<u64>()
        + 1000 * count.saturating_sub(down.len() as u64);
    let average = sum.checked_div(count).map_or(1000, |a| a as u32);
    let (mut worst, full): (Vec<_>, Vec<_>) = down.into_iter().partition(|r| r.permille < 1000);
    // Stable: rooms of equal availability stay in name order.
    worst.sort_by_key(|r| r.permille);
    worst.truncate(Reports::WORST);
    if worst.len() < Reports::WORST {
        // Then fully available rooms in name order (some offline for less than a per mille).
        let minutes: BTreeMap<RoomId, u64> =
            full.iter().map(|r| (r.room, r.offline_minutes)).collect();
        let fill = enrolled
            .filter(room::Column::Id.is_not_in(worst.iter().map(|r| r.room)))
            .select_only()
            .column(room::Column::Id)
            .column(room::Column::DisplayName)
            .order_by_asc(room::Column::NameLower)
            .limit((Reports::WORST - worst.len()) as u64)
            .into_tuple::<(RoomId, String)>()
            .all(db)
            .await?;
        worst.extend(fill.into_iter().map(|(room, name)| RoomAvailability {
            room,
            name,
            offline_minutes: minutes.get(&room).copied().unwrap_or(0),
            permille: 1000,
        }));
    }
    Ok((average, worst))
}

/// Every enrolled room's availability, least available first (then by name), for the CSV
/// download.
///
/// # Authorization
/// As [`reports`].
pub async fn all_availability(
    db: &impl ConnectionTrait,
    actor: &Actor,
    org: OrgId,
    period: Valid<Period>,
    now: DateTime<Utc>,
) -> Result<Vec<RoomAvailability>, ServiceError> {
    let period = *period.get();
    let (start, end) = (period.start(), period.end(now));
    let (rooms, incidents) = in_reach(db, actor, org).await?;
    let enrolled: Vec<(RoomId, String)> = rooms
        .filter(room::Column::Enrollment.eq(Enrollment::Enrolled))
        .select_only()
        .column(room::Column::Id)
        .column(room::Column::DisplayName)
        .order_by_asc(room::Column::NameLower)
        .into_tuple()
        .all(db)
        .await?;
    let mut offline: BTreeMap<RoomId, Vec<Span>> = BTreeMap::new();
    for (room, opened, resolved) in offline_during(incidents, start, end)
        .select_only()
        .column(incident::Column::RoomId)
        .column(incident::Column::OpenedAt)
        .column(incident::Column::ResolvedAt)
        .into_tuple::<(RoomId, DateTime<Utc>, Option<DateTime<Utc>>)>()
        .all(db)
        .await?
    {
        offline
            .entry(room)
            .or_default()
            .push((opened, resolved.unwrap_or(end)));
    }
    let mut rows: Vec<RoomAvailability> = enrolled
        .into_iter()
        .map(|(room, name)| {
            let spans = offline.remove(&room).unwrap_or_default();
            availability_of(room, name, spans, start, end)
        })
        .collect();
    // Stable: rooms of equal availability stay in name order.
    rows.sort_by_key(|r| r.permille);
    Ok(rows)
}

/// One report as CSV: its numbers exactly as the page's table shows them.
///
/// # Authorization
/// As [`reports`].
pub async fn csv(
    db: &impl ConnectionTrait,
    actor: &Actor,
    org: OrgId,
    kind: ReportKind,
    period: Valid<Period>,
    now: DateTime<Utc>,
) -> Result<String, ServiceError> {
    let line = |cells: &[&str]| {
        let cells: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        format!("{}\r\n", cells.join(","))
    };
    let mut out = String::new();
    match kind {
        ReportKind::Availability => {
            out.push_str(&line(&[
                "room_id",
                "room",
                "offline_minutes",
                "availability_percent",
            ]));
            for r in all_availability(db, actor, org, period, now).await? {
                let percent = format!("{}.{}", r.permille / 10, r.permille % 10);
                out.push_str(&line(&[
                    &r.room.0.to_string(),
                    &r.name,
                    &r.offline_minutes.to_string(),
                    &percent,
                ]));
            }
        }
        ReportKind::Health | ReportKind::Incidents => {
            let report = reports(db, actor, org, period, now).await?;
            if kind == ReportKind::Health {
                out.push_str(&line(&["health", "rooms"]));
                for h in &report.health {
                    out.push_str(&line(&[h.health.label(), &h.rooms.to_string()]));
                }
            } else {
                out.push_str(&line(&["day", "category", "incidents"]));
                for c in &report.incidents {
                    out.push_str(&line(&[
                        &c.day.to_string(),
                        c.category.label(),
                        &c.incidents.to_string(),
                    ]));
                }
            }
        }
    }
    Ok(out)
}
