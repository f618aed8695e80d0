//! Alert subscriptions (admin only, #31): list with the latest
//! deliveries, add a webhook, remove, send a test. Each change is audited
//! by the store.

use evse_dashboard::types::{AlertDelivery, AlertEvent, AlertSubscription, Role, SecretText};
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
    let events: Vec<&str> = events.iter().map(|e| e.into()).collect();
    let added = services
        .alerts
        .subscriptions
        .add_webhook(&actor, &url, &secret, &events.join(","))
        .await?;
    context::redirect_plain_form("/admin#alerts-heading");
    Ok(added)
}

#[server(name = RemoveAlert, prefix = "/api", endpoint = "remove_alert")]
pub async fn remove_alert(id: i64) -> Result<(), AppError> {
    let admin = guard::require(Role::Admin).await?;
    let services = context::services()?;
    let actor = context::actor(Some(&admin), &admin.username).await;
    services.alerts.subscriptions.remove(&actor, id).await?;
    context::redirect_plain_form("/admin#alerts-heading");
    Ok(())
}
