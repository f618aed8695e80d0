//! What changed reaches every instance (#41): on PostgreSQL a change made
//! through one instance's services is heard by another over
//! `LISTEN/NOTIFY`; on SQLite (one instance) the in-process broadcast
//! does it. A session ended on one instance is refused on the other
//! within a second, not after the 5 s cache.

use std::time::Duration;

use chrono::Utc;
use evse_dashboard::audit::{AuditKey, AuditLog};
use evse_dashboard::auth::Users;
use evse_dashboard::db::Db;
use evse_dashboard::db::changes::{Change, Heard};
use evse_dashboard::secret::Password;
use evse_dashboard::types::Role;
use tokio::sync::broadcast;

use crate::fixtures::{World, actor, on_postgres, station};

/// Within a second, as the issue asks.
const WITHIN: Duration = Duration::from_secs(1);

/// The second instance's database handle: its own connections and its
/// own hub on PostgreSQL, listening to the first; the same on SQLite.
async fn second_instance(first: &crate::fixtures::TestDb) -> Db {
    if !on_postgres() {
        return first.db.clone();
    }
    let second = Db::connect(&first.location).await.unwrap();
    tokio::spawn(second.changes().clone().listen());
    let mut hearing = second.changes().hearing();
    tokio::time::timeout(Duration::from_secs(10), hearing.wait_for(|h| *h))
        .await
        .expect("the second instance listens within 10 s")
        .unwrap();
    second
}

/// The first change heard that `wanted` accepts, within [`WITHIN`].
async fn hear(heard: &mut broadcast::Receiver<Heard>, wanted: impl Fn(&Change) -> bool) -> Change {
    tokio::time::timeout(WITHIN, async {
        loop {
            let heard = heard.recv().await.unwrap();
            if wanted(&heard.change) {
                return (*heard.change).clone();
            }
        }
    })
    .await
    .expect("the change was heard within a second")
}

#[tokio::test]
async fn a_set_made_on_one_instance_is_heard_on_the_other() {
    let spec = station("evse-live", "tok-live", 32);
    let world = World::new(vec![spec.clone()], Duration::from_millis(400)).await;
    let charger = world.register(&spec, "Bay 1", 6, 16).await;
    let second = second_instance(&world.db).await;
    let mut heard = second.changes().subscribe();

    world
        .control()
        .set_target(&actor("olga"), charger, 10, 3600)
        .await
        .unwrap();

    let change = hear(&mut heard, |c| c.touches_charger(charger)).await;
    assert!(
        matches!(&change, Change::Chargers { ids } | Change::Audit { chargers: ids } if ids == &[charger]),
        "{change:?}"
    );
    // The place a page names moves with what the instance heard.
    assert_ne!(second.changes().position(), "");
}

#[tokio::test]
async fn a_session_ended_on_one_instance_is_refused_on_the_other_within_a_second() {
    let world = World::new(Vec::new(), Duration::from_millis(400)).await;
    let first = Users::new(
        world.db().clone(),
        AuditLog::new(world.db().clone(), AuditKey::generate()),
    );
    let second_db = second_instance(&world.db).await;
    let second = Users::new(
        second_db.clone(),
        AuditLog::new(second_db.clone(), AuditKey::generate()),
    );
    tokio::spawn(second.clone().follow(second_db.changes().subscribe()));
    let mut heard = second_db.changes().subscribe();

    let mia = first
        .create(
            "mia",
            &Password::new("correct horse battery staple"),
            Role::Operator,
        )
        .await
        .unwrap();
    let epoch = first.session_epoch(mia.id).await.unwrap().unwrap();
    let logged_in = Utc::now();
    // The second instance knows the session (and caches it for 5 s).
    assert!(
        second
            .session_user(mia.id, logged_in, epoch)
            .await
            .unwrap()
            .is_some()
    );

    first.set_role(mia.id, Role::Viewer).await.unwrap();
    hear(&mut heard, |c| *c == Change::User { id: mia.id }).await;
    let refused = tokio::time::timeout(WITHIN, async {
        loop {
            if second
                .session_user(mia.id, logged_in, epoch)
                .await
                .unwrap()
                .is_none()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(
        refused.is_ok(),
        "the old session was still good on the second instance after 1 s"
    );

    // A logout is told the same way (the session store itself is the
    // server's; `server/tests/api` checks the refused request).
    first.session_ended(mia.id);
    hear(&mut heard, |c| {
        *c == Change::SessionEnded { user_id: mia.id }
    })
    .await;
}
