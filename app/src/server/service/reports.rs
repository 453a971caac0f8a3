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
    ColumnTrait, Condition, ConnectionTrait, DbBackend, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait, Select,
};
use std::collections::BTreeMap;
use strum::IntoEnumIterator;

/// The rooms in reach for *Reports: View*, and the scope they were read through.
async fn rooms_in_reach(
    db: &impl ConnectionTrait,
    actor: &Actor,
    org: OrgId,
) -> Result<(TenantScope, Select<room::Entity>), ServiceError> {
    let scope = TenantScope::authorize(actor, Action::ViewReports, &Resource::SomeRooms(org))?;
    let reach = reach(actor, org, Permission::ReportsView).ok_or(ServiceError::NotFound)?;
    Ok((scope, rooms_within(db, &scope, &reach).await?))
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
    let (scope, rooms) = rooms_in_reach(db, actor, org).await?;
    let health: BTreeMap<Health, u64> = rooms
        .clone()
        .select_only()
        .column(room::Column::Health)
        .column_as(room::Column::Id.count(), "rooms")
        .group_by(room::Column::Health)
        .into_tuple::<(Health, i64)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(h, n)| (h, n.unsigned_abs()))
        .collect();
    let in_reach = rooms
        .clone()
        .select_only()
        .column(room::Column::Id)
        .into_query();
    let start = period.start();
    let end = period.end(now);
    let day = day_of_opening(db.get_database_backend());
    let per_day = scope
        .select::<incident::Entity>()
        .filter(incident::Column::RoomId.in_subquery(in_reach.clone()))
        .filter(incident::Column::OpenedAt.gte(start))
        .filter(incident::Column::OpenedAt.lt(end))
        .select_only()
        .expr_as(day.clone(), "day")
        .column(incident::Column::Component)
        .column_as(incident::Column::Id.count(), "incidents")
        .group_by(day)
        .group_by(incident::Column::Component)
        .into_tuple::<(String, Component, i64)>()
        .all(db)
        .await?;
    let mut incidents: Vec<DayCount> = per_day
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
    incidents.sort_by_key(|c| (c.day, c.category));
    let (enrolled, average_permille, mut worst) =
        availability(db, &scope, rooms, in_reach, start, end).await?;
    worst.truncate(Reports::WORST);
    Ok(Reports {
        period,
        health: Health::iter()
            .map(|h| HealthCount {
                health: h,
                rooms: health.get(&h).copied().unwrap_or(0),
            })
            .collect(),
        incidents,
        enrolled,
        average_permille,
        worst,
    })
}

/// An offline incident's time, `[opened, resolved or the period's end)`.
type Span = (DateTime<Utc>, DateTime<Utc>);

/// Every enrolled room's availability over `[start, end)`, least available first (then by
/// name), with their count and average.
async fn availability(
    db: &impl ConnectionTrait,
    scope: &TenantScope,
    rooms: Select<room::Entity>,
    in_reach: sea_orm::sea_query::SelectStatement,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Result<(u64, u32, Vec<RoomAvailability>), ServiceError> {
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
    for (room, opened, resolved) in scope
        .select::<incident::Entity>()
        .filter(incident::Column::RoomId.in_subquery(in_reach))
        .filter(incident::Column::Component.eq(Component::Offline))
        .filter(incident::Column::OpenedAt.lt(end))
        .filter(
            Condition::any()
                .add(incident::Column::ResolvedAt.is_null())
                .add(incident::Column::ResolvedAt.gt(start)),
        )
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
    let period = (end - start).num_seconds();
    let mut rows: Vec<RoomAvailability> = enrolled
        .into_iter()
        .map(|(room, name)| {
            let down = covered_seconds(offline.remove(&room).unwrap_or_default(), start, end);
            RoomAvailability {
                room,
                name,
                offline_minutes: (down / 60).unsigned_abs(),
                permille: permille(down, period),
            }
        })
        .collect();
    let count = rows.len() as u64;
    let average = rows
        .iter()
        .map(|r| u64::from(r.permille))
        .sum::<u64>()
        .checked_div(count)
        .map_or(1000, |a| a as u32);
    // Stable: rooms of equal availability stay in name order.
    rows.sort_by_key(|r| r.permille);
    Ok((count, average, rows))
}

/// Every enrolled room's availability, for the CSV download.
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
    let (scope, rooms) = rooms_in_reach(db, actor, org).await?;
    let in_reach = rooms
        .clone()
        .select_only()
        .column(room::Column::Id)
        .into_query();
    let (_, _, rows) =
        availability(db, &scope, rooms, in_reach, period.start(), period.end(now)).await?;
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
