//! Periodic jobs shared by every instance on one database. A lease row per job says when it is
//! next due; the instance whose single `UPDATE … WHERE next_run_at <= now` moves it forward runs
//! the job, every other instance finds it already moved and skips. The same statement serialises
//! on PostgreSQL (row lock, then the condition is checked again) and on SQLite (one writer).

use chrono::{DateTime, Duration, SubsecRound, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ConnectionTrait, DbErr, DeriveIden};

#[derive(DeriveIden)]
enum JobLeases {
    Table,
    Name,
    NextRunAt,
}

/// Whether this instance runs `job` now: true for exactly one caller per `every`, however many
/// instances ask at the same moment.
pub async fn claim(
    db: &impl ConnectionTrait,
    job: &str,
    every: Duration,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    // Whole seconds: SQLite stores instants as text, compared as text, which orders correctly
    // only when every value has the same number of fractional digits.
    let now = now.trunc_subsecs(0);
    let first_use = Query::insert()
        .into_table(JobLeases::Table)
        .columns([JobLeases::Name, JobLeases::NextRunAt])
        .values([job.into(), now.into()])
        .map_err(|e| DbErr::Custom(e.to_string()))?
        .on_conflict(OnConflict::column(JobLeases::Name).do_nothing().to_owned())
        .to_owned();
    db.execute(&first_use).await?;
    let take = Query::update()
        .table(JobLeases::Table)
        .value(JobLeases::NextRunAt, now + every)
        .and_where(Expr::col(JobLeases::Name).eq(job))
        .and_where(Expr::col(JobLeases::NextRunAt).lte(now))
        .to_owned();
    Ok(db.execute(&take).await?.rows_affected() == 1)
}
