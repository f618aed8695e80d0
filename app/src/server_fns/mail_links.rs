//! The links mailed to a subscribed address (#37): confirm it, or end
//! its alerts. Whoever holds the link may follow it, signed in or not:
//! the link's token is the authorisation, checked first by the store (a
//! wrong one is "not found", like an unknown id).

use evse_dashboard::types::{LinkPurpose, MailLinkView};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::context;
use crate::error::AppError;

/// What the page behind a link shows.
#[server(name = MailLink, prefix = "/api", endpoint = "mail_link")]
pub async fn mail_link(
    purpose: LinkPurpose,
    id: i64,
    token: String,
) -> Result<MailLinkView, AppError> {
    let subscriptions = &context::services()?.alerts.subscriptions;
    Ok(subscriptions.link_view(purpose, id, &token).await?)
}

/// Confirms or unsubscribes; a plain form comes back to the link's page,
/// which then says what was done.
#[server(name = FollowMailLink, prefix = "/api", endpoint = "follow_mail_link")]
pub async fn follow_mail_link(
    purpose: LinkPurpose,
    id: i64,
    token: String,
) -> Result<(), AppError> {
    let subscriptions = &context::services()?.alerts.subscriptions;
    subscriptions.follow(purpose, id, &token).await?;
    let page = subscriptions.link_path(purpose, id);
    super::plain_form::redirect_plain_form(&format!("{page}?done=1"));
    Ok(())
}
