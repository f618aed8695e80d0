//! Alert subscriptions (#31). Admins: all of them with the latest
//! deliveries, add a webhook, remove, send a test. Everyone: their own
//! address for the events and sites they pick. Each change is audited by
//! the store.

#[cfg(feature = "ssr")]
use evse_dashboard::types::Role;
use evse_dashboard::types::{
    AlertDelivery, AlertEvent, AlertSite, AlertSubscription, Language, SecretText,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::{context, guard};
use crate::error::AppError;

/// What the admin page shows. Webhook URLs only to their host: a path is
/// often the receiver's secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertsView {
    pub subscriptions: Vec<AlertSubscription>,
    pub deliveries: Vec<AlertDelivery>,
    /// To name the sites a subscription picked.
    pub sites: Vec<AlertSite>,
}

/// How many deliveries the page lists.
pub const DELIVERY_ROWS: i64 = 20;

#[server(name = ListAlerts, prefix = "/api", endpoint = "list_alerts")]
pub async fn list_alerts() -> Result<AlertsView, AppError> {
    guard::require(Role::Admin).await?;
    let alerts = &context::services()?.alerts;
    let mut subscriptions = alerts.subscriptions.list().await?;
    for s in &mut subscriptions {
        s.target = evse_dashboard::alerts::shown(&s.target);
    }
    let deliveries = alerts.recent(DELIVERY_ROWS).await?;
    Ok(AlertsView {
        subscriptions,
        deliveries,
        sites: alerts.subscriptions.sites().await?,
    })
}

#[server(name = AddAlertWebhook, prefix = "/api", endpoint = "add_alert_webhook")]
pub async fn add_alert_webhook(
    url: String,
    secret: SecretText,
    #[server(default)] events: Vec<AlertEvent>,
) -> Result<AlertSubscription, AppError> {
    let admin = guard::require(Role::Admin).await?;
    let services = context::services()?;
    let actor = context::actor(Some(&admin), &admin.username).await;
    let secret = evse_dashboard::secret::WebhookSecret::new(secret.into_inner());
    let events = AlertEvent::join_list(&events);
    let added = services
        .alerts
        .subscriptions
        .add_webhook(&actor, &url, &secret, &events)
        .await?;
    super::plain_form::redirect_plain_form("/admin#alerts-heading");
    Ok(added)
}

/// An address for alerts, added by an admin (a team's mailbox, a
/// colleague without an account), with the mails' language.
#[server(name = AddAlertEmail, prefix = "/api", endpoint = "add_alert_email")]
pub async fn add_alert_email(
    address: String,
    language: Language,
    #[server(default)] events: Vec<AlertEvent>,
    #[server(default)] sites: Vec<i64>,
    #[server(default)] quiet_from: String,
    #[server(default)] quiet_until: String,
) -> Result<AlertSubscription, AppError> {
    let admin = guard::require(Role::Admin).await?;
    let services = context::services()?;
    let actor = context::actor(Some(&admin), &admin.username).await;
    let events = AlertEvent::join_list(&events);
    let new = evse_dashboard::alerts::NewEmail {
        address: &address,
        events: &events,
        sites: &sites,
        quiet_from: &quiet_from,
        quiet_until: &quiet_until,
        language: Some(language),
        user_id: None,
    };
    let added = services
        .alerts
        .subscriptions
        .add_email(&actor, &new)
        .await?;
    super::plain_form::redirect_plain_form("/admin#alerts-heading");
    Ok(added)
}

#[server(name = RemoveAlert, prefix = "/api", endpoint = "remove_alert")]
pub async fn remove_alert(id: i64) -> Result<(), AppError> {
    let admin = guard::require(Role::Admin).await?;
    let services = context::services()?;
    let actor = context::actor(Some(&admin), &admin.username).await;
    services.alerts.subscriptions.remove(&actor, id).await?;
    super::plain_form::redirect_plain_form("/admin#alerts-heading");
    Ok(())
}

/// Sends a test alert to a subscription now; audited either way.
#[server(name = SendAlertTest, prefix = "/api", endpoint = "send_alert_test")]
pub async fn send_alert_test(id: i64) -> Result<(), AppError> {
    let admin = guard::require(Role::Admin).await?;
    let actor = context::actor(Some(&admin), &admin.username).await;
    let dispatcher =
        use_context::<evse_dashboard::alerts::dispatch::Dispatcher>().ok_or(AppError::Internal)?;
    let tested = dispatcher.test(&actor, id).await?;
    match tested.result {
        Ok(()) => {
            super::plain_form::show_event("/admin", tested.audit_id);
            Ok(())
        }
        Err(why) => Err(AppError::Refused(
            evse_dashboard::problem::Problem::AlertNotDelivered { why },
        )),
    }
}

/// One's own alerts (the account page): one's subscriptions, and the
/// sites one may pick.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MyAlertsView {
    pub subscriptions: Vec<AlertSubscription>,
    pub sites: Vec<AlertSite>,
}

#[server(name = MyAlerts, prefix = "/api", endpoint = "my_alerts")]
pub async fn my_alerts() -> Result<MyAlertsView, AppError> {
    let user = guard::require(Role::Viewer).await?;
    let subscriptions = &context::services()?.alerts.subscriptions;
    Ok(MyAlertsView {
        subscriptions: subscriptions.mine(user.id).await?,
        sites: subscriptions.sites().await?,
    })
}

/// Subscribes one's own address, in one's own language.
#[server(name = AddMyAlert, prefix = "/api", endpoint = "add_my_alert")]
pub async fn add_my_alert(
    address: String,
    #[server(default)] events: Vec<AlertEvent>,
    #[server(default)] sites: Vec<i64>,
    #[server(default)] quiet_from: String,
    #[server(default)] quiet_until: String,
) -> Result<AlertSubscription, AppError> {
    let user = guard::require(Role::Viewer).await?;
    let services = context::services()?;
    let actor = context::actor(Some(&user), &user.username).await;
    let events = AlertEvent::join_list(&events);
    // The page's language now, kept for a user who has chosen none (their
    // choice, once made, wins at every delivery).
    let language = match use_context::<http::request::Parts>() {
        Some(parts) => Some(crate::language::to_language(crate::language::negotiate(
            &parts,
        ))),
        None => user.language,
    };
    let new = evse_dashboard::alerts::NewEmail {
        address: &address,
        events: &events,
        sites: &sites,
        quiet_from: &quiet_from,
        quiet_until: &quiet_until,
        language,
        user_id: Some(user.id),
    };
    let added = services
        .alerts
        .subscriptions
        .add_email(&actor, &new)
        .await?;
    // The address is kept either way: the card shows it waiting, with
    // "send again", which says why when the mail still does not go.
    if let Err(e) = ask_to_confirm(&added, &user.username).await {
        tracing::warn!(error = ?e, subscription = added.id, "the confirmation mail was not sent");
    }
    super::plain_form::redirect_plain_form("/account#my-alerts-heading");
    Ok(added)
}

/// Mails the link that confirms one's own address: until it is followed,
/// that address gets nothing else. A mail that does not go is said (the
/// subscription stays, waiting; the card offers to send it again).
#[cfg(feature = "ssr")]
async fn ask_to_confirm(added: &AlertSubscription, username: &str) -> Result<(), AppError> {
    let dispatcher =
        use_context::<evse_dashboard::alerts::dispatch::Dispatcher>().ok_or(AppError::Internal)?;
    dispatcher
        .ask_to_confirm(added, username)
        .await
        .map_err(|why| {
            AppError::Refused(evse_dashboard::problem::Problem::AlertNotDelivered { why })
        })
}

/// Sends one's confirmation mail again (counted like adding one).
#[server(name = ConfirmMyAlertAgain, prefix = "/api", endpoint = "confirm_my_alert_again")]
pub async fn confirm_my_alert_again(id: i64) -> Result<(), AppError> {
    let user = guard::require(Role::Viewer).await?;
    let services = context::services()?;
    let actor = context::actor(Some(&user), &user.username).await;
    let subscription = services.alerts.subscriptions.get(id).await?;
    if subscription.user_id != Some(user.id) || subscription.confirmed {
        return Err(AppError::NotFound(
            evse_dashboard::types::Missing::AlertSubscription(id),
        ));
    }
    services
        .audit
        .admit(
            &actor,
            evse_dashboard::types::AuditAction::AlertSubscriptionAdded,
        )
        .map_err(AppError::from)?;
    ask_to_confirm(&subscription, &user.username).await?;
    super::plain_form::redirect_plain_form("/account#my-alerts-heading");
    Ok(())
}

/// Ends one of one's own subscriptions (another's is not found).
#[server(name = RemoveMyAlert, prefix = "/api", endpoint = "remove_my_alert")]
pub async fn remove_my_alert(id: i64) -> Result<(), AppError> {
    let user = guard::require(Role::Viewer).await?;
    let services = context::services()?;
    let actor = context::actor(Some(&user), &user.username).await;
    services
        .alerts
        .subscriptions
        .remove_own(&actor, user.id, id)
        .await?;
    super::plain_form::redirect_plain_form("/account#my-alerts-heading");
    Ok(())
}
