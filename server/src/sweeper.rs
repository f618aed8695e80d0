//! The audit rows a dead instance left pending.

use std::time::Duration;

/// Marks `unknown` the attempts left pending longer than any call can
/// run: written by an instance (or a run) that died before the outcome.
pub(crate) async fn sweep_stale_pending(audit: evse_dashboard::audit::AuditLog) {
    let mut every = tokio::time::interval(Duration::from_secs(60));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        let cutoff = chrono::Utc::now() - evse_dashboard::audit::STALE_PENDING;
        match audit.resolve_pending(cutoff).await {
            Ok(0) => {}
            Ok(rows) => tracing::warn!(rows, "stale pending audit rows marked unknown"),
            Err(e) => tracing::error!(error = %e, "could not resolve stale pending audit rows"),
        }
    }
}
