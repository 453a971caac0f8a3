//! The device agent API (section 8 of the specification): JSON in and out, bodies of at most
//! 64 KiB, every error as `{"error": "<code>", "message": "..."}`.

use crate::routes::AppState;
use app::domain::health::Heartbeat;
use app::domain::rooms::{Platform, RoomInput};
use app::server::service::health;
use app::server::service::settings::{self, DeviceEnrollment, EnrollError};
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;
use sea_orm::DatabaseConnection;
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;

pub const MAX_BODY: usize = 64 * 1024;

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(json!({ "error": code, "message": message }))).into_response()
}

#[derive(Deserialize)]
pub struct EnrollRequest {
    enrollment_key: String,
    resource_account: String,
    display_name: String,
    platform: String,
}

/// POST /api/agent/v1/enroll
pub async fn enroll(
    State(db): State<DatabaseConnection>,
    body: Result<Json<EnrollRequest>, JsonRejection>,
) -> Response {
    let Json(req) = match body {
        Ok(body) => body,
        Err(rejection) => {
            return error(StatusCode::BAD_REQUEST, "malformed", &rejection.body_text())
        }
    };
    let Some(platform) = Platform::from_key(&req.platform) else {
        return error(
            StatusCode::BAD_REQUEST,
            "malformed",
            "platform must be windows, android or surface_hub",
        );
    };
    // The same checks as a room typed in the portal, for the fields a device sends.
    let checked = RoomInput {
        display_name: req.display_name,
        resource_account: req.resource_account,
        site: "-".into(),
        city: "-".into(),
        country: "ZZ".into(),
        platform: Some(platform),
    }
    .validate();
    let room = match checked {
        Ok(valid) => valid.get().clone(),
        Err(e) => return error(StatusCode::BAD_REQUEST, "malformed", &e.message),
    };
    let device = DeviceEnrollment {
        resource_account: room.resource_account,
        display_name: room.display_name,
        platform,
    };
    match settings::enroll(&db, req.enrollment_key.trim(), device, chrono::Utc::now()).await {
        Ok((room_id, token)) => (
            StatusCode::CREATED,
            Json(json!({ "room_id": room_id, "device_token": token })),
        )
            .into_response(),
        Err(EnrollError::BadKey) => {
            tracing::warn!("enrollment with an unknown or reset key refused");
            error(
                StatusCode::UNAUTHORIZED,
                "invalid_enrollment_key",
                "The enrollment key is wrong or has been reset.",
            )
        }
        Err(EnrollError::OutOfReach) => error(
            StatusCode::FORBIDDEN,
            "out_of_reach",
            "This enrollment key belongs to someone who may not enroll this room (or create rooms). Use a key of someone who manages it.",
        ),
        Err(EnrollError::Service(e)) => {
            tracing::error!(error = %e, "enrollment failed");
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Enrollment failed; try again.",
            )
        }
    }
}

#[derive(Deserialize)]
pub struct HeartbeatRequest {
    sent_at: String,
    software_version: String,
    /// Components not named keep their state.
    #[serde(default)]
    components: BTreeMap<String, String>,
}

/// POST /api/agent/v1/heartbeat, with `Authorization: Bearer <device_token>`: `202`, or `401`
/// for an unknown or revoked credential, `400` for a malformed body, `429` with `Retry-After`
/// over the room's rate. Nothing is stored unless the answer is `202`.
pub async fn heartbeat(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Json<HeartbeatRequest>, JsonRejection>,
) -> Response {
    let unauthorized = || {
        error(
            StatusCode::UNAUTHORIZED,
            "invalid_device_token",
            "The device token is unknown or has been revoked; enroll the device again.",
        )
    };
    let Some(token) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
    else {
        return unauthorized();
    };
    let Json(req) = match body {
        Ok(body) => body,
        Err(rejection) => {
            return error(StatusCode::BAD_REQUEST, "malformed", &rejection.body_text())
        }
    };
    let beat = match Heartbeat::parse(&req.sent_at, &req.software_version, &req.components) {
        Ok(beat) => beat,
        Err(message) => return error(StatusCode::BAD_REQUEST, "malformed", &message),
    };
    let device = match health::device_of(&state.db, token).await {
        Ok(Some(device)) => device,
        Ok(None) => return unauthorized(),
        Err(e) => return internal(&e),
    };
    if let Err(not_until) = state.limits.heartbeat.check_key(&device.room()) {
        use governor::clock::{Clock, DefaultClock};
        let wait = not_until
            .wait_time_from(DefaultClock::default().now())
            .as_secs()
            .saturating_add(1);
        let mut response = error(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            &format!("Too many heartbeats from this device; retry after {wait} seconds."),
        );
        if let Ok(value) = header::HeaderValue::from_str(&wait.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        return response;
    }
    match health::record_heartbeat(&state.db, &device, &beat, chrono::Utc::now()).await {
        Ok(health::Recorded::Revoked) => unauthorized(),
        Ok(recorded) => {
            if recorded == health::Recorded::IncidentsChanged {
                state.changes.incidents_changed(device.org());
            }
            (StatusCode::ACCEPTED, Json(json!({ "status": "accepted" }))).into_response()
        }
        Err(e) => internal(&e),
    }
}

fn internal(e: &dyn std::fmt::Display) -> Response {
    tracing::error!(error = %e, "heartbeat failed");
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "The heartbeat could not be recorded; send the next one as usual.",
    )
}
