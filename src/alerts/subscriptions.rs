//! Who gets which alerts (#31): webhooks (a URL and a signing secret,
//! sealed under the token key and bound to its row) and e-mail addresses,
//! each for all events or a list. Added and removed by admins, audited in
//! the transaction that makes the change.

use chrono::Utc;

use super::{AlertError, check};
use crate::audit::{Actor, AuditLog, Event};
use crate::db::{Db, Stamp, stamp};
use crate::secret::WebhookSecret;
use crate::types::{AlertChannel, AlertEvent, AlertSubscription};
use crate::vault::{SealedToken, Vault};
use crate::vocabulary::AuditAction;
use crate::{on_db, on_tx};

#[derive(sqlx::FromRow)]
struct SubscriptionRow {
    id: i64,
    channel: AlertChannel,
    target: String,
    events: String,
    created_at: Stamp,
    created_by: String,
}

impl From<SubscriptionRow> for AlertSubscription {
    fn from(r: SubscriptionRow) -> Self {
        AlertSubscription {
            id: r.id,
            channel: r.channel,
            target: r.target,
            events: AlertEvent::parse_list(&r.events).unwrap_or_default(),
            created_at: r.created_at.0,
            created_by: r.created_by,
        }
    }
}

/// A webhook's secret is bound to its row: copied to another row it does
/// not open.
pub(super) fn binding(id: i64) -> String {
    format!("alert-webhook/{id}")
}

fn events_text(events: &[AlertEvent]) -> String {
    events
        .iter()
        .map(|e| <&str>::from(*e))
        .collect::<Vec<_>>()
        .join(",")
}

#[derive(Clone, Debug)]
pub struct Subscriptions {
    pub(super) db: Db,
    pub(super) audit: AuditLog,
    pub(super) vault: Vault,
}

impl Subscriptions {
    /// Adds a webhook; the URL must be `https://` unless it is on this
    /// machine (as for CLEMAP), the secret 16 to 256 characters.
    pub async fn add_webhook(
        &self,
        actor: &Actor,
        url: &str,
        secret: &WebhookSecret,
        events: &str,
    ) -> Result<AlertSubscription, AlertError> {
        let checked = check::webhook_url(url).and_then(|url| {
            check::secret(secret)?;
            Ok((url, check::events(events)?))
        });
        let (url, events) = match checked {
            Ok(checked) => checked,
            Err(invalid) => return Err(self.refused(actor, url, invalid.into()).await),
        };
        let events = events.as_slice();
        let mut tx = self.db.begin_serialised().await?;
        // The secret is bound to the row's id, known only once inserted: an
        // empty placeholder first, the sealed secret in the same transaction.
        let id: i64 = on_tx!(&mut tx, conn => sqlx::query_scalar(
            "INSERT INTO alert_subscriptions \
             (channel, target, events, secret_ciphertext, secret_nonce, secret_key_id, created_at, created_by) \
             VALUES ('webhook', $1, $2, $3, $4, '', $5, $6) RETURNING id",
        )
        .bind(&url)
        .bind(events_text(events))
        .bind(Vec::<u8>::new())
        .bind(Vec::<u8>::new())
        .bind(stamp(Utc::now()))
        .bind(actor.who.stored_name())
        .fetch_one(&mut *conn)
        .await?);
        let sealed = self.vault.seal_bound(&binding(id), secret.expose());
        on_tx!(&mut tx, conn => sqlx::query(
            "UPDATE alert_subscriptions SET secret_ciphertext = $1, secret_nonce = $2, \
             secret_key_id = $3 WHERE id = $4",
        )
        .bind(&sealed.ciphertext)
        .bind(&sealed.nonce)
        .bind(&sealed.key_id)
        .bind(id)
        .execute(&mut *conn)
        .await?
        .rows_affected());
        let event =
            Event::of(AuditAction::AlertSubscriptionAdded, &Ok(())).about(check::shown(&url));
        self.audit.record_in(&mut tx, actor, event).await?;
        tx.commit().await?;
        self.get(id).await
    }

    /// Adds an e-mail address.
    pub async fn add_email(
        &self,
        actor: &Actor,
        address: &str,
        events: &str,
    ) -> Result<AlertSubscription, AlertError> {
        let checked = check::address(address).and_then(|a| Ok((a, check::events(events)?)));
        let (address, events) = match checked {
            Ok(checked) => checked,
            Err(invalid) => return Err(self.refused(actor, address, invalid.into()).await),
        };
        let events = events.as_slice();
        let mut tx = self.db.begin_serialised().await?;
        let id: i64 = on_tx!(&mut tx, conn => sqlx::query_scalar(
            "INSERT INTO alert_subscriptions (channel, target, events, created_at, created_by) \
             VALUES ('email', $1, $2, $3, $4) RETURNING id",
        )
        .bind(&address)
        .bind(events_text(events))
        .bind(stamp(Utc::now()))
        .bind(actor.who.stored_name())
        .fetch_one(&mut *conn)
        .await?);
        let event = Event::of(AuditAction::AlertSubscriptionAdded, &Ok(())).about(&address);
        self.audit.record_in(&mut tx, actor, event).await?;
        tx.commit().await?;
        self.get(id).await
    }

    /// The subscriptions in force, oldest first.
    pub async fn list(&self) -> Result<Vec<AlertSubscription>, AlertError> {
        let rows: Vec<SubscriptionRow> = on_db!(&self.db, pool => sqlx::query_as(
            "SELECT id, channel, target, events, created_at, created_by FROM alert_subscriptions \
             WHERE removed_at IS NULL ORDER BY id",
        )
        .fetch_all(pool)
        .await?);
        Ok(rows.into_iter().map(AlertSubscription::from).collect())
    }

    pub async fn get(&self, id: i64) -> Result<AlertSubscription, AlertError> {
        let row: Option<SubscriptionRow> = on_db!(&self.db, pool => sqlx::query_as(
            "SELECT id, channel, target, events, created_at, created_by FROM alert_subscriptions \
             WHERE id = $1 AND removed_at IS NULL",
        )
        .bind(id)
        .fetch_optional(pool)
        .await?);
        row.map(AlertSubscription::from)
            .ok_or(AlertError::NotFound(id))
    }

    /// Ends a subscription; its pending deliveries are dropped with it.
    pub async fn remove(&self, actor: &Actor, id: i64) -> Result<AlertSubscription, AlertError> {
        let gone = self.get(id).await?;
        let mut tx = self.db.begin_serialised().await?;
        on_tx!(&mut tx, conn => sqlx::query(
            "UPDATE alert_subscriptions SET removed_at = $1 WHERE id = $2 AND removed_at IS NULL",
        )
        .bind(stamp(Utc::now()))
        .bind(id)
        .execute(&mut *conn)
        .await?
        .rows_affected());
        on_tx!(&mut tx, conn => sqlx::query(
            "UPDATE alert_deliveries SET status = 'failed', last_error = 'subscription removed' \
             WHERE subscription_id = $1 AND status = 'pending'",
        )
        .bind(id)
        .execute(&mut *conn)
        .await?
        .rows_affected());
        let event = Event::of(AuditAction::AlertSubscriptionRemoved, &Ok(()))
            .about(check::shown(&gone.target));
        self.audit.record_in(&mut tx, actor, event).await?;
        tx.commit().await?;
        Ok(gone)
    }

    /// A webhook's secret, to sign a delivery.
    pub(super) async fn secret(&self, id: i64) -> Result<WebhookSecret, AlertError> {
        let row: Option<(Vec<u8>, Vec<u8>, String)> = on_db!(&self.db, pool => sqlx::query_as(
            "SELECT secret_ciphertext, secret_nonce, secret_key_id FROM alert_subscriptions \
             WHERE id = $1 AND channel = 'webhook'",
        )
        .bind(id)
        .fetch_optional(pool)
        .await?);
        let (ciphertext, nonce, key_id) = row.ok_or(AlertError::NotFound(id))?;
        let sealed = SealedToken {
            ciphertext,
            nonce,
            key_id,
        };
        let opened = self
            .vault
            .open_bound(&binding(id), &sealed)
            .ok_or(AlertError::SecretUnreadable(id))?;
        Ok(WebhookSecret::new(opened.as_str()))
    }

    async fn refused(&self, actor: &Actor, target: &str, error: AlertError) -> AlertError {
        let event = Event::of(
            AuditAction::AlertSubscriptionAdded,
            &Err::<(), _>(error.problem()),
        )
        .about(check::shown(target));
        self.audit.record_or_log(actor, event).await;
        error
    }
}

/// Re-seals every webhook secret under `new`, inside `rotate-key`'s
/// transaction. A secret that does not open under `old` either (already
/// unreadable) is left as it is: its deliveries say to add the webhook
/// again, and the rotation of everything else goes on.
pub(crate) async fn reseal_secrets(
    tx: &mut crate::db::Tx,
    old: &Vault,
    new: &Vault,
) -> Result<usize, sqlx::Error> {
    let rows: Vec<(i64, Vec<u8>, Vec<u8>, String)> = on_tx!(tx, conn => sqlx::query_as(
        "SELECT id, secret_ciphertext, secret_nonce, secret_key_id FROM alert_subscriptions \
         WHERE channel = 'webhook' AND removed_at IS NULL ORDER BY id",
    )
    .fetch_all(&mut *conn)
    .await?);
    let mut count = 0;
    for (id, ciphertext, nonce, key_id) in rows {
        let sealed = SealedToken {
            ciphertext,
            nonce,
            key_id,
        };
        let Some(secret) = old.open_bound(&binding(id), &sealed) else {
            tracing::warn!(
                subscription = id,
                "a webhook secret does not open; left as it is"
            );
            continue;
        };
        let resealed = new.seal_bound(&binding(id), &secret);
        on_tx!(tx, conn => sqlx::query(
            "UPDATE alert_subscriptions SET secret_ciphertext = $1, secret_nonce = $2, \
             secret_key_id = $3 WHERE id = $4",
        )
        .bind(&resealed.ciphertext)
        .bind(&resealed.nonce)
        .bind(&resealed.key_id)
        .bind(id)
        .execute(&mut *conn)
        .await?
        .rows_affected());
        count += 1;
    }
    Ok(count)
}
