//! The request context of a server function: the database, the signed-in actor and the clock.

use super::service::identity::{self, Addressed};
use crate::domain::authz::Actor;
use crate::domain::ids::{OrgId, UserId};
use crate::error::AppError;
use chrono::{DateTime, Utc};
use leptos::prelude::use_context;
use sea_orm::DatabaseConnection;
use std::future::Future;

/// Put into the request's extensions by the server's session middleware when the session cookie
/// names a live session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedIn {
    pub user: UserId,
    pub org: OrgId,
}

pub struct RequestCx {
    pub db: DatabaseConnection,
    pub actor: Actor,
    pub now: DateTime<Utc>,
}

/// Loads the actor of this request afresh, so a role removed a moment ago no longer counts: for
/// a request about the user's own organisation (or none).
pub async fn request_cx() -> Result<RequestCx, AppError> {
    load(Addressed::Home).await
}

/// [`request_cx`] for a request about organisation `org`: the user's own, or a customer the
/// user works on, whose partnership is then loaded with the actor (and no other customer's).
pub async fn request_cx_for(org: OrgId) -> Result<RequestCx, AppError> {
    load(Addressed::Org(org)).await
}

async fn load(addressed: Addressed) -> Result<RequestCx, AppError> {
    let db = use_context::<DatabaseConnection>().ok_or(AppError::Internal)?;
    let parts = use_context::<http::request::Parts>().ok_or(AppError::Internal)?;
    let signed_in = parts
        .extensions
        .get::<SignedIn>()
        .cloned()
        .ok_or(AppError::Unauthenticated)?;
    let now = Utc::now();
    let actor = identity::load_actor_for(&db, &signed_in, addressed, now)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    Ok(RequestCx { db, actor, now })
}

/// Runs a server function's body and gives its error the HTTP status it stands for.
pub async fn serve<T>(body: impl Future<Output = Result<T, AppError>>) -> Result<T, AppError> {
    let result = body.await;
    if let Err(err) = &result {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(
                http::StatusCode::from_u16(err.status())
                    .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR),
            );
        }
    }
    result
}
