//! Rate limits, the real server's connection handling (slow and idle clients, peer addresses,
//! shutdown), the panic guard and the configurable idle timeout of sessions.

use super::*;
use app::server::entity::session;
use axum::response::Response;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn login_from_unknown_domain(h: &Harness) -> Request<Body> {
    Request::post("/auth/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, h.origin())
        .body(Body::from("email=someone%40unknown-example.org&next=%2F"))
        .unwrap()
}

fn retry_after(response: &Response) -> u64 {
    response.headers()[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn sign_in_is_limited_per_client_with_retry_after() {
    let mut config = test_config(PORTAL);
    config.login_per_minute = 3;
    let h = harness_with(config).await;
    let first: SocketAddr = "192.0.2.1:40000".parse().unwrap();
    for _ in 0..3 {
        let response = h.send_from(login_from_unknown_domain(&h), first).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
    }
    let response = h.send_from(login_from_unknown_domain(&h), first).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    // One request every 20 s comes back.
    let wait = retry_after(&response);
    assert!((1..=21).contains(&wait), "Retry-After {wait}");
    let text = body_text(response).await;
    assert!(text.contains("Try again in"), "{text}");
    // Another client, or another port of the same client, is counted apart / together.
    let other: SocketAddr = "192.0.2.2:40000".parse().unwrap();
    let response = h.send_from(login_from_unknown_domain(&h), other).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let same_host: SocketAddr = "192.0.2.1:40001".parse().unwrap();
    let response = h.send_from(login_from_unknown_domain(&h), same_host).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    // An IPv6 client is its /64: another address in it shares the budget, another /64 does not.
    let v6: SocketAddr = "[2001:db8:1:2::1]:40000".parse().unwrap();
    for _ in 0..3 {
        let response = h.send_from(login_from_unknown_domain(&h), v6).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
    }
    let same_network: SocketAddr = "[2001:db8:1:2:ffff::9]:40000".parse().unwrap();
    let response = h
        .send_from(login_from_unknown_domain(&h), same_network)
        .await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let next_network: SocketAddr = "[2001:db8:1:3::1]:40000".parse().unwrap();
    let response = h
        .send_from(login_from_unknown_domain(&h), next_network)
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    // Pages and the callback are not counted.
    assert_eq!(
        h.send_from(Request::get("/login").body(Body::empty()).unwrap(), first)
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn behind_a_proxy_the_limit_counts_the_address_it_appended() {
    let mut config = test_config(PORTAL);
    config.login_per_minute = 2;
    config.client_ip_header = Some(axum::http::HeaderName::from_static("x-forwarded-for"));
    let h = harness_with(config).await;
    let proxy: SocketAddr = "10.0.0.1:5000".parse().unwrap();
    let from = |client: &str, claimed: &str| {
        let mut r = login_from_unknown_domain(&h);
        r.headers_mut().insert(
            "x-forwarded-for",
            format!("{claimed}, {client}").parse().unwrap(),
        );
        r
    };
    for claimed in ["1.1.1.1", "2.2.2.2"] {
        let response = h.send_from(from("203.0.113.5", claimed), proxy).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
    }
    // What the client claimed before the proxy's entry changes nothing.
    let response = h.send_from(from("203.0.113.5", "3.3.3.3"), proxy).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    // Another client behind the same proxy has its own quota.
    let response = h.send_from(from("203.0.113.6", "1.1.1.1"), proxy).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_agent_api_is_limited_per_client_with_a_json_answer() {
    let mut config = test_config(PORTAL);
    config.agent_per_minute = 2;
    let h = harness_with(config).await;
    let body = json!({"enrollment_key": "rek_wrong", "resource_account": "a@contoso.com",
                      "display_name": "A", "platform": "android"})
    .to_string()
    .into_bytes();
    for _ in 0..2 {
        let (status, _, _) = h
            .post_raw(
                "/api/agent/v1/enroll",
                Some("application/json"),
                body.clone(),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let response = h
        .send(
            Request::post("/api/agent/v1/enroll")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(retry_after(&response) >= 1);
    let value: Value = serde_json::from_str(&body_text(response).await).unwrap();
    assert_eq!(value["error"], "rate_limited");
    assert!(value["message"].is_string());
}

#[tokio::test]
async fn heartbeats_of_a_sites_rooms_behind_one_address_are_limited_per_device_only() {
    let mut config = test_config(PORTAL);
    config.agent_per_minute = 2;
    let h = harness_with(config).await;
    let (_, _, _, token) = super::heartbeats::enrolled(&h, "site-room@contoso.com").await;
    // Five heartbeats from the one address that may enroll twice a minute: each is the
    // device's, within its own quota.
    for _ in 0..5 {
        let response = h
            .send(
                Request::post("/api/agent/v1/heartbeat")
                    .header(header::CONTENT_TYPE, "application/json")
                    .header(header::AUTHORIZATION, format!("Bearer {token}"))
                    .body(Body::from(
                        super::heartbeats::signals(&super::heartbeats::ago(0), &[("camera", "ok")])
                            .to_string(),
                    ))
                    .unwrap(),
            )
            .await;
        assert_eq!(response.status(), StatusCode::ACCEPTED);
    }
}

async fn body_text(response: Response) -> String {
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The real server on 127.0.0.1, stopped when the returned sender is dropped or fired.
async fn start(
    h: &Harness,
) -> (
    SocketAddr,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let state = h.state.clone();
    let task = tokio::spawn(async move {
        server::serve::serve(listener, state, async {
            let _ = stopped.await;
        })
        .await
        .unwrap();
    });
    (addr, stop, task)
}

/// Reads until the server closes the connection; what it sent and how long that took.
async fn until_closed(stream: &mut tokio::net::TcpStream, limit: Duration) -> (String, Duration) {
    let started = Instant::now();
    let mut received = Vec::new();
    let mut buf = [0u8; 4096];
    let read_all = async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&buf[..n]),
            }
        }
    };
    assert!(
        tokio::time::timeout(limit, read_all).await.is_ok(),
        "the connection was still open after {limit:?}"
    );
    (
        String::from_utf8_lossy(&received).into_owned(),
        started.elapsed(),
    )
}

#[tokio::test]
async fn slow_and_idle_connections_are_closed_and_requests_are_served() {
    let mut config = test_config(PORTAL);
    config.header_read_timeout = Duration::from_secs(1);
    config.login_per_minute = 2;
    let h = harness_with(config).await;
    let (addr, stop, task) = start(&h).await;

    // Headers that never finish.
    let mut slow = tokio::net::TcpStream::connect(addr).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        .await
        .unwrap();
    let (_, took) = until_closed(&mut slow, Duration::from_secs(5)).await;
    assert!(took >= Duration::from_millis(900), "closed after {took:?}");

    // Not even a request line.
    let mut silent = tokio::net::TcpStream::connect(addr).await.unwrap();
    until_closed(&mut silent, Duration::from_secs(5)).await;

    // A request is answered, then the idle kept-alive connection is closed.
    let mut idle = tokio::net::TcpStream::connect(addr).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .unwrap();
    let (answer, _) = until_closed(&mut idle, Duration::from_secs(5)).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("ok"), "{answer}");

    // The peer address reaches the rate limit through the real server.
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let body = "email=someone%40unknown-example.org";
        let request = format!(
            "POST /auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: {PORTAL}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        let (answer, _) = until_closed(&mut stream, Duration::from_secs(5)).await;
        statuses.push(answer.lines().next().unwrap_or_default().to_owned());
    }
    assert_eq!(
        statuses,
        [
            "HTTP/1.1 303 See Other",
            "HTTP/1.1 303 See Other",
            "HTTP/1.1 429 Too Many Requests"
        ]
    );

    // Shutdown stops accepting and returns.
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .expect("the server stops")
        .unwrap();
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

#[tokio::test]
async fn a_panic_becomes_a_logged_500_with_the_security_headers() {
    let h = harness().await;
    let boom = axum::Router::new().route(
        "/boom",
        axum::routing::get(|| async {
            let empty: Vec<u8> = Vec::new();
            // A bug of the kind the guard is for.
            let _ = empty[1];
            "unreachable"
        }),
    );
    let app = server::harden(boom, &h.state);
    let response = app
        .oneshot(Request::get("/boom").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    assert!(body_text(response).await.contains("Something went wrong"));
}

#[tokio::test]
async fn the_idle_timeout_is_configurable_and_use_extends_the_session() {
    let mut config = test_config(PORTAL);
    config.session_idle = chrono::Duration::minutes(5);
    let h = harness_with(config).await;
    let grace = h.user_id("grace@contoso.com").await;
    let contoso = h.org("Contoso").await;
    let started = |minutes_ago: i64| chrono::Utc::now() - chrono::Duration::minutes(minutes_ago);
    let idle = identity::create_session(&h.db, grace, contoso, None, started(6))
        .await
        .unwrap();
    let response = h.get("/rooms", Some(&idle)).await;
    assert!(location(&response).contains("error=session_ended"));

    let used = identity::create_session(&h.db, grace, contoso, None, started(4))
        .await
        .unwrap();
    assert_eq!(h.get("/rooms", Some(&used)).await.status(), StatusCode::OK);
    let last_seen = |token_started: chrono::DateTime<chrono::Utc>| {
        let db = h.db.clone();
        async move {
            session::Entity::find()
                .filter(session::Column::UserId.eq(grace))
                .all(&db)
                .await
                .unwrap()
                .into_iter()
                .filter(|s| (s.created_at - token_started).num_seconds().abs() < 2)
                .map(|s| s.last_seen_at.unwrap())
                .collect::<Vec<_>>()
        }
    };
    let seen = last_seen(started(4)).await;
    assert_eq!(seen.len(), 1);
    assert!(
        chrono::Utc::now() - seen[0] < chrono::Duration::seconds(30),
        "{seen:?}"
    );
    // Used a moment ago, so still alive where the start alone would have ended it.
    assert_eq!(h.get("/rooms", Some(&used)).await.status(), StatusCode::OK);
    let again = identity::resolve_live_session(
        &h.db,
        &used,
        chrono::Utc::now() + chrono::Duration::minutes(3),
        chrono::Duration::minutes(5),
    )
    .await
    .unwrap();
    assert!(
        again.is_some(),
        "four minutes old plus three: alive because it was used"
    );
}
