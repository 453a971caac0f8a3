#![recursion_limit = "512"]
//! The HTTP side of Rooms MTM: configuration, database pool and migrations, sessions, the
//! OpenID Connect sign-in routes, health checks, and the Leptos routes. No business logic: the
//! pages' server functions and the services live in `app`.

#[cfg(feature = "ssr")]
mod agent;
#[cfg(feature = "ssr")]
pub mod auth;
#[cfg(feature = "ssr")]
pub mod config;
#[cfg(feature = "ssr")]
pub mod demo;
#[cfg(feature = "ssr")]
mod export;
#[cfg(feature = "ssr")]
pub mod oidc;
#[cfg(feature = "ssr")]
mod routes;

#[cfg(feature = "ssr")]
pub use routes::{router, AppState};

/// Starts the server as configured by the environment.
#[cfg(feature = "ssr")]
pub async fn run() -> anyhow::Result<()> {
    use anyhow::Context;
    use migrations::MigratorTrait;

    config::init_tracing();
    let config = config::Config::from_env()?;
    let leptos = leptos::prelude::get_configuration(None)
        .context("reading the Leptos configuration")?
        .leptos_options;
    let addr = leptos.site_addr;
    let db = config::connect(&config.database_url).await?;
    migrations::Migrator::up(&db, None)
        .await
        .context("running migrations")?;
    if config.seed_demo {
        demo::seed_if_empty(&db, chrono::Utc::now()).await?;
    }
    spawn_audit_purge(db.clone());
    let state = AppState::new(leptos, db, config);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding {addr}"))?;
    tracing::info!(%addr, "listening");
    axum::serve(listener, router(state))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

/// Purges audit entries past the retention period at start and then hourly.
#[cfg(feature = "ssr")]
fn spawn_audit_purge(db: sea_orm::DatabaseConnection) {
    tokio::spawn(async move {
        let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            every_hour.tick().await;
            match app::server::service::audit::purge_expired(&db, chrono::Utc::now()).await {
                Ok(0) => {}
                Ok(purged) => tracing::info!(purged, "expired audit entries purged"),
                Err(e) => tracing::error!(error = %e, "audit purge failed"),
            }
        }
    });
}
