//! Sign-in and sign-out routes: home-realm discovery, the redirect to the organisation's issuer,
//! the callback, and the session cookie. Every failure ends on the login page with a message
//! code, never a 500.

use crate::oidc::ProviderSettings;
use crate::routes::AppState;
use app::domain::validation::email_domain;
use app::server::context::SignedIn;
use app::server::service::identity::{
    self, LoginAttempt, SignInRefusal, VerifiedIdentity, SESSION_TTL,
};
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use chrono::Utc;
use serde::Deserialize;

fn cookie(
    state: &AppState,
    name: &'static str,
    value: String,
    max_age: time::Duration,
) -> Cookie<'static> {
    Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.secure_cookies())
        .max_age(max_age)
        .build()
}

/// Removing a cookie repeats the attributes it was set with (a `__Host-` cookie is only
/// replaced by a `Secure` one).
fn removal(state: &AppState, name: &'static str) -> Cookie<'static> {
    Cookie::build((name, ""))
        .path("/")
        .secure(state.config.secure_cookies())
        .build()
}

fn settings(org: &app::server::entity::organisation::Model) -> ProviderSettings {
    ProviderSettings {
        issuer: org.issuer_url.clone(),
        client_id: org.client_id.clone(),
        client_secret: app::server::service::operator::sign_in_client_secret(org),
    }
}

/// Back to the login page with a message code (see `app::features::login::login_message`).
fn to_login(code: &str, email: &str, next: &str) -> Redirect {
    let email = email.trim();
    // Longer is no e-mail address; echoing it would only make a huge URL.
    let email = if email.len() <= 320 { email } else { "" };
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("error", code)
        .append_pair("email", email)
        .append_pair("next", next)
        .finish();
    Redirect::to(&format!("/login?{query}"))
}

/// Where to send the browser after sign-in: a path (and query) of this portal, or `/`.
///
/// Browsers are lenient with `Location`: they drop tabs and newlines, read `\` as `/`, and take
/// `//host` as another site, so `next` is refused when it holds any control character,
/// whitespace or backslash, or does not start with exactly one `/`. What remains is resolved
/// against the portal's address with a URL parser (dot segments, percent-encoding), must stay
/// on its origin, and is re-serialised from the parsed path and query only; a path the parser
/// normalised into `//…` is refused too.
pub fn safe_next(portal: &url::Url, next: Option<&str>) -> String {
    let home = "/".to_owned();
    let Some(next) = next else {
        return home;
    };
    if !next.starts_with('/')
        || next.starts_with("//")
        || next.contains('\\')
        || next.chars().any(|c| c.is_control() || c.is_whitespace())
    {
        return home;
    }
    let Ok(resolved) = portal.join(next) else {
        return home;
    };
    if resolved.origin() != portal.origin() {
        return home;
    }
    let path = resolved.path();
    if !path.starts_with('/') || path.starts_with("//") || path == "/login" {
        return home;
    }
    match resolved.query() {
        Some(query) => format!("{path}?{query}"),
        None => path.to_owned(),
    }
}

/// Both optional: a form without an address gets the login page's message, not a 422.
#[derive(Deserialize)]
pub struct LoginForm {
    email: Option<String>,
    next: Option<String>,
}

/// POST /auth/login: find the organisation by the e-mail domain and send the browser to its
/// issuer with `state`, `nonce` and a PKCE challenge.
pub async fn login(
    State(state): State<AppState>,
    jar: CookieJar,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Response {
    let form = match form {
        Ok(Form(form)) => form,
        Err(rejection) => {
            tracing::info!(error = %rejection.body_text(), "unreadable sign-in form");
            return to_login("invalid_email", "", "/").into_response();
        }
    };
    let next = safe_next(&state.config.public_url, form.next.as_deref());
    let email = form.email.unwrap_or_default();
    let Ok(domain) = email_domain(&email) else {
        return to_login("invalid_email", &email, &next).into_response();
    };
    let org = match identity::find_org_by_domain(&state.db, &domain).await {
        Ok(Some(org)) => org,
        Ok(None) => {
            tracing::info!(%domain, "sign-in for an unknown domain");
            return to_login("unknown_domain", &email, &next).into_response();
        }
        Err(e) => {
            tracing::error!(error = %e, "home-realm discovery failed");
            return to_login("unavailable", &email, &next).into_response();
        }
    };
    let redirect = match state
        .oidc
        .authorize_url(&settings(&org), &state.config.redirect_uri(), email.trim())
        .await
    {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(org = %org.id, issuer = %org.issuer_url, error = %e, "cannot start sign-in");
            return to_login(e.code(), &email, &next).into_response();
        }
    };
    let attempt = LoginAttempt {
        org: org.id,
        nonce: redirect.nonce,
        pkce_verifier: redirect.pkce_verifier,
        return_to: next.clone(),
    };
    if let Err(e) = identity::begin_login(&state.db, &redirect.state, attempt, Utc::now()).await {
        tracing::error!(error = %e, "cannot store the sign-in attempt");
        return to_login("unavailable", &email, &next).into_response();
    }
    let jar = jar.add(cookie(
        &state,
        state.config.login_cookie(),
        redirect.state,
        time::Duration::minutes(10),
    ));
    (jar, Redirect::to(&redirect.url)).into_response()
}

#[derive(Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// GET /auth/callback: the issuer's answer. The sign-in attempt is taken exactly once, the code
/// redeemed with the PKCE verifier, and the ID token's signature, issuer, audience, expiry and
/// nonce checked before the user is found or created and a session starts.
pub async fn callback(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(query): Query<CallbackQuery>,
) -> Response {
    let now = Utc::now();
    let bound = jar
        .get(state.config.login_cookie())
        .map(|c| c.value().to_owned());
    let jar = jar.remove(removal(&state, state.config.login_cookie()));
    let fail = |jar: CookieJar, code: &str| (jar, to_login(code, "", "/")).into_response();
    let Some(returned_state) = query.state else {
        return fail(jar, "invalid_response");
    };
    let attempt = match identity::take_login(&state.db, &returned_state, now).await {
        Ok(Some(a)) => a,
        Ok(None) => {
            tracing::warn!("callback with an unknown, used or expired state");
            return fail(jar, "expired");
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot read the sign-in attempt");
            return fail(jar, "unavailable");
        }
    };
    if bound.as_deref() != Some(returned_state.as_str()) {
        tracing::warn!(org = %attempt.org, "callback state does not belong to this browser");
        return fail(jar, "expired");
    }
    if let Some(error) = query.error {
        tracing::info!(org = %attempt.org, %error, "issuer returned an error");
        return fail(
            jar,
            if error == "access_denied" {
                "cancelled"
            } else {
                "idp_error"
            },
        );
    }
    let Some(code) = query.code else {
        return fail(jar, "invalid_response");
    };
    let org = match identity::get_org(&state.db, attempt.org).await {
        Ok(org) => org,
        Err(e) => {
            tracing::error!(error = %e, "organisation of a sign-in vanished");
            return fail(jar, "unavailable");
        }
    };
    let verified = match state
        .oidc
        .redeem(
            &settings(&org),
            &state.config.redirect_uri(),
            code,
            attempt.pkce_verifier,
            attempt.nonce,
        )
        .await
    {
        Ok(v) => v,
        Err(e) => {
            tracing::warn!(org = %org.id, error = %e, "ID token refused");
            return fail(jar, e.code());
        }
    };
    let upn = verified
        .email
        .clone()
        .unwrap_or_else(|| verified.subject.clone());
    let identity_claims = VerifiedIdentity {
        issuer: verified.issuer,
        tenant_id: verified.tenant_id,
        subject: verified.subject,
        display_name: verified.name.unwrap_or_else(|| upn.clone()),
        upn,
    };
    let user = match identity::sign_in_user(&state.db, &org, identity_claims, now).await {
        Ok(Ok(user)) => user,
        Ok(Err(refusal)) => {
            tracing::warn!(org = %org.id, %refusal, "sign-in refused");
            return fail(
                jar,
                match refusal {
                    SignInRefusal::WrongTenant => "wrong_tenant",
                    SignInRefusal::OtherOrganisation => "other_organisation",
                },
            );
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot record the user");
            return fail(jar, "unavailable");
        }
    };
    let token =
        match identity::create_session(&state.db, user, org.id, Some(verified.id_token), now).await
        {
            Ok(t) => t,
            Err(e) => {
                tracing::error!(error = %e, "cannot start a session");
                return fail(jar, "unavailable");
            }
        };
    tracing::info!(user = %user, org = %org.id, "signed in");
    let ttl = time::Duration::seconds(SESSION_TTL.num_seconds());
    let jar = jar.add(cookie(&state, state.config.session_cookie(), token, ttl));
    // Checked again: the stored value may predate today's rules.
    let next = safe_next(&state.config.public_url, Some(&attempt.return_to));
    (jar, Redirect::to(&next)).into_response()
}

/// POST /auth/logout: ends the session here, then at the issuer when it offers sign-out.
pub async fn logout(
    State(state): State<AppState>,
    jar: CookieJar,
    signed_in: Option<Extension<SignedIn>>,
) -> Response {
    let signed_out = state.config.url("/login?signed_out=1");
    let mut target = "/login?signed_out=1".to_owned();
    if let Some(c) = jar.get(state.config.session_cookie()) {
        match identity::end_session(&state.db, c.value()).await {
            Ok(id_token) => {
                if let Some(Extension(s)) = signed_in {
                    if let Ok(org) = identity::get_org(&state.db, s.org).await {
                        if let Some(url) = state
                            .oidc
                            .logout_url(&settings(&org), id_token.as_deref(), &signed_out)
                            .await
                        {
                            target = url;
                        }
                    }
                    tracing::info!(user = %s.user, "signed out");
                }
            }
            Err(e) => tracing::error!(error = %e, "cannot end the session"),
        }
    }
    let removed = removal(&state, state.config.session_cookie());
    (jar.remove(removed), Redirect::to(&target)).into_response()
}
