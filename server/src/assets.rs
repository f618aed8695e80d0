//! The compiled bundle under `/pkg`: served from the brotli or gzip file
//! cargo-leptos wrote beside it (`--precompress`) when the browser accepts
//! one, and cached for a year when its name carries a content hash
//! (`hash-files`), since a new build gets a new name.

use std::path::Path;

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::Router;
use tower_http::services::{ServeDir, ServeFile};

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Unhashed names (debug builds) may change under the same URL.
const REVALIDATE: &str = "no-cache";

/// The `/pkg` service for the site in `site_dir`.
pub fn pkg(site_dir: &Path) -> Router {
    let files = ServeDir::new(site_dir.join("pkg"))
        .precompressed_br()
        .precompressed_gzip();
    Router::new()
        .fallback_service(files)
        .layer(middleware::from_fn(cache_control))
}

/// `/favicon.svg`: revalidated like an unhashed bundle file.
pub fn favicon(site_dir: &Path) -> Router {
    Router::new()
        .fallback_service(ServeFile::new(site_dir.join("favicon.svg")))
        .layer(middleware::from_fn(cache_control))
}

async fn cache_control(request: Request, next: Next) -> Response {
    let policy = if is_hashed(request.uri().path()) {
        IMMUTABLE
    } else {
        REVALIDATE
    };
    let mut response = next.run(request).await;
    if response.status().is_success() {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    response
}

/// `evse-dashboard.3f9a….wasm`: a name, a hash, an extension.
fn is_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    let parts: Vec<&str> = name.split('.').collect();
    parts.len() >= 3
        && parts[parts.len() - 2].len() >= 8
        && parts[parts.len() - 2]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::is_hashed;

    #[test]
    fn only_names_with_a_content_hash_are_immutable() {
        assert!(is_hashed("/pkg/evse-dashboard.Xk2wQ9aBcD3e.wasm"));
        assert!(is_hashed("/evse-dashboard.0123456789abcdef.css"));
        assert!(!is_hashed("/pkg/evse-dashboard.wasm"));
        assert!(!is_hashed("/pkg/evse-dashboard.css"));
        assert!(!is_hashed("/pkg/a.b.c"));
    }
}
