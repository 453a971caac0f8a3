//! The request context of a server function: the database, the signed-in actor and the clock.

use super::entity::{organisation, user};
use super::service::identity::{self, Addressed, Caller};
use crate::domain::authz::Actor;
use crate::domain::ids::{OrgId, UserId};
use crate::error::AppError;
use chrono::{DateTime, Utc};
use leptos::prelude::use_context;
use sea_orm::DatabaseConnection;
use std::future::Future;
use std::sync::Arc;

/// Put into the request's extensions by the server's session middleware when the session cookie
/// names a live session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedIn {
    pub user: UserId,
    pub org: OrgId,
}

/// The actors loaded during one request (with the user's and organisation's rows, whose names
/// the header shows), by the organisation they were loaded for. Put into the
/// request's extensions beside [`SignedIn`]. A page's first render calls several server
/// functions, and each needs the actor: they share the load made when the first asked, instead
/// of reading the user's groups, roles and grants again for each. It lives as long as the
/// request, so the next request still loads afresh.
#[derive(Clone, Default)]
pub struct ActorMemo(Arc<tokio::sync::Mutex<Vec<(Addressed, Caller)>>>);

pub struct RequestCx {
    pub db: DatabaseConnection,
    pub actor: Actor,
    /// The signed-in user's row and their organisation's, as read with the actor.
    pub user: user::Model,
    pub org: organisation::Model,
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
    let memo = parts
        .extensions
        .get::<ActorMemo>()
        .cloned()
        .unwrap_or_default();
    // Held across the load, so two server functions of one render that ask at once load once.
    let mut loaded = memo.0.lock().await;
    let found = match loaded.iter().find(|(a, _)| *a == addressed) {
        Some((_, found)) => found.clone(),
        None => {
            let found = identity::load_caller_for(&db, &signed_in, addressed, now)
                .await?
                .ok_or(AppError::Unauthenticated)?;
            loaded.push((addressed, found.clone()));
            found
        }
    };
    let Caller { actor, user, org } = found;
    Ok(RequestCx {
        db,
        actor,
        user,
        org,
        now,
    })
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
