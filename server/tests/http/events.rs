//! `/api/events` from outside: who may follow an organisation's incidents live, and that a
//! device's heartbeat through the agent API reaches a follower of its organisation and no one
//! else's.

use super::heartbeats::{ago, enrolled, signals};
use super::*;
use futures_util::StreamExt;
use std::time::Duration;

async fn follow(h: &Harness, cookie: Option<&str>, query: &str) -> axum::response::Response {
    let mut request = Request::get(format!("/api/events{query}"));
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, format!("{}={cookie}", h.session_cookie()));
    }
    h.send(request.body(Body::empty()).unwrap()).await
}

/// The next event's name within `wait`, skipping keep-alive comments.
async fn next_event(body: &mut axum::body::BodyDataStream, wait: Duration) -> Option<String> {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let chunk = tokio::time::timeout_at(deadline, body.next())
            .await
            .ok()??
            .ok()?;
        let text = String::from_utf8_lossy(&chunk).into_owned();
        if let Some(name) = text.lines().find_map(|l| l.strip_prefix("event: ")) {
            return Some(name.to_owned());
        }
    }
}

#[tokio::test]
async fn following_an_organisations_incidents_is_allowed_like_reading_them() {
    let h = harness().await;
    let contoso = h.org("Contoso").await;
    let at = |org: OrgId| format!("?org={org}");
    assert_eq!(
        follow(&h, None, &at(contoso)).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let omar = h.session_of("omar@contoso.com").await;
    assert_eq!(
        follow(&h, Some(&omar), &at(contoso)).await.status(),
        StatusCode::FORBIDDEN,
        "a member without tickets"
    );
    let hal = h.session_of("hal@northwind-msp.eu").await;
    assert_eq!(
        follow(&h, Some(&hal), &at(contoso)).await.status(),
        StatusCode::NOT_FOUND,
        "a partner's user with no role in Contoso"
    );
    let paul = h.session_of("paul@fabrikam.com").await;
    assert_eq!(
        follow(&h, Some(&paul), "").await.status(),
        StatusCode::FORBIDDEN,
        "all customers, for an organisation that manages none"
    );
    let grace = h.session_of("grace@contoso.com").await;
    let allowed = follow(&h, Some(&grace), &at(contoso)).await;
    assert_eq!(allowed.status(), StatusCode::OK);
    assert_eq!(allowed.headers()[header::CONTENT_TYPE], "text/event-stream");
    let garbage = follow(&h, Some(&grace), "?org=not-a-uuid").await;
    assert_eq!(garbage.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_devices_incident_reaches_its_organisations_followers_only() {
    let h = harness().await;
    let (grace, contoso, _, token) = enrolled(&h, "live-room@contoso.com").await;
    let fabrikam = h.org("Fabrikam").await;
    let mut contoso_feed = follow(&h, Some(&grace), &format!("?org={contoso}"))
        .await
        .into_body()
        .into_data_stream();
    let pia = h.session_of("pia@northwindmsp.com").await;
    let mut fabrikam_feed = follow(&h, Some(&pia), &format!("?org={fabrikam}"))
        .await
        .into_body()
        .into_data_stream();

    let beat = |camera: &'static str| {
        Request::post("/api/agent/v1/heartbeat")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::from(
                signals(&ago(0), &[("camera", camera)]).to_string(),
            ))
            .unwrap()
    };
    assert_eq!(h.send(beat("error")).await.status(), StatusCode::ACCEPTED);
    assert_eq!(
        next_event(&mut contoso_feed, Duration::from_secs(5))
            .await
            .as_deref(),
        Some("incidents")
    );
    assert_eq!(
        next_event(&mut fabrikam_feed, Duration::from_millis(1500)).await,
        None,
        "Fabrikam's follower hears nothing of Contoso"
    );
    // A heartbeat that changes no incident is no event.
    assert_eq!(h.send(beat("error")).await.status(), StatusCode::ACCEPTED);
    assert_eq!(
        next_event(&mut contoso_feed, Duration::from_millis(1500)).await,
        None
    );
}
