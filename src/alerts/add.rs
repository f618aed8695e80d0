//! Adding a subscription: checked first (a refusal is audited and says
//! what to fix), then written with its audit row in one transaction.

use chrono::Utc;

use super::subscriptions::binding;
use super::{AlertError, Subscriptions, check};
use crate::audit::{Actor, Event};
use crate::db::stamp;
use crate::problem::{Field, Invalid, Rule};
use crate::secret::WebhookSecret;
use crate::types::{AlertEvent, AlertSubscription, Language, QuietHours};
use crate::vocabulary::AuditAction;
use crate::{on_db, on_tx};

/// How many subscriptions of their own a user may keep: enough for work,
/// home and a team list; not a way to mail the world.
pub const MAX_OWN: i64 = 10;

/// The most sites one subscription names (each is looked up).
const MAX_SITES: usize = 200;

/// An e-mail subscription as asked for: an admin's for anyone (with a
/// language), or a user's own (`user_id`, in the user's language).
#[derive(Debug, Clone, Default)]
pub struct NewEmail<'a> {
    pub address: &'a str,
    /// Comma-separated events, blank for all.
    pub events: &'a str,
    /// Empty: every site.
    pub sites: &'a [i64],
    /// `HH:MM` each, both blank for none.
    pub quiet_from: &'a str,
    pub quiet_until: &'a str,
    pub language: Option<Language>,
    pub user_id: Option<i64>,
}

fn sites_text(sites: &[i64]) -> String {
    let mut sites = sites.to_vec();
    sites.sort_unstable();
    sites.dedup();
    sites
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

impl Subscriptions {
    /// Adds a webhook; the URL must be `https://` unless it is on this
    /// machine (as for CLEMAP) and reach only addresses webhooks may
    /// (`destination`), the secret 16 to 256 characters.
    pub async fn add_webhook(
        &self,
        actor: &Actor,
        typed: &str,
        secret: &WebhookSecret,
        events: &str,
    ) -> Result<AlertSubscription, AlertError> {
        let url = typed;
        let checked = check::webhook_url(url).and_then(|url| {
            check::secret(secret)?;
            Ok((url, check::events(events)?))
        });
        let (url, events) = match checked {
            Ok(checked) => checked,
            Err(invalid) => return Err(self.refused(actor, url, invalid.into()).await),
        };
        if let Err(invalid) = self.destinations.check(typed).await {
            return Err(self.refused(actor, typed, invalid.into()).await);
        }
        // Counted once valid: refused input is bounded by folding instead.
        if let Err(too_fast) = self.audit.admit(actor, AuditAction::AlertSubscriptionAdded) {
            return Err(self
                .refused(actor, typed, AlertError::TooFast(too_fast))
                .await);
        }
        let mut tx = self.db.begin_serialised().await?;
        // The secret is bound to the row's id, known only once inserted: an
        // empty placeholder first, the sealed secret in the same transaction.
        let id: i64 = on_tx!(&mut tx, conn => sqlx::query_scalar(
            "INSERT INTO alert_subscriptions \
             (channel, target, events, secret_ciphertext, secret_nonce, secret_key_id, created_at, \
             created_by, confirmed_at) \
             VALUES ('webhook', $1, $2, $3, $4, '', $5, $6, $5) RETURNING id",
        )
        .bind(&url)
        .bind(AlertEvent::join_list(&events))
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
        self.audit.committed(Vec::new());
        self.get(id).await
    }

    /// Adds an e-mail address, for all sites or some, with or without
    /// quiet hours.
    pub async fn add_email(
        &self,
        actor: &Actor,
        new: &NewEmail<'_>,
    ) -> Result<AlertSubscription, AlertError> {
        let checked = check::address(new.address).and_then(|a| {
            let quiet = check::quiet_hours(new.quiet_from, new.quiet_until)?;
            Ok((a, check::events(new.events)?, quiet))
        });
        let (address, events, quiet) = match checked {
            Ok(checked) => checked,
            Err(invalid) => return Err(self.refused(actor, new.address, invalid.into()).await),
        };
        // Counted once valid: refused input is bounded by folding instead.
        if let Err(too_fast) = self.audit.admit(actor, AuditAction::AlertSubscriptionAdded) {
            let error = AlertError::TooFast(too_fast);
            return Err(self.refused(actor, new.address, error).await);
        }
        if let Some(user) = new.user_id
            && self.count_own(user).await? >= MAX_OWN
        {
            let rule = Rule::TooMany {
                max: MAX_OWN as u32,
            };
            let error = Invalid::new(Field::EmailAddress, rule).into();
            return Err(self.refused(actor, new.address, error).await);
        }
        if new.sites.len() > MAX_SITES {
            let rule = Rule::TooMany {
                max: MAX_SITES as u32,
            };
            let error = Invalid::new(Field::AlertSites, rule).into();
            return Err(self.refused(actor, new.address, error).await);
        }
        if let Some(missing) = self.first_unknown_site(new.sites).await? {
            let error = AlertError::SiteNotFound(missing);
            return Err(self.refused(actor, new.address, error).await);
        }
        let minute = |pick: fn(QuietHours) -> u16| quiet.map(|q| i32::from(pick(q)));
        let now = Utc::now();
        let mut tx = self.db.begin_serialised().await?;
        let id: i64 = on_tx!(&mut tx, conn => sqlx::query_scalar(
            "INSERT INTO alert_subscriptions (channel, target, events, sites, user_id, language, \
             quiet_from, quiet_until, created_at, created_by, confirmed_at) \
             VALUES ('email', $1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(&address)
        .bind(AlertEvent::join_list(&events))
        .bind(sites_text(new.sites))
        .bind(new.user_id)
        .bind(new.language)
        .bind(minute(|q| q.from))
        .bind(minute(|q| q.until))
        .bind(stamp(now))
        .bind(actor.who.stored_name())
        // A user's own address waits for its confirmation link; one an
        // admin or the CLI adds is theirs to vouch for.
        .bind(new.user_id.is_none().then(|| stamp(now)))
        .fetch_one(&mut *conn)
        .await?);
        let event = Event::of(AuditAction::AlertSubscriptionAdded, &Ok(())).about(&address);
        self.audit.record_in(&mut tx, actor, event).await?;
        tx.commit().await?;
        self.audit.committed(Vec::new());
        self.get(id).await
    }

    async fn count_own(&self, user_id: i64) -> Result<i64, sqlx::Error> {
        Ok(on_db!(&self.db, pool => sqlx::query_scalar(
            "SELECT COUNT(*) FROM alert_subscriptions WHERE user_id = $1 AND removed_at IS NULL",
        )
        .bind(user_id)
        .fetch_one(pool)
        .await?))
    }

    async fn first_unknown_site(&self, sites: &[i64]) -> Result<Option<i64>, sqlx::Error> {
        for &site in sites {
            if self.sites.find(site).await?.is_none() {
                return Ok(Some(site));
            }
        }
        Ok(None)
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
