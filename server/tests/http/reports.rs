//! The reports' CSV downloads from outside: each counts only the rooms the caller may see
//! reports of, and a mistake in the address is said as such.

use super::*;

async fn csv(h: &Harness, cookie: &str, query: &str) -> (StatusCode, String) {
    let response = h
        .send(
            Request::get(format!("/api/reports/export?{query}"))
                .header(header::COOKIE, format!("{}={cookie}", h.session_cookie()))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 24)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

#[tokio::test]
async fn a_site_leads_availability_lists_only_their_rooms() {
    let h = harness().await;
    let contoso = h.org("Contoso").await;
    let grace = h.session_of("grace@contoso.com").await;
    let key = h
        .ok("/api/get_enrollment_key", &grace, json!({ "org": contoso }))
        .await;
    // A Seattle room (Sofia's, in "All US rooms") and a Munich one (not hers).
    for account in ["harbour-101@contoso.com", "parkstadt-101@contoso.com"] {
        let (status, _, text) = h
            .post_raw(
                "/api/agent/v1/enroll",
                Some("application/json"),
                enroll_body(key.as_str().unwrap(), account),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{text}");
    }
    let today = chrono::Utc::now().date_naive();
    let query = |report: &str| format!("org={contoso}&report={report}&from={today}&to={today}");

    let (status, all) = csv(&h, &grace, &query("availability")).await;
    assert_eq!(status, StatusCode::OK, "{all}");
    assert_eq!(all.lines().count(), 3, "header and both rooms: {all}");
    assert!(all.contains("Parkstadt"));
    let sofia = h.session_of("sofia@contoso.com").await;
    let (status, hers) = csv(&h, &sofia, &query("availability")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(hers.lines().count(), 2, "{hers}");
    assert!(
        hers.contains("Harbour") && !hers.contains("Parkstadt"),
        "{hers}"
    );
    let (_, health) = csv(&h, &sofia, &query("health")).await;
    let rooms: u64 = health
        .lines()
        .skip(1)
        .filter_map(|l| l.rsplit(',').next()?.trim_matches('"').parse::<u64>().ok())
        .sum();
    assert_eq!(rooms, 192, "the US rooms: {health}");

    let omar = h.session_of("omar@contoso.com").await;
    assert_eq!(
        csv(&h, &omar, &query("health")).await.0,
        StatusCode::FORBIDDEN
    );
    let hal = h.session_of("hal@northwind-msp.eu").await;
    assert_eq!(
        csv(&h, &hal, &query("health")).await.0,
        StatusCode::NOT_FOUND
    );
    let backwards = format!("org={contoso}&report=health&from={today}&to=2020-01-01");
    let (status, text) = csv(&h, &grace, &backwards).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text.contains("before the start"), "{text}");
    let (status, _) = csv(&h, &grace, &query("gossip")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}
