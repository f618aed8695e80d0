//! Delivering the outbox: every instance runs a dispatcher; each claims
//! due rows in the database (so an alert goes out once), sends them a few
//! at a time with a deadline each (a receiver that hangs or fails slows
//! nothing else), and settles each row: delivered, or retried later.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::StreamExt;

use super::links::LinkPurpose;
use super::mail::Mailer;
use super::outbox::Due;
use super::webhook::{self, Payload};
use super::{AlertError, Alerts, shown};
use crate::audit::{Actor, Event};
use crate::problem::Problem;
use crate::types::{AlertChannel, AlertFacts, AlertMail, AlertSubscription, Language};
use crate::vocabulary::AuditAction;

/// How often each instance looks for due deliveries.
pub const POLL: Duration = Duration::from_secs(2);

/// Deliveries in flight at once per instance, across rounds.
pub const CONCURRENCY: usize = 16;

/// Rows one round claims. With [`CONCURRENCY`] and a 10 s deadline per
/// attempt, a round of hanging receivers is done in 20 s, well within a
/// claim's 60 s (so no row is claimed twice).
const PER_ROUND: i64 = 32;

/// Where a mail points: the dashboard, and its subscription's
/// unsubscribe page and one-click address (RFC 8058).
#[derive(Debug, Clone)]
pub struct MailLinks {
    pub look: String,
    pub stop: String,
    pub one_click: String,
}

/// An alert in words: given by the web layer, which owns every sentence.
pub trait Wording: Send + Sync {
    /// A webhook's `detail`, in English.
    fn detail(&self, facts: &AlertFacts) -> String;
    /// A mail in the recipient's language.
    fn mail(&self, language: Language, facts: &AlertFacts, links: &MailLinks) -> AlertMail;
    /// The mail `alert test` and "Send a test" send.
    fn test_mail(&self, language: Language, links: &MailLinks) -> AlertMail;
    /// The mail that asks to confirm a user's own address (`username`'s),
    /// with the link that does.
    fn confirm_mail(&self, language: Language, username: &str, confirm: &str) -> AlertMail;
}

/// What a delivery to an address says when the server has no mail set up.
const NO_MAIL: &str =
    "e-mail is not set up on this server: start it with --smtp-url and --mail-from";

#[derive(Clone)]
pub struct Dispatcher {
    alerts: Alerts,
    client: reqwest::Client,
    words: Arc<dyn Wording>,
    /// `--smtp-url`; without it, mails fail with a sentence that says so.
    mailer: Option<Mailer>,
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
    pub fn new(
        alerts: Alerts,
        words: Arc<dyn Wording>,
        mailer: Option<Mailer>,
        public_url: &str,
    ) -> Result<Self, reqwest::Error> {
        Ok(Self {
            client: webhook::client(alerts.destinations())?,
            alerts,
            words,
            mailer,
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
        let subscription = self
            .alerts
            .subscriptions
            .get(due.subscription_id)
            .await
            .map_err(|_| "the subscription was removed".to_owned())?;
        if subscription.owner_disabled {
            return Err("its owner's account is disabled".to_owned());
        }
        if !subscription.confirmed {
            return Err("the address is not confirmed yet".to_owned());
        }
        match subscription.channel {
            AlertChannel::Webhook => {
                let body = self.body(due);
                self.post(&subscription, &due.delivery_id, &body).await
            }
            AlertChannel::Email => {
                let language = subscription.language.unwrap_or(Language::En);
                let links = self.mail_links(&subscription, self.link(&due.facts));
                let mail = self.words.mail(language, &due.facts, &links);
                self.send(&subscription, &mail).await
            }
        }
    }

    /// Signs and posts `body` to a webhook.
    async fn post(
        &self,
        subscription: &AlertSubscription,
        delivery: &str,
        body: &str,
    ) -> Result<(), String> {
        let secret = self
            .alerts
            .subscriptions
            .secret(subscription.id)
            .await
            .map_err(|e| {
                tracing::error!(error = %e, subscription = subscription.id, "a webhook's secret does not open");
                "the webhook's secret does not open under the current key: add it again".to_owned()
            })?;
        webhook::post(
            (&self.client, self.alerts.destinations()),
            &subscription.target,
            &secret,
            delivery,
            body,
        )
        .await
    }

    async fn send(&self, subscription: &AlertSubscription, mail: &AlertMail) -> Result<(), String> {
        let mailer = self.mailer.as_ref().ok_or(NO_MAIL)?;
        mailer.send(&subscription.target, mail).await
    }

    /// A mail's links: `look`, and its subscription's way out.
    fn mail_links(&self, subscription: &AlertSubscription, look: String) -> MailLinks {
        let subscriptions = &self.alerts.subscriptions;
        MailLinks {
            look,
            stop: format!(
                "{}{}",
                self.public_url,
                subscriptions.link_path(LinkPurpose::Unsubscribe, subscription.id)
            ),
            one_click: format!(
                "{}{}",
                self.public_url,
                subscriptions.one_click_path(subscription.id)
            ),
        }
    }

    /// Sends the mail that asks to confirm a user's own address: the only
    /// mail such an address gets before it is confirmed. `Err` says why
    /// it did not go, in the delivery log's words.
    pub async fn ask_to_confirm(
        &self,
        subscription: &AlertSubscription,
        username: &str,
    ) -> Result<(), String> {
        let language = subscription.language.unwrap_or(Language::En);
        let confirm = format!(
            "{}{}",
            self.public_url,
            self.alerts
                .subscriptions
                .link_path(LinkPurpose::Confirm, subscription.id)
        );
        let mail = self.words.confirm_mail(language, username, &confirm);
        self.send(subscription, &mail).await
    }

    /// Where in the dashboard to look: the charger, the site, the trail.
    fn link(&self, facts: &AlertFacts) -> String {
        let path = match (&facts.schedule, &facts.charger, &facts.site) {
            (Some(s), _, _) => format!("/schedules/{}", s.id),
            (None, Some(c), _) => format!("/chargers/{}", c.id),
            (None, None, Some(s)) => format!("/sites/{}", s.id),
            (None, None, None) => "/audit".to_owned(),
        };
        format!("{}{path}", self.public_url)
    }

    /// The webhook body: the facts, worded, with where to look.
    pub fn body(&self, due: &Due) -> String {
        let facts = &due.facts;
        let payload = Payload {
            event: facts.event,
            at: facts.at,
            charger: facts.charger.as_ref(),
            site: facts.site.as_ref(),
            schedule: facts.schedule.as_ref(),
            chargers: &facts.chargers,
            suppressed: facts.suppressed,
            detail: self.words.detail(facts),
            dashboard_url: self.link(facts),
            delivery: &due.delivery_id,
        };
        serde_json::to_string(&payload).unwrap_or_default()
    }
}

/// How a test alert went, and its audit row.
#[derive(Debug)]
pub struct Tested {
    /// `Err`: why it did not arrive, as the delivery log says it.
    pub result: Result<(), String>,
    pub audit_id: Option<i64>,
}

impl Dispatcher {
    /// Sends a test alert to a subscription now (`alert test`, the admin
    /// page's "Send a test"), outside the outbox, and audits how it went.
    pub async fn test(&self, actor: &Actor, subscription_id: i64) -> Result<Tested, AlertError> {
        let subscription = self.alerts.subscriptions.get(subscription_id).await?;
        let result = self.send_test(&subscription).await;
        let outcome = result
            .clone()
            .map_err(|why| Problem::AlertNotDelivered { why });
        let event =
            Event::of(AuditAction::AlertTestSent, &outcome).about(shown(&subscription.target));
        let audit_id = self
            .alerts
            .subscriptions
            .audit
            .record_or_log(actor, event)
            .await;
        Ok(Tested { result, audit_id })
    }

    async fn send_test(&self, subscription: &AlertSubscription) -> Result<(), String> {
        match subscription.channel {
            AlertChannel::Webhook => {
                let delivery = uuid::Uuid::new_v4().to_string();
                let body = serde_json::json!({
                    "event": "test",
                    "at": Utc::now(),
                    "detail": "A test alert from evse-dashboard: this webhook receives alerts.",
                    "dashboard_url": format!("{}/admin", self.public_url),
                    "delivery": delivery,
                })
                .to_string();
                self.post(subscription, &delivery, &body).await
            }
            AlertChannel::Email if !subscription.confirmed => Err(
                "the address is not confirmed yet: its owner must follow the link in the \
                     confirmation mail first"
                    .to_owned(),
            ),
            AlertChannel::Email => {
                let language = subscription.language.unwrap_or(Language::En);
                let links = self.mail_links(subscription, format!("{}/", self.public_url));
                let mail = self.words.test_mail(language, &links);
                self.send(subscription, &mail).await
            }
        }
    }
}
