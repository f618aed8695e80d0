//! What the holder of a subscribed mailbox may do with the links mailed
//! to it (#37): confirm a user's own address (nothing but the
//! confirmation mail goes to it before), and unsubscribe, from the mail's
//! link or by the mail program's one-click (RFC 8058). Both are audited
//! as `mail:recipient`; both need only the link, never a login.

use chrono::Utc;

use super::links::{self, LinkPurpose};
use super::{AlertError, Subscriptions, check};
use crate::audit::{Actor, Event, Who};
use crate::db::stamp;
use crate::types::{AlertSubscription, MailLinkView};
use crate::vocabulary::AuditAction;
use crate::{on_db, on_tx};

/// What following a link did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Followed {
    /// It changed the subscription now.
    Done,
    /// It had been done before (a second click, a mail program's
    /// one-click and then the page).
    AlreadyDone,
}

impl Subscriptions {
    /// The link of `purpose` for subscription `id`, from the dashboard's
    /// root.
    pub fn link_path(&self, purpose: LinkPurpose, id: i64) -> String {
        links::path(self.audit.key(), purpose, id)
    }

    /// Where a mail program posts its one-click unsubscribe.
    pub fn one_click_path(&self, id: i64) -> String {
        links::one_click_path(self.audit.key(), id)
    }

    /// What the page behind a link shows, if its token is the right one
    /// (a wrong token is "not found", like an unknown id).
    pub async fn link_view(
        &self,
        purpose: LinkPurpose,
        id: i64,
        token: &str,
    ) -> Result<MailLinkView, AlertError> {
        if !links::verify(self.audit.key(), purpose, id, token) {
            return Err(AlertError::NotFound(id));
        }
        let row: Option<(String, Option<String>, Option<String>)> = on_db!(&self.db, pool => sqlx::query_as(
            "SELECT target, confirmed_at, removed_at FROM alert_subscriptions WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(pool)
        .await?);
        let (receiver, confirmed_at, removed_at) = row.ok_or(AlertError::NotFound(id))?;
        Ok(MailLinkView {
            purpose,
            receiver,
            confirmed: confirmed_at.is_some(),
            ended: removed_at.is_some(),
        })
    }

    /// Follows a link: confirms, or unsubscribes.
    pub async fn follow(
        &self,
        purpose: LinkPurpose,
        id: i64,
        token: &str,
    ) -> Result<Followed, AlertError> {
        match purpose {
            LinkPurpose::Confirm => self.confirm(id, token).await,
            LinkPurpose::Unsubscribe => self.unsubscribe(id, token).await,
        }
    }

    /// The subscription a link names, if its token is the right one.
    async fn by_link(
        &self,
        purpose: LinkPurpose,
        id: i64,
        token: &str,
    ) -> Result<AlertSubscription, AlertError> {
        if !links::verify(self.audit.key(), purpose, id, token) {
            return Err(AlertError::NotFound(id));
        }
        self.get(id).await
    }

    /// Confirms a user's own address from its confirmation link.
    pub async fn confirm(&self, id: i64, token: &str) -> Result<Followed, AlertError> {
        let subscription = self.by_link(LinkPurpose::Confirm, id, token).await?;
        if subscription.confirmed {
            return Ok(Followed::AlreadyDone);
        }
        let mut tx = self.db.begin_serialised().await?;
        let changed = on_tx!(&mut tx, conn => sqlx::query(
            "UPDATE alert_subscriptions SET confirmed_at = $1 \
             WHERE id = $2 AND confirmed_at IS NULL AND removed_at IS NULL",
        )
        .bind(stamp(Utc::now()))
        .bind(id)
        .execute(&mut *conn)
        .await?
        .rows_affected());
        if changed == 0 {
            return Ok(Followed::AlreadyDone);
        }
        let event = Event::of(AuditAction::AlertSubscriptionConfirmed, &Ok(()))
            .about(check::shown(&subscription.target));
        self.audit
            .record_in(&mut tx, &Actor::of(Who::Recipient), event)
            .await?;
        tx.commit().await?;
        self.audit.committed(Vec::new());
        Ok(Followed::Done)
    }

    /// Ends a subscription from the unsubscribe link in one of its mails.
    pub async fn unsubscribe(&self, id: i64, token: &str) -> Result<Followed, AlertError> {
        if !links::verify(self.audit.key(), LinkPurpose::Unsubscribe, id, token) {
            return Err(AlertError::NotFound(id));
        }
        let removed: Option<Option<String>> = on_db!(&self.db, pool => sqlx::query_scalar(
            "SELECT removed_at FROM alert_subscriptions WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(pool)
        .await?);
        match removed {
            None => Err(AlertError::NotFound(id)),
            Some(Some(_)) => Ok(Followed::AlreadyDone),
            Some(None) => {
                match self.remove(&Actor::of(Who::Recipient), id).await {
                    Ok(_) => Ok(Followed::Done),
                    // Removed in between (a second click).
                    Err(AlertError::NotFound(_)) => Ok(Followed::AlreadyDone),
                    Err(e) => Err(e),
                }
            }
        }
    }
}
