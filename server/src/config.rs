//! Configuration from environment variables, with defaults for the embedded mode (SQLite file,
//! demo seed, local identity provider). Every variable is listed in the README.

use anyhow::Context;
use sea_orm::{ConnectOptions, Database, DatabaseConnection};
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct Config {
    /// `DATABASE_URL`: `sqlite://rooms.db?mode=rwc` by default; `postgres://…` for PostgreSQL.
    pub database_url: String,
    /// `ROOMS_PUBLIC_URL`: the address users open, for the OIDC redirect URI and cookies.
    pub public_url: url::Url,
    /// `ROOMS_SEED_DEMO`: seed the demo organisations into an empty database (default `true`).
    pub seed_demo: bool,
}

impl Config {
    pub fn from_env() -> anyhow::Result<Self> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let public_url =
            var("ROOMS_PUBLIC_URL").unwrap_or_else(|| "http://127.0.0.1:3000".to_owned());
        Ok(Self {
            database_url: var("DATABASE_URL")
                .unwrap_or_else(|| "sqlite://rooms.db?mode=rwc".to_owned()),
            public_url: url::Url::parse(&public_url).context("ROOMS_PUBLIC_URL is not a URL")?,
            seed_demo: match var("ROOMS_SEED_DEMO").as_deref() {
                None | Some("true") | Some("1") | Some("yes") => true,
                Some("false") | Some("0") | Some("no") => false,
                Some(other) => {
                    anyhow::bail!("ROOMS_SEED_DEMO must be true or false, not {other:?}")
                }
            },
        })
    }

    /// Cookies are `Secure` whenever users reach the portal over HTTPS.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.scheme() == "https"
    }

    pub fn redirect_uri(&self) -> String {
        self.url("/auth/callback")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.public_url.as_str().trim_end_matches('/'), path)
    }
}

/// Opens the pool. An in-memory SQLite database lives per connection, so it gets exactly one.
pub async fn connect(url: &str) -> anyhow::Result<DatabaseConnection> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    if url.starts_with("sqlite::memory:") {
        options.max_connections(1);
    }
    Database::connect(options)
        .await
        .with_context(|| format!("connecting to the database ({})", redact(url)))
}

fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_owned(),
    }
}

/// Structured logs: JSON when `ROOMS_LOG_FORMAT=json`, readable text otherwise; `RUST_LOG`
/// filters (default `info`).
pub fn init_tracing() {
    use tracing_subscriber::{fmt, EnvFilter};
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    if std::env::var("ROOMS_LOG_FORMAT").as_deref() == Ok("json") {
        fmt().json().with_env_filter(filter).init();
    } else {
        fmt().with_env_filter(filter).init();
    }
}
