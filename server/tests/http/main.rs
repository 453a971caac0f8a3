//! The server from outside: requests through the real router (session gate, sign-in routes,
//! server functions) against a seeded demo database. Refusals must be refusals: 401 without a
//! live session, 403 for another organisation's data.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use app::domain::ids::{OrgId, UserId};
use app::server::entity::{audit_log, organisation, user};
use app::server::service::identity;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use leptos::prelude::LeptosOptions;
use sea_orm::{
    ColumnTrait, ConnectOptions, Database, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter,
};
use serde_json::{json, Value};
use server::config::Config;
use server::{router, AppState};
use tower::ServiceExt;

mod bad_input;
mod events;
mod heartbeats;
mod idp;
mod limits;
mod partners;
mod reports;
mod security;

/// The portal's address in the tests (`Config::public_url`).
pub const PORTAL: &str = "http://127.0.0.1:3000";

pub struct Harness {
    app: Router,
    db: DatabaseConnection,
    config: Config,
    state: AppState,
}

async fn harness() -> Harness {
    harness_with(test_config(PORTAL)).await
}

fn test_config(public_url: &str) -> Config {
    Config::new(url::Url::parse(public_url).unwrap())
}

async fn harness_with(config: Config) -> Harness {
    use migrations::MigratorTrait;
    let url = std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres"));
    let db = match url {
        Some(server) => {
            use sea_orm::ConnectionTrait;
            let name = format!("http_{}", uuid::Uuid::new_v4().simple());
            let admin = Database::connect(server.as_str()).await.unwrap();
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .unwrap();
            let (base, _) = server.rsplit_once('/').unwrap();
            Database::connect(format!("{base}/{name}")).await.unwrap()
        }
        None => {
            let mut options = ConnectOptions::new("sqlite::memory:");
            options.max_connections(1).sqlx_logging(false);
            Database::connect(options).await.unwrap()
        }
    };
    migrations::Migrator::up(&db, None).await.unwrap();
    server::demo::seed_if_empty(&db, chrono::Utc::now())
        .await
        .unwrap();
    // A site root with one asset, for the static files' headers.
    let site = std::env::temp_dir().join(format!("rooms-site-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(site.join("pkg")).unwrap();
    std::fs::write(site.join("pkg/rooms.css"), "body { margin: 0 }").unwrap();
    // Named by the MD5 of its bytes (empty), as cargo-leptos names a build's files.
    std::fs::write(site.join("pkg/rooms.1B2M2Y8AsgTpgAmY7PhCfg.css"), "").unwrap();
    // Named like one, but its bytes are not that hash's.
    std::fs::write(
        site.join("pkg/chunk_1.1B2M2Y8AsgTpgAmY7PhCfg.wasm"),
        "body {}",
    )
    .unwrap();
    let options = LeptosOptions::builder()
        .output_name("rooms")
        .site_root(site.to_str().unwrap())
        .build();
    let state = AppState::new(options, db.clone(), config.clone());
    Harness {
        app: router(state.clone()),
        db,
        config,
        state,
    }
}

impl Harness {
    /// The portal's origin, as a browser on a portal page sends it in `Origin`.
    fn origin(&self) -> String {
        self.config.public_url.origin().ascii_serialization()
    }

    /// The session cookie's name: `__Host-` prefixed over https.
    fn session_cookie(&self) -> &'static str {
        if self.config.public_url.scheme() == "https" {
            "__Host-rooms_session"
        } else {
            "rooms_session"
        }
    }

    /// Sends a request as a client at 127.0.0.1 would.
    async fn send(&self, request: Request<Body>) -> axum::response::Response {
        self.send_from(
            request,
            std::net::SocketAddr::from(([127, 0, 0, 1], 50_000)),
        )
        .await
    }

    /// Sends a request from `peer`, the address the server records for each connection and
    /// the rate limits count by.
    async fn send_from(
        &self,
        mut request: Request<Body>,
        peer: std::net::SocketAddr,
    ) -> axum::response::Response {
        request
            .extensions_mut()
            .insert(axum::extract::ConnectInfo(peer));
        self.app.clone().oneshot(request).await.unwrap()
    }

    async fn org(&self, name: &str) -> OrgId {
        organisation::Entity::find()
            .filter(organisation::Column::Name.eq(name))
            .one(&self.db)
            .await
            .unwrap()
            .unwrap()
            .id
    }

    /// A live session of a demo user, as the sign-in callback would create it.
    async fn session_of(&self, upn: &str) -> String {
        let u = user::Entity::find()
            .filter(user::Column::UpnLower.eq(upn))
            .one(&self.db)
            .await
            .unwrap()
            .unwrap();
        identity::create_session(&self.db, u.id, u.org_id, None, chrono::Utc::now())
            .await
            .unwrap()
    }

    async fn call(
        &self,
        path: &str,
        cookie: Option<&str>,
        body: serde_json::Value,
    ) -> (StatusCode, String) {
        let mut request = Request::post(path)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT, "application/json")
            .header(header::ORIGIN, self.origin());
        if let Some(token) = cookie {
            request = request.header(header::COOKIE, format!("{}={token}", self.session_cookie()));
        }
        let response = self
            .send(request.body(Body::from(body.to_string())).unwrap())
            .await;
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }

    async fn user_id(&self, upn: &str) -> UserId {
        user::Entity::find()
            .filter(user::Column::UpnLower.eq(upn))
            .one(&self.db)
            .await
            .unwrap()
            .unwrap()
            .id
    }

    /// `Failed` entries in `org`'s audit log made by `by`.
    async fn failed_by(&self, org: OrgId, by: UserId) -> u64 {
        audit_log::Entity::find()
            .filter(audit_log::Column::OrgId.eq(org))
            .filter(audit_log::Column::ActorUserId.eq(by))
            .filter(audit_log::Column::ResultStatus.eq("Failed"))
            .count(&self.db)
            .await
            .unwrap()
    }

    /// A server function called by a signed-in user, expected to succeed; its JSON answer.
    async fn ok(&self, path: &str, cookie: &str, body: Value) -> Value {
        let (status, text) = self.call(path, Some(cookie), body).await;
        assert_eq!(status, StatusCode::OK, "{path}: {text}");
        serde_json::from_str(&text).unwrap()
    }

    /// A raw POST, for the device agent API.
    async fn post_raw(
        &self,
        path: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> (StatusCode, Option<String>, String) {
        let mut request = Request::post(path);
        if let Some(ct) = content_type {
            request = request.header(header::CONTENT_TYPE, ct);
        }
        let response = self.send(request.body(Body::from(body)).unwrap()).await;
        let status = response.status();
        let ct = response
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|v| v.to_str().unwrap().to_owned());
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        (status, ct, String::from_utf8_lossy(&bytes).into_owned())
    }

    async fn get(&self, path: &str, cookie: Option<&str>) -> axum::response::Response {
        let mut request = Request::get(path);
        if let Some(token) = cookie {
            request = request.header(header::COOKIE, format!("{}={token}", self.session_cookie()));
        }
        self.send(request.body(Body::empty()).unwrap()).await
    }
}

fn location(response: &axum::response::Response) -> String {
    response
        .headers()
        .get(header::LOCATION)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn server_functions_refuse_requests_without_a_live_session() {
    let h = harness().await;
    let contoso = h.org("Contoso").await;
    let body = serde_json::json!({ "org": contoso, "family": "Administrators" });
    let (status, text) = h.call("/api/list_org_roles", None, body.clone()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{text}");
    let (status, _) = h
        .call(
            "/api/list_org_roles",
            Some("forged-token-value"),
            body.clone(),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(!text.contains("Grace"));
}

#[tokio::test]
async fn a_user_of_one_organisation_is_refused_anothers_administrators() {
    let h = harness().await;
    let (contoso, fabrikam) = (h.org("Contoso").await, h.org("Fabrikam").await);
    let grace = h.session_of("grace@contoso.com").await;

    let (status, text) = h
        .call(
            "/api/list_org_roles",
            Some(&grace),
            serde_json::json!({ "org": contoso, "family": "Administrators" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert!(text.contains("Grace Hopper"));

    let (status, text) = h
        .call(
            "/api/list_org_roles",
            Some(&grace),
            serde_json::json!({ "org": fabrikam, "family": "Administrators" }),
        )
        .await;
    // Another organisation's things answer as if they did not exist.
    assert_eq!(status, StatusCode::NOT_FOUND, "{text}");
    assert!(!text.contains("Felix"));
    let (status, _) = h
        .call(
            "/api/search_directory",
            Some(&grace),
            serde_json::json!({ "org": fabrikam, "query": "f", "users_only": false }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_plain_user_cannot_assign_administrators() {
    let h = harness().await;
    let contoso = h.org("Contoso").await;
    let omar = h.session_of("omar@contoso.com").await;
    let omar_id = user::Entity::find()
        .filter(user::Column::UpnLower.eq("omar@contoso.com"))
        .one(&h.db)
        .await
        .unwrap()
        .unwrap()
        .id;
    let (status, text) = h
        .call(
            "/api/assign_org_role",
            Some(&omar),
            serde_json::json!({ "org": contoso, "role": "GlobalAdmin", "principal": { "User": omar_id } }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{text}");
}

#[tokio::test]
async fn pages_send_signed_out_visitors_to_the_login() {
    let h = harness().await;
    let response = h.get("/settings/administrators", None).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&response),
        "/login?next=%2Fsettings%2Fadministrators"
    );
    let response = h.get("/settings/administrators", Some("forged")).await;
    assert!(location(&response).contains("error=session_ended"));
    assert_eq!(h.get("/healthz", None).await.status(), StatusCode::OK);
    assert_eq!(h.get("/readyz", None).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn sign_in_mistakes_end_on_the_login_page_with_a_message() {
    let h = harness().await;
    let form = |email: &str| {
        Request::post("/auth/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("email={email}&next=%2F")))
            .unwrap()
    };
    let response = h.send(form("someone%40unknown-example.org")).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(location(&response).contains("error=unknown_domain"));
    let response = h.send(form("not-an-address")).await;
    assert!(location(&response).contains("error=invalid_email"));
    // A callback nobody started (tampered or replayed state).
    let response = h.get("/auth/callback?code=abc&state=made-up", None).await;
    assert!(location(&response).contains("error=expired"));
    let response = h.get("/auth/callback?code=abc", None).await;
    assert!(location(&response).contains("error=invalid_response"));
}

fn room_input(name: &str, account: &str, country: &str) -> Value {
    json!({
        "display_name": name,
        "resource_account": account,
        "site": "Test site",
        "city": "Seattle",
        "country": country,
        "platform": "Windows",
    })
}

fn assignment_draft(members: Value) -> Value {
    json!({
        "name": "Test assignment",
        "description": "",
        "notify": false,
        "members": members,
        "all_rooms": true,
        "rooms": [],
        "room_groups": [],
    })
}

/// The role of the organisation named `name`, as its Global admin lists them.
async fn role_id(h: &Harness, cookie: &str, org: OrgId, name: &str) -> Value {
    let roles = h.ok("/api/list_roles", cookie, json!({ "org": org })).await;
    roles
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .unwrap()["id"]
        .clone()
}

#[tokio::test]
async fn rooms_roles_settings_and_audit_functions_refuse_outsiders_and_log_their_attempts() {
    let h = harness().await;
    let contoso = h.org("Contoso").await;
    let grace = h.session_of("grace@contoso.com").await;
    let omar = h.session_of("omar@contoso.com").await;
    let felix = h.session_of("felix@fabrikam.com").await;
    let omar_id = h.user_id("omar@contoso.com").await;
    let felix_id = h.user_id("felix@fabrikam.com").await;

    // What the refused calls aim at, made by Contoso's Global admin.
    let room = h
        .ok(
            "/api/create_room",
            &grace,
            json!({ "org": contoso, "input": room_input("HTTP target", "http-target@contoso.com", "US") }),
        )
        .await;
    let room_id = room["id"].clone();
    let custom = h
        .ok(
            "/api/create_role",
            &grace,
            json!({
                "org": contoso,
                "role": { "name": "HTTP test role", "description": "", "permissions": ["RoomsView"] },
                "assignment": assignment_draft(json!([{ "User": h.user_id("grace@contoso.com").await }])),
            }),
        )
        .await;
    let site_tech = role_id(&h, &grace, contoso, "Site Tech").await;
    let custom_assignment = h
        .ok(
            "/api/get_role",
            &grace,
            json!({ "org": contoso, "id": custom }),
        )
        .await["assignments"][0]["id"]
        .clone();
    let group = h
        .ok(
            "/api/create_room_group",
            &grace,
            json!({ "org": contoso, "input": { "name": "HTTP test group", "description": "", "rule_country": "", "rule_site": "" } }),
        )
        .await["id"]
        .clone();
    let ring = h
        .ok(
            "/api/create_update_ring",
            &grace,
            json!({ "org": contoso, "input": { "name": "HTTP test ring", "deferral_days": "5" } }),
        )
        .await["id"]
        .clone();
    let settings_before = h
        .ok("/api/get_settings", &grace, json!({ "org": contoso }))
        .await;
    let key_before = h
        .ok("/api/get_enrollment_key", &grace, json!({ "org": contoso }))
        .await;

    let query = json!({
        "search": "", "country": null, "site": null, "platform": null, "health": null,
        "enrollment": null, "sort": "Name", "descending": false, "page": 0,
    });
    // (server function, body, whether it changes something)
    let calls: Vec<(&str, Value, bool)> = vec![
        (
            "list_rooms",
            json!({ "org": contoso, "query": query }),
            false,
        ),
        ("get_room", json!({ "org": contoso, "id": room_id }), false),
        (
            "create_room",
            json!({ "org": contoso, "input": room_input("Intruder", "intruder@contoso.com", "US") }),
            true,
        ),
        (
            "update_room",
            json!({ "org": contoso, "id": room_id, "input": room_input("Renamed", "http-target@contoso.com", "US") }),
            true,
        ),
        (
            "unenroll_room",
            json!({ "org": contoso, "id": room_id }),
            true,
        ),
        (
            "delete_room",
            json!({ "org": contoso, "id": room_id }),
            true,
        ),
        ("reset_enrollment_key", json!({ "org": contoso }), true),
        ("get_enrollment_key", json!({ "org": contoso }), false),
        (
            "create_room_group",
            json!({ "org": contoso, "input": { "name": "Intruders", "description": "", "rule_country": "US", "rule_site": "" } }),
            true,
        ),
        (
            "create_update_ring",
            json!({ "org": contoso, "input": { "name": "Intruders", "deferral_days": "3" } }),
            true,
        ),
        ("list_roles", json!({ "org": contoso }), false),
        (
            "check_role_name",
            json!({ "org": contoso, "name": "Intruders" }),
            false,
        ),
        (
            "create_role",
            json!({
                "org": contoso,
                "role": { "name": "Intruders", "description": "", "permissions": ["RoomsView"] },
                "assignment": assignment_draft(json!([{ "User": omar_id }])),
            }),
            true,
        ),
        (
            "save_assignment",
            json!({ "org": contoso, "role": site_tech, "id": null, "assignment": assignment_draft(json!([{ "User": omar_id }])) }),
            true,
        ),
        ("delete_role", json!({ "org": contoso, "id": custom }), true),
        ("get_role", json!({ "org": contoso, "id": custom }), false),
        (
            "delete_assignment",
            json!({ "org": contoso, "id": custom_assignment }),
            true,
        ),
        ("list_room_groups", json!({ "org": contoso }), false),
        (
            "get_room_group",
            json!({ "org": contoso, "id": group }),
            false,
        ),
        (
            "update_room_group",
            json!({ "org": contoso, "id": group, "input": { "name": "Taken over", "description": "", "rule_country": "", "rule_site": "" } }),
            true,
        ),
        (
            "set_room_group_member",
            json!({ "org": contoso, "id": group, "room": room_id, "member": true }),
            true,
        ),
        (
            "delete_room_group",
            json!({ "org": contoso, "id": group }),
            true,
        ),
        ("list_update_rings", json!({ "org": contoso }), false),
        (
            "update_update_ring",
            json!({ "org": contoso, "id": ring, "input": { "name": "Taken over", "deferral_days": "90" } }),
            true,
        ),
        (
            "set_room_ring",
            json!({ "org": contoso, "id": room_id, "ring": ring }),
            true,
        ),
        (
            "delete_update_ring",
            json!({ "org": contoso, "id": ring }),
            true,
        ),
        ("get_settings", json!({ "org": contoso }), false),
        (
            "update_settings",
            json!({ "org": contoso, "settings": {
                "notification_email": "attacker@example.org", "maintenance_start": "03:00",
                "maintenance_hours": 3, "offline_after_minutes": 30,
            } }),
            true,
        ),
        (
            "list_audit",
            json!({ "org": contoso, "query": { "from": null, "to": null, "category": null, "result_status": null, "page": 0 } }),
            false,
        ),
        ("list_change_requests", json!({ "org": contoso }), false),
        (
            "decide_change_request",
            json!({ "org": contoso, "id": uuid::Uuid::new_v4(), "approve": true, "reason": "" }),
            true,
        ),
        (
            "list_partner_change_requests",
            json!({ "customer": contoso }),
            false,
        ),
    ];

    // A member's refusal is in Contoso's log; a stranger's (Felix of Fabrikam) in his own
    // organisation's, so nobody outside Contoso can write into Contoso's log.
    let fabrikam = h.org("Fabrikam").await;
    let mut missing_audit = Vec::new();
    for (name, body, changes) in &calls {
        let path = format!("/api/{name}");
        let (status, text) = h.call(&path, None, body.clone()).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "{name} without a session: {text}"
        );
        // A member is refused what they may see (403); a stranger is told nothing (404).
        for (who, cookie, id, home, refused) in [
            ("omar", &omar, omar_id, contoso, StatusCode::FORBIDDEN),
            ("felix", &felix, felix_id, fabrikam, StatusCode::NOT_FOUND),
        ] {
            // Reading one room group outside everything a member holds tells them nothing of it,
            // nor does a partner's list of requests to a customer tell anyone without a partner
            // role there.
            let refused = if *name == "get_room_group" || *name == "list_partner_change_requests" {
                StatusCode::NOT_FOUND
            } else {
                refused
            };
            let before = h.failed_by(home, id).await;
            let (status, text) = h.call(&path, Some(cookie), body.clone()).await;
            if status != refused {
                missing_audit.push(format!("{name} by {who}: status {status}"));
                continue;
            }
            assert!(
                !text.contains("HTTP target"),
                "{name} by {who} leaks: {text}"
            );
            let logged = h.failed_by(home, id).await - before;
            let expected = u64::from(*changes);
            if logged != expected {
                missing_audit.push(format!(
                    "{name} by {who}: {logged} Failed entries, expected {expected}"
                ));
            }
        }
    }
    assert!(missing_audit.is_empty(), "{missing_audit:#?}");
    assert_eq!(h.failed_by(contoso, felix_id).await, 0);

    // Nothing changed.
    let detail = h
        .ok(
            "/api/get_room",
            &grace,
            json!({ "org": contoso, "id": room_id }),
        )
        .await;
    assert_eq!(detail["room"]["display_name"], "HTTP target");
    assert_eq!(
        h.ok("/api/get_settings", &grace, json!({ "org": contoso }))
            .await,
        settings_before
    );
    assert_eq!(
        h.ok("/api/get_enrollment_key", &grace, json!({ "org": contoso }))
            .await,
        key_before
    );
    let roles = h
        .ok("/api/list_roles", &grace, json!({ "org": contoso }))
        .await;
    let names: Vec<&str> = roles
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"HTTP test role") && !names.contains(&"Intruders"),
        "{names:?}"
    );
    let page = h
        .ok(
            "/api/list_rooms",
            &grace,
            json!({ "org": contoso, "query": { "search": "intruder", "sort": "Name", "descending": false, "page": 0 } }),
        )
        .await;
    assert_eq!(page["total"], 0);
    let detail = h
        .ok(
            "/api/get_room_group",
            &grace,
            json!({ "org": contoso, "id": group }),
        )
        .await;
    assert_eq!(detail["group"]["name"], "HTTP test group");
    assert_eq!(detail["members"], json!([]));
    let rings = h
        .ok("/api/list_update_rings", &grace, json!({ "org": contoso }))
        .await;
    assert!(rings
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["name"] == "HTTP test ring" && r["deferral_days"] == 5));
    assert_eq!(
        h.ok(
            "/api/get_role",
            &grace,
            json!({ "org": contoso, "id": custom })
        )
        .await["assignments"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // Its members' refusals are in Contoso's log, for Contoso's administrators to read.
    let log = h
        .ok(
            "/api/list_audit",
            &grace,
            json!({ "org": contoso, "query": { "result_status": "Failed", "page": 0 } }),
        )
        .await;
    let rows = log["rows"].as_array().unwrap();
    assert!(!rows.iter().any(|r| r["user_id"] == json!(felix_id)));
    assert!(rows
        .iter()
        .any(|r| r["user_id"] == json!(omar_id) && r["category"] == "Role"));
}

fn today_minus(days: u64) -> String {
    (chrono::Utc::now().date_naive() - chrono::Days::new(days))
        .format("%Y-%m-%d")
        .to_string()
}

const CSV_HEADER: &str = "activity.category,activity.objectName,activity.operation,activity.resultStatus,activity.tenantId,creationTime,user.userId,user.userTenantId";

#[tokio::test]
async fn the_audit_export_is_a_csv_for_administrators_only() {
    let h = harness().await;
    let contoso = h.org("Contoso").await;
    let grace = h.session_of("grace@contoso.com").await;
    let omar = h.session_of("omar@contoso.com").await;
    let felix = h.session_of("felix@fabrikam.com").await;
    // Something to export: a change and a refusal.
    h.ok(
        "/api/create_room",
        &grace,
        json!({ "org": contoso, "input": room_input("Export, \"quoted\"", "export-room@contoso.com", "US") }),
    )
    .await;
    let (status, _) = h
        .call(
            "/api/reset_enrollment_key",
            Some(&omar),
            json!({ "org": contoso }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let url =
        |from: &str, to: &str| format!("/api/audit-log/export?org={contoso}&from={from}&to={to}");
    let ok_url = url(&today_minus(7), &today_minus(0));

    let response = h.get(&ok_url, Some(&grace)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let ct = response.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(ct.starts_with("text/csv"), "{ct}");
    let disposition = response.headers()[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    let body = axum::body::to_bytes(response.into_body(), 64 << 20)
        .await
        .unwrap();
    let csv = String::from_utf8(body.to_vec()).unwrap();
    let mut lines = csv.split_terminator("\r\n");
    assert_eq!(lines.next(), Some(CSV_HEADER));
    let lines: Vec<&str> = lines.collect();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("Room,\"Export, \"\"quoted\"\"\",Create,Successful,")),
        "{csv}"
    );
    let omar_id = h.user_id("omar@contoso.com").await;
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("Settings,Enrollment key,Update,Failed,")
                && l.contains(&omar_id.to_string())),
        "{csv}"
    );
    let tenant = contoso.to_string();
    assert!(lines.iter().all(|l| l.contains(&tenant)));

    // The export keeps the filters the Audit logs page shows.
    let response = h
        .get(
            &format!("{ok_url}&category=Settings&result=Failed&q=ENROLLMENT%20key"),
            Some(&grace),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let body = axum::body::to_bytes(response.into_body(), 64 << 20)
        .await
        .unwrap();
    let filtered = String::from_utf8(body.to_vec()).unwrap();
    let rows: Vec<&str> = filtered.split_terminator("\r\n").skip(1).collect();
    assert!(!rows.is_empty(), "{filtered}");
    assert!(
        rows.iter()
            .all(|l| l.starts_with("Settings,Enrollment key,Update,Failed,")),
        "{filtered}"
    );
    let response = h
        .get(&format!("{ok_url}&q={}", "x".repeat(101)), Some(&grace))
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);

    for (who, cookie, refused) in [
        ("omar", &omar, StatusCode::FORBIDDEN),
        ("felix", &felix, StatusCode::NOT_FOUND),
    ] {
        let response = h.get(&ok_url, Some(cookie)).await;
        assert_eq!(response.status(), refused, "{who}");
        let body = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        assert!(!String::from_utf8_lossy(&body).contains("activity.category"));
    }
    let response = h
        .get(&url(&today_minus(181), &today_minus(0)), Some(&grace))
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let response = h
        .get(&url(&today_minus(0), &today_minus(3)), Some(&grace))
        .await;
    assert_eq!(
        response.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "end before start"
    );
    let response = h
        .get(&url("yesterday", &today_minus(0)), Some(&grace))
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        h.get(&ok_url, None).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        h.get(&ok_url, Some("forged-token")).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let response = h
        .get(
            &format!("/api/audit-log/export?org={contoso}"),
            Some(&grace),
        )
        .await;
    assert!(response.status().is_client_error(), "{}", response.status());
}

fn enroll_body(key: &str, account: &str) -> Vec<u8> {
    json!({
        "enrollment_key": key,
        "resource_account": account,
        "display_name": "Agent Room",
        "platform": "android",
    })
    .to_string()
    .into_bytes()
}

/// An agent error: the status and the JSON `{"error": "<code>", "message": "..."}`.
fn agent_error(status: StatusCode, ct: Option<String>, text: &str) -> (StatusCode, String) {
    assert!(
        ct.as_deref()
            .is_some_and(|c| c.starts_with("application/json")),
        "{status} {ct:?} {text}"
    );
    let value: Value = serde_json::from_str(text).unwrap();
    assert!(value["message"].is_string(), "{text}");
    (status, value["error"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn the_agent_enrolls_with_the_key_and_gets_json_errors_otherwise() {
    let h = harness().await;
    let contoso = h.org("Contoso").await;
    let grace = h.session_of("grace@contoso.com").await;
    let key = h
        .ok("/api/get_enrollment_key", &grace, json!({ "org": contoso }))
        .await;
    let key = key.as_str().unwrap().to_owned();
    const ENROLL: &str = "/api/agent/v1/enroll";
    const JSON: Option<&str> = Some("application/json");

    let (status, ct, text) = h
        .post_raw(ENROLL, JSON, enroll_body(&key, "agent-room@contoso.com"))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{text}");
    assert!(ct.unwrap().starts_with("application/json"));
    let answer: Value = serde_json::from_str(&text).unwrap();
    let room_id = answer["room_id"].as_str().unwrap().to_owned();
    assert!(uuid::Uuid::parse_str(&room_id).is_ok(), "{text}");
    let token = answer["device_token"].as_str().unwrap().to_owned();
    assert!(token.len() >= 32, "{text}");
    let detail = h
        .ok(
            "/api/get_room",
            &grace,
            json!({ "org": contoso, "id": room_id }),
        )
        .await;
    assert_eq!(detail["room"]["enrollment"], "Enrolled");
    assert_eq!(detail["room"]["resource_account"], "agent-room@contoso.com");
    // Enrolling again: the same room, a new token.
    let (status, _, text) = h
        .post_raw(ENROLL, JSON, enroll_body(&key, "Agent-Room@Contoso.com"))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{text}");
    let again: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(again["room_id"], answer["room_id"]);
    assert_ne!(again["device_token"], answer["device_token"]);

    let (status, ct, text) = h
        .post_raw(
            ENROLL,
            JSON,
            enroll_body("rek_not-the-key", "agent-2@contoso.com"),
        )
        .await;
    let (status, code) = agent_error(status, ct, &text);
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(!code.is_empty());

    // A reset key stops working at once.
    h.ok(
        "/api/reset_enrollment_key",
        &grace,
        json!({ "org": contoso }),
    )
    .await;
    let (status, ct, text) = h
        .post_raw(ENROLL, JSON, enroll_body(&key, "agent-3@contoso.com"))
        .await;
    assert_eq!(agent_error(status, ct, &text).0, StatusCode::UNAUTHORIZED);

    for (what, ct, body) in [
        ("not JSON", JSON, b"{\"enrollment_key\": ".to_vec()),
        ("a missing field", JSON, br#"{"enrollment_key": "x"}"#.to_vec()),
        ("a wrong type", JSON, br#"{"enrollment_key": 1, "resource_account": "a@b.c", "display_name": "A", "platform": "android"}"#.to_vec()),
        ("an unknown platform", JSON, json!({"enrollment_key": key, "resource_account": "a@contoso.com", "display_name": "A", "platform": "toaster"}).to_string().into_bytes()),
        ("a bad account", JSON, json!({"enrollment_key": key, "resource_account": "not an account", "display_name": "A", "platform": "android"}).to_string().into_bytes()),
        ("no content type", None, enroll_body(&key, "agent-4@contoso.com")),
    ] {
        let (status, ct, text) = h.post_raw(ENROLL, ct, body).await;
        let (status, _) = agent_error(status, ct, &text);
        assert_eq!(status, StatusCode::BAD_REQUEST, "{what}: {text}");
    }

    // Over 64 KiB: refused as too large (or malformed), never a server error.
    let huge = json!({
        "enrollment_key": key,
        "resource_account": "big@contoso.com",
        "display_name": "x".repeat(70 * 1024),
        "platform": "android",
    })
    .to_string()
    .into_bytes();
    let (status, ct, text) = h.post_raw(ENROLL, JSON, huge).await;
    assert!(
        status == StatusCode::PAYLOAD_TOO_LARGE || status == StatusCode::BAD_REQUEST,
        "{status}: {text}"
    );
    agent_error(status, ct, &text);
    let listed = h
        .ok(
            "/api/list_rooms",
            &grace,
            json!({ "org": contoso, "query": { "search": "big@", "sort": "Name", "descending": false, "page": 0 } }),
        )
        .await;
    assert_eq!(listed["total"], 0);
}
