//! Request guards and response headers that protect every page:
//! login required for pages, same-origin for state changes, and the
//! security headers (CSP with a per-response nonce for Leptos' scripts).

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

use crate::state::AppState;

/// The CSP for rendered pages. Scripts only from here or carrying this
/// response's nonce; WebAssembly compilation allowed (`wasm-unsafe-eval`
/// is not `unsafe-eval`: no JS eval); no framing; no plugins.
pub fn page_csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// For everything that is not a rendered page (files, JSON, errors).
pub const DEFAULT_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/// Adds the headers every response carries (a page's own CSP wins).
pub async fn headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(DEFAULT_CSP));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

/// Paths anyone may fetch: the login page, server functions (which
/// authorise themselves), the compiled bundle, static assets, health.
fn is_public(path: &str) -> bool {
    path == "/login"
        || path == "/healthz"
        || path == "/favicon.svg"
        || path.starts_with("/api/")
        || path.starts_with("/pkg/")
}

/// Sends anonymous page requests to the login page, and back afterwards.
pub async fn require_login(
    State(state): State<AppState>,
    session: Session,
    request: Request,
    next: Next,
) -> Response {
    if is_public(request.uri().path()) {
        return next.run(request).await;
    }
    match app::session::user_of(&session, &state.services).await {
        Ok(Some(_)) => next.run(request).await,
        Ok(None) => {
            let wanted = request
                .uri()
                .path_and_query()
                .map_or("/", |p| p.as_str())
                .to_owned();
            let target = format!("/login?next={}", urlencoding::encode(&wanted));
            Redirect::to(&target).into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "session lookup failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "The session store is not answering.",
            )
                .into_response()
        }
    }
}

/// The second wall against cross-site requests (SameSite=Strict is the
/// first): a state-changing request whose Origin (or, lacking that,
/// Referer) names another host is refused.
pub async fn same_origin(request: Request, next: Next) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    if is_cross_site(request.headers()) {
        tracing::warn!(path = %request.uri().path(), "refused a cross-site request");
        return (
            StatusCode::FORBIDDEN,
            "Cross-site request refused: open the dashboard itself and try again.",
        )
            .into_response();
    }
    next.run(request).await
}

fn is_cross_site(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let source = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|v| v.to_str().ok());
    match source {
        // No Origin/Referer: not a browser form or fetch (those send one).
        None => false,
        Some("null") => true,
        Some(url) => url
            .parse::<axum::http::Uri>()
            .ok()
            .and_then(|u| u.authority().map(|a| a.as_str().to_owned()))
            .is_none_or(|authority| !authority.eq_ignore_ascii_case(host)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn cross_site_detection() {
        let same = headers(&[
            ("host", "127.0.0.1:3000"),
            ("origin", "http://127.0.0.1:3000"),
        ]);
        assert!(!is_cross_site(&same));
        let other = headers(&[
            ("host", "127.0.0.1:3000"),
            ("origin", "https://evil.example"),
        ]);
        assert!(is_cross_site(&other));
        let referer = headers(&[("host", "dash:3000"), ("referer", "http://evil.example/x")]);
        assert!(is_cross_site(&referer));
        let referer_ok = headers(&[("host", "dash:3000"), ("referer", "http://dash:3000/x?y")]);
        assert!(!is_cross_site(&referer_ok));
        assert!(is_cross_site(&headers(&[
            ("host", "a"),
            ("origin", "null")
        ])));
        assert!(!is_cross_site(&headers(&[("host", "a")])));
    }

    #[test]
    fn public_paths() {
        assert!(is_public("/login"));
        assert!(is_public("/api/login"));
        assert!(is_public("/pkg/evse-dashboard.wasm"));
        assert!(!is_public("/"));
        assert!(!is_public("/admin"));
        assert!(!is_public("/loginx"));
    }
}
