//! Alerts that reach a person (#31): subscriptions (`subscriptions`),
//! what is wrong now and what to say about it (`detect`), the outbox that
//! survives restarts and is claimed in the database so each alert goes
//! out once however many instances run (`outbox`), and the signed webhook
//! (`webhook`). Delivery runs in `dispatch`.

mod add;
mod check;
mod consent;
pub mod destination;
pub mod detect;
pub mod dispatch;
pub mod links;
pub mod mail;
pub mod outbox;
mod quiet;
mod subscriptions;
pub mod watch;
pub mod webhook;

use crate::audit::AuditLog;
use crate::problem::{Invalid, Missing, Problem};
use crate::vault::Vault;

pub use add::NewEmail;
pub use check::shown;
pub use consent::Followed;
pub use subscriptions::Subscriptions;
pub(crate) use subscriptions::reseal_secrets;

#[derive(Debug, thiserror::Error)]
pub enum AlertError {
    #[error("invalid {:?}: {:?}", .0.field, .0.rule)]
    Invalid(Invalid),
    #[error("there is no alert subscription {0}")]
    NotFound(i64),
    #[error("there is no site {0}")]
    SiteNotFound(i64),
    /// More changes in a minute than a person makes.
    #[error("refused: {0:?}")]
    TooFast(Problem),
    /// Under another token key, or altered: the webhook must be added again.
    #[error("the secret of webhook {0} does not open under the current key")]
    SecretUnreadable(i64),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
}

impl From<Invalid> for AlertError {
    fn from(invalid: Invalid) -> Self {
        Self::Invalid(invalid)
    }
}

impl AlertError {
    pub fn problem(&self) -> Problem {
        match self {
            Self::Invalid(invalid) => Problem::Invalid(invalid.clone()),
            Self::NotFound(id) => Problem::NotFound(Missing::AlertSubscription(*id)),
            Self::SiteNotFound(id) => Problem::NotFound(Missing::Site(*id)),
            Self::TooFast(problem) => problem.clone(),
            Self::SecretUnreadable(_) => Problem::TokenKeyMismatch,
            Self::Db(_) => Problem::Internal,
        }
    }
}

/// The handle on alerts: subscriptions, the outbox, the detector.
#[derive(Clone, Debug)]
pub struct Alerts {
    pub subscriptions: Subscriptions,
    /// How long a charger must be offline before it is news.
    offline_after: chrono::TimeDelta,
}

impl Alerts {
    pub fn new(audit: AuditLog, vault: Vault) -> Self {
        Self {
            subscriptions: Subscriptions {
                db: audit.db().clone(),
                sites: crate::sites::Sites::new(audit.db().clone()),
                audit,
                vault,
                destinations: Default::default(),
            },
            offline_after: detect::OFFLINE_AFTER,
        }
    }

    /// `--webhook-allow`: private networks webhooks may reach.
    pub fn with_webhook_allow(mut self, networks: Vec<ipnet::IpNet>) -> Self {
        self.subscriptions.destinations = destination::Destinations::allowing(networks);
        self
    }

    /// Where webhooks may go.
    pub fn destinations(&self) -> &destination::Destinations {
        &self.subscriptions.destinations
    }

    /// `--offline-after`.
    pub fn with_offline_after(mut self, after: std::time::Duration) -> Self {
        self.offline_after = chrono::TimeDelta::from_std(after).unwrap_or(detect::OFFLINE_AFTER);
        self
    }
}
