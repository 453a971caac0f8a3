//! OpenID Connect, authorization code flow with PKCE, as a confidential client. The issuer,
//! client id and secret and accepted tenant ids are per-organisation data, so the same code
//! signs users in through Entra ID (tenant-specific issuer, `tid`/`oid` claims), Keycloak, Okta
//! or the local demo provider. Tokens stay on the server.

use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreErrorResponseType,
    CoreGenderClaim, CoreIdToken, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm, CoreRevocableToken, CoreRevocationErrorResponse,
    CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, AuthorizationCode, ClaimsVerificationError, Client, ClientId, ClientSecret,
    CsrfToken, EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet, EndpointSet, IdTokenFields,
    IssuerUrl, LogoutRequest, Nonce, PkceCodeChallenge, PkceCodeVerifier, PostLogoutRedirectUrl,
    ProviderMetadataWithLogout, RedirectUrl, Scope, SignatureVerificationError,
    StandardErrorResponse, StandardTokenResponse, TokenResponse,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// The claims Entra ID adds (and our demo provider mimics): tenant id and object id.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct TenantClaims {
    pub tid: Option<String>,
    pub oid: Option<String>,
}
impl AdditionalClaims for TenantClaims {}

type IdFields = IdTokenFields<
    TenantClaims,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
type TokenResp = StandardTokenResponse<IdFields, CoreTokenType>;
type OidcClient = Client<
    TenantClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    TokenResp,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// An organisation's identity-provider settings, as stored.
#[derive(Clone, Debug)]
pub struct ProviderSettings {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
}

/// An error with the errors that caused it: the token request's own message ("Request
/// failed") does not say whether the connection, the status or the body was at fault.
fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(e) = cause {
        text.push_str(": ");
        text.push_str(&e.to_string());
        cause = e.source();
    }
    text
}

/// Why a sign-in failed, as the login page explains it.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("the identity provider could not be reached: {0}")]
    Unreachable(String),
    #[error("the identity provider's answer is invalid: {0}")]
    Invalid(String),
}

impl OidcError {
    pub fn code(&self) -> &'static str {
        match self {
            OidcError::Unreachable(_) => "idp_unreachable",
            OidcError::Invalid(_) => "invalid_response",
        }
    }
}

pub struct Redirect {
    pub url: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

/// The verified identity from an ID token.
pub struct Verified {
    pub issuer: String,
    pub tenant_id: Option<String>,
    pub subject: String,
    pub email: Option<String>,
    pub name: Option<String>,
    pub id_token: String,
}

/// How long an issuer's discovery document and keys are reused before they are fetched again.
/// A key the issuer has just rotated in is fetched at once (`redeem`).
const DISCOVERY_TTL: Duration = Duration::from_secs(5 * 60);

struct Discovered {
    at: Instant,
    metadata: Arc<ProviderMetadataWithLogout>,
}

#[derive(Clone)]
pub struct Oidc {
    http: openidconnect::reqwest::Client,
    /// Per issuer URL: its discovery document with its key set (`jwks`), as last fetched.
    discovered: Arc<RwLock<HashMap<String, Discovered>>>,
}

impl Oidc {
    pub fn new() -> anyhow::Result<Self> {
        let http = openidconnect::reqwest::ClientBuilder::new()
            // Following redirects would open the door to SSRF through a hostile issuer.
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(10))
            .build()?;
        Ok(Self {
            http,
            discovered: Arc::default(),
        })
    }

    /// The issuer's metadata and keys, from the cache while fresh.
    async fn metadata(&self, issuer: &str) -> Result<Arc<ProviderMetadataWithLogout>, OidcError> {
        {
            let cache = self.discovered.read().unwrap_or_else(|p| p.into_inner());
            if let Some(found) = cache.get(issuer) {
                if found.at.elapsed() < DISCOVERY_TTL {
                    return Ok(found.metadata.clone());
                }
            }
        }
        self.discover(issuer).await
    }

    /// Fetches the discovery document and keys (never cached when that fails).
    async fn discover(&self, issuer: &str) -> Result<Arc<ProviderMetadataWithLogout>, OidcError> {
        let issuer_url =
            IssuerUrl::new(issuer.to_owned()).map_err(|e| OidcError::Invalid(e.to_string()))?;
        let metadata = Arc::new(
            ProviderMetadataWithLogout::discover_async(issuer_url, &self.http)
                .await
                .map_err(|e| OidcError::Unreachable(e.to_string()))?,
        );
        tracing::info!(%issuer, "identity provider metadata fetched");
        let mut cache = self.discovered.write().unwrap_or_else(|p| p.into_inner());
        // Issuers of deleted organisations would otherwise stay forever.
        cache.retain(|_, d| d.at.elapsed() < DISCOVERY_TTL);
        cache.insert(
            issuer.to_owned(),
            Discovered {
                at: Instant::now(),
                metadata: metadata.clone(),
            },
        );
        Ok(metadata)
    }

    fn client(
        settings: &ProviderSettings,
        redirect_uri: &str,
        metadata: &ProviderMetadataWithLogout,
    ) -> Result<OidcClient, OidcError> {
        Ok(OidcClient::from_provider_metadata(
            metadata.clone(),
            ClientId::new(settings.client_id.clone()),
            Some(ClientSecret::new(settings.client_secret.clone())),
        )
        .set_redirect_uri(
            RedirectUrl::new(redirect_uri.to_owned())
                .map_err(|e| OidcError::Invalid(e.to_string()))?,
        ))
    }

    /// Where to send the browser, with fresh `state`, `nonce` and PKCE verifier.
    pub async fn authorize_url(
        &self,
        settings: &ProviderSettings,
        redirect_uri: &str,
        login_hint: &str,
    ) -> Result<Redirect, OidcError> {
        let metadata = self.metadata(&settings.issuer).await?;
        let client = Self::client(settings, redirect_uri, &metadata)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".to_owned()))
            .add_scope(Scope::new("profile".to_owned()))
            .add_extra_param("login_hint", login_hint)
            .set_pkce_challenge(challenge)
            .url();
        Ok(Redirect {
            url: url.to_string(),
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
        })
    }

    /// Redeems the code and verifies the ID token: signature, issuer, audience, expiry, nonce.
    pub async fn redeem(
        &self,
        settings: &ProviderSettings,
        redirect_uri: &str,
        code: String,
        pkce_verifier: String,
        nonce: String,
    ) -> Result<Verified, OidcError> {
        let metadata = self.metadata(&settings.issuer).await?;
        let client = Self::client(settings, redirect_uri, &metadata)?;
        let response = client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|e| OidcError::Invalid(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier))
            .request_async(&self.http)
            .await
            .map_err(|e| OidcError::Invalid(with_causes(&e)))?;
        let id_token = response
            .id_token()
            .ok_or_else(|| OidcError::Invalid("no ID token in the response".to_owned()))?;
        let nonce = Nonce::new(nonce);
        let verifier = client.id_token_verifier();
        // Declared here so the claims may borrow them (the retry below).
        let (fresh_client, fresh_verifier);
        let claims = match id_token.claims(&verifier, &nonce) {
            Ok(claims) => claims,
            // Signed with a key we have not seen: the issuer rotated its keys since we
            // cached them. Fetch them once more and check again; the code is already spent,
            // so the same token is checked.
            Err(ClaimsVerificationError::SignatureVerification(
                SignatureVerificationError::NoMatchingKey,
            )) => {
                tracing::info!(issuer = %settings.issuer, "ID token signed with an unknown key; fetching the keys again");
                let fresh = self.discover(&settings.issuer).await?;
                fresh_client = Self::client(settings, redirect_uri, &fresh)?;
                fresh_verifier = fresh_client.id_token_verifier();
                id_token
                    .claims(&fresh_verifier, &nonce)
                    .map_err(|e| OidcError::Invalid(e.to_string()))?
            }
            Err(e) => return Err(OidcError::Invalid(e.to_string())),
        };
        let extra = claims.additional_claims();
        Ok(Verified {
            issuer: claims.issuer().as_str().to_owned(),
            tenant_id: extra.tid.clone(),
            // Entra's `sub` is per application; `oid` is the user's stable object id.
            subject: extra
                .oid
                .clone()
                .unwrap_or_else(|| claims.subject().as_str().to_owned()),
            // An address the issuer says it has not verified names nobody: it could claim a
            // pending first Global admin's UPN. (Entra ID sends no `email_verified`; its
            // addresses are set by the tenant's admins.)
            email: claims
                .email()
                .filter(|_| claims.email_verified() != Some(false))
                .map(|e| e.as_str().to_owned())
                .or_else(|| claims.preferred_username().map(|u| u.as_str().to_owned())),
            name: claims
                .name()
                .and_then(|n| n.get(None))
                .map(|n| n.as_str().to_owned()),
            id_token: id_token.to_string(),
        })
    }

    /// The issuer's sign-out URL, when it offers RP-initiated logout.
    pub async fn logout_url(
        &self,
        settings: &ProviderSettings,
        id_token: Option<&str>,
        post_logout: &str,
    ) -> Option<String> {
        let metadata = self.metadata(&settings.issuer).await.ok()?;
        let endpoint = metadata
            .additional_metadata()
            .end_session_endpoint
            .clone()?;
        let mut request = LogoutRequest::from(endpoint)
            .set_client_id(ClientId::new(settings.client_id.clone()))
            .set_post_logout_redirect_uri(PostLogoutRedirectUrl::new(post_logout.to_owned()).ok()?);
        if let Some(token) = id_token.and_then(|t| t.parse::<CoreIdToken>().ok()) {
            request = request.set_id_token_hint(&token);
        }
        Some(request.http_get_url().to_string())
    }
}
