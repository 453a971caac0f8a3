//! Start-up work done once per database however many instances start together (a rolling
//! deploy, two replicas, an operator command during a start): migrations and the demo seed run
//! under a lock every instance takes first, so the others wait and then find the work done.
//! PostgreSQL: an advisory lock held by a transaction on one pooled connection. SQLite: an
//! exclusive lock on a file beside the database.

use crate::demo;
use anyhow::Context;
use migrations::MigratorTrait;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, TransactionTrait,
};

/// The advisory lock's key: "RoomsMTM" in ASCII, so it is recognisable in `pg_locks`.
const LOCK_KEY: i64 = 0x526f_6f6d_734d_544d;

/// Runs pending migrations and, when `seed_demo`, seeds the demo into an empty database; both
/// exactly once across every process doing the same at the same time.
pub async fn prepare_database(
    db: &DatabaseConnection,
    url: &str,
    seed_demo: bool,
) -> anyhow::Result<()> {
    let lock = StartupLock::acquire(db, url).await?;
    let work = async {
        migrations::Migrator::up(db, None)
            .await
            .context("running migrations")?;
        if seed_demo {
            demo::seed_if_empty(db, chrono::Utc::now()).await?;
        }
        anyhow::Ok(())
    }
    .await;
    lock.release().await?;
    work
}

enum StartupLock {
    /// The transaction owns its connection until it ends, and the lock lives as long as the
    /// transaction: a pool cannot hand the lock's session to someone else, and a crash (the
    /// connection closes) releases it.
    Postgres(DatabaseTransaction),
    /// Closing the file (or the process ending) releases the lock.
    SqliteFile(std::fs::File),
    /// An in-memory SQLite database belongs to this process alone.
    None,
}

impl StartupLock {
    async fn acquire(db: &DatabaseConnection, url: &str) -> anyhow::Result<Self> {
        match db.get_database_backend() {
            DbBackend::Postgres => {
                let tx = db.begin().await?;
                tx.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({LOCK_KEY})"))
                    .await
                    .context("waiting for the start-up lock")?;
                Ok(Self::Postgres(tx))
            }
            DbBackend::Sqlite if url.contains(":memory:") || url.contains("mode=memory") => {
                Ok(Self::None)
            }
            DbBackend::Sqlite => {
                // A file of its own: opening and closing the database file itself would drop
                // SQLite's own POSIX locks on it.
                let mut path = db
                    .get_sqlite_connection_pool()
                    .connect_options()
                    .get_filename()
                    .as_os_str()
                    .to_owned();
                path.push(".startup-lock");
                let file = tokio::task::spawn_blocking(move || {
                    let file = std::fs::OpenOptions::new()
                        .create(true)
                        .truncate(false)
                        .write(true)
                        .open(&path)
                        .with_context(|| format!("opening {}", path.to_string_lossy()))?;
                    file.lock()
                        .with_context(|| format!("locking {}", path.to_string_lossy()))?;
                    anyhow::Ok(file)
                })
                .await??;
                Ok(Self::SqliteFile(file))
            }
            other => anyhow::bail!("unsupported database backend {other:?}"),
        }
    }

    async fn release(self) -> anyhow::Result<()> {
        match self {
            Self::Postgres(tx) => tx.commit().await.context("releasing the start-up lock"),
            Self::SqliteFile(file) => file.unlock().context("releasing the start-up lock"),
            Self::None => Ok(()),
        }
    }
}
