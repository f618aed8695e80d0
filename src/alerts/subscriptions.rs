//! Who gets which alerts (#31): webhooks (a URL and a signing secret,
//! sealed under the token key and bound to its row) and e-mail addresses,
//! each for all events or a list, all sites or some. Admins manage all of
//! them; each user their own address (`user_id`). Every change is audited
//! in the transaction that makes it (adding: `add`).

use chrono::Utc;

use super::{AlertError, check};
use crate::audit::{Actor, AuditLog, Event};
use crate::db::{Db, Stamp, stamp};
use crate::secret::WebhookSecret;
use crate::types::{AlertChannel, AlertEvent, AlertSite, AlertSubscription, Language, QuietHours};
use crate::vault::{SealedToken, Vault};
use crate::vocabulary::AuditAction;
use crate::{on_db, on_tx};

#[derive(sqlx::FromRow)]
struct SubscriptionRow {
    id: i64,
    channel: AlertChannel,
    target: String,
    events: String,
    sites: String,
    user_id: Option<i64>,
    owner_disabled: bool,
    language: Option<Language>,
    quiet_from: Option<i32>,
    quiet_until: Option<i32>,
    confirmed_at: Option<String>,
    created_at: Stamp,
    created_by: String,
}

impl From<SubscriptionRow> for AlertSubscription {
    fn from(r: SubscriptionRow) -> Self {
        let minute = |m: Option<i32>| m.and_then(|m| u16::try_from(m).ok());
        AlertSubscription {
            id: r.id,
            channel: r.channel,
            target: r.target,
            events: AlertEvent::parse_list(&r.events).unwrap_or_default(),
            sites: r
                .sites
                .split(',')
                .filter_map(|s| s.trim().parse().ok())
                .collect(),
            user_id: r.user_id,
            owner_disabled: r.owner_disabled,
            language: r.language,
            quiet: minute(r.quiet_from)
                .zip(minute(r.quiet_until))
                .map(|(from, until)| QuietHours { from, until }),
            confirmed: r.confirmed_at.is_some(),
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

#[derive(Clone, Debug)]
pub struct Subscriptions {
    pub(super) db: Db,
    pub(super) audit: AuditLog,
    pub(super) vault: Vault,
    pub(super) destinations: super::destination::Destinations,
    /// The sites an alert may be about (names, zones, supply limits).
    pub(super) sites: crate::sites::Sites,
}

impl Subscriptions {
    /// The subscriptions in force, oldest first, a disabled user's own
    /// marked (nothing goes to them). A user's own mail follows the user's
    /// language.
    pub async fn list(&self) -> Result<Vec<AlertSubscription>, AlertError> {
        let rows: Vec<SubscriptionRow> = on_db!(&self.db, pool => sqlx::query_as(
            "SELECT s.id, s.channel, s.target, s.events, s.sites, s.user_id, \
             COALESCE(u.disabled, $1) AS owner_disabled, \
             COALESCE(u.language, s.language) AS language, s.quiet_from, s.quiet_until, \
             s.confirmed_at, s.created_at, s.created_by \
             FROM alert_subscriptions s LEFT JOIN users u ON u.id = s.user_id \
             WHERE s.removed_at IS NULL ORDER BY s.id",
        )
        .bind(false)
        .fetch_all(pool)
        .await?);
        Ok(rows.into_iter().map(AlertSubscription::from).collect())
    }

    /// A user's own subscriptions (their account page).
    pub async fn mine(&self, user_id: i64) -> Result<Vec<AlertSubscription>, AlertError> {
        let rows: Vec<SubscriptionRow> = on_db!(&self.db, pool => sqlx::query_as(
            "SELECT s.id, s.channel, s.target, s.events, s.sites, s.user_id, \
             u.disabled AS owner_disabled, \
             COALESCE(u.language, s.language) AS language, s.quiet_from, s.quiet_until, \
             s.confirmed_at, s.created_at, s.created_by \
             FROM alert_subscriptions s JOIN users u ON u.id = s.user_id \
             WHERE s.removed_at IS NULL AND s.user_id = $1 ORDER BY s.id",
        )
        .bind(user_id)
        .fetch_all(pool)
        .await?);
        Ok(rows.into_iter().map(AlertSubscription::from).collect())
    }

    pub async fn get(&self, id: i64) -> Result<AlertSubscription, AlertError> {
        let row: Option<SubscriptionRow> = on_db!(&self.db, pool => sqlx::query_as(
            "SELECT s.id, s.channel, s.target, s.events, s.sites, s.user_id, \
             COALESCE(u.disabled, $2) AS owner_disabled, \
             COALESCE(u.language, s.language) AS language, s.quiet_from, s.quiet_until, \
             s.confirmed_at, s.created_at, s.created_by \
             FROM alert_subscriptions s LEFT JOIN users u ON u.id = s.user_id \
             WHERE s.id = $1 AND s.removed_at IS NULL",
        )
        .bind(id)
        .bind(false)
        .fetch_optional(pool)
        .await?);
        row.map(AlertSubscription::from)
            .ok_or(AlertError::NotFound(id))
    }

    /// The sites a subscription may pick, by name.
    pub async fn sites(&self) -> Result<Vec<AlertSite>, AlertError> {
        let sites = self.sites.list().await?;
        Ok(sites
            .into_iter()
            .map(|site| AlertSite {
                id: site.id,
                name: site.name,
            })
            .collect())
    }

    /// Ends one of `user_id`'s own subscriptions: another's is not found.
    pub async fn remove_own(
        &self,
        actor: &Actor,
        user_id: i64,
        id: i64,
    ) -> Result<AlertSubscription, AlertError> {
        match self.get(id).await? {
            s if s.user_id == Some(user_id) => self.remove(actor, id).await,
            _ => Err(AlertError::NotFound(id)),
        }
    }

    /// Ends a subscription; its pending deliveries are dropped with it.
    pub async fn remove(&self, actor: &Actor, id: i64) -> Result<AlertSubscription, AlertError> {
        let gone = self.get(id).await?;
        if let Err(too_fast) = self
            .audit
            .admit(actor, AuditAction::AlertSubscriptionRemoved)
        {
            let event = Event::of::<()>(
                AuditAction::AlertSubscriptionRemoved,
                &Err(too_fast.clone()),
            )
            .about(check::shown(&gone.target));
            self.audit.record_or_log(actor, event).await;
            return Err(AlertError::TooFast(too_fast));
        }
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
        self.audit.committed(Vec::new());
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
