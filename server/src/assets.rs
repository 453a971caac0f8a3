//! How long browsers keep the site's compiled files (`/pkg`). A file whose name carries the MD5
//! of its own bytes (cargo-leptos `hash-files`) never changes under that name, so it is cached
//! for a year. Any other is checked again on every use: with `--split`, cargo-leptos names the
//! main JS, the main WASM and the split manifest before it writes the final file names into them,
//! so their names do not follow their contents, and a year-long copy of one could name files a
//! later build no longer has. The names are checked once, when the server starts.

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use md5::{Digest, Md5};
use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

/// The request paths (`/pkg/…`) of the files named by their own contents.
#[derive(Clone, Debug, Default)]
pub struct Immutable(Arc<HashSet<String>>);

impl Immutable {
    /// Reads every file under `<site_root>/<pkg_dir>`. A missing directory (a test without a
    /// build) gives an empty set.
    pub fn scan(site_root: &str, pkg_dir: &str) -> Self {
        let Ok(entries) = std::fs::read_dir(Path::new(site_root).join(pkg_dir)) else {
            return Self::default();
        };
        let mut named = HashSet::new();
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Ok(bytes) = std::fs::read(entry.path()) {
                if names_its_contents(&name, &bytes) {
                    named.insert(format!("/{pkg_dir}/{name}"));
                }
            }
        }
        Self(Arc::new(named))
    }
}

/// `rooms.<hash>.css`, `chunk_19.<hash>.wasm`: one dot-separated part of the name is the
/// unpadded URL-safe base64 of the MD5 of `bytes` (how cargo-leptos hashes).
fn names_its_contents(name: &str, bytes: &[u8]) -> bool {
    let hash = URL_SAFE_NO_PAD.encode(Md5::digest(bytes));
    name.split('.').any(|part| part == hash)
}

/// A file, or a browser's copy of it confirmed (304).
pub fn is_file(status: StatusCode) -> bool {
    status.is_success() || status == StatusCode::NOT_MODIFIED
}

/// Sets `Cache-Control` on what `/pkg` serves.
pub async fn cache_control(
    State(immutable): State<Immutable>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    if path.starts_with("/pkg/") && is_file(response.status()) {
        let policy = if immutable.0.contains(&path) {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_immutable_only_when_it_carries_the_hash_of_its_bytes() {
        // MD5 of nothing, d41d8cd98f00b204e9800998ecf8427e, as cargo-leptos writes it.
        assert!(names_its_contents("rooms.1B2M2Y8AsgTpgAmY7PhCfg.css", b""));
        assert!(!names_its_contents(
            "rooms.1B2M2Y8AsgTpgAmY7PhCfg.css",
            b"body{}"
        ));
        assert!(!names_its_contents("rooms.css", b""));
    }
}
