//! `/api/v1` (#30): JSON for other systems, with bearer tokens only (no
//! session cookie is read, so there is nothing to forge cross-site). The
//! handlers call the same services as the server functions; the router
//! and the OpenAPI document are made from the same `routes!` list, so no
//! route can be missing from the document.

mod audit;
mod body;
pub mod caller;
mod chargers;
mod extract;
mod history;
mod model;
pub mod problem;
mod reference;
mod reports;
mod sites;
pub mod writes;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

/// Where the API is mounted.
pub const BASE: &str = "/api/v1";

/// A target's body is two numbers; nothing larger is read.
const BODY_LIMIT: usize = 16 * 1024;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "evse-dashboard",
        description = "Read chargers and set, read and reset their temporary current targets \
                       through CLEMAP, with the dashboard's rules and audit trail.",
    ),
    servers((url = "/api/v1")),
    components(schemas(problem::ProblemDetails)),
    modifiers(&Bearer),
    tags(
        (name = "chargers", description = "Chargers, their readings and targets"),
        (name = "sites", description = "Every charger of a site at once"),
        (name = "history", description = "What chargers did, in 15-minute buckets"),
        (name = "audit", description = "The audit trail"),
        (name = "reference", description = "This description"),
    )
)]
struct ApiDoc;

/// The `bearer` security scheme the operations name.
struct Bearer;

impl Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some(
                "An API token (`evse_…`), made by an admin; shown once.",
            ))
            .build();
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// Every route of the API with its documentation: the one list.
fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(chargers::list))
        .routes(routes!(chargers::get))
        .routes(routes!(chargers::target, chargers::set, chargers::reset))
        .routes(routes!(history::charger))
        .routes(routes!(sites::set))
        .routes(routes!(history::site))
        .routes(routes!(reports::site))
        .routes(routes!(audit::page))
        .routes(routes!(reference::openapi_json))
        .routes(routes!(reference::docs))
}

/// The OpenAPI document (also `evse-dashboard openapi`).
pub fn openapi() -> utoipa::openapi::OpenApi {
    routes().split_for_parts().1
}

/// The API's router, to be nested at [`BASE`]. Anything else under it is
/// a problem document, not the dashboard's HTML 404 page.
pub fn router() -> Router<AppState> {
    let (router, _) = routes().split_for_parts();
    router
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
}

async fn not_found() -> problem::ApiError {
    problem::ApiError::NoSuchOperation
}

async fn method_not_allowed() -> problem::ApiError {
    problem::ApiError::MethodNotAllowed
}
