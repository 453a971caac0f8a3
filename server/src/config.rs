//! Configuration from environment variables, with defaults for the embedded mode (SQLite file,
//! demo seed, local identity provider). Every variable is listed in the README.

use anyhow::Context;
use axum::http::HeaderName;
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection};
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct Config {
    /// `DATABASE_URL`: `sqlite://rooms.db?mode=rwc` by default; `postgres://…` for PostgreSQL.
    pub database_url: String,
    /// `ROOMS_PUBLIC_URL`: the address users open, for the OIDC redirect URI, cookies and the
    /// same-origin check of state-changing requests.
    pub public_url: url::Url,
    /// `ROOMS_SEED_DEMO`: seed the demo organisations into an empty database (default `true`).
    pub seed_demo: bool,
    /// `ROOMS_SESSION_IDLE_MINUTES`: a session unused this long ends (default 60).
    pub session_idle: chrono::Duration,
    /// `ROOMS_LOGIN_RATE_PER_MINUTE`: sign-in requests a minute per client (default 30).
    pub login_per_minute: u32,
    /// `ROOMS_AGENT_RATE_PER_MINUTE`: enrollments a minute per client address (default 60).
    /// Heartbeats are limited per device (`heartbeat_per_minute`).
    pub agent_per_minute: u32,
    /// `ROOMS_HEARTBEAT_RATE_PER_MINUTE`: heartbeats a minute per room's device (default 12,
    /// one every five seconds on average).
    pub heartbeat_per_minute: u32,
    /// `ROOMS_CLIENT_IP_HEADER`: behind a reverse proxy, the header it puts the client address in
    /// (`X-Forwarded-For`); the rate limits then count per client, not per proxy. Unset: the
    /// peer address (never trust such a header without a proxy that sets it).
    pub client_ip_header: Option<HeaderName>,
    /// `ROOMS_HEADER_READ_TIMEOUT_SECS`: a client must send its request headers within this
    /// time, and an idle kept-alive connection is closed after it (default 15).
    pub header_read_timeout: Duration,
    /// `ROOMS_OFFLINE_CHECK_SECS`: how often each instance looks for rooms silent past their
    /// organisation's offline threshold (default 30).
    pub offline_check: Duration,
}

impl Config {
    /// The defaults, for the portal at `public_url` (also what tests start from).
    pub fn new(public_url: url::Url) -> Self {
        Self {
            database_url: "sqlite://rooms.db?mode=rwc".to_owned(),
            public_url,
            seed_demo: true,
            session_idle: chrono::Duration::minutes(60),
            login_per_minute: 30,
            agent_per_minute: 60,
            heartbeat_per_minute: 12,
            client_ip_header: None,
            header_read_timeout: Duration::from_secs(15),
            offline_check: Duration::from_secs(30),
        }
    }

    pub fn from_env() -> anyhow::Result<Self> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let public_url =
            var("ROOMS_PUBLIC_URL").unwrap_or_else(|| "http://127.0.0.1:3000".to_owned());
        let mut config =
            Self::new(url::Url::parse(&public_url).context("ROOMS_PUBLIC_URL is not a URL")?);
        if let Some(url) = var("DATABASE_URL") {
            config.database_url = url;
        }
        config.seed_demo = match var("ROOMS_SEED_DEMO").as_deref() {
            None | Some("true") | Some("1") | Some("yes") => true,
            Some("false") | Some("0") | Some("no") => false,
            Some(other) => {
                anyhow::bail!("ROOMS_SEED_DEMO must be true or false, not {other:?}")
            }
        };
        let positive = |name: &str, default: u32, max: u32| -> anyhow::Result<u32> {
            match var(name) {
                None => Ok(default),
                Some(v) => match v.trim().parse::<u32>() {
                    Ok(n) if (1..=max).contains(&n) => Ok(n),
                    _ => anyhow::bail!("{name} must be a whole number from 1 to {max}, not {v:?}"),
                },
            }
        };
        config.session_idle =
            chrono::Duration::minutes(positive("ROOMS_SESSION_IDLE_MINUTES", 60, 24 * 60)?.into());
        config.login_per_minute = positive("ROOMS_LOGIN_RATE_PER_MINUTE", 30, 100_000)?;
        config.agent_per_minute = positive("ROOMS_AGENT_RATE_PER_MINUTE", 60, 100_000)?;
        config.heartbeat_per_minute = positive("ROOMS_HEARTBEAT_RATE_PER_MINUTE", 12, 100_000)?;
        config.offline_check =
            Duration::from_secs(positive("ROOMS_OFFLINE_CHECK_SECS", 30, 3600)?.into());
        config.header_read_timeout =
            Duration::from_secs(positive("ROOMS_HEADER_READ_TIMEOUT_SECS", 15, 3600)?.into());
        config.client_ip_header = var("ROOMS_CLIENT_IP_HEADER")
            .map(|h| {
                HeaderName::from_bytes(h.trim().as_bytes())
                    .with_context(|| format!("ROOMS_CLIENT_IP_HEADER is not a header name: {h:?}"))
            })
            .transpose()?;
        Ok(config)
    }

    /// The session cookie. Over HTTPS with the `__Host-` prefix: the browser then only accepts
    /// it `Secure`, for `/` and from this host exactly (no `Domain`), so a sibling subdomain
    /// cannot plant or overwrite it.
    pub fn session_cookie(&self) -> &'static str {
        if self.secure_cookies() {
            "__Host-rooms_session"
        } else {
            "rooms_session"
        }
    }

    /// The cookie binding a sign-in in flight to this browser, prefixed like the session's.
    pub fn login_cookie(&self) -> &'static str {
        if self.secure_cookies() {
            "__Host-rooms_login"
        } else {
            "rooms_login"
        }
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

/// Connections of a SQLite file's pool: more than the cores, so reads in flight overlap.
const SQLITE_CONNECTIONS: u32 = 8;

/// Opens the pool. An in-memory SQLite database lives per connection, so it gets exactly one
/// (as `startup.rs` knows it: `:memory:` or `mode=memory`).
pub async fn connect(url: &str) -> anyhow::Result<DatabaseConnection> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    if url.starts_with("sqlite:") && (url.contains(":memory:") || url.contains("mode=memory")) {
        options.max_connections(1);
    } else if url.starts_with("sqlite:") {
        sqlite_wal(url).await?;
        // SeaORM gives a SQLite pool one connection unless told otherwise, which made every
        // query of every request wait for that one: the portal used one core of two. In WAL
        // mode readers do not wait for each other or for the writer; writers queue for the
        // write lock (`service::begin_write`).
        options.max_connections(SQLITE_CONNECTIONS);
        // A commit does not wait for the disk twice: a power cut may lose the last moments'
        // writes, never the file's consistency. (Per connection, unlike the journal mode.)
        options.map_sqlx_sqlite_opts(|o| {
            o.synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
        });
    }
    Database::connect(options)
        .await
        .with_context(|| format!("connecting to the database ({})", redact(url)))
}

/// Puts a SQLite file in WAL mode, so readers do not wait for the writer. The mode is kept in
/// the file, so it is set once here rather than by every pooled connection: switching needs an
/// exclusive lock that SQLite's busy timeout does not wait for, and two processes opening a new
/// file at the same moment would otherwise refuse each other ("database is locked").
async fn sqlite_wal(url: &str) -> anyhow::Result<()> {
    let mut options = ConnectOptions::new(url.to_owned());
    options.max_connections(1).sqlx_logging(false);
    let db = Database::connect(options)
        .await
        .with_context(|| format!("connecting to the database ({})", redact(url)))?;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let result = loop {
        match db.execute_unprepared("PRAGMA journal_mode = WAL").await {
            Ok(_) => break Ok(()),
            Err(_) if std::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => break Err(e).context("putting the SQLite database in WAL mode"),
        }
    };
    let _ = db.close().await;
    result
}

/// Whether the site's JS, WASM and CSS carry hashed names. A build with `hash-files` (see
/// Cargo.toml) leaves `hash.txt` beside the server binary, and Leptos finds the names there;
/// `LEPTOS_HASH_FILES` overrides. Checked at start, because Leptos panics on the first page
/// when it is told to hash without the file.
pub fn hashed_assets(setting: Option<String>) -> anyhow::Result<bool> {
    let file = std::env::current_exe()
        .context("locating the server binary")?
        .with_file_name("hash.txt");
    match setting.as_deref().map(str::trim) {
        None | Some("") => Ok(file.exists()),
        Some("false") => Ok(false),
        Some("true") if file.exists() => Ok(true),
        Some("true") => anyhow::bail!(
            "LEPTOS_HASH_FILES=true, but {} is missing: build with `cargo leptos build`",
            file.display()
        ),
        Some(other) => anyhow::bail!("LEPTOS_HASH_FILES must be true or false, not {other:?}"),
    }
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

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;

    /// Pools opened together on a new SQLite file all connect, and the file is in WAL mode.
    /// (Two processes racing for the switch are tested by `tests/multi_instance.rs`.)
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn pools_opened_together_on_a_new_sqlite_file_connect_in_wal_mode() {
        let dir = std::env::temp_dir().join(format!("rooms-wal-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        let url = format!("sqlite://{}?mode=rwc", dir.join("rooms.db").display());
        let opened = futures_util::future::join_all((0..8).map(|_| connect(&url))).await;
        for db in opened {
            let db = db.expect("every instance connects");
            let mode = db
                .query_one_raw(sea_orm::Statement::from_string(
                    db.get_database_backend(),
                    "PRAGMA journal_mode",
                ))
                .await
                .expect("the journal mode")
                .and_then(|row| row.try_get_by_index::<String>(0).ok());
            assert_eq!(mode.as_deref(), Some("wal"));
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Two instances on one SQLite file, each with its pool of several connections, run write
    /// transactions that read before they write, all at once: each waits its turn, none is
    /// refused, and each saw the one before it. With a plain `BEGIN` most of them failed with
    /// "database is locked".
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn write_transactions_on_one_sqlite_file_wait_their_turn() {
        use app::server::service::begin_write;
        use sea_orm::ConnectionTrait;
        let dir = std::env::temp_dir().join(format!("rooms-tx-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        let url = format!("sqlite://{}?mode=rwc", dir.join("rooms.db").display());
        let (a, b) = (
            connect(&url).await.expect("a"),
            connect(&url).await.expect("b"),
        );
        a.execute_unprepared("CREATE TABLE counter (n INTEGER NOT NULL UNIQUE)")
            .await
            .expect("a table");
        let writers = (0..32).map(|i| {
            let db = if i % 2 == 0 { a.clone() } else { b.clone() };
            tokio::spawn(async move {
                let tx = begin_write(&db).await?;
                let last = tx
                    .query_one_raw(sea_orm::Statement::from_string(
                        tx.get_database_backend(),
                        "SELECT COALESCE(MAX(n), 0) FROM counter",
                    ))
                    .await?
                    .and_then(|row| row.try_get_by_index::<i64>(0).ok())
                    .unwrap_or_default();
                tx.execute_unprepared(&format!("INSERT INTO counter (n) VALUES ({})", last + 1))
                    .await?;
                tx.commit().await
            })
        });
        for result in futures_util::future::join_all(writers).await {
            result
                .expect("the task ran")
                .expect("the write went through");
        }
        let count = a
            .query_one_raw(sea_orm::Statement::from_string(
                a.get_database_backend(),
                "SELECT COUNT(*), MAX(n) FROM counter",
            ))
            .await
            .expect("the count")
            .map(|row| {
                (
                    row.try_get_by_index::<i64>(0).expect("count"),
                    row.try_get_by_index::<i64>(1).expect("max"),
                )
            });
        assert_eq!(count, Some((32, 32)));
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// An in-memory database named by `mode=memory` is one database, seen by every query: it
    /// lives per connection, so its pool keeps one.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_in_memory_database_by_mode_is_one_database() {
        use sea_orm::ConnectionTrait;
        let db = connect("sqlite://rooms-memory?mode=memory")
            .await
            .expect("connects");
        db.execute_unprepared("CREATE TABLE seen (n INTEGER)")
            .await
            .expect("a table");
        let reads = (0..16).map(|_| {
            let db = db.clone();
            tokio::spawn(async move { db.execute_unprepared("SELECT n FROM seen").await })
        });
        for read in futures_util::future::join_all(reads).await {
            read.expect("the task ran").expect("the table is there");
        }
    }

    /// Hashed names follow the build's `hash.txt`; told to hash without it, the server refuses
    /// to start instead of panicking on the first page.
    #[test]
    fn hashed_asset_names_follow_the_builds_hash_file() {
        let file = std::env::current_exe()
            .expect("the test binary")
            .with_file_name("hash.txt");
        let _ = std::fs::remove_file(&file);
        assert!(!hashed_assets(None).expect("no file, no hashing"));
        assert!(hashed_assets(Some("true".into())).is_err());
        assert!(hashed_assets(Some("yes".into())).is_err());
        std::fs::write(&file, "js: abc\nwasm: abc\ncss: abc\n").expect("a hash file");
        assert!(hashed_assets(None).expect("the file says hash"));
        assert!(hashed_assets(Some("true".into())).expect("asked and there"));
        assert!(!hashed_assets(Some("false".into())).expect("turned off"));
        std::fs::remove_file(&file).expect("cleaned up");
    }
}
