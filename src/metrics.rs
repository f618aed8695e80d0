//! The names of the operational metrics, and the few places that record
//! them. Recording goes through the `metrics` facade: without an installed
//! recorder (`--metrics-listen` unset) each call is a cheap no-op.

use std::time::Duration;

/// Requests served, by route, method and status class.
pub const HTTP_REQUESTS: &str = "evse_http_requests_total";
/// How long requests took, by route and method.
pub const HTTP_DURATION: &str = "evse_http_request_duration_seconds";
/// Connections open now.
pub const HTTP_CONNECTIONS: &str = "evse_http_connections_open";
/// Connections closed at once because their client held its share.
pub const HTTP_CONNECTIONS_REFUSED: &str = "evse_http_connections_refused_total";
/// Live page streams open now (#41).
pub const LIVE_STREAMS: &str = "evse_live_streams_open";
/// Live streams closed because their reader fell behind.
pub const LIVE_DROPPED: &str = "evse_live_streams_dropped_total";
/// Page and API reads answered 503 past the bound on reads (#38).
pub const READS_TURNED_AWAY: &str = "evse_http_reads_turned_away_total";
/// Calls to CLEMAP, by operation and outcome (`ok` or the failure's kind).
pub const CLEMAP_CALLS: &str = "evse_clemap_calls_total";
/// How long CLEMAP calls took, by operation and outcome.
pub const CLEMAP_DURATION: &str = "evse_clemap_call_duration_seconds";
/// Sampling rounds, and chargers read in them.
pub const STATUS_ROUNDS: &str = "evse_status_rounds_total";
pub const STATUS_READINGS: &str = "evse_status_readings_total";
/// How long a sampling round took.
pub const STATUS_ROUND_DURATION: &str = "evse_status_round_duration_seconds";
/// How long a round's charging-session detection took (#42).
pub const SESSIONS_DURATION: &str = "evse_sessions_round_duration_seconds";
/// Audit rows appended, by action.
pub const AUDIT_ROWS: &str = "evse_audit_rows_written_total";
/// Pending audit rows completed, by outcome.
pub const AUDIT_OUTCOMES: &str = "evse_audit_outcomes_total";

/// A CLEMAP call's label: a closed set (the API has four operations),
/// never a URL.
pub fn clemap_operation(method: &str, resource: &str) -> &'static str {
    match (method, resource) {
        ("GET", "status") => "get_status",
        ("GET", _) => "get_currentsettings",
        ("POST", _) => "post_currentsettings",
        ("DELETE", _) => "delete_currentsettings",
        _ => "other",
    }
}

/// One CLEMAP call: `operation` like `get_status`, `outcome` `ok` or the
/// failure's kind (`timeout`, `upstream_error`, …).
pub fn clemap_call(operation: &'static str, outcome: &'static str, took: Duration) {
    let labels = [("operation", operation), ("outcome", outcome)];
    metrics::counter!(CLEMAP_CALLS, &labels).increment(1);
    metrics::histogram!(CLEMAP_DURATION, &labels).record(took.as_secs_f64());
}

/// One sampling round.
pub fn status_round(took: Duration) {
    metrics::counter!(STATUS_ROUNDS).increment(1);
    metrics::histogram!(STATUS_ROUND_DURATION).record(took.as_secs_f64());
}

/// One round's charging-session detection.
pub fn sessions_round(took: Duration) {
    metrics::histogram!(SESSIONS_DURATION).record(took.as_secs_f64());
}

/// Chargers read and recorded (in a round, or one at once).
pub fn status_readings(chargers: usize) {
    metrics::counter!(STATUS_READINGS).increment(chargers as u64);
}

pub fn audit_row_written(action: &str) {
    metrics::counter!(AUDIT_ROWS, "action" => action.to_owned()).increment(1);
}

pub fn audit_completed(outcome: &str) {
    metrics::counter!(AUDIT_OUTCOMES, "outcome" => outcome.to_owned()).increment(1);
}

/// What each series means, for Prometheus' `# HELP` lines.
pub fn describe() {
    metrics::describe_counter!(
        HTTP_REQUESTS,
        "Requests served, by route pattern, method and status"
    );
    metrics::describe_histogram!(
        HTTP_DURATION,
        metrics::Unit::Seconds,
        "Time to answer a request, by route pattern and method"
    );
    metrics::describe_gauge!(HTTP_CONNECTIONS, "Client connections open now");
    metrics::describe_counter!(
        HTTP_CONNECTIONS_REFUSED,
        "Connections closed at once because their client already held its share"
    );
    metrics::describe_counter!(CLEMAP_CALLS, "Calls to CLEMAP, by operation and outcome");
    metrics::describe_histogram!(
        CLEMAP_DURATION,
        metrics::Unit::Seconds,
        "Time CLEMAP took to answer, by operation and outcome"
    );
    metrics::describe_counter!(AUDIT_ROWS, "Audit rows appended, by action");
    metrics::describe_counter!(STATUS_ROUNDS, "Status sampling rounds this instance ran");
    metrics::describe_counter!(STATUS_READINGS, "Chargers read and recorded");
    metrics::describe_histogram!(
        STATUS_ROUND_DURATION,
        metrics::Unit::Seconds,
        "Time one sampling round took"
    );
    metrics::describe_histogram!(
        SESSIONS_DURATION,
        metrics::Unit::Seconds,
        "Time one round's charging-session detection took"
    );
    metrics::describe_counter!(
        AUDIT_OUTCOMES,
        "Attempts completed in the audit trail, by outcome"
    );
}
