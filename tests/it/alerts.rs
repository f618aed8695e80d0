//! Alerts on the store level, on either backend (#31): subscriptions with
//! their checks and audit rows; the outbox's dedup, claims (once across
//! two handles on one database), retries and giving up. The detector and
//! delivery: `alert_delivery.rs`.

use std::time::Duration;

use chrono::{TimeDelta, Utc};
use evse_dashboard::alerts::outbox::Raised;
use evse_dashboard::alerts::{AlertError, Alerts, NewEmail};
use evse_dashboard::secret::WebhookSecret;
use evse_dashboard::types::{
    AlertCharger, AlertEvent, AlertFacts, AlertSite, AuditAction, DeliveryStatus, Outcome,
};
use evse_dashboard::vault::{TokenKey, Vault};

use crate::fixtures::{World, actor};

pub(crate) const SECRET: &str = "a-webhook-secret-of-32-characters";

pub(crate) fn alerts_of(world: &World, vault: &Vault) -> Alerts {
    Alerts::new(world.audit.clone(), vault.clone()).with_offline_after(Duration::from_secs(120))
}

pub(crate) fn bay(id: i64, site: i64) -> AlertCharger {
    AlertCharger {
        id,
        name: format!("Bay {id}"),
        site: AlertSite {
            id: site,
            name: format!("Site {site}"),
        },
    }
}

pub(crate) fn offline(charger: AlertCharger) -> AlertFacts {
    let mut facts = AlertFacts::new(AlertEvent::ChargerOffline, Utc::now());
    facts.charger = Some(charger);
    facts
}

pub(crate) async fn world() -> (World, Vault) {
    (
        World::new(vec![], Duration::from_millis(400)).await,
        Vault::new(TokenKey::generate()),
    )
}

#[tokio::test]
async fn subscriptions_are_checked_audited_and_removed() {
    let (world, vault) = world().await;
    let alerts = alerts_of(&world, &vault);
    let subs = &alerts.subscriptions;
    let olga = actor("olga");
    let secret = WebhookSecret::new(SECRET);
    let hook = subs
        .add_webhook(
            &olga,
            "https://hooks.example.com/t/SECRETPATH",
            &secret,
            "charger_offline, charger_back",
        )
        .await
        .unwrap();
    assert_eq!(
        hook.events,
        [AlertEvent::ChargerOffline, AlertEvent::ChargerBack]
    );
    let mail = subs
        .add_email(&olga, &email("ops@example.com", ""))
        .await
        .unwrap();
    assert!(
        mail.wants(AlertEvent::AuditChainBroken, None),
        "no list: every event"
    );
    for (url, secret) in [
        ("http://hooks.example.com/", SECRET),
        ("https://u:p@hooks.example.com/", SECRET),
        ("https://hooks.example.com/", "short"),
    ] {
        let refused = subs
            .add_webhook(&olga, url, &WebhookSecret::new(secret), "")
            .await;
        assert!(matches!(refused, Err(AlertError::Invalid(_))), "{url}");
    }
    assert!(
        subs.add_email(&olga, &email("ops@example.com", "explode"))
            .await
            .is_err()
    );
    subs.remove(&olga, mail.id).await.unwrap();
    assert_eq!(subs.list().await.unwrap(), [hook]);

    // Every attempt is in the trail; a webhook's path (often its secret)
    // never is.
    let (rows, _) = evse_dashboard::audit::query::page_rows(world.db(), &Default::default(), None)
        .await
        .unwrap();
    let seen: Vec<(AuditAction, Outcome)> =
        rows.iter().rev().map(|r| (r.action, r.outcome)).collect();
    assert_eq!(
        seen.iter().filter(|(_, o)| *o == Outcome::Failed).count(),
        4
    );
    assert_eq!(
        seen.last(),
        Some(&(AuditAction::AlertSubscriptionRemoved, Outcome::Ok))
    );
    assert!(
        rows.iter()
            .all(|r| !format!("{r:?}").contains("SECRETPATH"))
    );
}

#[tokio::test]
async fn an_alert_goes_out_once_per_quarter_hour_and_counts_the_rest() {
    let (world, vault) = world().await;
    let alerts = alerts_of(&world, &vault);
    let secret = WebhookSecret::new(SECRET);
    alerts
        .subscriptions
        .add_webhook(&actor("olga"), "https://a.example.com/", &secret, "")
        .await
        .unwrap();
    alerts
        .subscriptions
        .add_webhook(
            &actor("olga"),
            "https://b.example.com/",
            &secret,
            "charger_back",
        )
        .await
        .unwrap();
    let now = Utc::now();
    assert_eq!(
        alerts.raise(offline(bay(1, 1)), now).await.unwrap(),
        Raised::Queued(1),
        "only the first wants it"
    );
    for minutes in [1, 5, 14] {
        let later = now + TimeDelta::minutes(minutes);
        let held = alerts.raise(offline(bay(1, 1)), later).await.unwrap();
        assert_eq!(held, Raised::Held);
    }
    assert_eq!(
        alerts.raise(offline(bay(2, 1)), now).await.unwrap(),
        Raised::Queued(1),
        "another charger"
    );
    let later = now + TimeDelta::minutes(16);
    // An episode raising again what was held is not counted twice.
    let again = alerts.raise_again(offline(bay(1, 1)), later - TimeDelta::minutes(2));
    assert_eq!(again.await.unwrap(), Raised::Held);
    let queued = alerts.raise(offline(bay(1, 1)), later).await.unwrap();
    assert_eq!(queued, Raised::Queued(1));
    let due = alerts.claim(later, 10).await.unwrap();
    let counted: Vec<u32> = due.iter().map(|d| d.facts.suppressed).collect();
    assert_eq!(counted, [0, 0, 3], "the third carries the three held back");
}

#[tokio::test]
async fn two_instances_claim_each_delivery_once_and_failures_are_retried_then_given_up() {
    let (world, vault) = world().await;
    let (a, b) = (alerts_of(&world, &vault), alerts_of(&world, &vault));
    let secret = WebhookSecret::new(SECRET);
    a.subscriptions
        .add_webhook(&actor("olga"), "https://a.example.com/", &secret, "")
        .await
        .unwrap();
    let now = Utc::now();
    for id in 1..=20 {
        a.raise(offline(bay(id, 1)), now).await.unwrap();
    }
    // Both at once, round after round (on PostgreSQL the one that waited
    // for the other's row locks skips those rows and may get none that
    // round): every row is claimed, none twice.
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for _ in 0..4 {
        let (got_a, got_b) = tokio::join!(a.claim(now, 15), b.claim(now, 15));
        x.extend(got_a.unwrap());
        y.extend(got_b.unwrap());
    }
    let mut ids: Vec<i64> = x.iter().chain(&y).map(|d| d.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(
        (x.len() + y.len(), ids.len()),
        (20, 20),
        "every row once, none twice"
    );
    assert!(a.claim(now, 50).await.unwrap().is_empty(), "all claimed");

    let all: Vec<_> = x.into_iter().chain(y).collect();
    let first = &all[0];
    a.settle(first, Err("the receiver answered 500".into()), now)
        .await
        .unwrap();
    assert!(
        a.claim(now + TimeDelta::seconds(4), 50)
            .await
            .unwrap()
            .iter()
            .all(|d| d.id != first.id)
    );
    let again = a.claim(now + TimeDelta::seconds(6), 50).await.unwrap();
    let retry = again
        .iter()
        .find(|d| d.id == first.id)
        .expect("retried within 5 s");
    assert_eq!(retry.attempts, 2);
    a.settle(
        retry,
        Err("the receiver answered 500".into()),
        now + TimeDelta::hours(25),
    )
    .await
    .unwrap();
    let log = a.recent(50).await.unwrap();
    let row = log.iter().find(|d| d.id == first.id).unwrap();
    assert_eq!(
        (row.status, row.last_error.as_deref()),
        (DeliveryStatus::Failed, Some("the receiver answered 500"))
    );
}

/// An admin's e-mail subscription for every site, in English.
pub fn email<'a>(address: &'a str, events: &'a str) -> NewEmail<'a> {
    NewEmail {
        address,
        events,
        ..NewEmail::default()
    }
}
