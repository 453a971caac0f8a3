//! The device agent API (section 8 of the specification): JSON in and out, bodies of at most
//! 64 KiB, every error as `{"error": "<code>", "message": "..."}`. Its OpenAPI 3.1 document
//! ([`ApiDoc`], served at `/api/agent/v1/openapi.json`) is generated from the types and the
//! `#[utoipa::path]` attributes below, so it changes with them.

use crate::routes::AppState;
use app::domain::health::{reported, Heartbeat, Signal};
use app::domain::rooms::{Platform, RoomInput};
use app::server::service::health::{self, Verdict};
use app::server::service::settings::{self, DeviceEnrollment, EnrollError};
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use strum::IntoEnumIterator;
use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, Schema, Type};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::RefOr;
use utoipa::{Modify, OpenApi, PartialSchema, ToSchema};

pub const MAX_BODY: usize = 64 * 1024;

/// Every error of the API.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"error": "malformed", "message": "sent_at must be an RFC 3339 date and time"}))]
pub struct ApiError {
    /// A stable code: `malformed`, `invalid_enrollment_key`, `out_of_reach`,
    /// `invalid_device_token`, `rate_limited`, `payload_too_large`, `internal`.
    error: String,
    /// What went wrong, for a person reading the device's log.
    message: String,
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = ApiError {
        error: code.to_owned(),
        message: message.to_owned(),
    };
    (status, Json(body)).into_response()
}

/// Schemas read from the domain's own enums, so the document cannot drift from what the
/// handlers accept.
fn one_of_keys<'a>(keys: impl Iterator<Item = &'a str>) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(keys))
        .into()
}

/// A device platform: the keys of `Platform`.
pub struct AgentPlatform;

impl PartialSchema for AgentPlatform {
    fn schema() -> RefOr<Schema> {
        one_of_keys(Platform::iter().map(Platform::key))
    }
}

impl ToSchema for AgentPlatform {}

/// A component's state: the keys of `Signal`.
pub struct AgentSignal;

impl PartialSchema for AgentSignal {
    fn schema() -> RefOr<Schema> {
        one_of_keys(Signal::iter().map(Signal::key))
    }
}

impl ToSchema for AgentSignal {}

/// The components a device reports (`health::reported`), each optional; no others.
pub struct ComponentSignals;

impl PartialSchema for ComponentSignals {
    fn schema() -> RefOr<Schema> {
        reported()
            .fold(ObjectBuilder::new().schema_type(Type::Object), |o, c| {
                o.property(c.key(), AgentSignal::schema())
            })
            .additional_properties(Some(AdditionalProperties::FreeForm(false)))
            .into()
    }
}

impl ToSchema for ComponentSignals {}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"enrollment_key": "rek_…", "resource_account": "room1@contoso.com", "display_name": "Room 1", "platform": "windows"}))]
pub struct EnrollRequest {
    /// A key from *Download key* on the portal's Rooms page: it enrolls what its holder may.
    enrollment_key: String,
    /// The room's resource account; the room is matched by it, or created. (The API also
    /// takes international addresses; the document describes the ASCII ones.)
    #[schema(max_length = 254, pattern = r"^[!-?A-~]+@[!-?A-~]*\.[!-?A-~]*$")]
    resource_account: String,
    /// Used for a room the portal does not have yet: 1 to 120 characters, not only blanks,
    /// without control characters or bidirectional overrides (as a name typed in the portal).
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]*[^\s\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069][^\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]*$"
    )]
    display_name: String,
    #[schema(inline, value_type = AgentPlatform)]
    platform: String,
}

#[derive(Serialize, ToSchema)]
pub struct Enrolled {
    room_id: uuid::Uuid,
    /// The device's credential for heartbeats; enrolling again revokes it.
    device_token: String,
}

/// Enroll a room's device.
#[utoipa::path(
    post,
    path = "/api/agent/v1/enroll",
    request_body = EnrollRequest,
    responses(
        (status = 201, description = "Enrolled: the room and the device's token", body = Enrolled),
        (status = 400, description = "Malformed body", body = ApiError),
        (status = 401, description = "Wrong or reset enrollment key", body = ApiError),
        (status = 403, description = "The key's holder may not enroll this room, or create rooms", body = ApiError),
        (status = 413, description = "Body over 64 KiB", body = ApiError),
        (status = 429, description = "Too many requests from this address", body = ApiError,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
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
        Ok((room_id, device_token)) => (
            StatusCode::CREATED,
            Json(Enrolled {
                room_id: room_id.0,
                device_token,
            }),
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

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"sent_at": "2026-11-26T10:00:00Z", "software_version": "4.19.2", "components": {"camera": "error", "network": "warning"}}))]
pub struct HeartbeatRequest {
    #[schema(value_type = String, format = DateTime)]
    sent_at: String,
    /// At most 100 characters.
    #[schema(max_length = 100)]
    software_version: String,
    /// Components not named keep their state.
    #[serde(default)]
    #[schema(inline, value_type = ComponentSignals)]
    components: BTreeMap<String, String>,
}

#[derive(Serialize, ToSchema)]
pub struct Accepted {
    #[schema(example = "accepted")]
    status: String,
}

/// Report the room's component signals. Nothing is stored unless the answer is `202`.
#[utoipa::path(
    post,
    path = "/api/agent/v1/heartbeat",
    request_body = HeartbeatRequest,
    security(("device_token" = [])),
    responses(
        (status = 202, description = "Recorded", body = Accepted),
        (status = 400, description = "Malformed body", body = ApiError),
        (status = 401, description = "Unknown or revoked device token", body = ApiError),
        (status = 413, description = "Body over 64 KiB", body = ApiError),
        (status = 429, description = "Over the room's heartbeat rate", body = ApiError,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
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
    let received = health::Received {
        token: token.to_owned(),
        beat,
    };
    match state.ingest.record(received).await {
        Some(Verdict::Accepted) => {
            let body = Accepted {
                status: "accepted".to_owned(),
            };
            (StatusCode::ACCEPTED, Json(body)).into_response()
        }
        Some(Verdict::UnknownDevice) => unauthorized(),
        Some(Verdict::Limited { retry_after_secs }) => {
            let mut response = error(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                &format!(
                    "Too many heartbeats from this device; retry after {retry_after_secs} seconds."
                ),
            );
            response.headers_mut().insert(
                header::RETRY_AFTER,
                header::HeaderValue::from(retry_after_secs),
            );
            response
        }
        None => internal(),
    }
}

/// The batch's error is logged by the writer (`ingest`).
fn internal() -> Response {
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "The heartbeat could not be recorded; send the next one as usual.",
    )
}

/// The API's OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Rooms MTM device agent API",
        version = "1",
        description = "How meeting-room devices enroll and report their health (specification section 8). JSON bodies of at most 64 KiB; every error is {\"error\": \"<code>\", \"message\": \"...\"}."
    ),
    paths(enroll, heartbeat),
    modifiers(&DeviceToken)
)]
pub struct ApiDoc;

/// The heartbeat's bearer credential.
struct DeviceToken;

impl Modify for DeviceToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "device_token",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// GET /api/agent/v1/openapi.json
pub async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
