//! One amps + duration for several chargers at once.

use std::collections::BTreeSet;

use futures::StreamExt;

use super::{Control, ControlError, to_completion};
use crate::audit::Actor;
use crate::types::{BulkItem, BulkOutcome};

/// How many chargers of a bulk change are sent to CLEMAP at once. 32: a
/// site-wide set of 200 chargers at 50 ms upstream is answered within
/// about 200 x 50 ms / 32 = 0.3 s (`.ci/bench` BULK, #29; it was 8, so
/// 1.25 s at best), while CLEMAP, which documents no rate limit, sees no
/// more than the sampler's 64 reads at once.
pub const BULK_CONCURRENCY: usize = 32;

impl Control {
    /// Each charger gets the request clamped to its own range, the calls
    /// run concurrently (bounded), and each is audited as its own event
    /// sharing a batch id. Every charger gets its own result: one that
    /// fails never hides what happened to the others. Only an unknown
    /// charger fails the whole request, before anything is sent.
    pub async fn set_targets(
        &self,
        actor: &Actor,
        charger_ids: &[i64],
        amps: i64,
        duration: i64,
    ) -> Result<BulkOutcome, ControlError> {
        let running = self
            .bulks
            .try_begin(&actor.who.stored_name())
            .ok_or(ControlError::AlreadyRunning)?;
        let mut chargers = Vec::new();
        for id in charger_ids.iter().copied().collect::<BTreeSet<_>>() {
            chargers.push(self.registry.get(id).await?);
        }
        let (this, actor) = (self.clone(), actor.clone());
        to_completion(async move {
            let _running = running;
            let batch_id = uuid::Uuid::new_v4().to_string();
            let items = futures::stream::iter(chargers)
                .map(|charger| {
                    let (this, actor, batch_id) = (&this, &actor, batch_id.clone());
                    async move {
                        let sent = charger.clamp(amps);
                        let result = this
                            .set_target_in(actor, charger.id, sent.into(), duration, Some(batch_id))
                            .await
                            .map_err(|e| {
                                tracing::error!(charger = charger.id, error = %e, "bulk item failed");
                                e.problem()
                            });
                        BulkItem {
                            charger_id: charger.id,
                            charger_name: charger.name.clone(),
                            requested: amps,
                            sent,
                            result,
                        }
                    }
                })
                .buffered(BULK_CONCURRENCY)
                .collect::<Vec<_>>()
                .await;
            Ok(BulkOutcome { batch_id, items })
        })
        .await
    }
}
