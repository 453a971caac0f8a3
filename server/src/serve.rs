//! The accept loop. `axum::serve` cannot bound how long a client may take to send its request
//! headers, so a client that opens connections and never finishes a request would hold them
//! forever. Here hyper's own HTTP/1 header-read timeout closes such connections, and, since
//! hyper starts that timer whenever it waits for the next request, idle keep-alive connections
//! too.
//!
//! HTTP/1.1 only. Browsers speak HTTP/2 only over TLS, which a reverse proxy terminates and
//! forwards as HTTP/1.1; serving cleartext HTTP/2 as well would mean sniffing the protocol
//! first (hyper-util's `auto`), and that wait has no timeout: a client that connects and sends
//! fewer than 24 bytes would again hold its connection forever.

use crate::routes::{router, AppState};
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use std::future::Future;
use std::time::Duration;
use tokio::net::TcpListener;
use tower::ServiceExt;

/// How long open requests may take to finish once shutdown starts.
const DRAIN: Duration = Duration::from_secs(30);

/// Serves the portal on `listener` until `shutdown` completes, then lets open requests finish
/// (at most `DRAIN`).
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    let header_timeout = state.config.header_read_timeout;
    crate::limits::spawn_cleanup(state.limits.all());
    let app = router(state);
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Small responses must not wait for the client's delayed ACK (Nagle).
        if let Err(e) = stream.set_nodelay(true) {
            tracing::debug!(error = %e, "cannot set TCP_NODELAY");
        }
        let app = app.clone();
        // The peer address, for the rate limits (as `into_make_service_with_connect_info`).
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            app.clone().oneshot(request)
        });
        let connection = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(%peer, error = %e, "connection closed with an error");
            }
        });
    }
    drop(listener);
    tracing::info!("shutting down");
    if tokio::time::timeout(DRAIN, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still open after {DRAIN:?}; closing them");
    }
    Ok(())
}
