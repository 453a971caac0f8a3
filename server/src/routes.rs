//! The router: health checks, sign-in routes, the session gate and the Leptos pages and server
//! functions, behind the defences of `security` and `limits`, tracing (one span per request),
//! compression, a timeout and a panic guard.

use crate::auth;
use crate::config::Config;
use crate::limits::{self, Audience, Limit};
use crate::oidc::Oidc;
use crate::security;
use app::server::context::{ActorMemo, SignedIn};
use app::server::service::identity;
use app::{shell, App};
use axum::extract::{DefaultBodyLimit, FromRef, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use axum_extra::extract::cookie::CookieJar;
use leptos::prelude::{provide_context, LeptosOptions};
use leptos_axum::{generate_route_list, LeptosRoutes};
use sea_orm::DatabaseConnection;
use std::sync::Arc;
use std::time::Duration;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

/// What every handler shares. Axum clones the state for each extractor and layer that asks for
/// it, on every request, so it is one `Arc`: cloning the options and clients themselves took a
/// fifth of a heartbeat's CPU in allocation.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

pub struct Shared {
    pub leptos_options: LeptosOptions,
    pub db: DatabaseConnection,
    pub oidc: Oidc,
    pub config: Arc<Config>,
    pub limits: Limits,
    /// Whose incidents just changed, for `/api/events`.
    pub changes: app::server::Changes,
    /// The heartbeats' writer (group commit).
    pub ingest: crate::ingest::Ingest,
    /// The site's files that may be cached for good.
    pub immutable: crate::assets::Immutable,
}

/// The rate limiters, shared by every clone of the router (and cleaned by `serve`).
#[derive(Clone)]
pub struct Limits {
    pub login: Limit,
    pub agent: Limit,
    /// Per room, after its device's credential is checked: as many keys as enrolled rooms.
    pub heartbeat: crate::ingest::RoomRate,
}

impl Limits {
    pub fn all(&self) -> Vec<Limit> {
        vec![self.login.clone(), self.agent.clone()]
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl FromRef<AppState> for DatabaseConnection {
    fn from_ref(state: &AppState) -> Self {
        state.db.clone()
    }
}

impl AppState {
    pub fn new(leptos_options: LeptosOptions, db: DatabaseConnection, config: Config) -> Self {
        // A quota of at least one request per minute is always valid.
        #[allow(clippy::expect_used)]
        let limit = |per_minute| {
            limits::limit(per_minute, config.client_ip_header.clone()).expect("a valid quota")
        };
        let limits = Limits {
            login: limit(config.login_per_minute),
            agent: limit(config.agent_per_minute),
            heartbeat: Arc::new(governor::RateLimiter::keyed(governor::Quota::per_minute(
                std::num::NonZeroU32::new(config.heartbeat_per_minute)
                    .unwrap_or(std::num::NonZeroU32::MIN),
            ))),
        };
        let changes = app::server::Changes::default();
        let ingest =
            crate::ingest::Ingest::start(db.clone(), limits.heartbeat.clone(), changes.clone());
        let immutable =
            crate::assets::Immutable::scan(&leptos_options.site_root, &leptos_options.site_pkg_dir);
        Self(Arc::new(Shared {
            immutable,
            leptos_options,
            db,
            // Building an HTTP client only fails without a TLS backend, which is compiled in.
            #[allow(clippy::expect_used)]
            oidc: Oidc::new().expect("HTTP client"),
            config: Arc::new(config),
            limits,
            changes,
            ingest,
        }))
    }
}

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let db = state.db.clone();
    let changes = state.changes.clone();
    let options = state.leptos_options.clone();
    // Runs in the reactive context of every page render and server function.
    let context = move || {
        provide_context(db.clone());
        provide_context(changes.clone());
        security::provide_request_nonce();
    };
    let app = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route(
            "/auth/login",
            post(auth::login).layer(limits::layer(&state.limits.login, Audience::Browser)),
        )
        .route("/auth/callback", get(auth::callback))
        .route("/auth/logout", post(auth::logout))
        .route("/api/audit-log/export", get(crate::export::export))
        .route("/api/events", get(crate::events::events))
        .route("/api/reports/export", get(crate::export::report))
        .route("/api/agent/v1/openapi.json", get(crate::agent::openapi))
        .route(
            "/api/agent/v1/enroll",
            post(crate::agent::enroll).layer(
                tower::ServiceBuilder::new()
                    .layer(limits::layer(&state.limits.agent, Audience::Agent))
                    .layer(DefaultBodyLimit::max(crate::agent::MAX_BODY)),
            ),
        )
        // Heartbeats are limited per device (in the handler, once the token names one), not per
        // address: a building's rooms share one address behind its router, and a per-address
        // quota would silence a floor of them. An unknown token costs one indexed lookup.
        .route(
            "/api/agent/v1/heartbeat",
            post(crate::agent::heartbeat).layer(DefaultBodyLimit::max(crate::agent::MAX_BODY)),
        )
        .leptos_routes_with_context(&state, routes, context.clone(), move || {
            shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell))
        .layer(middleware::from_fn_with_state(state.clone(), session_gate))
        .layer(middleware::from_fn_with_state(
            state.immutable.clone(),
            crate::assets::cache_control,
        ))
        .with_state(state.clone());
    harden(app, &state)
}

/// The layers around every route, from the inside out: server-function envelope, same-origin
/// rule, compression, panic guard, timeout, security headers, tracing. Public so a test can
/// put a route of its own inside them.
pub fn harden(app: Router, state: &AppState) -> Router {
    app.layer(middleware::from_fn_with_state(
        security::server_fn_paths(),
        security::server_fn_envelope,
    ))
    .layer(middleware::from_fn_with_state(
        state.config.clone(),
        security::same_origin,
    ))
    .layer(CompressionLayer::new())
    .layer(CatchPanicLayer::custom(security::panic_response))
    .layer(TimeoutLayer::with_status_code(
        StatusCode::REQUEST_TIMEOUT,
        Duration::from_secs(30),
    ))
    .layer(middleware::from_fn_with_state(
        state.config.clone(),
        security::headers,
    ))
    .layer(
        // One span per request at the default `info` level, closed with status and latency.
        TraceLayer::new_for_http()
            .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
            .on_response(DefaultOnResponse::new().level(Level::INFO)),
    )
}

/// GET /readyz: the database answers.
async fn readyz(State(db): State<DatabaseConnection>) -> Response {
    match db.ping().await {
        Ok(()) => "ready".into_response(),
        Err(e) => {
            tracing::error!(error = %e, "database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
        }
    }
}

/// Paths anyone may open: the login page, sign-in routes, assets, health checks.
fn is_public(path: &str) -> bool {
    path == "/login"
        || path == "/healthz"
        || path == "/readyz"
        || path.starts_with("/auth/")
        || path.starts_with("/pkg/")
        // Devices prove themselves with their key or token, never a session.
        || path.starts_with("/api/agent/")
}

/// Resolves the session cookie into `SignedIn` for the handlers. A page without a live session
/// goes to the login page; server functions answer 401 themselves (`request_cx`).
async fn session_gate(
    State(state): State<AppState>,
    jar: CookieJar,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    let cookie = jar
        .get(state.config.session_cookie())
        .map(|c| c.value().to_owned());
    let signed_in = match &cookie {
        None => None,
        Some(token) => {
            let now = chrono::Utc::now();
            match identity::resolve_live_session(&state.db, token, now, state.config.session_idle)
                .await
            {
                Ok(found) => found,
                Err(e) => {
                    tracing::error!(error = %e, "cannot read sessions");
                    return (
                        StatusCode::SERVICE_UNAVAILABLE,
                        "The portal's database is unavailable.",
                    )
                        .into_response();
                }
            }
        }
    };
    match signed_in {
        Some(s) => {
            request.extensions_mut().insert::<SignedIn>(s);
            request.extensions_mut().insert(ActorMemo::default());
            next.run(request).await
        }
        None if is_public(&path) => next.run(request).await,
        None if path.starts_with("/api/") => {
            tracing::warn!(%path, forged_or_expired = cookie.is_some(), "server function without a session refused");
            next.run(request).await
        }
        None => {
            if cookie.is_some() {
                tracing::warn!(%path, "page with an unknown or expired session cookie");
            }
            // Back to the same page, filters included, after signing in.
            let here = request
                .uri()
                .path_and_query()
                .map_or(path.as_str(), |pq| pq.as_str());
            let next = auth::safe_next(&state.config.public_url, Some(here));
            let query = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("next", &next)
                .finish();
            let code = if cookie.is_some() {
                "&error=session_ended"
            } else {
                ""
            };
            Redirect::to(&format!("/login?{query}{code}")).into_response()
        }
    }
}
