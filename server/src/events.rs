//! GET /api/events?org=<id>: a server-sent event `incidents` whenever the incidents of `org`
//! change (without `org`: of any customer the signed-in partner user's organisation manages,
//! for the all-tickets view). The events carry no data: the page asks its server functions
//! again, and they decide what the user may see. The stream is allowed once, like a request
//! (`Action::ViewTickets`), asked again on each refresh, and ends when that is refused.

use crate::export::refuse;
use crate::routes::AppState;
use app::domain::authz::{Action, Actor, Resource};
use app::domain::ids::OrgId;
use app::error::AppError;
use app::server::context::SignedIn;
use app::server::scope::TenantScope;
use app::server::service::identity::{self, Addressed};
use app::server::service::tickets;
use axum::extract::{Query, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use futures_util::stream;
use sea_orm::DatabaseConnection;
use serde::Deserialize;
use std::collections::BTreeSet;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

/// At most one event per this long: a burst of heartbeats is one refresh.
const COALESCE: Duration = Duration::from_secs(1);
/// An event at least this often, whatever happened: it covers changes made by another server
/// process (the hub is per process), and it is when access is checked again.
const REFRESH: Duration = Duration::from_secs(30);

#[derive(Deserialize)]
pub struct EventParams {
    org: Option<OrgId>,
}

/// The organisations whose changes this user may follow, or why not.
async fn followed(
    db: &DatabaseConnection,
    signed_in: &SignedIn,
    org: Option<OrgId>,
) -> Result<BTreeSet<OrgId>, AppError> {
    let now = chrono::Utc::now();
    let addressed = org.map_or(Addressed::Home, Addressed::Org);
    let actor: Actor = identity::load_actor_for(db, signed_in, addressed, now)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    match org {
        Some(org) => {
            TenantScope::authorize(&actor, Action::ViewTickets, &Resource::SomeRooms(org))?;
            Ok(BTreeSet::from([org]))
        }
        None => Ok(tickets::customers_followed(db, &actor, now).await?),
    }
}

pub async fn events(
    State(state): State<AppState>,
    signed_in: Option<Extension<SignedIn>>,
    Query(params): Query<EventParams>,
) -> Response {
    let Some(Extension(signed_in)) = signed_in else {
        return refuse(AppError::Unauthenticated);
    };
    let orgs = match followed(&state.db, &signed_in, params.org).await {
        Ok(orgs) => orgs,
        Err(e) => return refuse(e),
    };
    let changes = state.changes.subscribe();
    let mut refresh = tokio::time::interval(REFRESH);
    refresh.reset();
    let events = stream::unfold(
        (changes, refresh, orgs, state, signed_in, params.org),
        |(mut changes, mut refresh, orgs, state, signed_in, org)| async move {
            loop {
                tokio::select! {
                    got = changes.recv() => match got {
                        Ok(changed) if !orgs.contains(&changed) => continue,
                        Ok(_) | Err(RecvError::Lagged(_)) => {}
                        Err(RecvError::Closed) => return None,
                    },
                    _ = refresh.tick() => {
                        // Access is asked again: a revoked user's stream ends here.
                        if followed(&state.db, &signed_in, org).await.is_err() {
                            return None;
                        }
                    }
                }
                tokio::time::sleep(COALESCE).await;
                // What arrived meanwhile is covered by this one event.
                while changes.try_recv().is_ok() {}
                let event = Ok::<_, std::convert::Infallible>(
                    Event::default().event("incidents").data("changed"),
                );
                return Some((event, (changes, refresh, orgs, state, signed_in, org)));
            }
        },
    );
    Sse::new(events)
        .keep_alive(KeepAlive::default())
        .into_response()
}
