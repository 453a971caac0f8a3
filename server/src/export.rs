//! GET /api/audit-log/export?org=&from=&to=[&category=&result=&by=&q=]: the audit log as CSV,
//! filtered as the Audit logs page shows it, streamed page by page (keyset), so memory stays at
//! one page whatever the range.

use app::domain::audit::{AuditQuery, ExportRange};
use app::domain::ids::OrgId;
use app::error::AppError;
use app::server::context::SignedIn;
use app::server::service::{audit, identity};
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use futures_util::{stream, StreamExt};
use sea_orm::DatabaseConnection;
use serde::Deserialize;

/// Rows per database round trip.
const PAGE: u64 = 2_000;

#[derive(Deserialize)]
pub struct ExportParams {
    org: OrgId,
    from: String,
    to: String,
    category: Option<String>,
    result: Option<String>,
    by: Option<OrgId>,
    q: Option<String>,
}

/// A refusal as the status of its error and its message (the exports and the event stream are
/// plain HTTP routes, not server functions).
pub(crate) fn refuse(err: AppError) -> Response {
    let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, err.to_string()).into_response()
}

pub async fn export(
    State(db): State<DatabaseConnection>,
    signed_in: Option<Extension<SignedIn>>,
    Query(params): Query<ExportParams>,
) -> Response {
    let Some(Extension(signed_in)) = signed_in else {
        return refuse(AppError::Unauthenticated);
    };
    let actor = match identity::load_actor(&db, &signed_in, chrono::Utc::now()).await {
        Ok(Some(actor)) => actor,
        Ok(None) => return refuse(AppError::Unauthenticated),
        Err(e) => return refuse(e.into()),
    };
    let now = chrono::Utc::now();
    let range = match ExportRange::parse(&params.from, &params.to, now) {
        Ok(range) => range,
        Err(e) => return refuse(AppError::Invalid(e)),
    };
    let filters = AuditQuery {
        category: params.category,
        result_status: params.result,
        actor_org: params.by,
        text: params.q.unwrap_or_default(),
        ..AuditQuery::default()
    };
    let filters = match filters.validate() {
        Ok(valid) => std::sync::Arc::new(valid.get().clone()),
        Err(e) => return refuse(AppError::Invalid(e)),
    };
    let scope = match audit::authorize_export(&actor, params.org) {
        Ok(scope) => scope,
        Err(e) => return refuse(e.into()),
    };
    tracing::info!(user = %actor.user, org = %params.org, from = %params.from, to = %params.to, "audit export");
    let first = Some(Ok::<_, std::io::Error>(audit::csv_header()));
    // State: the cursor after the last page, or `None` once the last page was short.
    let pages = stream::unfold(Some(None), move |cursor| {
        let (db, filters) = (db.clone(), filters.clone());
        async move {
            let cursor = cursor?;
            match audit::export_page(&db, &scope, range, &filters, cursor, PAGE).await {
                Ok((csv, _)) if csv.is_empty() => None,
                Ok((csv, next)) => Some((Ok(csv), Some(next))),
                Err(e) => {
                    // Headers are gone; ending the body early makes the download fail visibly.
                    tracing::error!(error = %e, "audit export failed midway");
                    Some((Err(std::io::Error::other("export failed")), None))
                }
            }
        }
    });
    // Fused: the compression layer may poll once more after the end.
    let body = stream::iter(first).chain(pages).fuse();
    let filename = format!(
        "audit-log-{}-to-{}.csv",
        params.from.trim(),
        params.to.trim()
    );
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        Body::from_stream(body),
    )
        .into_response()
}

#[derive(Deserialize)]
pub struct ReportParams {
    org: OrgId,
    report: String,
    from: String,
    to: String,
}

/// GET /api/reports/export?org=&report=health|incidents|availability&from=&to=: one report's
/// numbers as CSV, exactly those of its table on the Reports page.
pub async fn report(
    State(db): State<DatabaseConnection>,
    signed_in: Option<Extension<SignedIn>>,
    Query(params): Query<ReportParams>,
) -> Response {
    use app::domain::reports::{Period, ReportKind};
    use app::domain::validation::ValidationError;
    let Some(Extension(signed_in)) = signed_in else {
        return refuse(AppError::Unauthenticated);
    };
    let now = chrono::Utc::now();
    let day = |field: &str, raw: &str| {
        chrono::NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
            .map_err(|_| ValidationError::new(field, "Enter a date as YYYY-MM-DD."))
    };
    let period = match (day("from", &params.from), day("to", &params.to)) {
        (Ok(from), Ok(to)) => Period { from, to }.validate(now.date_naive()),
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    let period = match period {
        Ok(period) => period,
        Err(e) => return refuse(AppError::Invalid(e)),
    };
    let Some(kind) = ReportKind::from_key(&params.report) else {
        return refuse(AppError::Invalid(ValidationError::new(
            "report",
            "Choose health, incidents or availability.",
        )));
    };
    let actor =
        match identity::load_actor_for(&db, &signed_in, identity::Addressed::Org(params.org), now)
            .await
        {
            Ok(Some(actor)) => actor,
            Ok(None) => return refuse(AppError::Unauthenticated),
            Err(e) => return refuse(e.into()),
        };
    let (from, to) = (period.get().from, period.get().to);
    match app::server::service::reports::csv(&db, &actor, params.org, kind, period, now).await {
        Ok(csv) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{}-{from}-to-{to}.csv\"", kind.key()),
                ),
                (header::CACHE_CONTROL, "no-store".to_owned()),
            ],
            csv,
        )
            .into_response(),
        Err(e) => refuse(e.into()),
    }
}
