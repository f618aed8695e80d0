//! The simulator's HTTP surface.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use serde_json::{Value, json};
use tokio::net::TcpListener;

use super::state::{RecordedRequest, SimState};
use crate::clemap::model::TargetRequest;

type Shared = Arc<Mutex<SimState>>;

pub(super) async fn serve(
    listener: TcpListener,
    state: Shared,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let router = Router::new()
        .route(
            "/edgedevices/{edge_device_id}/evses/{evse_uuid}/{resource}",
            any(handle),
        )
        .fallback(|| async { error(StatusCode::NOT_FOUND, "no such endpoint") })
        .with_state(state);
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
}

fn error(status: StatusCode, detail: &str) -> Response {
    (status, axum::Json(json!({ "detail": detail }))).into_response()
}

async fn handle(
    State(state): State<Shared>,
    method: Method,
    Path((edge, uuid, resource)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let presented = headers
        .get("evsetoken")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);

    // Record, and read the faults, without holding the lock across awaits.
    let faults = {
        let mut s = state.lock().expect("simulator state poisoned");
        let now = s.now();
        let token_valid = match (&presented, s.lookup_mut(&edge, &uuid)) {
            (Some(t), Some(station)) => *t == station.spec.token,
            _ => false,
        };
        s.requests.push(RecordedRequest {
            method: method.to_string(),
            path: format!("/edgedevices/{edge}/evses/{uuid}/{resource}"),
            edge_device_id: edge.clone(),
            evse_uuid: uuid.clone(),
            resource: resource.clone(),
            token_presented: presented.is_some(),
            token_valid,
            body: (!body.is_empty()).then(|| String::from_utf8_lossy(&body).into_owned()),
            at: now,
        });
        let faults = s.faults_for(&uuid);
        let fail = faults.error_rate > 0.0 && s.rng.f64() < faults.error_rate;
        (faults, fail)
    };
    let (faults, fail) = faults;
    if !faults.latency.is_zero() {
        tokio::time::sleep(faults.latency).await;
    }
    if faults.hang {
        std::future::pending::<()>().await;
    }
    if fail {
        let status = faults
            .error_status
            .and_then(|code| StatusCode::from_u16(code).ok())
            .unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
        return error(status, "injected failure");
    }
    if let Some(to) = &faults.redirect_to {
        return (
            StatusCode::MOVED_PERMANENTLY,
            [("location", to.as_str())],
            "",
        )
            .into_response();
    }
    if let Some(bytes) = faults.oversized {
        let body = format!("{{\"pad\": \"{}\"}}", "x".repeat(bytes));
        return (StatusCode::OK, [("content-type", "application/json")], body).into_response();
    }
    if let Some(text) = &faults.wrong_shape {
        let body = json!({ "current": text, "valid_until": text, "state": text });
        return (StatusCode::OK, axum::Json(body)).into_response();
    }
    if faults.malformed {
        return (
            StatusCode::OK,
            [("content-type", "application/json")],
            "{\"current\": 1",
        )
            .into_response();
    }

    let Some(presented) = presented else {
        return error(StatusCode::UNAUTHORIZED, "evsetoken header required");
    };
    let mut s = state.lock().expect("simulator state poisoned");
    let now = s.now();
    let Some(station) = s.lookup_mut(&edge, &uuid) else {
        return error(StatusCode::NOT_FOUND, "unknown edge device or EVSE");
    };
    if presented != station.spec.token {
        return error(StatusCode::UNAUTHORIZED, "invalid evsetoken");
    }

    match (resource.as_str(), method) {
        ("currentsettings", Method::GET) => axum::Json(station.settings(now)).into_response(),
        ("currentsettings", Method::DELETE) => {
            let previous = station.settings(now);
            station.target = None;
            axum::Json(previous).into_response()
        }
        ("currentsettings", Method::POST) => match parse_target(&body) {
            Err(response) => response,
            Ok(target) if station.spec.disconnected => created("rejected", target),
            Ok(target) => {
                let until = now + chrono::Duration::seconds(i64::from(target.duration));
                station.target = Some((target.current, until));
                created("received", target)
            }
        },
        ("status", Method::GET) => axum::Json(station.status(now)).into_response(),
        ("currentsettings" | "status", _) => {
            error(StatusCode::METHOD_NOT_ALLOWED, "method not allowed")
        }
        _ => error(StatusCode::NOT_FOUND, "no such endpoint"),
    }
}

fn created(state: &str, target: TargetRequest) -> Response {
    (
        StatusCode::CREATED,
        axum::Json(json!({
            "state": state,
            "current": target.current,
            "duration": target.duration,
        })),
    )
        .into_response()
}

/// Both fields required, both non-negative integers (no floats, no
/// strings), duration at least one second.
#[allow(clippy::result_large_err)]
fn parse_target(body: &[u8]) -> Result<TargetRequest, Response> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|_| error(StatusCode::BAD_REQUEST, "body is not valid JSON"))?;
    let field = |name: &str| -> Result<u32, Response> {
        value
            .get(name)
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| {
                error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &format!("field `{name}` must be a non-negative integer"),
                )
            })
    };
    let target = TargetRequest {
        current: field("current")?,
        duration: field("duration")?,
    };
    if target.duration == 0 {
        return Err(error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "field `duration` must be at least 1 second",
        ));
    }
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::super::{Faults, Fleet, StationSpec, Vehicle, spawn};

    /// An injected failure answers 503 unless another status is asked for.
    #[tokio::test]
    async fn injected_errors_answer_503_or_the_status_asked_for() {
        let station = StationSpec::new("edge", "evse", "sim-token", 32, Vehicle::None);
        let sim = spawn(Fleet {
            stations: vec![station],
        })
        .await
        .unwrap();
        let url = format!("{}/edgedevices/edge/evses/evse/status", sim.base_url());
        let status = || async {
            reqwest::Client::new()
                .get(&url)
                .header("evsetoken", "sim-token")
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        };
        assert_eq!(status().await, 200);
        sim.set_faults(Faults {
            error_rate: 1.0,
            ..Faults::default()
        });
        assert_eq!(status().await, 503);
        sim.set_faults(Faults {
            error_rate: 1.0,
            error_status: Some(500),
            ..Faults::default()
        });
        assert_eq!(status().await, 500);
    }
}
