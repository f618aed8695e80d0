//! Renewing the load manager's unchanged targets on a site's chargers
//! (#40) under one audit row: the intent (about the site) first, then the
//! calls in parallel, then the row completed with each charger's outcome
//! in its answer. A changed allocation goes through `set_target_in_batch`
//! and gets its own row; a renewal only keeps a target from ending, so a
//! site's steady state costs one row per renewal, whatever its size.

use futures::StreamExt;

use super::{BULK_CONCURRENCY, Control, ControlError};
use crate::audit::{Actor, Completion};
use crate::clemap::model::TargetRequest;
use crate::problem::Problem;
use crate::types::{Charger, Renewed};
use crate::vocabulary::{AuditAction, Outcome};

impl Control {
    /// Renews `current` for `duration` seconds on each charger; returns
    /// each charger's outcome (the row says the same).
    pub async fn renew_in_batch(
        &self,
        actor: &Actor,
        site: &str,
        items: Vec<(Charger, u32)>,
        duration: u32,
    ) -> Result<Vec<Renewed>, ControlError> {
        let id = self
            .audit
            .begin_about(actor, AuditAction::ShareRenewed, site, Some(duration))
            .await?;
        let results: Vec<(Renewed, Option<Problem>)> = futures::stream::iter(items)
            .map(|(charger, current)| async move {
                let done = self.renew_one(&charger, current, duration).await;
                let renewed = Renewed {
                    charger_id: charger.id,
                    charger: charger.name,
                    current,
                    outcome: done.outcome,
                };
                (renewed, done.problem)
            })
            .buffer_unordered(BULK_CONCURRENCY)
            .collect()
            .await;
        let failure = results.iter().find_map(|(_, p)| p.clone());
        let all_received = results.iter().all(|(r, _)| r.outcome == Outcome::Received);
        let renewed: Vec<Renewed> = results.into_iter().map(|(r, _)| r).collect();
        let done = Completion {
            outcome: if all_received {
                Outcome::Received
            } else {
                Outcome::Error
            },
            upstream_status: None,
            upstream_answer: crate::audit::json(&renewed),
            previous_settings: None,
            problem: if all_received {
                None
            } else {
                failure.or(Some(Problem::Internal))
            },
        };
        self.audit.complete(id, &done).await?;
        Ok(renewed)
    }

    async fn renew_one(&self, charger: &Charger, current: u32, duration: u32) -> Completion {
        let request = TargetRequest { current, duration };
        self.call_with_credentials(charger, |address, token| {
            self.post_target(charger, address, token, request)
        })
        .await
        .unwrap_or_else(|e| {
            tracing::error!(error = %e, charger = charger.id, "no credentials for a renewal");
            Completion::failed(Problem::Internal)
        })
    }
}
