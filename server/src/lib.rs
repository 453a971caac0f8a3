#![recursion_limit = "512"]
//! The HTTP side of Rooms MTM: configuration, database pool and migrations, sessions, the
//! OpenID Connect sign-in routes, health checks, and the Leptos routes. No business logic: the
//! pages' server functions and the services live in `app`.

#[cfg(feature = "ssr")]
pub mod auth;
#[cfg(feature = "ssr")]
pub mod config;
#[cfg(feature = "ssr")]
pub mod demo;
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
