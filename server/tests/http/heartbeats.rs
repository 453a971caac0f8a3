//! The heartbeat of the device agent API (section 8) from outside: its status codes and JSON
//! errors, what a heartbeat does to the room's health, and the per-room rate.

use super::*;
use strum::IntoEnumIterator;

const HEARTBEAT: &str = "/api/agent/v1/heartbeat";

async fn beat(
    h: &Harness,
    token: Option<&str>,
    body: Value,
) -> (StatusCode, Option<String>, String, Option<String>) {
    let mut request = Request::post(HEARTBEAT).header(header::CONTENT_TYPE, "application/json");
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let response = h
        .send(request.body(Body::from(body.to_string())).unwrap())
        .await;
    let status = response.status();
    let header_of = |name| {
        response
            .headers()
            .get(name)
            .map(|v: &header::HeaderValue| v.to_str().unwrap().to_owned())
    };
    let ct = header_of(header::CONTENT_TYPE);
    let retry = header_of(header::RETRY_AFTER);
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    (
        status,
        ct,
        String::from_utf8_lossy(&bytes).into_owned(),
        retry,
    )
}

/// An RFC 3339 time `minutes` ago: sent times after the server's clock count as now.
pub(super) fn ago(minutes: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::minutes(minutes)).to_rfc3339()
}

pub(super) fn signals(sent_at: &str, pairs: &[(&str, &str)]) -> Value {
    let components: serde_json::Map<String, Value> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), json!(v)))
        .collect();
    json!({ "sent_at": sent_at, "software_version": "1.4.2", "components": components })
}

/// Enrolls a room of Contoso and returns (grace's session, Contoso, room id, device token).
pub(super) async fn enrolled(h: &Harness, account: &str) -> (String, OrgId, Value, String) {
    let contoso = h.org("Contoso").await;
    let grace = h.session_of("grace@contoso.com").await;
    let key = h
        .ok("/api/get_enrollment_key", &grace, json!({ "org": contoso }))
        .await;
    let (status, _, text) = h
        .post_raw(
            "/api/agent/v1/enroll",
            Some("application/json"),
            enroll_body(key.as_str().unwrap(), account),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{text}");
    let answer: Value = serde_json::from_str(&text).unwrap();
    let token = answer["device_token"].as_str().unwrap().to_owned();
    (grace, contoso, answer["room_id"].clone(), token)
}

async fn health(h: &Harness, grace: &str, org: OrgId, room: &Value) -> Value {
    h.ok("/api/get_room", grace, json!({ "org": org, "id": room }))
        .await["room"]["health"]
        .clone()
}

#[tokio::test]
async fn a_heartbeat_sets_the_rooms_health_and_bad_input_stores_nothing() {
    let h = harness().await;
    let (grace, contoso, room, token) = enrolled(&h, "beat-room@contoso.com").await;
    assert_eq!(health(&h, &grace, contoso, &room).await, "Unknown");

    let (status, ct, text, _) = beat(
        &h,
        Some(&token),
        signals(&ago(50), &[("camera", "error"), ("display", "ok")]),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{text}");
    assert!(ct.unwrap().starts_with("application/json"));
    assert_eq!(health(&h, &grace, contoso, &room).await, "Unhealthy");
    // Heard again: still one problem, and a warning elsewhere keeps the worst.
    let (status, ..) = beat(
        &h,
        Some(&token),
        signals(&ago(40), &[("camera", "error"), ("network", "warning")]),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(health(&h, &grace, contoso, &room).await, "Unhealthy");
    // An older heartbeat arriving late changes nothing.
    let (status, ..) = beat(
        &h,
        Some(&token),
        signals(&ago(90), &[("camera", "ok"), ("network", "ok")]),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(health(&h, &grace, contoso, &room).await, "Unhealthy");
    let (status, ..) = beat(&h, Some(&token), signals(&ago(30), &[("camera", "ok")])).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(health(&h, &grace, contoso, &room).await, "Warning");
    let (status, ..) = beat(&h, Some(&token), signals(&ago(20), &[("network", "ok")])).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(health(&h, &grace, contoso, &room).await, "Healthy");

    // Refused inputs: each a JSON error, and the room stays healthy.
    let bad = [
        (
            "no token",
            None,
            signals(&ago(10), &[("camera", "error")]),
            StatusCode::UNAUTHORIZED,
        ),
        (
            "an unknown token",
            Some("not-a-token"),
            signals(&ago(10), &[("camera", "error")]),
            StatusCode::UNAUTHORIZED,
        ),
        (
            "a bad date",
            Some(token.as_str()),
            signals("yesterday", &[("camera", "error")]),
            StatusCode::BAD_REQUEST,
        ),
        (
            "an unknown component",
            Some(token.as_str()),
            signals(&ago(10), &[("camera", "error"), ("toaster", "error")]),
            StatusCode::BAD_REQUEST,
        ),
        (
            "an unknown signal",
            Some(token.as_str()),
            signals(&ago(10), &[("camera", "broken")]),
            StatusCode::BAD_REQUEST,
        ),
        (
            "no sent_at",
            Some(token.as_str()),
            json!({ "software_version": "1", "components": { "camera": "error" } }),
            StatusCode::BAD_REQUEST,
        ),
    ];
    for (what, token, body, expected) in bad {
        let (status, ct, text, _) = beat(&h, token, body).await;
        let (status, code) = agent_error(status, ct, &text);
        assert_eq!(status, expected, "{what}: {text}");
        assert!(!code.is_empty());
    }
    assert_eq!(health(&h, &grace, contoso, &room).await, "Healthy");

    // Unenrolling revokes the credential at once.
    h.ok(
        "/api/unenroll_room",
        &grace,
        json!({ "org": contoso, "id": room }),
    )
    .await;
    let (status, ct, text, _) =
        beat(&h, Some(&token), signals(&ago(5), &[("camera", "error")])).await;
    assert_eq!(agent_error(status, ct, &text).0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_device_over_its_rate_is_told_when_to_come_back() {
    let mut config = test_config(PORTAL);
    config.heartbeat_per_minute = 2;
    let h = harness_with(config).await;
    let (_, _, _, token) = enrolled(&h, "rate-room@contoso.com").await;
    let (_, _, _, other) = enrolled(&h, "rate-room-2@contoso.com").await;
    let body = signals(&ago(50), &[("camera", "ok")]);
    for _ in 0..2 {
        assert_eq!(
            beat(&h, Some(&token), body.clone()).await.0,
            StatusCode::ACCEPTED
        );
    }
    let (status, ct, text, retry) = beat(&h, Some(&token), body.clone()).await;
    assert_eq!(
        agent_error(status, ct, &text),
        (StatusCode::TOO_MANY_REQUESTS, "rate_limited".to_owned())
    );
    assert!(
        retry
            .and_then(|r| r.parse::<u64>().ok())
            .is_some_and(|s| s >= 1),
        "{text}"
    );
    // Another room's device has a rate of its own.
    assert_eq!(beat(&h, Some(&other), body).await.0, StatusCode::ACCEPTED);
}

#[tokio::test]
async fn the_openapi_document_is_served_and_names_what_the_handlers_accept() {
    let h = harness().await;
    let response = h
        .send(
            Request::get("/api/agent/v1/openapi.json")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK, "no session needed");
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    let doc: Value = serde_json::from_slice(&bytes).unwrap();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let enroll = &doc["paths"]["/api/agent/v1/enroll"]["post"];
    let beat = &doc["paths"]["/api/agent/v1/heartbeat"]["post"];
    let statuses = |op: &Value| -> Vec<String> {
        op["responses"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    };
    assert_eq!(statuses(enroll), ["201", "400", "401", "403", "413", "429"]);
    assert_eq!(statuses(beat), ["202", "400", "401", "413", "429"]);
    assert_eq!(beat["security"], json!([{ "device_token": [] }]));
    assert_eq!(
        doc["components"]["securitySchemes"]["device_token"]["scheme"],
        "bearer"
    );
    // The enums are the domain's own keys.
    let schema = |name: &str| {
        let body = &doc["components"]["schemas"][name];
        assert!(body.is_object(), "{name} in {doc}");
        body.clone()
    };
    let platforms: Vec<&str> = app::domain::rooms::Platform::iter()
        .map(|p| p.key())
        .collect();
    assert_eq!(
        schema("EnrollRequest")["properties"]["platform"]["enum"],
        json!(platforms)
    );
    let field = &schema("HeartbeatRequest")["properties"]["components"];
    // Inlined with its description, the schema may come wrapped in a one-element `oneOf`.
    let components = field.get("oneOf").map_or(field, |one| &one[0]);
    let named: Vec<&String> = components["properties"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    let reported: Vec<String> = app::domain::health::reported()
        .map(|c| c.key().to_owned())
        .collect();
    let mut named: Vec<String> = named.into_iter().cloned().collect();
    named.sort();
    let mut expected = reported.clone();
    expected.sort();
    assert_eq!(named, expected);
    assert_eq!(components["additionalProperties"], json!(false));
    assert_eq!(
        components["properties"]["camera"]["enum"],
        json!(["ok", "warning", "error"])
    );
}
