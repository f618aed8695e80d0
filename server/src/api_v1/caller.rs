//! Who calls `/api/v1`: the bearer token, checked on every request (no
//! cookie is read here, so a browser's session cannot be ridden into the
//! API: there is no CSRF surface).

use app::server_fns::context::ClientIp;
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use evse_dashboard::api_tokens::Presented;
use evse_dashboard::audit::{Actor, Who};
use evse_dashboard::types::{ApiToken, Role};

use super::problem::{ApiError, Unauthorized};
use crate::state::AppState;

/// A request with a good token: the token, and the actor its audit rows
/// name (`token:NAME`).
#[derive(Debug, Clone)]
pub struct Caller {
    pub token: ApiToken,
    pub actor: Actor,
}

impl Caller {
    /// The token's role is at least `min`, else 403 with the UI's sentence.
    pub fn require(&self, min: Role) -> Result<(), ApiError> {
        if self.token.role < min {
            return Err(app::error::AppError::Forbidden {
                role: self.token.role,
                needed: min,
            }
            .into());
        }
        Ok(())
    }
}

/// The token of `Authorization: Bearer <token>` (scheme in any case).
fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let presented = bearer(parts).ok_or(ApiError::Unauthorized(Unauthorized::Missing))?;
        let checked = state
            .services
            .api_tokens
            .check(presented, chrono::Utc::now())
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "API token check failed");
                ApiError::App(app::error::AppError::Internal)
            })?;
        let token = match checked {
            Presented::Good(token) => token,
            Presented::Expired(t) => {
                return Err(ApiError::Unauthorized(Unauthorized::Expired(t.expires_at)));
            }
            Presented::Revoked(t) => {
                return Err(ApiError::Unauthorized(Unauthorized::Revoked(t.revoked_at)));
            }
            Presented::Unknown => return Err(ApiError::Unauthorized(Unauthorized::Unknown)),
        };
        let request_id = parts
            .headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let client_ip = parts
            .extensions
            .get::<ClientIp>()
            .map(|ip| ip.0.to_string());
        let actor = Actor {
            who: Who::Token {
                name: token.name.clone(),
            },
            request_id,
            client_ip,
        };
        Ok(Self { token, actor })
    }
}
