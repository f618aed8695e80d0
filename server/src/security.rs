//! Request guards and response headers that protect every page:
//! login required for pages, same-origin for state changes, and the
//! security headers (CSP with a per-response nonce for Leptos' scripts).

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
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

/// HSTS for a server behind HTTPS (secure cookies): browsers stay on it.
pub const HSTS: &str = "max-age=31536000; includeSubDomains";

/// Paths anyone may fetch: the login page, the registered server
/// functions (which authorise themselves), the compiled bundle, static
/// assets, health. Any other path under `/api/` is not public: it could
/// only reach the page fallback.
fn is_public(path: &str) -> bool {
    path == "/login"
        // A link mailed to a subscribed address: its token authorises it.
        || path.starts_with("/alerts/confirm/")
        || path.starts_with("/alerts/unsubscribe/")
        || path == "/healthz"
        || path == "/livez"
        // A live stream answers 401 itself: an `EventSource` cannot
        // follow a redirect to the login page.
        || path == app::islands::live::STREAM_PATH
        || path == "/favicon.svg"
        || path.starts_with("/pkg/")
        || is_server_fn(path)
}

fn is_server_fn(path: &str) -> bool {
    static PATHS: std::sync::OnceLock<std::collections::HashSet<&'static str>> =
        std::sync::OnceLock::new();
    PATHS
        .get_or_init(|| {
            leptos::server_fn::axum::server_fn_paths()
                .map(|(path, _)| path)
                .collect()
        })
        .contains(path)
}

/// The path as the router will read it: dot-segments resolved (also when
/// written `%2e`) and empty segments dropped, RFC 3986 §5.2.4. `None` when
/// it is already in that form. Browsers always send it so; only a tool
/// sends `/api/../admin`, which must be classified as `/admin`.
pub fn normalised_path(path: &str) -> Option<String> {
    let is_dot = |s: &str| s == "." || s.eq_ignore_ascii_case("%2e");
    let is_dot_dot = |s: &str| {
        s.len() >= 2
            && matches!(
                s.to_ascii_lowercase().as_str(),
                ".." | ".%2e" | "%2e." | "%2e%2e"
            )
    };
    let mut kept: Vec<&str> = Vec::new();
    let mut segments = path.split('/').skip(1).peekable();
    let mut trailing_slash = false;
    while let Some(segment) = segments.next() {
        let last = segments.peek().is_none();
        if is_dot_dot(segment) {
            kept.pop();
            trailing_slash = last;
        } else if is_dot(segment) || segment.is_empty() {
            trailing_slash = last;
        } else {
            kept.push(segment);
            trailing_slash = false;
        }
    }
    let mut normal = format!("/{}", kept.join("/"));
    if trailing_slash && !kept.is_empty() {
        normal.push('/');
    }
    (normal != path).then_some(normal)
}

/// Rewrites a request's path to its [`normalised_path`] before anything
/// classifies or routes it.
pub async fn normalise_path(mut request: Request, next: Next) -> Response {
    if let Some(path) = normalised_path(request.uri().path()) {
        let path_and_query = match request.uri().query() {
            Some(query) => format!("{path}?{query}"),
            None => path,
        };
        let mut parts = request.uri().clone().into_parts();
        match path_and_query.parse() {
            Ok(pq) => parts.path_and_query = Some(pq),
            Err(_) => return StatusCode::BAD_REQUEST.into_response(),
        }
        match axum::http::Uri::from_parts(parts) {
            Ok(uri) => *request.uri_mut() = uri,
            Err(_) => return StatusCode::BAD_REQUEST.into_response(),
        }
    }
    next.run(request).await
}

/// Sends anonymous page requests to the login page, and back afterwards.
pub async fn require_login(
    State(state): State<AppState>,
    session: Session,
    mut request: Request,
    next: Next,
) -> Response {
    if is_public(request.uri().path()) {
        return next.run(request).await;
    }
    match app::session::user_of(&session, &state.services).await {
        Ok(Some(user)) => {
            request
                .extensions_mut()
                .insert(app::session::RequestUser(user));
            next.run(request).await
        }
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
    if is_cross_site(request.headers(), request.uri()) {
        tracing::warn!(path = %request.uri().path(), "refused a cross-site request");
        return (
            StatusCode::FORBIDDEN,
            "Cross-site request refused: open the dashboard itself and try again.",
        )
            .into_response();
    }
    next.run(request).await
}

/// HTTP/2 requests carry the host in the URI (`:authority`), not in a
/// `Host` header: either names this server. Without a readable host there
/// is nothing to compare with, and the change is refused (fail closed).
fn is_cross_site(headers: &HeaderMap, uri: &axum::http::Uri) -> bool {
    let host = match headers.get(header::HOST) {
        Some(value) => value.to_str().ok(),
        None => uri.authority().map(|a| a.as_str()),
    };
    let Some(host) = host else {
        return true;
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

/// The request id is the server's own: a client-sent `x-request-id` is kept
/// only as `x-client-request-id`, for the log, so nobody can plant ids
/// that collide with others' in the trail.
pub async fn own_request_id(mut request: Request, next: Next) -> Response {
    if let Some(theirs) = request.headers_mut().remove("x-request-id") {
        request.headers_mut().insert("x-client-request-id", theirs);
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

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
        let uri = axum::http::Uri::from_static("/api/x");
        assert!(!is_cross_site(&same, &uri));
        let other = headers(&[
            ("host", "127.0.0.1:3000"),
            ("origin", "https://evil.example"),
        ]);
        assert!(is_cross_site(&other, &uri));
        let referer = headers(&[("host", "dash:3000"), ("referer", "http://evil.example/x")]);
        assert!(is_cross_site(&referer, &uri));
        let referer_ok = headers(&[("host", "dash:3000"), ("referer", "http://dash:3000/x?y")]);
        assert!(!is_cross_site(&referer_ok, &uri));
        assert!(is_cross_site(
            &headers(&[("host", "a"), ("origin", "null")]),
            &uri
        ));
        assert!(!is_cross_site(&headers(&[("host", "a")]), &uri));
        // No host to compare with, or one that is not text: refused.
        assert!(is_cross_site(&headers(&[]), &uri));
        assert!(is_cross_site(
            &headers(&[("origin", "http://127.0.0.1:3000")]),
            &uri
        ));
        let mut odd = HeaderMap::new();
        odd.insert("host", HeaderValue::from_bytes(b"dash\xff").unwrap());
        assert!(is_cross_site(&odd, &uri));
        // HTTP/2: no Host header, the authority is in the URI.
        let h2 = axum::http::Uri::from_static("https://dash.example/api/x");
        assert!(is_cross_site(
            &headers(&[("origin", "https://evil.example")]),
            &h2
        ));
        assert!(!is_cross_site(
            &headers(&[("origin", "https://dash.example")]),
            &h2
        ));
    }

    #[test]
    fn public_paths() {
        assert!(is_public("/login"));
        assert!(is_public("/pkg/evse-dashboard.wasm"));
        assert!(!is_public("/"));
        assert!(!is_public("/admin"));
        assert!(!is_public("/loginx"));
        // Only a registered server function under /api/ (none is linked
        // into this unit test, so every /api/ path here is private).
        assert!(!is_public("/api/no_such_function"));
        assert!(!is_public("/api/../admin"));
    }

    #[test]
    fn paths_are_normalised_before_they_are_classified() {
        let n = |p: &str| normalised_path(p);
        assert_eq!(n("/api/../admin").as_deref(), Some("/admin"));
        assert_eq!(n("/api/%2e%2e/admin").as_deref(), Some("/admin"));
        assert_eq!(n("/api/.%2E/admin").as_deref(), Some("/admin"));
        assert_eq!(n("/pkg/../../admin").as_deref(), Some("/admin"));
        assert_eq!(n("/./admin").as_deref(), Some("/admin"));
        assert_eq!(n("//admin").as_deref(), Some("/admin"));
        assert_eq!(n("/chargers/1/..").as_deref(), Some("/chargers/"));
        assert_eq!(n("/..").as_deref(), Some("/"));
        // Already normal: left alone, trailing slash and all.
        assert_eq!(n("/"), None);
        assert_eq!(n("/admin"), None);
        assert_eq!(n("/schedules/"), None);
        assert_eq!(n("/chargers/1"), None);
        assert_eq!(n("/a..b/c.d"), None);
    }
}
