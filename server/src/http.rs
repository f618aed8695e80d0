//! The axum router: Leptos pages and server functions, static files,
//! `/healthz`, the bundle (`assets`), and the layers every request passes (request id, tracing,
//! sessions, login for pages, same-origin for changes, security headers).

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, Request, StatusCode, header};
use axum::middleware;
use axum::response::{IntoResponse, Json};
use axum::routing::get;
use evse_dashboard::services::Services;
use leptos::prelude::{provide_context, use_context};
use leptos_axum::{AxumRouteListing, LeptosRoutes, ResponseOptions, generate_route_list};
use serde_json::json;
use tower::{Layer, ServiceBuilder};
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer as Set;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::security;
pub use crate::state::AppState;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// How session cookies behave.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    pub secure_cookies: bool,
    pub idle_timeout: std::time::Duration,
}

pub fn router<S>(
    state: AppState,
    store: S,
    sessions: &SessionConfig,
    (request_timeout, reads): (std::time::Duration, crate::read_bound::ReadBound),
) -> Router
where
    S: tower_sessions::SessionStore + Clone,
{
    let routes = route_list();
    let context = {
        let services = state.services.clone();
        let dispatcher = state.dispatcher.clone();
        let secure = app::server_fns::device_cookie::SecureCookies(sessions.secure_cookies);
        move || {
            provide_context(services.clone());
            provide_context(dispatcher.clone());
            provide_context(secure);
            set_page_csp();
        }
    };
    let shell = {
        let options = state.leptos_options.clone();
        move || app::shell(options.clone())
    };
    let idle = tower_sessions::cookie::time::Duration::seconds(
        i64::try_from(sessions.idle_timeout.as_secs()).unwrap_or(i64::MAX),
    );
    // `__Host-`: the browser keeps such a cookie only if it is Secure,
    // for the whole site and no other domain.
    let cookie_name = if sessions.secure_cookies {
        "__Host-evse_session"
    } else {
        "evse_session"
    };
    let secure = sessions.secure_cookies;
    let value = HeaderValue::from_static;
    let session_layer = SessionManagerLayer::new(store)
        .with_name(cookie_name)
        .with_path("/")
        .with_http_only(true)
        .with_same_site(SameSite::Strict)
        .with_secure(sessions.secure_cookies)
        .with_expiry(Expiry::OnInactivity(idle));

    let router = Router::new()
        .route("/healthz", get(healthz))
        // Liveness without the database: also the bare handler the
        // benchmark compares page throughput with.
        .route("/livez", get(|| async { "ok" }))
        .route("/audit/export.csv", get(crate::export::audit_csv))
        .route(app::islands::live::STREAM_PATH, get(crate::live::stream))
        .route(
            "/chargers/{id}/history.csv",
            get(crate::history_export::charger_csv),
        )
        .route(
            "/sites/{id}/history.csv",
            get(crate::history_export::site_csv),
        )
        .route(
            "/sessions/export.csv",
            get(crate::session_export::sessions_csv),
        )
        .route(
            "/sites/{id}/report.csv",
            get(crate::session_export::report_csv),
        )
        .nest_service(
            "/pkg",
            crate::assets::pkg(std::path::Path::new(&*state.leptos_options.site_root)),
        )
        .route_service(
            "/favicon.svg",
            crate::assets::favicon(std::path::Path::new(&*state.leptos_options.site_root)),
        )
        .leptos_routes_with_context(&state, routes, context.clone(), shell)
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, app::shell))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::require_login,
        ))
        // Pages and server functions only: `/api/v1` reads no cookie (a
        // bearer token is its only credential), so it needs neither the
        // session nor the cross-site check.
        .layer(
            ServiceBuilder::new()
                .layer(middleware::from_fn(security::same_origin))
                .layer(session_layer),
        );
    let router = Router::new()
        .nest(crate::api_v1::BASE, crate::api_v1::router())
        .route(
            "/alerts/unsubscribe/{id}/{token}/one-click",
            axum::routing::post(crate::one_click::unsubscribe),
        )
        .merge(router);
    // Outside the login check, so refused requests are counted too.
    let router = if state.metrics {
        router.layer(middleware::from_fn(crate::metrics::track))
    } else {
        router
    };
    let router = router
        // Reads wait their turn here (#38); one turned away has its own
        // counter (`READS_TURNED_AWAY`).
        .layer(middleware::from_fn_with_state(
            reads,
            crate::read_bound::limit,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::client_ip::middleware,
        ))
        .with_state(state)
        .layer(
            // Outermost first: the id is set before the span is opened so
            // every log line of the request carries it, and it is echoed
            // back so a user can quote it when reporting a problem.
            ServiceBuilder::new()
                .layer(middleware::from_fn(security::own_request_id))
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(request_span))
                .layer(PropagateRequestIdLayer::new(REQUEST_ID))
                // HTML, JSON and CSV on the fly; the bundle under /pkg comes
                // precompressed (it already has a Content-Encoding, which
                // this layer leaves alone). gzip at level 4, never brotli:
                // the profile (bench/flame, #29) had brotli's encoder at a
                // quarter to a third of every page's CPU, for pages 5 %
                // smaller than gzip's (3.6 vs 3.8 KB for the overview).
                .layer(
                    CompressionLayer::new()
                        .no_br()
                        .quality(CompressionLevel::Precise(4)),
                )
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::REQUEST_TIMEOUT,
                    request_timeout,
                ))
                // What every response carries. A page's own CSP wins, and
                // so does the cache policy of the bundle and the public
                // files (the same for everyone); everything else (pages,
                // server-function answers) is personal: never cached.
                .layer(Set::if_not_present(
                    header::CACHE_CONTROL,
                    value("no-store"),
                ))
                .option_layer(secure.then(|| {
                    Set::overriding(header::STRICT_TRANSPORT_SECURITY, value(security::HSTS))
                }))
                .layer(Set::if_not_present(
                    header::CONTENT_SECURITY_POLICY,
                    value(security::DEFAULT_CSP),
                ))
                .layer(Set::overriding(
                    header::X_CONTENT_TYPE_OPTIONS,
                    value("nosniff"),
                ))
                .layer(Set::overriding(
                    header::REFERRER_POLICY,
                    value("same-origin"),
                ))
                .layer(Set::overriding(header::X_FRAME_OPTIONS, value("DENY"))),
        );
    // Before routing (a layer on a router runs after it chose a route):
    // `/api/../admin` is routed, and guarded, as `/admin`.
    Router::new().fallback_service(middleware::from_fn(security::normalise_path).layer(router))
}

/// The app's routes, generated once per process.
///
/// Generating them renders the app with resource loading suppressed by a
/// process-wide flag; a page render elsewhere in the process that first
/// polls a resource meanwhile waits forever (leptos issue #4773). The
/// server builds its router once, but tests build many servers in one
/// process: a page of one hung (408 after 30 s) while the next was built.
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(app::App)).clone()
}

/// The page routes' patterns (`/chargers/:id`), as the router serves them:
/// for crawlers that must follow the app, not a list kept by hand.
pub fn page_paths() -> Vec<String> {
    route_list().iter().map(|r| r.path().to_owned()).collect()
}

/// Leptos put a fresh nonce into the context for its inline scripts; the
/// page's CSP must name it.
fn set_page_csp() {
    if let (Some(nonce), Some(response)) =
        (leptos::nonce::use_nonce(), use_context::<ResponseOptions>())
        && let Ok(value) = HeaderValue::from_str(&security::page_csp(&nonce.to_string()))
    {
        response.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}

fn request_span<B>(request: &Request<B>) -> tracing::Span {
    let request_id = request
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    // What the client called its request, if anything, for correlation.
    let client_request_id = request
        .headers()
        .get("x-client-request-id")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.chars().take(64).collect::<String>());
    // The path only, never the query string: it could carry user input.
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
        request_id = %request_id,
        client_request_id = client_request_id,
    )
}

/// Liveness and readiness in one: 200 when the database answers, else 503.
async fn healthz(State(services): State<Services>) -> impl IntoResponse {
    match services.database_health().await {
        Ok(health) => (
            StatusCode::OK,
            Json(json!({
                "status": "ok",
                "version": evse_dashboard::VERSION,
                "database": health.version,
                "migrations_applied": health.migrations_applied,
            })),
        ),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "unavailable", "reason": "database"})),
            )
        }
    }
}
