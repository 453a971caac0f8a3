#![recursion_limit = "512"]
//! The HTTP side of Rooms MTM: configuration, database pool and migrations, sessions, the
//! OpenID Connect sign-in routes, health checks, and the Leptos routes. No business logic: the
//! pages' server functions and the services live in `app`.

#[cfg(feature = "ssr")]
mod agent;
#[cfg(feature = "ssr")]
mod assets;
#[cfg(feature = "ssr")]
pub mod auth;
#[cfg(feature = "ssr")]
pub mod cli;
#[cfg(feature = "ssr")]
pub mod config;
#[cfg(feature = "ssr")]
pub mod demo;
#[cfg(feature = "ssr")]
mod events;
#[cfg(feature = "ssr")]
mod export;
#[cfg(feature = "ssr")]
mod ingest;
#[cfg(feature = "ssr")]
pub mod jobs;
#[cfg(feature = "ssr")]
mod limits;
#[cfg(feature = "ssr")]
pub mod oidc;
#[cfg(feature = "ssr")]
mod routes;
#[cfg(feature = "ssr")]
mod security;
#[cfg(feature = "ssr")]
pub mod serve;
#[cfg(feature = "ssr")]
pub mod startup;

#[cfg(feature = "ssr")]
pub use routes::{harden, router, AppState};

/// Starts the server as configured by the environment.
#[cfg(feature = "ssr")]
pub async fn run() -> anyhow::Result<()> {
    use anyhow::Context;

    config::init_tracing();
    let config = config::Config::from_env()?;
    let mut leptos = leptos::prelude::get_configuration(None)
        .context("reading the Leptos configuration")?
        .leptos_options;
    leptos.hash_files = config::hashed_assets(std::env::var("LEPTOS_HASH_FILES").ok())?;
    let addr = leptos.site_addr;
    let db = config::connect(&config.database_url).await?;
    startup::prepare_database(&db, &config.database_url, config.seed_demo).await?;
    spawn_audit_purge(db.clone());
    spawn_lapse_log(db.clone());
    let every = config.offline_check;
    let state = AppState::new(leptos, db.clone(), config);
    spawn_offline_detector(db, state.changes.clone(), every);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding {addr}"))?;
    tracing::info!(%addr, "listening");
    serve::serve(listener, state, shutdown_signal()).await?;
    Ok(())
}

/// Ctrl-C, or SIGTERM (how containers and service managers stop a process).
#[cfg(feature = "ssr")]
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Marks rooms offline that fell silent, every 30 seconds. Every instance runs it: each room is
/// decided by the database (a conditional update, then a partial unique index), so two
/// detectors open one incident.
#[cfg(feature = "ssr")]
fn spawn_offline_detector(
    db: sea_orm::DatabaseConnection,
    changes: app::server::Changes,
    period: std::time::Duration,
) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(period);
        loop {
            every.tick().await;
            match app::server::service::health::detect_offline(&db, chrono::Utc::now()).await {
                Ok(orgs) if orgs.is_empty() => {}
                Ok(orgs) => {
                    tracing::info!(opened = orgs.len(), "rooms marked offline");
                    for org in orgs {
                        changes.incidents_changed(org);
                    }
                }
                Err(e) => tracing::error!(error = %e, "offline detection failed"),
            }
        }
    });
}

/// Writes "expired" to both logs when an invitation lapses or a relationship reaches its end
/// date. Access ends at that moment whatever this does (it is computed on every request); the
/// entries carry the moment itself and appear within a minute. Each event is claimed by a
/// conditional update, so instances running it together write it once.
#[cfg(feature = "ssr")]
fn spawn_lapse_log(db: sea_orm::DatabaseConnection) {
    tokio::spawn(async move {
        let mut every_minute = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            every_minute.tick().await;
            match app::server::service::partners::record_lapses(&db, chrono::Utc::now()).await {
                Ok(0) => {}
                Ok(written) => tracing::info!(written, "relationship lapses logged"),
                Err(e) => tracing::error!(error = %e, "cannot log relationship lapses"),
            }
        }
    });
}

/// Purges audit entries past the retention period at start and then hourly: every instance
/// looks every ten minutes, and the job's lease lets one of them run it once an hour.
#[cfg(feature = "ssr")]
fn spawn_audit_purge(db: sea_orm::DatabaseConnection) {
    tokio::spawn(async move {
        let mut every_ten_minutes = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            every_ten_minutes.tick().await;
            let now = chrono::Utc::now();
            match jobs::claim(&db, "audit_purge", chrono::Duration::hours(1), now).await {
                Ok(true) => {}
                Ok(false) => continue,
                Err(e) => {
                    tracing::error!(error = %e, "cannot claim the audit purge");
                    continue;
                }
            }
            match app::server::service::audit::purge_expired(&db, now).await {
                Ok(purged) => tracing::info!(purged, "audit purge ran"),
                Err(e) => tracing::error!(error = %e, "audit purge failed"),
            }
        }
    });
}
