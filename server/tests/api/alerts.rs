//! Alerts through the running server (#31): every instance runs a
//! dispatcher, and an alert goes out once however many run (two on one
//! PostgreSQL here); a receiver that hangs holds up no other.

use std::time::Duration;

use chrono::Utc;
use evse_dashboard::audit::{Actor, Who};
use evse_dashboard::secret::WebhookSecret;
use evse_dashboard::types::{AlertCharger, AlertEvent, AlertFacts, AlertSite};

use crate::instances::two_instances;

const SECRET: &str = "a-webhook-secret-of-32-characters";

/// A receiver that checks signatures and answers after `delay`.
async fn receiver(
    delay: Duration,
) -> (String, tokio::sync::mpsc::UnboundedReceiver<(bool, String)>) {
    use axum::routing::post;
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let app = axum::Router::new().route(
        "/hook",
        post(
            move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                let tx = tx.clone();
                async move {
                    tokio::time::sleep(delay).await;
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
                    "ok"
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, rx)
}

fn offline(id: i64) -> AlertFacts {
    let mut facts = AlertFacts::new(AlertEvent::ChargerOffline, Utc::now());
    facts.charger = Some(AlertCharger {
        id,
        name: format!("Bay {id}"),
        site: AlertSite {
            id: 1,
            name: "Depot".into(),
        },
    });
    facts
}

#[tokio::test]
async fn each_alert_goes_out_once_from_two_instances_and_a_hanging_receiver_holds_up_none() {
    let (a, b, _sim) = two_instances(vec![]).await;
    let (url, mut got) = receiver(Duration::ZERO).await;
    let (slow, _hanging) = receiver(Duration::from_secs(60)).await;
    let admin = Actor::of(Who::Cli {
        os_user: "tester".into(),
    });
    let secret = WebhookSecret::new(SECRET);
    let subscriptions = &a.services.alerts.subscriptions;
    subscriptions
        .add_webhook(&admin, &slow, &secret, "")
        .await
        .unwrap();
    subscriptions
        .add_webhook(&admin, &url, &secret, "")
        .await
        .unwrap();
    for id in 1..=10 {
        b.services
            .alerts
            .raise(offline(id), Utc::now())
            .await
            .unwrap();
    }
    let mut deliveries = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(8);
    while deliveries.len() < 10 {
        let (signed, body) = tokio::time::timeout_at(deadline, got.recv())
            .await
            .expect("every alert arrives within 8 s while the other receiver hangs")
            .unwrap();
        assert!(signed);
        let body: serde_json::Value = serde_json::from_str(&body).unwrap();
        deliveries.push(body["delivery"].as_str().unwrap().to_owned());
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    while let Ok((_, body)) = got.try_recv() {
        let body: serde_json::Value = serde_json::from_str(&body).unwrap();
        deliveries.push(body["delivery"].as_str().unwrap().to_owned());
    }
    deliveries.sort();
    deliveries.dedup();
    assert_eq!(
        deliveries.len(),
        10,
        "each once, though two instances deliver"
    );
}
