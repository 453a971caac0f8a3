//! Redirects after sign-in, cross-site requests, security headers, session cookies and idle
//! sessions, and the OpenID Connect discovery cache, from outside.

use super::*;
use crate::idp::{TestIdp, CLIENT_ID, CLIENT_SECRET};
use axum::http::HeaderName;
use axum::response::Response;

/// An organisation that signs in at the test issuer, for addresses at `idp-test.example`.
async fn idp_org(h: &Harness, idp: &TestIdp) -> OrgId {
    identity::create_organisation(
        &h.db,
        identity::NewOrganisation {
            name: "IdP Test".into(),
            domains: vec!["idp-test.example".into()],
            manages_customers: false,
            issuer_url: idp.issuer().to_owned(),
            client_id: CLIENT_ID.into(),
            client_secret: CLIENT_SECRET.into(),
            accepted_tenant_ids: vec![],
            is_demo: false,
        },
        chrono::Utc::now(),
    )
    .await
    .unwrap()
}

fn form_body(pairs: &[(&str, &str)]) -> String {
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        form.append_pair(k, v);
    }
    form.finish()
}

/// The login form as the portal's login page posts it.
fn login_request(h: &Harness, email: &str, next: &str) -> Request<Body> {
    Request::post("/auth/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, h.origin())
        .body(Body::from(form_body(&[("email", email), ("next", next)])))
        .unwrap()
}

fn set_cookies(response: &Response) -> Vec<String> {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

/// `name=value` of the cookie set under a name ending in `name`.
fn cookie_pair(response: &Response, name: &str) -> Option<String> {
    set_cookies(response).into_iter().find_map(|c| {
        let pair = c.split(';').next().unwrap().to_owned();
        let (n, v) = pair.split_once('=').unwrap();
        (n.ends_with(name) && !v.is_empty()).then_some(pair)
    })
}

/// Signs Ada in at the test issuer with `next`, following the browser's path: the login POST,
/// the issuer (skipped, see `idp`), then the callback. Returns the callback's response.
async fn sign_in(h: &Harness, next: &str) -> Response {
    let response = h.send(login_request(h, "ada@idp-test.example", next)).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let to = location(&response);
    let authorize = url::Url::parse(&to).unwrap_or_else(|_| panic!("not sent to the issuer: {to}"));
    let param = |name: &str| {
        authorize
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
            .unwrap()
    };
    let login_cookie = cookie_pair(&response, "rooms_login").expect("sign-in cookie");
    let callback = format!(
        "/auth/callback?{}",
        form_body(&[("code", &param("nonce")), ("state", &param("state"))])
    );
    h.send(
        Request::get(callback)
            .header(header::COOKIE, login_cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

/// Where a browser goes with this `Location`: it drops tabs and newlines first (URL standard),
/// then resolves against the page's address.
fn browser_target(h: &Harness, location: &str) -> url::Url {
    let cleaned: String = location
        .chars()
        .filter(|c| !matches!(c, '\t' | '\r' | '\n'))
        .collect();
    h.config.public_url.join(&cleaned).unwrap()
}

/// Redirect targets a hostile link could put in `next`.
const HOSTILE_NEXT: &[&str] = &[
    "/\t/evil.example",
    "/\r\n/evil.example",
    "/\n/evil.example/x",
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "https://evil.example/",
    "http://127.0.0.1:3000.evil.example/",
    "/a/../..//evil.example",
    "/.//evil.example",
    "/%2e%2e//evil.example",
    " /evil.example",
    "/x\u{0}y",
    "/x\u{2028}y",
    "javascript:alert(1)",
    "http:evil.example",
    "",
];

#[tokio::test]
async fn after_sign_in_the_browser_only_goes_to_a_path_of_this_portal() {
    let h = harness().await;
    let idp = TestIdp::start().await;
    idp_org(&h, &idp).await;
    for next in HOSTILE_NEXT {
        let response = sign_in(&h, next).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "next={next:?}");
        assert!(
            cookie_pair(&response, "rooms_session").is_some(),
            "next={next:?}: signed in"
        );
        let to = location(&response);
        assert!(
            to.starts_with('/')
                && !to.starts_with("//")
                && !to.contains('\\')
                && !to.chars().any(|c| c.is_control() || c.is_whitespace()),
            "next={next:?} gave Location {to:?}"
        );
        let target = browser_target(&h, &to);
        assert_eq!(
            target.origin(),
            h.config.public_url.origin(),
            "next={next:?} gave Location {to:?}"
        );
    }
    // Paths of the portal survive, query included.
    for next in ["/rooms?country=US&page=2", "/settings/roles"] {
        let response = sign_in(&h, next).await;
        assert_eq!(location(&response), next);
    }
}

#[tokio::test]
async fn hostile_next_values_never_make_a_server_error_at_login() {
    let mut config = test_config(PORTAL);
    config.login_per_minute = 1000;
    let h = harness_with(config).await;
    for next in HOSTILE_NEXT {
        // Demo organisation: its issuer is not running, so the login page comes back with
        // the (cleaned) `next`; an unknown domain likewise.
        for email in ["grace@contoso.com", "someone@unknown-example.org"] {
            let response = h.send(login_request(&h, email, next)).await;
            assert_eq!(response.status(), StatusCode::SEE_OTHER, "{next:?}");
            let to = location(&response);
            let url = h.config.public_url.join(&to).unwrap();
            assert_eq!(url.path(), "/login", "{to}");
            let kept = url
                .query_pairs()
                .find(|(k, _)| k == "next")
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default();
            assert!(
                kept.starts_with('/')
                    && !kept.starts_with("//")
                    && !kept.chars().any(|c| c.is_control() || c.is_whitespace()),
                "next={next:?} kept as {kept:?}"
            );
        }
    }
    // Without an e-mail address: back to the login page, not a bare 422.
    for body in ["next=%2F", "", "email", "email=%FF%FE"] {
        let response = h
            .send(
                Request::post("/auth/login")
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .header(header::ORIGIN, h.origin())
                    .body(Body::from(body))
                    .unwrap(),
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{body:?}");
        assert!(
            location(&response).starts_with("/login?error=invalid_email"),
            "{body:?}: {}",
            location(&response)
        );
    }
}

#[tokio::test]
async fn pages_keep_their_query_in_next_and_sign_in_returns_there() {
    let h = harness().await;
    let response = h.get("/rooms?country=US", None).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/login?next=%2Frooms%3Fcountry%3DUS");
}

/// A server function called with a signed-in cookie and the given extra headers.
async fn post_fn(
    h: &Harness,
    path: &str,
    cookie: &str,
    content_type: &str,
    headers: &[(HeaderName, String)],
    body: Value,
) -> (StatusCode, String) {
    let mut request = Request::post(path)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::COOKIE, format!("{}={cookie}", h.session_cookie()));
    for (name, value) in headers {
        request = request.header(name, value);
    }
    let response = h
        .send(request.body(Body::from(body.to_string())).unwrap())
        .await;
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

async fn group_names(h: &Harness, cookie: &str, org: OrgId) -> Vec<String> {
    h.ok("/api/list_groups", cookie, json!({ "org": org }))
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn state_changing_requests_from_other_origins_are_refused() {
    let h = harness().await;
    let contoso = h.org("Contoso").await;
    let grace = h.session_of("grace@contoso.com").await;
    let create = |name: &str| json!({ "org": contoso, "name": name });
    let other_port = "http://127.0.0.1:4000".to_owned();
    type Headers = Vec<(HeaderName, String)>;
    let cross: Vec<(&str, &str, Headers)> = vec![
        (
            "text/plain JSON from another port",
            "text/plain",
            vec![(header::ORIGIN, other_port.clone())],
        ),
        (
            "JSON from another site",
            "application/json",
            vec![(header::ORIGIN, "https://evil.example".into())],
        ),
        (
            "a form from another site",
            "application/x-www-form-urlencoded",
            vec![(header::ORIGIN, "https://evil.example".into())],
        ),
        (
            "an opaque origin",
            "application/json",
            vec![(header::ORIGIN, "null".into())],
        ),
        (
            "Sec-Fetch-Site cross-site, no Origin",
            "application/json",
            vec![(
                HeaderName::from_static("sec-fetch-site"),
                "cross-site".into(),
            )],
        ),
        (
            "Sec-Fetch-Site same-site (another port or subdomain), no Origin",
            "application/json",
            vec![(
                HeaderName::from_static("sec-fetch-site"),
                "same-site".into(),
            )],
        ),
        (
            "a foreign Referer, no Origin",
            "application/json",
            vec![(header::REFERER, format!("{other_port}/attack.html"))],
        ),
        (
            "the session cookie without any origin information",
            "application/json",
            vec![],
        ),
    ];
    for (what, ct, headers) in &cross {
        let (status, text) = post_fn(
            &h,
            "/api/create_group",
            &grace,
            ct,
            headers,
            create("CSRF probe"),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{what}: {text}");
        assert!(text.contains("origin"), "{what}: a clear message: {text}");
    }
    assert!(!group_names(&h, &grace, contoso)
        .await
        .contains(&"CSRF probe".to_owned()));

    // From the portal's own pages it works, with Origin or (older browsers) only Sec-Fetch-Site.
    let same: Vec<(&str, Headers)> = vec![
        ("Origin", vec![(header::ORIGIN, h.origin())]),
        (
            "Sec-Fetch-Site",
            vec![(
                HeaderName::from_static("sec-fetch-site"),
                "same-origin".into(),
            )],
        ),
        (
            "Referer",
            vec![(
                header::REFERER,
                format!("{}/settings/security-groups", h.origin()),
            )],
        ),
    ];
    for (i, (what, headers)) in same.iter().enumerate() {
        let name = format!("Same origin {i}");
        let (status, text) = post_fn(
            &h,
            "/api/create_group",
            &grace,
            "application/json",
            headers,
            create(&name),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{what}: {text}");
        assert!(group_names(&h, &grace, contoso).await.contains(&name));
    }
    // Same origin but not the content type the server function reads: refused as well.
    let (status, text) = post_fn(
        &h,
        "/api/create_group",
        &grace,
        "text/plain",
        &[(header::ORIGIN, h.origin())],
        create("Plain text"),
    )
    .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{text}");
    assert!(!group_names(&h, &grace, contoso)
        .await
        .contains(&"Plain text".to_owned()));

    // Sign-out and sign-in are state-changing too.
    let response = h
        .send(
            Request::post("/auth/logout")
                .header(header::ORIGIN, "https://evil.example")
                .header(header::COOKIE, format!("{}={grace}", h.session_cookie()))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(h.get("/rooms", Some(&grace)).await.status(), StatusCode::OK);
    let mut login = login_request(&h, "grace@contoso.com", "/");
    login
        .headers_mut()
        .insert(header::ORIGIN, "https://evil.example".parse().unwrap());
    assert_eq!(h.send(login).await.status(), StatusCode::FORBIDDEN);

    // The device agent API has no cookies and its own token: other origins do not matter.
    let mut enroll = Request::post("/api/agent/v1/enroll")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ORIGIN, "https://evil.example")
        .body(Body::from(
            json!({"enrollment_key": "rek_wrong", "resource_account": "a@contoso.com",
                   "display_name": "A", "platform": "android"})
            .to_string(),
        ))
        .unwrap();
    enroll
        .headers_mut()
        .insert(header::ACCEPT, "application/json".parse().unwrap());
    assert_eq!(h.send(enroll).await.status(), StatusCode::UNAUTHORIZED);
}

fn header_of(response: &Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
}

/// The nonce of the `script-src` directive.
fn csp_nonce(csp: &str) -> String {
    let start = csp.find("'nonce-").expect("a nonce in the CSP") + "'nonce-".len();
    csp[start..].split('\'').next().unwrap().to_owned()
}

async fn body_text(response: Response) -> String {
    let bytes = axum::body::to_bytes(response.into_body(), 16 << 20)
        .await
        .unwrap();
    String::from_utf8_lossy(&bytes).into_owned()
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let h = harness().await;
    let grace = h.session_of("grace@contoso.com").await;
    let contoso = h.org("Contoso").await;

    let mut nonces = Vec::new();
    for (path, cookie) in [
        ("/login", None),
        ("/", Some(grace.as_str())),
        ("/rooms", Some(&grace)),
    ] {
        let response = h.get(path, cookie).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let csp = header_of(&response, "content-security-policy").expect(path);
        for directive in [
            "default-src 'self'",
            "frame-ancestors 'none'",
            "object-src 'none'",
            "base-uri 'none'",
            "'wasm-unsafe-eval'",
        ] {
            assert!(csp.contains(directive), "{path}: {csp}");
        }
        assert!(
            !csp.contains("'unsafe-inline'") && !csp.contains("'unsafe-eval'"),
            "{csp}"
        );
        assert_eq!(
            header_of(&response, "x-content-type-options").as_deref(),
            Some("nosniff")
        );
        assert_eq!(
            header_of(&response, "x-frame-options").as_deref(),
            Some("DENY")
        );
        assert_eq!(
            header_of(&response, "referrer-policy").as_deref(),
            Some("same-origin")
        );
        assert_eq!(
            header_of(&response, "cache-control").as_deref(),
            Some("no-store"),
            "{path}"
        );
        assert_eq!(
            header_of(&response, "strict-transport-security"),
            None,
            "http: no HSTS"
        );
        // Every script of the page carries this response's nonce, so the page hydrates.
        let nonce = csp_nonce(&csp);
        let html = body_text(response).await;
        let scripts: Vec<&str> = html.split("<script").skip(1).collect();
        assert!(!scripts.is_empty(), "{path}: {html}");
        for script in scripts {
            let tag = script.split('>').next().unwrap();
            assert!(
                tag.contains(&format!("nonce=\"{nonce}\"")),
                "{path}: <script{tag}> in {html}"
            );
        }
        assert!(
            !html.contains(" style=\""),
            "{path}: inline style needs 'unsafe-inline'"
        );
        nonces.push(nonce);
    }
    nonces.sort();
    nonces.dedup();
    assert_eq!(nonces.len(), 3, "a fresh nonce per response");

    // Server functions, sign-in routes and the agent API: no-store, nosniff, framing refused.
    let response = h
        .send(
            Request::post("/api/list_groups")
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::ORIGIN, h.origin())
                .header(header::COOKIE, format!("{}={grace}", h.session_cookie()))
                .body(Body::from(json!({ "org": contoso }).to_string()))
                .unwrap(),
        )
        .await;
    let callback = h.get("/auth/callback?code=a&state=b", None).await;
    let enroll = h
        .post_raw(
            "/api/agent/v1/enroll",
            Some("application/json"),
            b"{}".to_vec(),
        )
        .await;
    assert!(enroll.0.is_client_error());
    for (what, response) in [("server function", response), ("callback", callback)] {
        assert_eq!(
            header_of(&response, "cache-control").as_deref(),
            Some("no-store"),
            "{what}"
        );
        assert_eq!(
            header_of(&response, "x-content-type-options").as_deref(),
            Some("nosniff"),
            "{what}"
        );
        let csp = header_of(&response, "content-security-policy").unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{what}");
    }

    // Static assets may be cached: for a year when the name is the hash of the bytes, otherwise
    // checked again on every use.
    for (path, policy) in [
        (
            "/pkg/rooms.1B2M2Y8AsgTpgAmY7PhCfg.css",
            "public, max-age=31536000, immutable",
        ),
        ("/pkg/rooms.css", "no-cache"),
        ("/pkg/chunk_1.1B2M2Y8AsgTpgAmY7PhCfg.wasm", "no-cache"),
    ] {
        let response = h.get(path, None).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(
            header_of(&response, "cache-control").as_deref(),
            Some(policy),
            "{path}"
        );
        assert_eq!(
            header_of(&response, "x-content-type-options").as_deref(),
            Some("nosniff")
        );
    }
    // A missing file is a page (the not-found page), never cached.
    let response = h.get("/pkg/missing.1B2M2Y8AsgTpgAmY7PhCfg.css", None).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        header_of(&response, "cache-control").as_deref(),
        Some("no-store")
    );
}

#[tokio::test]
async fn over_https_the_portal_sends_hsts_and_host_prefixed_secure_cookies() {
    let h = harness_with(test_config("https://rooms.example")).await;
    let idp = TestIdp::start().await;
    idp_org(&h, &idp).await;
    let response = h.get("/login", None).await;
    let hsts = header_of(&response, "strict-transport-security").expect("HSTS over https");
    assert!(hsts.starts_with("max-age="), "{hsts}");

    let callback = sign_in(&h, "/rooms").await;
    assert_eq!(location(&callback), "/rooms");
    let cookies = set_cookies(&callback);
    let session = cookies
        .iter()
        .find(|c| {
            c.starts_with("__Host-rooms_session=") && !c.starts_with("__Host-rooms_session=;")
        })
        .unwrap_or_else(|| panic!("{cookies:?}"));
    for attribute in ["Secure", "Path=/", "HttpOnly", "SameSite=Lax"] {
        assert!(session.contains(attribute), "{session}");
    }
    assert!(!session.contains("Domain"), "{session}");
    // The portal reads the prefixed cookie, and only that one.
    let token = session
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_owned();
    // Signed in: the page itself, not the way to the login page. (Its status may be 403 as well
    // as 200: this user holds no role, and the page's data can settle before its head is sent.)
    let page = h.get("/rooms", Some(&token)).await;
    assert_ne!(
        page.status(),
        StatusCode::SEE_OTHER,
        "{:?}",
        location(&page)
    );
    let plain = h
        .send(
            Request::get("/rooms")
                .header(header::COOKIE, format!("rooms_session={token}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(plain.status(), StatusCode::SEE_OTHER);

    // Over http (local use) the plain name, without Secure.
    let h = harness().await;
    idp_org(&h, &idp).await;
    let callback = sign_in(&h, "/").await;
    let cookies = set_cookies(&callback);
    let session = cookies
        .iter()
        .find(|c| c.starts_with("rooms_session="))
        .unwrap_or_else(|| panic!("{cookies:?}"));
    assert!(!session.contains("Secure"), "{session}");
    assert_eq!(header_of(&callback, "strict-transport-security"), None);
}

/// A session whose last use was `idle` ago (created then, as the callback would).
async fn session_idle_for(h: &Harness, upn: &str, idle: chrono::Duration) -> String {
    let u = user::Entity::find()
        .filter(user::Column::UpnLower.eq(upn))
        .one(&h.db)
        .await
        .unwrap()
        .unwrap();
    identity::create_session(&h.db, u.id, u.org_id, None, chrono::Utc::now() - idle)
        .await
        .unwrap()
}

#[tokio::test]
async fn idle_sessions_end_after_the_idle_timeout() {
    let h = harness().await;
    let idle = session_idle_for(&h, "grace@contoso.com", chrono::Duration::minutes(61)).await;
    let response = h.get("/rooms", Some(&idle)).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(location(&response).contains("error=session_ended"));
    let (status, _) = h
        .call(
            "/api/get_settings",
            Some(&idle),
            json!({ "org": h.org("Contoso").await }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let recent = session_idle_for(&h, "grace@contoso.com", chrono::Duration::minutes(59)).await;
    assert_eq!(
        h.get("/rooms", Some(&recent)).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn discovery_and_keys_are_fetched_once_per_issuer_and_again_for_a_new_key() {
    let h = harness().await;
    let idp = TestIdp::start().await;
    idp_org(&h, &idp).await;
    for _ in 0..3 {
        let response = h.send(login_request(&h, "ada@idp-test.example", "/")).await;
        assert!(location(&response).starts_with(idp.issuer()));
    }
    for _ in 0..2 {
        let response = sign_in(&h, "/").await;
        assert!(cookie_pair(&response, "rooms_session").is_some());
    }
    assert_eq!(
        idp.fetches(),
        (1, 1),
        "(discovery, keys) after five sign-ins"
    );

    // The issuer rotates its key: the first ID token signed with it makes the portal fetch the
    // keys again, once, and the sign-in succeeds.
    idp.rotate_key();
    let response = sign_in(&h, "/rooms").await;
    assert_eq!(location(&response), "/rooms");
    assert!(cookie_pair(&response, "rooms_session").is_some());
    assert_eq!(idp.fetches(), (2, 2));
    sign_in(&h, "/").await;
    assert_eq!(idp.fetches(), (2, 2));
}

/// An address the issuer says it has not verified names nobody (it could claim a pending first
/// Global admin's UPN): the user's UPN comes from `preferred_username` instead.
#[tokio::test]
async fn an_unverified_email_is_not_taken_as_the_users_address() {
    let h = harness().await;
    let idp = TestIdp::start().await;
    let org = idp_org(&h, &idp).await;
    idp.unverify_email();
    let callback = sign_in(&h, "/").await;
    assert_eq!(location(&callback), "/");
    let upns: Vec<String> = user::Entity::find()
        .filter(user::Column::OrgId.eq(org))
        .all(&h.db)
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.upn)
        .collect();
    assert_eq!(upns, ["ada@idp-test.example"]);
}
