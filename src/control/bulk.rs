//! One amps + duration for several chargers at once.

use std::collections::BTreeSet;

use futures::StreamExt;

use super::{Control, ControlError};
use crate::audit::Actor;
use crate::types::{BulkItem, BulkOutcome};

/// How many chargers of a bulk change are sent to CLEMAP at once.
pub const BULK_CONCURRENCY: usize = 8;

impl Control {
    /// Each charger gets the request clamped to its own range, the calls
    /// run concurrently (bounded), and each is audited as its own event
    /// sharing a batch id.
    pub async fn set_targets(
        &self,
        actor: &Actor,
        charger_ids: &[i64],
        amps: i64,
        duration: i64,
    ) -> Result<BulkOutcome, ControlError> {
        let batch_id = uuid::Uuid::new_v4().to_string();
        let mut chargers = Vec::new();
        for id in charger_ids.iter().copied().collect::<BTreeSet<_>>() {
            chargers.push(self.registry.get(id).await?);
        }
        let items = futures::stream::iter(chargers)
            .map(|charger| {
                let batch_id = batch_id.clone();
                async move {
                    let sent = charger.clamp(amps);
                    let outcome = self
                        .set_target_in(actor, charger.id, sent.into(), duration, Some(batch_id))
                        .await?;
                    Ok::<_, ControlError>(BulkItem {
                        charger_id: charger.id,
                        charger_name: charger.name.clone(),
                        requested: amps,
                        sent,
                        outcome,
                    })
                }
            })
            .buffered(BULK_CONCURRENCY)
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .collect::<Result<Vec<_>, _>>()?;
        Ok(BulkOutcome { batch_id, items })
    }
}
