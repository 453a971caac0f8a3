//! Defences every request goes through: the response headers (a per-response CSP nonce,
//! framing refused, no caching of what is not a static asset), the same-origin rule for
//! state-changing requests (CSRF), and the envelope of server-function calls (content type,
//! size, malformed arguments as 400), plus the last resort for a panic.

use crate::config::Config;
use app::domain::validation::ValidationError;
use app::error::AppError;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use leptos::nonce::Nonce;
use std::any::Any;
use std::collections::HashSet;
use std::sync::Arc;

/// The largest server-function body: arguments are a few fields of JSON.
pub const SERVER_FN_MAX_BODY: usize = 1024 * 1024;

/// Server functions declared with the URL (form) encoding instead of JSON. A form body is a
/// "simple" request a foreign page can send without a CORS preflight, so only these accept it.
const FORM_ENCODED_SERVER_FNS: &[&str] = &["/api/get_session"];

/// Response headers. The nonce is made here, put into the request for the page's scripts
/// (`provide_request_nonce`) and named in the CSP of the same response.
pub async fn headers(
    State(config): State<Arc<Config>>,
    mut request: Request,
    next: Next,
) -> Response {
    let nonce = Nonce::new();
    let is_asset = request.uri().path().starts_with("/pkg/");
    request.extensions_mut().insert(nonce.clone());
    let mut response = next.run(request).await;
    let is_file = crate::assets::is_file(response.status());
    let headers = response.headers_mut();
    if let Ok(csp) = HeaderValue::from_str(&content_security_policy(&nonce)) {
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    // For browsers that predate `frame-ancestors`.
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Portal URLs (organisation and room ids, filters) are not for other sites.
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    if config.public_url.scheme() == "https" {
        // No includeSubDomains: other hosts of the domain are not ours to decide for.
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    // Pages, server functions, sign-in routes and exports hold one person's data; only the
    // compiled assets are the same for everybody (assets.rs says for how long). A missing one
    // is answered with the not-found page, which is a page.
    if !(is_asset && is_file) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Scripts only with this response's nonce or from the portal itself (the hydration module and
/// the WASM it loads, which needs `wasm-unsafe-eval`); no inline styles; no framing.
/// `form-action` is left out on purpose: the sign-in and sign-out forms end at the
/// organisation's identity provider, and browsers check form redirects against it.
fn content_security_policy(nonce: &Nonce) -> String {
    // `cargo leptos watch` reloads the page over a WebSocket on another port.
    let reload = if std::env::var_os("LEPTOS_WATCH").is_some() {
        " ws: wss:"
    } else {
        ""
    };
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'{reload}; \
         object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    )
}

/// Makes the nonce of `headers` the one Leptos puts on the page's scripts. Called in the
/// context of every render and server function.
pub fn provide_request_nonce() {
    use leptos::prelude::{provide_context, use_context};
    if let Some(nonce) = use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Nonce>().cloned())
    {
        provide_context(nonce);
    }
}

fn is_state_changing(method: &Method) -> bool {
    matches!(
        *method,
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    )
}

/// Where a state-changing request says it comes from, judged against the portal's origin.
/// `Err` names what gave it away, for the log and the message.
///
/// Every browser in use sends `Origin` with a non-GET request, cross-origin or not (the Fetch
/// standard), so `Origin` decides when present. Without it, `Sec-Fetch-Site` and then
/// `Referer` stand in. A request with none of the three comes from a program, not a page:
/// allowed when it carries no session cookie (curl signing in, scripts), refused when it does,
/// since no browser would send a cookie that way and nothing legitimate needs to.
fn check_origin(headers: &HeaderMap, portal: &str, has_session: bool) -> Result<(), String> {
    let text = |v: &HeaderValue| String::from_utf8_lossy(v.as_bytes()).into_owned();
    if let Some(origin) = headers.get(header::ORIGIN) {
        return if origin.as_bytes() == portal.as_bytes() {
            Ok(())
        } else {
            Err(format!("origin {}", text(origin)))
        };
    }
    if let Some(site) = headers.get("sec-fetch-site") {
        // `none`: the user typed or bookmarked it; `same-site` may be another port or host.
        return match site.as_bytes() {
            b"same-origin" | b"none" => Ok(()),
            _ => Err(format!("Sec-Fetch-Site {}", text(site))),
        };
    }
    if let Some(referer) = headers.get(header::REFERER) {
        let same = referer
            .to_str()
            .ok()
            .and_then(|r| url::Url::parse(r).ok())
            .is_some_and(|r| r.origin().ascii_serialization() == portal);
        return if same {
            Ok(())
        } else {
            Err("a Referer of another origin".to_owned())
        };
    }
    if has_session {
        Err("no origin information with a session cookie".to_owned())
    } else {
        Ok(())
    }
}

/// Refuses state-changing requests that another origin's page made the browser send with the
/// user's cookies (CSRF; `SameSite=Lax` does not cover other ports of the same host). The
/// device agent API is exempt: it has no cookies, and its token is in the body.
pub async fn same_origin(
    State(config): State<Arc<Config>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    if !is_state_changing(request.method()) || path.starts_with("/api/agent/") {
        return next.run(request).await;
    }
    let portal = config.public_url.origin().ascii_serialization();
    let has_session = CookieJar::from_headers(request.headers())
        .get(config.session_cookie())
        .is_some();
    match check_origin(request.headers(), &portal, has_session) {
        Ok(()) => next.run(request).await,
        Err(seen) => {
            tracing::warn!(%path, %seen, portal = %portal, "cross-origin request refused");
            let message = format!(
                "Refused: this request did not come from the portal's own pages (expected origin \
                 {portal}, got {seen}). If you opened the portal at another address, use {portal}."
            );
            if path.starts_with("/api/") {
                app_error(StatusCode::FORBIDDEN, "origin", message)
            } else {
                (StatusCode::FORBIDDEN, message).into_response()
            }
        }
    }
}

/// An error as server functions answer it (their client decodes it into `AppError`).
fn app_error(status: StatusCode, field: &str, message: String) -> Response {
    let body = AppError::Invalid(ValidationError::new(field, message));
    match serde_json::to_vec(&body) {
        Ok(json) => (
            status,
            [(header::CONTENT_TYPE, "application/json")],
            Body::from(json),
        )
            .into_response(),
        Err(_) => status.into_response(),
    }
}

/// The paths of the server functions, as registered by `leptos_routes`.
pub fn server_fn_paths() -> Arc<HashSet<&'static str>> {
    Arc::new(
        leptos::server_fn::axum::server_fn_paths()
            .map(|(path, _)| path)
            .collect(),
    )
}

/// The envelope of a server-function call: the content type it reads (JSON; a form only for
/// the few declared with it), at most `SERVER_FN_MAX_BODY`, and arguments that do not
/// deserialize answered as the client's mistake (400), not as the server's (500, what
/// `server_fn` answers for them).
pub async fn server_fn_envelope(
    State(paths): State<Arc<HashSet<&'static str>>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    if !paths.contains(path.as_str()) {
        return next.run(request).await;
    }
    let essence = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let accepted = essence == "application/json"
        || (essence == "application/x-www-form-urlencoded"
            && FORM_ENCODED_SERVER_FNS.contains(&path.as_str()));
    if !accepted {
        return app_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "request",
            format!(
                "This server function reads application/json, not {}.",
                if essence.is_empty() {
                    "a body without a content type"
                } else {
                    essence.as_str()
                }
            ),
        );
    }
    let too_large = || {
        app_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "request",
            format!(
                "The request is too large (at most {} KiB).",
                SERVER_FN_MAX_BODY / 1024
            ),
        )
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > SERVER_FN_MAX_BODY as u64) {
        return too_large();
    }
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, SERVER_FN_MAX_BODY).await {
        Ok(bytes) => bytes,
        Err(e) => {
            return if std::error::Error::source(&e)
                .is_some_and(|s| s.is::<http_body_util::LengthLimitError>())
            {
                too_large()
            } else {
                app_error(
                    StatusCode::BAD_REQUEST,
                    "request",
                    "The request body could not be read.".to_owned(),
                )
            };
        }
    };
    if essence == "application/json" && holds_nul(&bytes) {
        return app_error(
            StatusCode::BAD_REQUEST,
            "request",
            "Text may not contain NUL characters (\\u0000).".to_owned(),
        );
    }
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key("serverfnerror")
    {
        return response;
    }
    // A 500 with the server-function error header and an `Invalid` body is an argument that
    // did not deserialize: the functions' own refusals carry their status (`serve`).
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, SERVER_FN_MAX_BODY).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if let Ok(AppError::Invalid(e)) = serde_json::from_slice::<AppError>(&bytes) {
        tracing::info!(%path, error = %e, "server function arguments refused");
        parts.status = StatusCode::BAD_REQUEST;
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// Whether a JSON body holds a NUL character in any string or key. PostgreSQL cannot store
/// one in text (the query fails), and no field of the portal has a use for it, so it is
/// refused here for every server function at once. Malformed JSON is left to the function,
/// which explains what is wrong with it.
fn holds_nul(body: &[u8]) -> bool {
    fn walk(value: &serde_json::Value) -> bool {
        match value {
            serde_json::Value::String(s) => s.contains('\0'),
            serde_json::Value::Array(items) => items.iter().any(walk),
            serde_json::Value::Object(fields) => fields
                .iter()
                .any(|(key, value)| key.contains('\0') || walk(value)),
            _ => false,
        }
    }
    serde_json::from_slice::<serde_json::Value>(body).is_ok_and(|v| walk(&v))
}

/// A panic in a handler becomes a logged 500 with a plain message, never a dropped connection.
pub fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let detail = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    tracing::error!(panic = %detail, "a request handler panicked");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong on our side. Try again in a moment.",
    )
        .into_response()
}
