//! The server from outside: requests through the real router (session gate, sign-in routes,
//! server functions) against a seeded demo database. Refusals must be refusals: 401 without a
//! live session, 403 for another organisation's data.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use app::domain::ids::OrgId;
use app::server::entity::{organisation, user};
use app::server::service::identity;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use leptos::prelude::LeptosOptions;
use sea_orm::{
    ColumnTrait, ConnectOptions, Database, DatabaseConnection, EntityTrait, QueryFilter,
};
use server::config::Config;
use server::{router, AppState};
use tower::ServiceExt;

struct Harness {
    app: Router,
    db: DatabaseConnection,
}

async fn harness() -> Harness {
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
    let options = LeptosOptions::builder().output_name("rooms").build();
    let config = Config {
        database_url: String::new(),
        public_url: url::Url::parse("http://127.0.0.1:3000").unwrap(),
        seed_demo: true,
    };
    Harness {
        app: router(AppState::new(options, db.clone(), config)),
        db,
    }
}

impl Harness {
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
            .header(header::ACCEPT, "application/json");
        if let Some(token) = cookie {
            request = request.header(header::COOKIE, format!("rooms_session={token}"));
        }
        let response = self
            .app
            .clone()
            .oneshot(request.body(Body::from(body.to_string())).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }

    async fn get(&self, path: &str, cookie: Option<&str>) -> axum::response::Response {
        let mut request = Request::get(path);
        if let Some(token) = cookie {
            request = request.header(header::COOKIE, format!("rooms_session={token}"));
        }
        self.app
            .clone()
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap()
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
    assert_eq!(status, StatusCode::FORBIDDEN, "{text}");
    assert!(!text.contains("Felix"));
    let (status, _) = h
        .call(
            "/api/search_directory",
            Some(&grace),
            serde_json::json!({ "org": fabrikam, "query": "f", "users_only": false }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
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
    let response = h
        .app
        .clone()
        .oneshot(form("someone%40unknown-example.org"))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(location(&response).contains("error=unknown_domain"));
    let response = h.app.clone().oneshot(form("not-an-address")).await.unwrap();
    assert!(location(&response).contains("error=invalid_email"));
    // A callback nobody started (tampered or replayed state).
    let response = h.get("/auth/callback?code=abc&state=made-up", None).await;
    assert!(location(&response).contains("error=expired"));
    let response = h.get("/auth/callback?code=abc", None).await;
    assert!(location(&response).contains("error=invalid_response"));
}
