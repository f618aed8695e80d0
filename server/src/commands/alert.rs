//! `evse-dashboard alert add-webhook|list|remove|test`, audited as the
//! operating-system user who ran it.

use evse_dashboard::alerts::mail::Mailer;
use evse_dashboard::alerts::{Alerts, NewEmail, shown};
use evse_dashboard::secret::WebhookSecret;
use evse_dashboard::types::AlertEvent;

use super::{CommandResult, cli_actor, open_backend, read_secret};
use crate::cli::{AlertCommand, DataArgs};

async fn alerts(data: &DataArgs) -> Result<Alerts, crate::data_dir::BackendError> {
    let (audit, vault) = open_backend(data).await?;
    Ok(Alerts::new(audit, vault))
}

fn said(e: evse_dashboard::alerts::AlertError) -> Box<dyn std::error::Error> {
    super::said(e.problem())
}

pub async fn run(command: AlertCommand) -> CommandResult {
    match command {
        AlertCommand::AddWebhook {
            url,
            events,
            webhooks,
            data,
        } => {
            let alerts = alerts(&data)
                .await?
                .with_webhook_allow(webhooks.webhook_allow);
            let secret = WebhookSecret::new(read_secret("webhook signing secret: ")?);
            let added = alerts
                .subscriptions
                .add_webhook(&cli_actor(), &url, &secret, events.as_deref().unwrap_or(""))
                .await
                .map_err(said)?;
            println!(
                "added webhook {} to {}; test it with `evse-dashboard alert test {}`",
                added.id,
                shown(&added.target),
                added.id
            );
        }
        AlertCommand::AddEmail {
            address,
            events,
            sites,
            quiet,
            language,
            data,
        } => {
            let alerts = alerts(&data).await?;
            let quiet = quiet.unwrap_or_default();
            let (quiet_from, quiet_until) = quiet.split_once('-').unwrap_or((&quiet, ""));
            let new = NewEmail {
                address: &address,
                events: events.as_deref().unwrap_or(""),
                sites: &sites,
                quiet_from,
                quiet_until,
                language: language.parse().ok(),
                user_id: None,
            };
            let added = alerts
                .subscriptions
                .add_email(&cli_actor(), &new)
                .await
                .map_err(said)?;
            println!(
                "added e-mail {} to {}; test it with `evse-dashboard alert test {}`",
                added.id, added.target, added.id
            );
        }
        AlertCommand::List(data) => {
            let alerts = alerts(&data).await?;
            let list = alerts.subscriptions.list().await.map_err(said)?;
            if list.is_empty() {
                println!(
                    "no alert subscriptions; add one with `evse-dashboard alert add-webhook URL`"
                );
            }
            for s in list {
                let events = AlertEvent::join_list(&s.events);
                let sites: Vec<String> = s.sites.iter().map(i64::to_string).collect();
                println!(
                    "{:>4}  {:<8} {:<40} {}; {}{}",
                    s.id,
                    s.channel.to_string(),
                    shown(&s.target),
                    if events.is_empty() {
                        "all events".to_owned()
                    } else {
                        events
                    },
                    if sites.is_empty() {
                        "all sites".to_owned()
                    } else {
                        format!("sites {}", sites.join(","))
                    },
                    s.quiet
                        .map(|q| format!("; quiet {}", q.shown()))
                        .unwrap_or_default()
                );
            }
            for d in alerts.recent(20).await? {
                println!(
                    "delivery {} to {}: {} {}, {} attempt(s){}",
                    d.delivery_id,
                    d.subscription_id,
                    d.event,
                    d.status,
                    d.attempts,
                    d.last_error
                        .map(|e| format!(", last: {e}"))
                        .unwrap_or_default()
                );
            }
        }
        AlertCommand::Remove { id, data } => {
            let alerts = alerts(&data).await?;
            let gone = alerts
                .subscriptions
                .remove(&cli_actor(), id)
                .await
                .map_err(said)?;
            println!("removed alert subscription {id} ({})", shown(&gone.target));
        }
        AlertCommand::Test {
            id,
            mail,
            webhooks,
            data,
        } => {
            let alerts = alerts(&data)
                .await?
                .with_webhook_allow(webhooks.webhook_allow);
            let url = std::env::var("EVSE_PUBLIC_URL").unwrap_or_default();
            let mailer = mail.settings().as_ref().map(Mailer::new).transpose()?;
            let dispatcher = crate::alert_wording::dispatcher(alerts, mailer, &url)?;
            match dispatcher
                .test(&cli_actor(), id)
                .await
                .map_err(said)?
                .result
            {
                Ok(()) => println!("the test alert to subscription {id} was delivered"),
                Err(why) => return Err(format!("the test alert was not delivered: {why}").into()),
            }
        }
    }
    Ok(())
}
