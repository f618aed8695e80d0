//! The load manager on either backend (#40): a shared site's cars get
//! their allocations as targets CLEMAP receives, the cars that follow
//! keep the site within its limit, equal cars get equal shares, a car
//! that leaves gives its share to the others, every send is audited
//! under `load:SITE`, and bad settings are refused and audited.

use std::time::Duration;

use chrono::Utc;
use evse_dashboard::clemap::simulator::{Faults, StationSpec, Vehicle};
use evse_dashboard::history::{HistoryConfig, Sampler};
use evse_dashboard::secret::WebhookSecret;
use evse_dashboard::sharing::{ChargerShare, Sharing, SharingError};
use evse_dashboard::types::{AlertEvent, AuditAction, Field, Outcome, Problem, Rule};
use evse_dashboard::vault::{TokenKey, Vault};

use crate::fixtures::{World, actor};

const TIMEOUT: Duration = Duration::from_millis(400);

fn cars(n: usize) -> Vec<StationSpec> {
    (0..n)
        .map(|i| {
            StationSpec::new(
                "edge",
                format!("evse-share-{i}"),
                format!("tok-share-{i}-1a2b3c4d5e6f"),
                32,
                Vehicle::Charging,
            )
        })
        .collect()
}

/// A sampler over `world` reading every 30 s, judging at once.
fn sampler(world: &World) -> Sampler {
    Sampler::new(
        world.audit.clone(),
        world.registry.clone(),
        world.clemap.clone(),
        HistoryConfig {
            interval: Duration::from_secs(30),
            settle: Duration::ZERO,
            deadline: Duration::from_millis(800),
            ..HistoryConfig::default()
        },
        Duration::from_secs(24 * 3600),
    )
}

struct Site {
    world: World,
    sampler: Sampler,
    sharing: Sharing,
    site_id: i64,
    ids: Vec<i64>,
}

async fn shared_site(n: usize, limit: &str) -> Site {
    let stations = cars(n);
    let world = World::new(stations.clone(), TIMEOUT).await;
    let mut ids = Vec::new();
    for (i, s) in stations.iter().enumerate() {
        ids.push(
            world
                .register_at(s, &format!("Bay {i}"), "HQ", (6, 32))
                .await,
        );
    }
    let sampler = sampler(&world);
    let sharing = Sharing::new(world.audit.clone(), world.control());
    let site_id = world.registry.get(ids[0]).await.unwrap().site_id;
    let olga = actor("olga");
    sharing
        .settings
        .set_supply(&olga, site_id, limit)
        .await
        .unwrap();
    sharing
        .settings
        .set_sharing(&olga, site_id, true, None)
        .await
        .unwrap();
    Site {
        world,
        sampler,
        sharing,
        site_id,
        ids,
    }
}

impl Site {
    /// One sampling round and the manager's round on it.
    async fn round(&self) -> evse_dashboard::sharing::allocate::Allocation {
        self.round_at(Utc::now()).await
    }

    async fn round_at(
        &self,
        now: chrono::DateTime<Utc>,
    ) -> evse_dashboard::sharing::allocate::Allocation {
        assert!(self.sampler.tick(now).await.unwrap());
        let round = self.sampler.rounds().borrow().clone().unwrap();
        let mut done = self.sharing.after_round(&round).await.unwrap();
        assert_eq!(done.len(), 1);
        done.remove(0).1
    }

    fn targets(&self) -> Vec<Option<u32>> {
        (0..self.ids.len())
            .map(|i| {
                self.world
                    .sim
                    .active_target(&format!("evse-share-{i}"))
                    .map(|(a, _)| a)
            })
            .collect()
    }
}

#[tokio::test]
async fn equal_cars_share_the_supply_and_the_site_stays_within_it() {
    let site = shared_site(5, "100").await;
    site.round().await;
    let targets = site.targets();
    let given: Vec<u32> = targets
        .iter()
        .map(|t| t.expect("every car got a target"))
        .collect();
    assert_eq!(given.iter().sum::<u32>(), 100, "{given:?}");
    assert!(
        given.iter().max().unwrap() - given.iter().min().unwrap() <= 1,
        "{given:?}"
    );
    // The cars follow: the next reading's draw per phase is within the limit.
    let a = site.round().await;
    assert!(a.counted.iter().all(|&c| c <= 100), "{:?}", a.counted);
    // Every send is audited under the site's load actor, in one batch a round.
    let rows: Vec<(String, Outcome, Option<String>)> = evse_dashboard::on_db!(site.world.db(), pool =>
        sqlx::query_as(
            "SELECT actor, outcome, batch_id FROM audit_events \
             WHERE action = 'set_target' ORDER BY id",
        )
        .fetch_all(pool)
        .await
        .unwrap());
    assert_eq!(rows.len(), 5, "the second round changed nothing: {rows:?}");
    let load = format!("load:{}", site.site_id);
    assert!(
        rows.iter()
            .all(|(a, o, b)| *a == load && *o == Outcome::Received && b.is_some())
    );
    assert!(rows.windows(2).all(|w| w[0].2 == w[1].2), "one batch");
}

#[tokio::test]
async fn a_steady_site_costs_one_renewal_row_per_renewal_whatever_its_size() {
    let site = shared_site(4, "60").await;
    let start = Utc::now();
    // An hour of rounds every 30 s, nothing changing.
    for k in 0..120 {
        site.round_at(start + chrono::Duration::seconds(30 * k))
            .await;
    }
    let load = format!("load:{}", site.site_id);
    let rows: Vec<(AuditAction, Outcome, Option<String>)> = evse_dashboard::on_db!(site.world.db(), pool =>
        sqlx::query_as(
            "SELECT action, outcome, upstream_answer FROM audit_events WHERE actor = $1 ORDER BY id",
        )
        .bind(&load)
        .fetch_all(pool)
        .await
        .unwrap());
    let sets = rows
        .iter()
        .filter(|r| r.0 == AuditAction::SetTarget)
        .count();
    let renewals: Vec<_> = rows
        .iter()
        .filter(|r| r.0 == AuditAction::ShareRenewed)
        .collect();
    assert_eq!(sets, 4, "one set per charger, in the first round");
    assert!(
        renewals.len() <= 12,
        "{} renewal rows in an hour",
        renewals.len()
    );
    assert!(
        renewals.len() >= 10,
        "renewed before each hold ends: {}",
        renewals.len()
    );
    for (_, outcome, answer) in renewals {
        assert_eq!(*outcome, Outcome::Received);
        let answer: serde_json::Value = serde_json::from_str(answer.as_deref().unwrap()).unwrap();
        assert_eq!(
            answer.as_array().unwrap().len(),
            4,
            "each charger's outcome: {answer}"
        );
    }
    // Every target is still in force at the end, and the chain holds.
    assert!(site.targets().iter().all(Option::is_some));
    assert_eq!(site.world.audit.verify(None).await.unwrap().broken, None);
}

#[tokio::test]
async fn a_second_instance_takes_the_lease_over_and_continues_from_the_stored_allocation() {
    let site = shared_site(3, "60").await;
    let start = Utc::now();
    site.round_at(start).await;
    let given = site.targets();
    assert_eq!(given, vec![Some(20); 3]);
    // The first instance stops without a word; the second one's sampler
    // takes the lease once it has run out (1.5 intervals) and its manager
    // starts from what the first stored.
    let second = sampler(&site.world);
    let manager = Sharing::new(site.world.audit.clone(), site.world.control());
    let soon = start + chrono::Duration::seconds(30);
    assert!(!second.tick(soon).await.unwrap(), "the lease is still held");
    let later = start + chrono::Duration::seconds(46);
    assert!(second.tick(later).await.unwrap());
    let round = second.rounds().borrow().clone().unwrap();
    manager.after_round(&round).await.unwrap();
    // Nothing changed, nothing was due: no new set, the targets stay.
    let sets: i64 = evse_dashboard::on_db!(site.world.db(), pool =>
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'set_target'")
            .fetch_one(pool)
            .await
            .unwrap());
    assert_eq!(sets, 3);
    assert_eq!(site.targets(), given);
}

#[tokio::test]
async fn a_persons_target_bounds_what_the_site_shares_and_the_page_says_both() {
    let site = shared_site(2, "60").await;
    site.round().await;
    assert_eq!(site.targets(), vec![Some(30), Some(30)]);
    site.world
        .control()
        .set_target(&actor("olga"), site.ids[0], 10, 3600)
        .await
        .unwrap();
    site.round().await;
    assert_eq!(site.targets(), vec![Some(10), Some(32)]);
    let now = Utc::now();
    let first = site.sharing.for_charger(site.ids[0], now).await.unwrap();
    assert_eq!(
        first,
        Some(ChargerShare {
            asked: Some(10),
            shared: Some(10)
        })
    );
    let second = site.sharing.for_charger(site.ids[1], now).await.unwrap();
    assert_eq!(second.unwrap().asked, None);
}

#[tokio::test]
async fn a_site_that_cannot_give_every_car_its_minimum_alerts_once_it_lasts() {
    let site = shared_site(3, "18").await;
    // One charger cannot be read: it counts at its 32 A, more than the
    // site has, so the two cars charging cannot get their 6 A.
    site.world.sim.set_station_faults(
        "evse-share-2",
        Faults {
            error_rate: 1.0,
            ..Faults::default()
        },
    );
    let alerts = crate::alerts::alerts_of(&site.world, &Vault::new(TokenKey::generate()));
    alerts
        .subscriptions
        .add_webhook(
            &actor("olga"),
            "https://a.example.com/",
            &WebhookSecret::new(crate::alerts::SECRET),
            "",
        )
        .await
        .unwrap();
    let start = Utc::now();
    let mut raised = Vec::new();
    for k in 0..4 {
        let at = start + chrono::Duration::seconds(30 * k);
        let a = site.round_at(at).await;
        assert!(a.oversubscribed);
        let round = site.sampler.rounds().borrow().clone().unwrap();
        alerts
            .after_round(&round.chargers, &round.readings, at)
            .await
            .unwrap();
        for due in alerts.claim(at, 50).await.unwrap() {
            alerts.settle(&due, Ok(()), at).await.unwrap();
            if due.facts.event == AlertEvent::SiteOversubscribed {
                raised.push(due.facts);
            }
        }
    }
    assert_eq!(raised.len(), 1, "once, after a minute: {raised:?}");
    let names: Vec<&str> = raised[0].chargers.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["Bay 0", "Bay 1"]);
    assert_eq!(raised[0].amps, Some((0, 18)));
}

#[tokio::test]
async fn a_car_that_leaves_gives_its_share_to_the_others_in_the_next_round() {
    let site = shared_site(4, "60").await;
    site.round().await;
    assert_eq!(site.targets(), vec![Some(15); 4]);
    site.world.sim.set_vehicle("evse-share-3", Vehicle::None);
    site.round().await;
    // Three cars share what is left after the free charger's reserve.
    let t = site.targets();
    assert_eq!(t[3], Some(6), "the free charger holds the minimum");
    assert_eq!(&t[..3], &[Some(18); 3]);
    // A high-priority car is served first; switched off, nothing is kept.
    let olga = actor("olga");
    let settings = &site.sharing.settings;
    settings
        .set_priority(&olga, site.ids[0], "high")
        .await
        .unwrap();
    site.round().await;
    assert_eq!(site.targets()[0], Some(32));
    settings
        .set_sharing(&olga, site.site_id, false, None)
        .await
        .unwrap();
    assert!(
        site.sharing
            .allocations(site.site_id)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn every_target_holds_only_for_the_hold_so_a_stopped_dashboard_lets_go() {
    let site = shared_site(2, "40").await;
    site.round().await;
    let hold = site.sharing.hold();
    for i in 0..2 {
        let (_, until) = site
            .world
            .sim
            .active_target(&format!("evse-share-{i}"))
            .unwrap();
        let left = (until - site.world.sim.now()).to_std().unwrap();
        assert!(left <= hold, "{left:?}");
    }
    site.world.sim.advance_clock(hold + Duration::from_secs(1));
    assert_eq!(
        site.targets(),
        vec![None, None],
        "CLEMAP's own settings apply again"
    );
}

#[tokio::test]
async fn bad_sharing_settings_are_refused_with_a_reason_and_audited() {
    let site = shared_site(3, "100").await;
    let settings = &site.sharing.settings;
    let olga = actor("olga");
    fn refused<T: std::fmt::Debug>(r: Result<T, SharingError>) -> (Field, Rule) {
        match r.unwrap_err().problem() {
            Problem::Invalid(i) => (i.field, i.rule),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(
        refused(settings.set_supply(&olga, site.site_id, "12").await),
        (
            Field::SupplyLimit,
            Rule::BelowReserves {
                limit: 12,
                reserves: 18
            }
        )
    );
    // The site page's form keeps to the same rule while the site is shared.
    let schedules = evse_dashboard::schedule::Schedules::new(site.world.audit.clone());
    match schedules
        .update_site(&olga, site.site_id, "Europe/Zurich", "12")
        .await
        .unwrap_err()
        .problem()
    {
        Problem::Invalid(i) => assert_eq!(
            i.rule,
            Rule::BelowReserves {
                limit: 12,
                reserves: 18
            }
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        refused(
            settings
                .set_sharing(&olga, site.site_id, true, Some(40))
                .await
        ),
        (
            Field::ShareMinimum,
            Rule::ZeroOrRange {
                got: 40,
                min: 6,
                max: 32
            }
        )
    );
    assert!(matches!(
        settings
            .set_priority(&olga, 999_999, "high")
            .await
            .unwrap_err()
            .problem(),
        Problem::NotFound(_)
    ));
    assert_eq!(
        refused(settings.set_priority(&olga, site.ids[0], "urgent").await),
        (
            Field::Priority,
            Rule::UnknownPriority {
                text: "urgent".into()
            }
        )
    );
    let failed: i64 = evse_dashboard::on_db!(site.world.db(), pool =>
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_events WHERE outcome = 'failed' AND action IN ($1, $2, $3)",
        )
        .bind(AuditAction::SiteUpdated)
        .bind(AuditAction::SiteSharingChanged)
        .bind(AuditAction::ChargerPriorityChanged)
        .fetch_one(pool)
        .await
        .unwrap());
    assert_eq!(failed, 4);
    // Nothing was sent.
    assert!(site.targets().iter().all(Option::is_none));
}

#[tokio::test]
async fn a_renewed_target_stays_judged_after_the_set_alone_would_have_ended() {
    use evse_dashboard::audit::Actor;
    use evse_dashboard::history::verdicts::{Setters, in_force};
    use evse_dashboard::types::Who;

    let site = shared_site(2, "40").await;
    site.round().await;
    // Past the hold of the first round's sets, nothing is in force…
    let later = Utc::now() + chrono::Duration::seconds(700);
    let longest = Duration::from_secs(24 * 3600);
    let everyone = (Setters::Everyone, None);
    let before = in_force(&site.world.audit, later, longest, everyone)
        .await
        .unwrap();
    assert!(before.is_empty(), "{before:?}");
    // …until the manager renews the same currents for longer.
    let mut items = Vec::new();
    for id in &site.ids {
        items.push((site.world.registry.get(*id).await.unwrap(), 20));
    }
    let manager = Actor::of(Who::Load {
        site_id: site.site_id,
    });
    site.world
        .control()
        .renew_in_batch(&manager, "HQ", items, 900)
        .await
        .unwrap();
    let after = in_force(&site.world.audit, later, longest, everyone)
        .await
        .unwrap();
    assert_eq!(after.len(), 2, "{after:?}");
    assert!(after.values().all(|t| t.amps_at(later) == Some(20)));
    // A person's bound is not the manager's renewal.
    let people = (Setters::NotTheLoadManager, None);
    assert!(
        in_force(&site.world.audit, Utc::now(), longest, people)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn the_overview_marks_a_shared_site_and_its_day_shows_each_phase_with_the_allocations() {
    let site = shared_site(5, "100").await;
    site.round().await;
    site.round().await;
    let overview = evse_dashboard::overview::Overview::new(
        site.world.registry.clone(),
        site.world.db().clone(),
        site.sampler.clone(),
    );
    let fleet = overview.fleet().await.unwrap();
    assert!(fleet.iter().all(|c| c.site_shared), "{fleet:?}");
    let shared: Vec<u32> = fleet.iter().filter_map(|c| c.shared).collect();
    assert_eq!(shared, vec![20; 5]);

    site.sampler.roll_up(Utc::now()).await.unwrap();
    let record = site.sharing.settings.site(site.site_id).await.unwrap();
    let day = site.sharing.day(&record, Utc::now()).await.unwrap();
    assert_eq!((day.steps.len(), day.supply_limit), (96, Some(100)));
    let now = day.phases.len() - 1;
    assert!(
        day.phases[now].iter().all(|a| a.is_some_and(|a| a > 0.0)),
        "this quarter hour's draw on each phase: {:?}",
        day.phases[now]
    );
    assert_eq!(day.allocated[now], Some(100.0), "{:?}", day.allocated);
    assert!(day.phases[..now].iter().all(|p| p == &[None; 3]));
}
