//! A minimal OpenID Connect issuer on 127.0.0.1 for the sign-in tests: discovery, keys and a
//! token endpoint that signs real RS256 ID tokens. It counts what the portal fetches, and its
//! signing key can be rotated to a key the portal has not seen.
//!
//! The authorization step (the user at the issuer) is skipped: the test reads `nonce` from the
//! authorize URL and passes it back as the `code`, which the token endpoint echoes into the ID
//! token, as a real issuer would after remembering it with the code.

use axum::extract::{Form, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use openidconnect::core::{
    CoreIdToken, CoreIdTokenClaims, CoreJwsSigningAlgorithm, CoreRsaPrivateSigningKey,
};
use openidconnect::{
    Audience, EmptyAdditionalClaims, EndUserEmail, EndUserUsername, IssuerUrl, JsonWebKeyId, Nonce,
    PrivateSigningKey, StandardClaims, SubjectIdentifier,
};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

pub const CLIENT_ID: &str = "rooms-test";
pub const CLIENT_SECRET: &str = "rooms-test-secret";
const KEY_A: &str = include_str!("keys/issuer-a.pem");
const KEY_B: &str = include_str!("keys/issuer-b.pem");

struct Shared {
    issuer: String,
    discovery: AtomicUsize,
    jwks: AtomicUsize,
    rotated: AtomicBool,
    unverified_email: AtomicBool,
}

impl Shared {
    fn key(&self) -> CoreRsaPrivateSigningKey {
        let (pem, kid) = if self.rotated.load(Ordering::SeqCst) {
            (KEY_B, "key-b")
        } else {
            (KEY_A, "key-a")
        };
        CoreRsaPrivateSigningKey::from_pem(pem, Some(JsonWebKeyId::new(kid.to_owned()))).unwrap()
    }
}

#[derive(Clone)]
pub struct TestIdp {
    shared: Arc<Shared>,
}

impl TestIdp {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let issuer = format!("http://{}", listener.local_addr().unwrap());
        let shared = Arc::new(Shared {
            issuer,
            discovery: AtomicUsize::new(0),
            jwks: AtomicUsize::new(0),
            rotated: AtomicBool::new(false),
            unverified_email: AtomicBool::new(false),
        });
        let app = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/jwks", get(jwks))
            .route("/token", post(token))
            .with_state(shared.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        TestIdp { shared }
    }

    pub fn issuer(&self) -> &str {
        &self.shared.issuer
    }

    /// How many times the discovery document and the key set were fetched.
    pub fn fetches(&self) -> (usize, usize) {
        (
            self.shared.discovery.load(Ordering::SeqCst),
            self.shared.jwks.load(Ordering::SeqCst),
        )
    }

    /// From now on the user's e-mail is marked unverified (`email_verified: false`), and the
    /// token names `preferred_username` too.
    pub fn unverify_email(&self) {
        self.shared.unverified_email.store(true, Ordering::SeqCst);
    }

    /// Signs from now on with a new key (new key id), publishing only that key.
    pub fn rotate_key(&self) {
        self.shared.rotated.store(true, Ordering::SeqCst);
    }
}

async fn discovery(State(s): State<Arc<Shared>>) -> Json<Value> {
    s.discovery.fetch_add(1, Ordering::SeqCst);
    let i = &s.issuer;
    Json(json!({
        "issuer": i,
        "authorization_endpoint": format!("{i}/authorize"),
        "token_endpoint": format!("{i}/token"),
        "jwks_uri": format!("{i}/jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
    }))
}

async fn jwks(State(s): State<Arc<Shared>>) -> Json<Value> {
    s.jwks.fetch_add(1, Ordering::SeqCst);
    let key = s.key().as_verification_key();
    Json(json!({ "keys": [key] }))
}

/// The code is the nonce (see the module comment); the user is fixed.
async fn token(
    State(s): State<Arc<Shared>>,
    Form(form): Form<HashMap<String, String>>,
) -> Json<Value> {
    let nonce = form.get("code").cloned().unwrap_or_default();
    let now = chrono::Utc::now();
    let claims = CoreIdTokenClaims::new(
        IssuerUrl::new(s.issuer.clone()).unwrap(),
        vec![Audience::new(CLIENT_ID.to_owned())],
        now + chrono::Duration::minutes(5),
        now,
        if s.unverified_email.load(Ordering::SeqCst) {
            StandardClaims::new(SubjectIdentifier::new("idp-user-1".to_owned()))
                .set_email(Some(EndUserEmail::new("grace@idp-test.example".to_owned())))
                .set_email_verified(Some(false))
                .set_preferred_username(Some(EndUserUsername::new(
                    "ada@idp-test.example".to_owned(),
                )))
        } else {
            StandardClaims::new(SubjectIdentifier::new("idp-user-1".to_owned()))
                .set_email(Some(EndUserEmail::new("ada@idp-test.example".to_owned())))
        },
        EmptyAdditionalClaims {},
    )
    .set_nonce(Some(Nonce::new(nonce)));
    let id_token = CoreIdToken::new(
        claims,
        &s.key(),
        CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
        None,
        None,
    )
    .unwrap();
    Json(json!({
        "access_token": "unused",
        "token_type": "Bearer",
        "expires_in": 300,
        "id_token": id_token.to_string(),
    }))
}
