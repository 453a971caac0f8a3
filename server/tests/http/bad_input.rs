//! Generated bad input to every server function and every route, as a signed-in Global admin
//! and signed out: whatever arrives, the answer is a 4xx (or a success), never a 5xx or a
//! dropped connection.

use super::*;
use axum::http::Method;
use axum::response::Response;

/// Values of the wrong shape or out of range, for any field.
fn bad_values() -> Vec<Value> {
    vec![
        Value::Null,
        json!(true),
        json!(-1),
        json!(-9_223_372_036_854_775_808i64),
        json!(18_446_744_073_709_551_615u64),
        json!(1e308),
        // Beyond u64 and f64's integers: serde_json reads it as a float.
        serde_json::from_str("340282366920938463463374607431768211456").unwrap(),
        json!(""),
        json!("not-a-uuid"),
        json!("00000000-0000-0000-0000-000000000000"),
        json!("x".repeat(100_000)),
        json!("\u{0000}\u{202e}\u{fffd}"),
        json!("9999-99-99"),
        json!([]),
        json!([1, "a", null]),
        json!({}),
        json!({ "User": "not-a-uuid" }),
    ]
}

/// One plausible value for every argument name the server functions take (serde ignores the
/// names a function does not have).
fn plausible(org: OrgId, user: UserId) -> serde_json::Map<String, Value> {
    let any_id = json!(uuid::Uuid::new_v4());
    json!({
        "org": org,
        "customer": org,
        "id": any_id,
        "user": user,
        "room": any_id,
        "ring": null,
        "role": "Msa",
        "family": "Administrators",
        "principal": { "User": user },
        "name": "Bad input probe",
        "member": true,
        "approve": false,
        "reason": "Bad input probe",
        "users_only": false,
        "query": {
            "search": "", "country": null, "site": null, "platform": null, "health": null,
            "enrollment": null, "ring": null, "sort": "Name", "descending": false, "page": 0,
            "from": null, "to": null, "category": null, "result_status": null,
        },
        "input": {
            "display_name": "Probe room", "resource_account": "probe@contoso.com",
            "site": "Probe", "city": "Seattle", "country": "US", "platform": "Windows",
            "name": "Probe", "description": "", "rule_country": "", "rule_site": "",
            "deferral_days": "5",
        },
        "settings": {
            "notification_email": "ops@contoso.com", "maintenance_start": "03:00",
            "maintenance_hours": 3, "offline_after_minutes": 30,
        },
        "assignment": {
            "name": "Probe", "description": "", "notify": false, "members": [],
            "all_rooms": true, "rooms": [], "room_groups": [],
        },
    })
    .as_object()
    .unwrap()
    .clone()
}

struct Probe<'a> {
    h: &'a Harness,
    cookie: Option<&'a str>,
    failures: Vec<String>,
    sent: usize,
}

impl Probe<'_> {
    async fn send(
        &mut self,
        method: Method,
        path: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
        what: &str,
    ) -> (StatusCode, String) {
        let mut request = Request::builder()
            .method(method.clone())
            .uri(path)
            .header(header::ORIGIN, self.h.origin())
            .header(header::ACCEPT, "application/json");
        if let Some(ct) = content_type {
            request = request.header(header::CONTENT_TYPE, ct);
        }
        if let Some(token) = self.cookie {
            request = request.header(
                header::COOKIE,
                format!("{}={token}", self.h.session_cookie()),
            );
        }
        self.sent += 1;
        // A page whose stream never ends would hang the test (the portal's request timeout
        // covers the response's head, not its streamed body): name it instead.
        let answer = tokio::time::timeout(std::time::Duration::from_secs(20), async {
            let response: Response = self.h.send(request.body(Body::from(body)).unwrap()).await;
            let status = response.status();
            let bytes = axum::body::to_bytes(response.into_body(), 64 << 20)
                .await
                .unwrap_or_default();
            (status, bytes)
        })
        .await;
        let Ok((status, bytes)) = answer else {
            let cookie = self
                .cookie
                .map_or("no", |c| if c == "forged" { "a forged" } else { "a" });
            self.failures.push(format!(
                "{method} {path} with {cookie} session never finished"
            ));
            return (StatusCode::REQUEST_TIMEOUT, String::new());
        };
        let text = String::from_utf8_lossy(&bytes).into_owned();
        if status.is_server_error() {
            let short: String = text.chars().take(200).collect();
            let what: String = what.chars().take(120).collect();
            self.failures
                .push(format!("{method} {path} [{what}] -> {status}: {short}"));
        }
        (status, text)
    }

    async fn json(&mut self, path: &str, body: &Value, what: &str) -> (StatusCode, String) {
        self.send(
            Method::POST,
            path,
            Some("application/json"),
            body.to_string().into_bytes(),
            what,
        )
        .await
    }
}

/// The fields a server function requires, learned as a client would: from its answers to
/// incomplete bodies ("missing field `x`").
async fn required_fields(
    probe: &mut Probe<'_>,
    path: &str,
    plausible: &serde_json::Map<String, Value>,
) -> serde_json::Map<String, Value> {
    let mut body = serde_json::Map::new();
    for _ in 0..10 {
        let (_, text) = probe
            .json(path, &Value::Object(body.clone()), "learning")
            .await;
        let Some(field) = text
            .split("missing field `")
            .nth(1)
            .and_then(|rest| rest.split('`').next())
        else {
            break;
        };
        let value = plausible.get(field).cloned().unwrap_or(json!("x"));
        body.insert(field.to_owned(), value);
    }
    // Optional arguments the functions have.
    for optional in ["id", "ring"] {
        if let Some(v) = plausible.get(optional) {
            body.entry(optional.to_owned()).or_insert(v.clone());
        }
    }
    body
}

#[tokio::test]
async fn no_bad_input_to_any_server_function_makes_a_server_error() {
    let h = harness().await;
    let contoso = h.org("Contoso").await;
    let grace = h.session_of("grace@contoso.com").await;
    let omar = h.user_id("omar@contoso.com").await;
    let plausible = plausible(contoso, omar);
    let mut functions: Vec<(&'static str, Method)> =
        leptos::server_fn::axum::server_fn_paths().collect();
    functions.sort_by_key(|(p, _)| *p);
    assert!(functions.len() >= 40, "{functions:?}");
    let mut probe = Probe {
        h: &h,
        cookie: Some(&grace),
        failures: vec![],
        sent: 0,
    };
    for (path, method) in &functions {
        assert_eq!(*method, Method::POST, "{path}");
        // Whole bodies of the wrong kind.
        let structural: Vec<(&str, Option<&str>, Vec<u8>)> = vec![
            ("empty", Some("application/json"), vec![]),
            ("null", Some("application/json"), b"null".to_vec()),
            ("array", Some("application/json"), b"[1,2]".to_vec()),
            (
                "number",
                Some("application/json"),
                b"18446744073709551616".to_vec(),
            ),
            (
                "truncated",
                Some("application/json"),
                b"{\"org\": ".to_vec(),
            ),
            (
                "not UTF-8",
                Some("application/json"),
                b"{\"org\": \"\xff\xfe\"}".to_vec(),
            ),
            (
                "deep nesting",
                Some("application/json"),
                "[".repeat(10_000).into_bytes(),
            ),
            (
                "3 MB",
                Some("application/json"),
                format!("{{\"org\": \"{}\"}}", "x".repeat(3 << 20)).into_bytes(),
            ),
            ("no content type", None, b"{}".to_vec()),
            ("text/plain", Some("text/plain"), b"{}".to_vec()),
            (
                "form",
                Some("application/x-www-form-urlencoded"),
                b"org=%FF&page=-1".to_vec(),
            ),
            (
                "multipart",
                Some("multipart/form-data; boundary=x"),
                b"--x--".to_vec(),
            ),
            (
                "JSON-like content type",
                Some("application/json-patch+json"),
                b"{}".to_vec(),
            ),
        ];
        for (what, ct, body) in structural {
            probe.send(Method::POST, path, ct, body, what).await;
        }
        let base = required_fields(&mut probe, path, &plausible).await;
        // One field at a time: wrong types and values out of range, and nested fields too.
        for (field, value) in &base {
            let mut without = base.clone();
            without.remove(field);
            probe
                .json(path, &Value::Object(without), &format!("without {field}"))
                .await;
            for bad in bad_values() {
                let mut body = base.clone();
                body.insert(field.clone(), bad.clone());
                probe
                    .json(path, &Value::Object(body), &format!("{field}={bad}"))
                    .await;
            }
            if let Value::Object(inner) = value {
                for key in inner.keys() {
                    for bad in bad_values() {
                        let mut nested = inner.clone();
                        nested.insert(key.clone(), bad.clone());
                        let mut body = base.clone();
                        body.insert(field.clone(), Value::Object(nested));
                        probe
                            .json(path, &Value::Object(body), &format!("{field}.{key}={bad}"))
                            .await;
                    }
                }
            }
        }
    }
    // Signed out, the same functions with a plausible body.
    probe.cookie = None;
    for (path, _) in &functions {
        probe
            .json(path, &Value::Object(plausible.clone()), "signed out")
            .await;
    }
    eprintln!("{} requests", probe.sent);
    assert!(probe.failures.is_empty(), "{:#?}", probe.failures);
}

#[tokio::test]
async fn no_bad_input_to_any_route_makes_a_server_error() {
    let h = harness().await;
    let contoso = h.org("Contoso").await;
    let grace = h.session_of("grace@contoso.com").await;
    let key = h
        .ok("/api/get_enrollment_key", &grace, json!({ "org": contoso }))
        .await;
    let key = key.as_str().unwrap().to_owned();
    let huge = "x".repeat(100_000);
    // URIs are at most 64 KiB.
    let long = "x".repeat(30_000);
    let mut pages: Vec<String> = leptos_axum::generate_route_list(app::App)
        .iter()
        .map(|r| r.path().to_owned())
        .collect();
    pages.extend(
        [
            "/nope",
            "/pkg/../Cargo.toml",
            "/%FF%FE",
            "/api/nope",
            "/settings/roles/new/x",
        ]
        .map(String::from),
    );
    let queries = [
        String::new(),
        "?page=18446744073709551615&org=zz".to_owned(),
        "?next=%FF%FE&error=%00".to_owned(),
        format!("?search={long}"),
    ];
    let routes: Vec<(Method, String, Option<&str>, Vec<u8>)> = {
        let mut r = vec![];
        for page in &pages {
            for q in &queries {
                r.push((Method::GET, format!("{page}{q}"), None, vec![]));
            }
            r.push((
                Method::POST,
                page.clone(),
                Some("application/json"),
                b"{}".to_vec(),
            ));
            r.push((Method::DELETE, page.clone(), None, vec![]));
        }
        let form = Some("application/x-www-form-urlencoded");
        for body in [
            "".to_owned(),
            "email=".to_owned(),
            "next=%2F".to_owned(),
            "email=%FF%FE".to_owned(),
            "email=a%40b.c&next=%FF".to_owned(),
            format!("email={huge}%40contoso.com"),
            format!("email=a%40{huge}.com"),
            "email=a%40contoso.com&email=b%40contoso.com".to_owned(),
            "email=a%00b%40contoso.com&next=%2F%00".to_owned(),
            "email=a%40contoso%00.com".to_owned(),
        ] {
            r.push((Method::POST, "/auth/login".into(), form, body.into_bytes()));
        }
        r.push((
            Method::POST,
            "/auth/login".into(),
            Some("application/json"),
            br#"{"email":"a@contoso.com"}"#.to_vec(),
        ));
        r.push((
            Method::POST,
            "/auth/login".into(),
            None,
            b"email=a%40contoso.com".to_vec(),
        ));
        r.push((
            Method::POST,
            "/auth/login".into(),
            Some("text/plain"),
            b"\xff\xfe".to_vec(),
        ));
        r.push((Method::GET, "/auth/login".into(), None, vec![]));
        for q in [
            "",
            "?state=%FF",
            "?code=&state=",
            "?error=server_error&state=made-up",
            "?state=a&state=b&code=c",
            "?code=%00&state=%00",
            &format!("?code=a&state={long}"),
        ] {
            r.push((Method::GET, format!("/auth/callback{q}"), None, vec![]));
        }
        r.push((Method::POST, "/auth/logout".into(), None, vec![]));
        r.push((Method::GET, "/auth/logout".into(), None, vec![]));
        for q in [
            String::new(),
            "?org=zz&from=a&to=b".to_owned(),
            format!("?org={contoso}&from=9999-99-99&to=2024-01-01"),
            format!("?org={contoso}&from=+275760-09-13&to=-262144-01-01"),
            format!("?org={contoso}&from=2024-01-01&to=2024-01-02&from=x"),
            format!("?org={}&from=2024-01-01&to=2024-01-02", uuid::Uuid::nil()),
        ] {
            r.push((
                Method::GET,
                format!("/api/audit-log/export{q}"),
                None,
                vec![],
            ));
        }
        for body in [
            b"".to_vec(),
            b"null".to_vec(),
            b"\xff\xfe".to_vec(),
            format!("{{\"enrollment_key\": \"{huge}\"}}").into_bytes(),
            format!(
                "{{\"enrollment_key\":\"k\",\"resource_account\":\"{huge}@contoso.com\",\"display_name\":\"{huge}\",\"platform\":\"android\"}}"
            )
            .into_bytes(),
            vec![b'['; 100_000],
            br#"{"enrollment_key":"k\u0000","resource_account":"a\u0000@contoso.com","display_name":"A\u0000","platform":"android"}"#.to_vec(),
            br#"{"enrollment_key":"k","resource_account":"a@contoso.com","display_name":"A\u0000B","platform":"android\u0000"}"#.to_vec(),
            // A valid key, so the bad fields reach the database.
            format!(r#"{{"enrollment_key":"{key}","resource_account":"nul@contoso.com","display_name":"A\u0000B","platform":"android"}}"#).into_bytes(),
            format!(r#"{{"enrollment_key":"{key}","resource_account":"n\u0000l@contoso.com","display_name":"AB","platform":"android"}}"#).into_bytes(),
            format!(r#"{{"enrollment_key":"{key}","resource_account":"huge@contoso.com","display_name":"{huge}","platform":"android"}}"#).into_bytes(),
        ] {
            r.push((Method::POST, "/api/agent/v1/enroll".into(), Some("application/json"), body));
        }
        r.push((Method::GET, "/api/agent/v1/enroll".into(), None, vec![]));
        for path in ["/healthz", "/readyz"] {
            r.push((Method::GET, path.into(), None, vec![]));
            r.push((Method::POST, path.into(), None, vec![]));
        }
        r
    };
    let mut probe = Probe {
        h: &h,
        cookie: Some(&grace),
        failures: vec![],
        sent: 0,
    };
    for cookie in [Some(grace.as_str()), Some("forged"), None] {
        probe.cookie = cookie;
        for (method, path, ct, body) in &routes {
            probe
                .send(
                    method.clone(),
                    path,
                    *ct,
                    body.clone(),
                    &format!("{} bytes", body.len()),
                )
                .await;
        }
    }
    eprintln!("{} requests", probe.sent);
    assert!(probe.failures.is_empty(), "{:#?}", probe.failures);
}

#[tokio::test]
async fn malformed_and_oversized_server_function_bodies_are_client_errors_with_a_message() {
    let h = harness().await;
    let grace = h.session_of("grace@contoso.com").await;
    let mut probe = Probe {
        h: &h,
        cookie: Some(&grace),
        failures: vec![],
        sent: 0,
    };
    let (status, text) = probe
        .send(
            Method::POST,
            "/api/list_groups",
            Some("application/json"),
            b"{\"org\": ".to_vec(),
            "truncated",
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
    assert!(text.contains("EOF") || text.contains("request"), "{text}");
    let (status, text) = probe
        .send(
            Method::POST,
            "/api/list_groups",
            Some("application/json"),
            br#"{"org": "not-a-uuid"}"#.to_vec(),
            "bad uuid",
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
    // PostgreSQL cannot store NUL in text: refused before any function reads it.
    let contoso = h.org("Contoso").await;
    let nul = json!({ "org": contoso, "name": "a\u{0}b" })
        .to_string()
        .into_bytes();
    let (status, text) = probe
        .send(
            Method::POST,
            "/api/create_group",
            Some("application/json"),
            nul,
            "NUL",
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
    assert!(text.contains("NUL"), "{text}");
    let big = format!("{{\"org\": \"{}\"}}", "x".repeat(3 << 20)).into_bytes();
    let (status, text) = probe
        .send(
            Method::POST,
            "/api/list_groups",
            Some("application/json"),
            big,
            "3 MB",
        )
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{text}");
    assert!(text.contains("too large"), "{text}");
}
