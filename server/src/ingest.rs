//! Group commit for heartbeats. Handlers queue what they received and wait; a writer task
//! takes everything queued (up to [`health::MAX_BATCH`]) and records it in one transaction,
//! while the next batch queues. No timer: a lone heartbeat is written at once, and under load
//! the batches grow by themselves to what one transaction's round trip leaves time for.
//!
//! SQLite has one writer at a time, so one writer task; on PostgreSQL a few, so that one
//! batch's round trips to the server overlap another's (their row locks are taken in one order,
//! see `health::record_heartbeats`).

use app::server::service::health::{self, Received, Verdict};
use app::server::Changes;
use governor::clock::{Clock, DefaultClock};
use governor::DefaultKeyedRateLimiter;
use sea_orm::{DatabaseBackend, DatabaseConnection};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot, Mutex};

/// Heartbeats waiting for the writer at most; handlers wait to queue beyond it.
const QUEUE: usize = 4 * health::MAX_BATCH;

/// The queue to the heartbeat writer. Clones share it; the writer stops when the last is dropped.
#[derive(Clone)]
pub struct Ingest {
    queue: mpsc::Sender<Job>,
}

struct Job {
    received: Received,
    /// `None` when the batch failed: nothing of it is stored.
    reply: oneshot::Sender<Option<Verdict>>,
}

/// A heartbeat's rate, per room once its credential names one.
pub type RoomRate = Arc<DefaultKeyedRateLimiter<app::domain::ids::RoomId>>;

impl Ingest {
    /// Starts the writers on the current Tokio runtime.
    pub fn start(db: DatabaseConnection, rate: RoomRate, changes: Changes) -> Self {
        let writers = match db.get_database_backend() {
            DatabaseBackend::Postgres => 4,
            _ => 1,
        };
        let (queue, jobs) = mpsc::channel(QUEUE);
        let jobs = Arc::new(Mutex::new(jobs));
        for _ in 0..writers {
            let writer = write(jobs.clone(), db.clone(), rate.clone(), changes.clone());
            tokio::spawn(writer);
        }
        Self { queue }
    }

    /// Records one heartbeat with whatever else is queued; `None` if it could not be stored.
    pub async fn record(&self, received: Received) -> Option<Verdict> {
        let (reply, verdict) = oneshot::channel();
        self.queue.send(Job { received, reply }).await.ok()?;
        verdict.await.ok().flatten()
    }
}

async fn write(
    queue: Arc<Mutex<mpsc::Receiver<Job>>>,
    db: DatabaseConnection,
    rate: RoomRate,
    changes: Changes,
) {
    let mut jobs = Vec::with_capacity(health::MAX_BATCH);
    // One writer takes from the queue at a time, everything there is; the others are writing.
    while queue
        .lock()
        .await
        .recv_many(&mut jobs, health::MAX_BATCH)
        .await
        > 0
    {
        let (received, replies): (Vec<Received>, Vec<_>) =
            jobs.drain(..).map(|j| (j.received, j.reply)).unzip();
        let admit = |room| {
            rate.check_key(&room).map_err(|not_until| {
                not_until
                    .wait_time_from(DefaultClock::default().now())
                    .as_secs()
                    .saturating_add(1)
            })
        };
        match health::record_heartbeats(&db, &received, chrono::Utc::now(), admit).await {
            Ok(batch) => {
                for org in batch.changed {
                    changes.incidents_changed(org);
                }
                for (reply, verdict) in replies.into_iter().zip(batch.verdicts) {
                    // A handler that stopped waiting (its client left) needs no answer.
                    let _ = reply.send(Some(verdict));
                }
            }
            Err(e) => {
                tracing::error!(error = %e, heartbeats = received.len(), "heartbeat batch failed");
                for reply in replies {
                    let _ = reply.send(None);
                }
            }
        }
    }
}
