//! Each user's own alerts on either backend (#31): their address for the
//! sites they pick, in their language, with quiet hours in the site's
//! zone; only their own to remove; a disabled user gets nothing.

use std::time::Duration;

use chrono::{TimeDelta, Timelike, Utc};
use evse_dashboard::alerts::{AlertError, Followed, NewEmail, links};
use evse_dashboard::auth::Users;
use evse_dashboard::secret::Password;
use evse_dashboard::types::{AlertEvent, AlertFacts, Language, LinkPurpose, Role};
use evse_dashboard::vault::{TokenKey, Vault};

use crate::alerts::{alerts_of, bay, offline};
use crate::fixtures::{World, actor, station};

/// A world with two sites, "Roof" (id 1) and "Garage" (id 2).
async fn two_sites() -> (World, Vec<i64>) {
    let specs = [
        station("s1", "tok-sub-1", 32),
        station("s2", "tok-sub-2", 32),
    ];
    let world = World::new(specs.to_vec(), Duration::from_millis(400)).await;
    world.register_at(&specs[0], "Bay 1", "Roof", (6, 16)).await;
    world
        .register_at(&specs[1], "Bay 2", "Garage", (6, 16))
        .await;
    let mut sites: Vec<i64> = world
        .registry
        .list()
        .await
        .unwrap()
        .iter()
        .map(|c| c.site_id)
        .collect();
    sites.dedup();
    (world, sites)
}

fn hm(minute: u32) -> String {
    format!("{:02}:{:02}", minute / 60 % 24, minute % 60)
}

#[tokio::test]
async fn a_users_own_address_gets_the_sites_they_picked_in_their_language() {
    let (world, sites) = two_sites().await;
    let (roof, garage) = (sites[0], sites[1]);
    let users = Users::new(world.db().clone(), world.audit.clone());
    let password = Password::new("correct horse battery staple");
    let olga = users.create("olga", &password, Role::Viewer).await.unwrap();
    let ben = users.create("ben", &password, Role::Viewer).await.unwrap();
    let alerts = alerts_of(&world, &Vault::new(TokenKey::generate()));
    let subs = &alerts.subscriptions;
    let names: Vec<String> = subs
        .sites()
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(names, ["Garage", "Roof"], "the sites to pick, by name");
    let new = NewEmail {
        address: "olga@example.com",
        sites: &[roof],
        user_id: Some(olga.id),
        ..NewEmail::default()
    };
    let mine = subs.add_email(&actor("olga"), &new).await.unwrap();
    assert_eq!(mine.sites, [roof]);
    // Her own address waits for the link mailed to it (#37).
    assert!(!mine.confirmed);
    let confirm = links::token(world.audit.key(), LinkPurpose::Confirm, mine.id);
    assert_eq!(
        subs.confirm(mine.id, &confirm).await.unwrap(),
        Followed::Done
    );
    let mine = subs.get(mine.id).await.unwrap();
    assert_eq!(
        subs.mine(olga.id).await.unwrap(),
        std::slice::from_ref(&mine)
    );
    assert!(subs.mine(ben.id).await.unwrap().is_empty());

    // Her choice of language, made later, is the mail's.
    users
        .set_language(olga.id, Some(Language::De))
        .await
        .unwrap();
    assert_eq!(
        subs.get(mine.id).await.unwrap().language,
        Some(Language::De)
    );

    // Only alerts about her site reach her.
    let now = Utc::now();
    let queued = |site| {
        let mut facts = offline(bay(site * 10, site));
        facts.at = now;
        alerts.raise(facts, now)
    };
    assert_eq!(queued(garage).await.unwrap().queued(), 0, "not her site");
    assert_eq!(queued(roof).await.unwrap().queued(), 1);
    let chain = AlertFacts::new(AlertEvent::AuditChainBroken, now);
    assert_eq!(
        alerts.raise(chain, now).await.unwrap().queued(),
        1,
        "about every site"
    );

    // Ben cannot remove it; an unknown site is refused with its id.
    let theirs = subs.remove_own(&actor("ben"), ben.id, mine.id).await;
    assert!(matches!(theirs, Err(AlertError::NotFound(_))));
    let unknown = NewEmail {
        address: "ben@example.com",
        sites: &[999],
        user_id: Some(ben.id),
        ..NewEmail::default()
    };
    let refused = subs.add_email(&actor("ben"), &unknown).await;
    assert!(matches!(refused, Err(AlertError::SiteNotFound(999))));

    // A disabled user gets nothing (the admin still sees hers, marked);
    // then she removes her own.
    users.set_disabled(olga.id, true).await.unwrap();
    assert!(subs.list().await.unwrap()[0].owner_disabled);
    let mut later = offline(bay(11, roof));
    later.at = now;
    assert_eq!(alerts.raise(later, now).await.unwrap().queued(), 0);
    users.set_disabled(olga.id, false).await.unwrap();
    subs.remove_own(&actor("olga"), olga.id, mine.id)
        .await
        .unwrap();
    assert!(subs.mine(olga.id).await.unwrap().is_empty());
}

#[tokio::test]
async fn quiet_hours_hold_an_alert_until_they_end_but_not_good_news() {
    let (world, sites) = two_sites().await;
    let roof = sites[0];
    let alerts = alerts_of(&world, &Vault::new(TokenKey::generate()));
    // Quiet from an hour ago to an hour from now, in Zurich (the sites'
    // zone when none was set).
    let now = Utc::now();
    let zurich: chrono_tz::Tz = "Europe/Zurich".parse().unwrap();
    let local = now.with_timezone(&zurich);
    let minute = local.hour() * 60 + local.minute();
    let (from, until) = (hm(minute + 1440 - 60), hm(minute + 60));
    let new = NewEmail {
        address: "night@example.com",
        quiet_from: &from,
        quiet_until: &until,
        ..NewEmail::default()
    };
    let sub = alerts
        .subscriptions
        .add_email(&actor("olga"), &new)
        .await
        .unwrap();
    assert!(sub.quiet.is_some());
    alerts.raise(offline(bay(1, roof)), now).await.unwrap();
    alerts.raise(offline(bay(2, roof)), now).await.unwrap();
    assert!(
        alerts.claim(now, 10).await.unwrap().is_empty(),
        "held in the quiet hours"
    );
    // Good news does not wait; and Bay 1, back before its offline alert
    // went out, withdraws it (and needs no "back" either).
    for id in [1, 3] {
        let mut back = AlertFacts::new(AlertEvent::ChargerBack, now);
        back.charger = Some(bay(id, roof));
        alerts.raise(back, now).await.unwrap();
    }
    let at_once = alerts.claim(now, 10).await.unwrap();
    let back: Vec<_> = at_once.iter().map(|d| d.facts.subject()).collect();
    assert_eq!(back, ["charger:3"]);
    alerts.settle(&at_once[0], Ok(()), now).await.unwrap();
    let later = alerts
        .claim(now + TimeDelta::minutes(61), 10)
        .await
        .unwrap();
    let offline: Vec<_> = later.iter().map(|d| d.facts.subject()).collect();
    assert_eq!(offline, ["charger:2"], "out when the quiet hours end");
    assert_eq!(later[0].facts.event, AlertEvent::ChargerOffline);
    let log = alerts.recent(10).await.unwrap();
    let withdrawn = log
        .iter()
        .filter(|d| {
            d.last_error
                .as_deref()
                .is_some_and(|e| e.starts_with("withdrawn"))
        })
        .count();
    assert_eq!(withdrawn, 1, "the log says why Bay 1's alert never went");

    // Half a span is refused with a sentence's worth of reason.
    let half = NewEmail {
        address: "night@example.com",
        quiet_from: "22:00",
        ..NewEmail::default()
    };
    let refused = alerts.subscriptions.add_email(&actor("olga"), &half).await;
    assert!(matches!(refused, Err(AlertError::Invalid(_))));
}

#[tokio::test]
async fn a_retry_that_falls_in_quiet_hours_waits_for_their_end() {
    let (world, sites) = two_sites().await;
    let alerts = alerts_of(&world, &Vault::new(TokenKey::generate()));
    // Quiet from the next minute for an hour, in the sites' zone.
    let now = Utc::now();
    let zurich: chrono_tz::Tz = "Europe/Zurich".parse().unwrap();
    let local = now.with_timezone(&zurich);
    let minute = local.hour() * 60 + local.minute();
    let (from, until) = (hm(minute + 1), hm(minute + 61));
    let new = NewEmail {
        address: "night@example.com",
        quiet_from: &from,
        quiet_until: &until,
        ..NewEmail::default()
    };
    alerts
        .subscriptions
        .add_email(&actor("olga"), &new)
        .await
        .unwrap();
    alerts.raise(offline(bay(1, sites[0])), now).await.unwrap();
    let due = alerts.claim(now, 10).await.unwrap();
    assert_eq!(due.len(), 1, "raised before the quiet hours: out at once");
    let failed = now + TimeDelta::minutes(2);
    alerts
        .settle(&due[0], Err("the receiver answered 500".into()), failed)
        .await
        .unwrap();
    assert!(
        alerts
            .claim(failed + TimeDelta::seconds(10), 10)
            .await
            .unwrap()
            .is_empty(),
        "the retry waits for the quiet hours to end"
    );
    let retried = alerts
        .claim(now + TimeDelta::minutes(62), 10)
        .await
        .unwrap();
    assert_eq!(retried.len(), 1);
    assert_eq!(retried[0].attempts, 2);
}
