//! The device agent API (section 8 of the specification): JSON in and out, bodies of at most
//! 64 KiB, every error as `{"error": "<code>", "message": "..."}`.

use app::domain::rooms::{Platform, RoomInput};
use app::server::service::settings::{self, DeviceEnrollment, EnrollError};
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use sea_orm::DatabaseConnection;
use serde::Deserialize;
use serde_json::json;

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
