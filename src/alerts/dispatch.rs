//! Delivering the outbox: every instance runs a dispatcher; each claims
//! due rows in the database (so an alert goes out once), sends them a few
//! at a time with a deadline each (a receiver that hangs or fails slows
//! nothing else), and settles each row: delivered, or retried later.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::StreamExt;

use super::Alerts;
use super::outbox::Due;
use super::webhook::{self, Payload};
use crate::types::{AlertChannel, AlertFacts};

/// How often each instance looks for due deliveries.
pub const POLL: Duration = Duration::from_secs(2);

/// Deliveries in flight at once per instance, across rounds.
pub const CONCURRENCY: usize = 16;

/// Rows one round claims. With [`CONCURRENCY`] and a 10 s deadline per
/// attempt, a round of hanging receivers is done in 20 s, well within a
/// claim's 60 s (so no row is claimed twice).
const PER_ROUND: i64 = 32;

/// Words an alert for a webhook's `detail` (English): given by the web
/// layer, which owns every sentence.
pub type Detail = Arc<dyn Fn(&AlertFacts) -> String + Send + Sync>;

#[derive(Clone)]
pub struct Dispatcher {
    alerts: Alerts,
    client: reqwest::Client,
    detail: Detail,
    /// The dashboard's address as people reach it, for `dashboard_url`.
    public_url: Arc<str>,
    /// Bounds the deliveries in flight across overlapping rounds.
    permits: Arc<tokio::sync::Semaphore>,
}

impl std::fmt::Debug for Dispatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dispatcher")
            .field("public_url", &self.public_url)
            .finish()
    }
}

impl Dispatcher {
    pub fn new(alerts: Alerts, detail: Detail, public_url: &str) -> Result<Self, reqwest::Error> {
        Ok(Self {
            alerts,
            client: webhook::client()?,
            detail,
            public_url: public_url.trim_end_matches('/').into(),
            permits: Arc::new(tokio::sync::Semaphore::new(CONCURRENCY)),
        })
    }

    /// Delivers for ever (spawned by `Application::build`). Each round is
    /// a task of its own, so a receiver that hangs until its deadline
    /// holds up no alert of the next round.
    pub async fn run(self) {
        loop {
            let this = self.clone();
            tokio::spawn(async move {
                if let Err(e) = this.round(Utc::now()).await {
                    tracing::error!(error = %e, "an alert delivery round failed");
                }
            });
            tokio::time::sleep(POLL).await;
        }
    }

    /// One round: claims what is due and delivers it. Returns how many
    /// rows it settled.
    pub async fn round(&self, now: DateTime<Utc>) -> Result<usize, sqlx::Error> {
        let due = self.alerts.claim(now, PER_ROUND).await?;
        let settled = futures::stream::iter(due)
            .map(|due| async move {
                let _permit = self.permits.acquire().await;
                let result = self.deliver(&due).await;
                if let Err(why) = &result {
                    tracing::warn!(delivery = %due.delivery_id, attempt = due.attempts, %why, "an alert was not delivered");
                }
                self.alerts.settle(&due, result, Utc::now()).await
            })
            .buffer_unordered(CONCURRENCY)
            .collect::<Vec<_>>()
            .await;
        let count = settled.len();
        settled.into_iter().collect::<Result<Vec<()>, _>>()?;
        Ok(count)
    }

    async fn deliver(&self, due: &Due) -> Result<(), String> {
        let subscriptions = &self.alerts.subscriptions;
        let subscription = subscriptions
            .get(due.subscription_id)
            .await
            .map_err(|_| "the subscription was removed".to_owned())?;
        match subscription.channel {
            AlertChannel::Webhook => {
                let secret = subscriptions.secret(subscription.id).await.map_err(|e| {
                    tracing::error!(error = %e, subscription = subscription.id, "a webhook's secret does not open");
                    "the webhook's secret does not open under the current key: add it again".to_owned()
                })?;
                let body = self.body(due);
                webhook::post(
                    &self.client,
                    &subscription.target,
                    &secret,
                    &due.delivery_id,
                    &body,
                )
                .await
            }
            AlertChannel::Email => Err("e-mail alerts are not set up on this server".to_owned()),
        }
    }

    /// The webhook body: the facts, worded, with where to look.
    pub fn body(&self, due: &Due) -> String {
        let facts = &due.facts;
        let path = match (&facts.charger, &facts.site) {
            (Some(c), _) => format!("/chargers/{}", c.id),
            (None, Some(s)) => format!("/sites/{}", s.id),
            (None, None) => "/audit".to_owned(),
        };
        let payload = Payload {
            event: facts.event,
            at: facts.at,
            charger: facts.charger.as_ref(),
            site: facts.site.as_ref(),
            chargers: &facts.chargers,
            suppressed: facts.suppressed,
            detail: (self.detail)(facts),
            dashboard_url: format!("{}{path}", self.public_url),
            delivery: &due.delivery_id,
        };
        serde_json::to_string(&payload).unwrap_or_default()
    }
}

impl Dispatcher {
    /// Sends a test alert to a subscription now (`alert test`, the admin
    /// page's "Send a test"), outside the outbox: says how it went.
    pub async fn test(&self, subscription_id: i64) -> Result<(), String> {
        let subscriptions = &self.alerts.subscriptions;
        let subscription = subscriptions
            .get(subscription_id)
            .await
            .map_err(|e| e.to_string())?;
        if subscription.channel != AlertChannel::Webhook {
            return Err("e-mail alerts are not set up on this server".to_owned());
        }
        let secret = subscriptions
            .secret(subscription.id)
            .await
            .map_err(|e| e.to_string())?;
        let delivery = uuid::Uuid::new_v4().to_string();
        let body = serde_json::json!({
            "event": "test",
            "at": Utc::now(),
            "detail": "A test alert from evse-dashboard: this webhook receives alerts.",
            "dashboard_url": format!("{}/admin", self.public_url),
            "delivery": delivery,
        })
        .to_string();
        webhook::post(
            &self.client,
            &subscription.target,
            &secret,
            &delivery,
            &body,
        )
        .await
    }
}
