//! The alert detector and delivery on either backend (#31): episodes,
//! grouping per site and the reading of the trail; a signed delivery to a
//! local receiver, retried after a failure; webhook secrets through a
//! key rotation.

use std::time::Duration;

use chrono::{TimeDelta, Utc};
use evse_dashboard::alerts::dispatch::{Dispatcher, MailLinks, Wording};
use evse_dashboard::clemap::model::{CurrentSettings, PlugState, PlugStatus};
use evse_dashboard::history::reading::Reading;
use evse_dashboard::secret::WebhookSecret;
use evse_dashboard::types::{
    AlertEvent, AlertFacts, AlertMail, Charger, ClemapFailure, Language, Outcome, Problem,
};
use evse_dashboard::vault::{TokenKey, Vault};

use crate::alerts::{SECRET, alerts_of, bay, offline, world};
use crate::fixtures::{World, actor, station};

fn reading(charger: &Charger, state: Option<PlugState>) -> Reading {
    let result = match state {
        None => Err(Problem::Clemap(ClemapFailure::Timeout { seconds: 10 })),
        Some(status) => Ok((
            vec![PlugStatus {
                plug_uuid: None,
                plug_label: None,
                evse_uuid: None,
                current_l1: None,
                current_l2: None,
                current_l3: None,
                dyn_current_limit: None,
                power: None,
                status,
            }],
            CurrentSettings::default(),
        )),
    };
    Reading {
        charger_id: charger.id,
        at: Utc::now(),
        result,
    }
}

#[tokio::test]
async fn offline_alerts_once_after_its_delay_grouped_per_site_and_again_when_back() {
    let specs = [
        station("e1", "tok-al-1", 32),
        station("e2", "tok-al-2", 32),
        station("e3", "tok-al-3", 32),
    ];
    let world = World::new(specs.to_vec(), Duration::from_millis(400)).await;
    for (i, spec) in specs.iter().enumerate() {
        world.register(spec, &format!("Bay {i}"), 6, 16).await;
    }
    let vault = Vault::new(TokenKey::generate());
    let alerts = alerts_of(&world, &vault);
    let secret = WebhookSecret::new(SECRET);
    alerts
        .subscriptions
        .add_webhook(&actor("olga"), "https://a.example.com/", &secret, "")
        .await
        .unwrap();
    let chargers = world.registry.list().await.unwrap();
    let down: Vec<Reading> = chargers.iter().map(|c| reading(c, None)).collect();
    let t0 = Utc::now();
    alerts.after_round(&chargers, &down, t0).await.unwrap();
    alerts
        .after_round(&chargers, &down, t0 + TimeDelta::seconds(60))
        .await
        .unwrap();
    assert!(
        alerts
            .claim(t0 + TimeDelta::seconds(61), 50)
            .await
            .unwrap()
            .is_empty(),
        "not yet"
    );
    alerts
        .after_round(&chargers, &down, t0 + TimeDelta::seconds(121))
        .await
        .unwrap();
    alerts
        .after_round(&chargers, &down, t0 + TimeDelta::seconds(200))
        .await
        .unwrap();
    let due = alerts
        .claim(t0 + TimeDelta::seconds(201), 50)
        .await
        .unwrap();
    assert_eq!(due.len(), 1, "one alert for the site, once");
    assert_eq!(due[0].facts.chargers.len(), 3);
    let delivered = t0 + TimeDelta::seconds(202);
    alerts.settle(&due[0], Ok(()), delivered).await.unwrap();
    assert_eq!(
        due[0].facts.subject(),
        format!("site:{}", chargers[0].site_id)
    );

    let mut up: Vec<Reading> = chargers
        .iter()
        .map(|c| reading(c, Some(PlugState::Charging)))
        .collect();
    up[2] = reading(&chargers[2], Some(PlugState::Error));
    alerts
        .after_round(&chargers, &up, t0 + TimeDelta::seconds(300))
        .await
        .unwrap();
    let due = alerts
        .claim(t0 + TimeDelta::seconds(301), 50)
        .await
        .unwrap();
    let mut events: Vec<AlertEvent> = due.iter().map(|d| d.facts.event).collect();
    events.sort();
    assert_eq!(
        events,
        [
            AlertEvent::ChargerError,
            AlertEvent::ChargerBack,
            AlertEvent::ChargerBack
        ],
        "offline turning into an error is not back"
    );
}

#[tokio::test]
async fn a_rejected_target_in_the_trail_is_an_alert_and_the_past_is_not() {
    let spec = station("evse", "tok-al-rej", 32);
    let world = World::new(vec![spec.clone()], Duration::from_millis(400)).await;
    let id = world.register(&spec, "Bay 1", 6, 16).await;
    let control = world.control();
    let vault = Vault::new(TokenKey::generate());
    let alerts = alerts_of(&world, &vault);
    let secret = WebhookSecret::new(SECRET);
    alerts
        .subscriptions
        .add_webhook(
            &actor("olga"),
            "https://a.example.com/",
            &secret,
            "target_rejected",
        )
        .await
        .unwrap();
    world.sim.set_disconnected("evse", true);
    let chargers = world.registry.list().await.unwrap();
    control
        .set_target(&actor("olga"), id, 10, 600)
        .await
        .unwrap();
    alerts
        .after_round(&chargers, &[], Utc::now())
        .await
        .unwrap();
    assert!(
        alerts.claim(Utc::now(), 50).await.unwrap().is_empty(),
        "before the first round"
    );
    let rejected = control
        .set_target(&actor("olga"), id, 10, 600)
        .await
        .unwrap();
    assert_eq!(rejected.outcome, Outcome::Rejected);
    alerts
        .after_round(&chargers, &[], Utc::now())
        .await
        .unwrap();
    let due = alerts.claim(Utc::now(), 50).await.unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(
        (due[0].facts.event, due[0].facts.audit_id),
        (AlertEvent::TargetRejected, Some(rejected.audit_id))
    );
}

/// A receiver on this machine that checks each signature.
async fn receiver(status: u16) -> (String, tokio::sync::mpsc::UnboundedReceiver<(bool, String)>) {
    use axum::routing::post;
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let app = axum::Router::new().route(
        "/hook",
        post(
            move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                let tx = tx.clone();
                async move {
                    let sent = headers["x-evse-signature"]
                        .to_str()
                        .unwrap_or_default()
                        .to_owned();
                    let expected = evse_dashboard::alerts::webhook::signature(
                        &WebhookSecret::new(SECRET),
                        &body,
                    );
                    let _ = tx.send((
                        sent == expected,
                        String::from_utf8_lossy(&body).into_owned(),
                    ));
                    axum::http::StatusCode::from_u16(status).unwrap()
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, rx)
}

#[tokio::test]
async fn a_delivery_is_signed_and_a_failing_receiver_is_retried() {
    let (world, vault) = world().await;
    let alerts = alerts_of(&world, &vault);
    let (good, mut got) = receiver(200).await;
    let (bad, mut refused) = receiver(500).await;
    let secret = WebhookSecret::new(SECRET);
    let olga = actor("olga");
    alerts
        .subscriptions
        .add_webhook(&olga, &good, &secret, "")
        .await
        .unwrap();
    alerts
        .subscriptions
        .add_webhook(&olga, &bad, &secret, "")
        .await
        .unwrap();
    let dispatcher = Dispatcher::new(
        alerts.clone(),
        std::sync::Arc::new(Plain),
        None,
        "https://dash.example.com",
    )
    .unwrap();
    let now = Utc::now();
    alerts.raise(offline(bay(7, 2)), now).await.unwrap();
    assert_eq!(dispatcher.round(now).await.unwrap(), 2);
    let (signed, body) = got.recv().await.unwrap();
    assert!(signed, "the signature checks out");
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["event"], "charger_offline");
    assert_eq!(body["charger"]["site"]["id"], 2);
    assert_eq!(body["dashboard_url"], "https://dash.example.com/chargers/7");
    assert_eq!(body["detail"], "charger_offline happened");
    let (_, first) = refused.recv().await.unwrap();
    // The failed one comes again after its backoff, with the same id.
    assert_eq!(
        dispatcher.round(now + TimeDelta::seconds(2)).await.unwrap(),
        0
    );
    assert_eq!(
        dispatcher
            .round(Utc::now() + TimeDelta::seconds(6))
            .await
            .unwrap(),
        1
    );
    let (_, second) = refused.recv().await.unwrap();
    let id = |b: &str| serde_json::from_str::<serde_json::Value>(b).unwrap()["delivery"].clone();
    assert_eq!(id(&first), id(&second));
    assert!(!first.contains(SECRET) && !second.contains(SECRET));
}

#[tokio::test]
async fn rotating_the_token_key_reseals_webhook_secrets() {
    let (world, old) = world().await;
    let (url, mut got) = receiver(200).await;
    let before = alerts_of(&world, &old);
    let secret = WebhookSecret::new(SECRET);
    before
        .subscriptions
        .add_webhook(&actor("olga"), &url, &secret, "")
        .await
        .unwrap();
    let new = Vault::new(TokenKey::generate());
    evse_dashboard::key_rotation::rotate_key(world.db(), &old, &new)
        .await
        .unwrap();
    let after = alerts_of(&world, &new);
    let dispatcher = Dispatcher::new(after.clone(), std::sync::Arc::new(Plain), None, "").unwrap();
    let now = Utc::now();
    after.raise(offline(bay(1, 1)), now).await.unwrap();
    assert_eq!(dispatcher.round(now).await.unwrap(), 1);
    assert!(
        got.recv().await.unwrap().0,
        "signed with the same secret, opened under the new key"
    );
}

/// Words for tests: the event's name and where to look, in any language.
pub struct Plain;

impl Wording for Plain {
    fn detail(&self, facts: &AlertFacts) -> String {
        format!("{} happened", facts.event)
    }

    fn mail(&self, language: Language, facts: &AlertFacts, links: &MailLinks) -> AlertMail {
        AlertMail {
            subject: format!("[{language}] {}", facts.event),
            text: format!(
                "{} happened; see {}; stop: {}",
                facts.event, links.look, links.stop
            ),
            html: format!("<p>{} happened</p>", facts.event),
            one_click: Some(links.one_click.clone()),
        }
    }

    fn test_mail(&self, language: Language, links: &MailLinks) -> AlertMail {
        AlertMail {
            subject: format!("[{language}] test"),
            text: format!("a test; see {}", links.look),
            html: "<p>a test</p>".into(),
            one_click: Some(links.one_click.clone()),
        }
    }

    fn confirm_mail(&self, language: Language, username: &str, confirm: &str) -> AlertMail {
        AlertMail {
            subject: format!("[{language}] confirm"),
            text: format!("{username} asks; confirm: {confirm}"),
            html: "<p>confirm</p>".into(),
            one_click: None,
        }
    }
}
