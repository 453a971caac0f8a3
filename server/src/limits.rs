//! Per-client rate limits (GCRA, `governor` through `tower_governor`) on the routes anyone can
//! call without a session: sign-in, which writes a row and calls the issuer, and the device
//! agent API. Clients are told when to come back (`Retry-After`).

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, HeaderName, HeaderValue, Request, Response, StatusCode};
use governor::middleware::NoOpMiddleware;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tower_governor::governor::{GovernorConfig, GovernorConfigBuilder};
use tower_governor::key_extractor::KeyExtractor;
use tower_governor::{GovernorError, GovernorLayer};

/// The client a request is counted against: the peer address, or, behind a reverse proxy
/// that says so (`ROOMS_CLIENT_IP_HEADER`), the address that proxy appended last to the named
/// header. Only the last entry: the ones before it are whatever the client claimed.
#[derive(Clone, Debug)]
pub struct ClientIp {
    header: Option<HeaderName>,
}

impl ClientIp {
    fn forwarded<T>(&self, request: &Request<T>) -> Option<IpAddr> {
        let name = self.header.as_ref()?;
        let last = request
            .headers()
            .get_all(name)
            .iter()
            .next_back()?
            .to_str()
            .ok()?
            .rsplit(',')
            .next()?
            .trim();
        last.parse::<IpAddr>()
            .ok()
            .or_else(|| last.parse::<SocketAddr>().ok().map(|a| a.ip()))
    }
}

impl KeyExtractor for ClientIp {
    type Key = IpAddr;

    fn extract<T>(&self, request: &Request<T>) -> Result<IpAddr, GovernorError> {
        if let Some(ip) = self.forwarded(request) {
            return Ok(client_network(ip));
        }
        // The server always records the peer (`serve`); without it, one shared bucket is the
        // safe side.
        Ok(request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(peer)| client_network(peer.ip()))
            .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)))
    }
}

/// What one client is: an IPv4 address, or an IPv6 /64. A single IPv6 host is usually given a
/// whole /64 and could otherwise take a fresh address, and a fresh budget, for every request.
fn client_network(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(std::net::Ipv6Addr::from(
                u128::from(v6) & !u128::from(u64::MAX),
            )),
        },
    }
}

pub type Limit = Arc<GovernorConfig<ClientIp, NoOpMiddleware>>;

/// `per_minute` requests a minute per client, all of them at once at most.
pub fn limit(per_minute: u32, client_ip_header: Option<HeaderName>) -> Option<Limit> {
    let per_minute = per_minute.max(1);
    GovernorConfigBuilder::default()
        .period(Duration::from_secs(60) / per_minute)
        .burst_size(per_minute)
        .key_extractor(ClientIp {
            header: client_ip_header,
        })
        .finish()
        .map(Arc::new)
}

/// How the refusal reads: plain text for the sign-in form, JSON for the agent API.
#[derive(Clone, Copy)]
pub enum Audience {
    Browser,
    Agent,
}

pub fn layer(limit: &Limit, audience: Audience) -> GovernorLayer<ClientIp, NoOpMiddleware, Body> {
    GovernorLayer::new(limit.clone()).error_handler(move |error| refusal(error, audience))
}

fn refusal(error: GovernorError, audience: Audience) -> Response<Body> {
    let wait = match error {
        // Whole seconds, rounded up: coming back on the dot must not be refused again.
        GovernorError::TooManyRequests { wait_time, .. } => wait_time.saturating_add(1),
        other => {
            tracing::error!(error = %other, "rate limit failed");
            1
        }
    };
    tracing::warn!(wait, "rate limit reached");
    let (content_type, body) = match audience {
        Audience::Browser => (
            "text/plain; charset=utf-8",
            format!("Too many sign-in attempts from your network. Try again in {wait} seconds."),
        ),
        Audience::Agent => (
            "application/json",
            serde_json::json!({
                "error": "rate_limited",
                "message": format!("Too many requests; retry after {wait} seconds."),
            })
            .to_string(),
        ),
    };
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    let headers = response.headers_mut();
    headers.insert(header::RETRY_AFTER, HeaderValue::from(wait));
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// Forgets clients that have not been seen for a while, so the limiters' memory follows the
/// number of recent clients, not of all clients ever.
pub fn spawn_cleanup(limits: Vec<Limit>) {
    tokio::spawn(async move {
        let mut every_minute = tokio::time::interval(Duration::from_secs(60));
        loop {
            every_minute.tick().await;
            for limit in &limits {
                limit.limiter().retain_recent();
                limit.limiter().shrink_to_fit();
            }
        }
    });
}
