//! `backup PATH` while sets keep arriving, then a restore from it: the
//! copy verifies against the head it recorded, holds what was acknowledged
//! before it began, and its copied key still opens the charger's token.

use app::server_fns::control::SetTarget;
use evse_dashboard::audit::verify::Anchor;
use evse_dashboard::clemap::ClientConfig;
use evse_dashboard::clemap::simulator::{StationSpec, Vehicle};
use evse_dashboard::types::{ControlOutcome, Outcome, Role};
use server::cli::{BackupArgs, DataArgs};
use server::commands::backup::{self, HEAD_FILE};

use crate::helpers::{ok, spawn_app_with_fleet, spawn_configured, test_config};

const TOKEN: &str = "tok-backup-7c1e9a0b5d3f42e8a6b1";

fn set(charger_id: i64, amps: u32) -> SetTarget {
    SetTarget {
        charger_id,
        amps: amps.to_string(),
        duration: "600".into(),
        custom_minutes: None,
        confirmed: None,
    }
}

#[tokio::test]
async fn a_backup_taken_under_load_restores_and_verifies() {
    let spec = StationSpec::new("edge", "evse", TOKEN, 32, Vehicle::Charging);
    let (app, sim) = spawn_app_with_fleet(vec![spec.clone()]).await;
    let id = app.register(&spec, "Bay 1", 32).await;
    app.create_user("op", Role::Operator).await;
    let operator = app.login("op").await;
    let first: ControlOutcome = ok(app.call_fn(&operator, set(id, 7)).await).await;
    assert_eq!(first.outcome, Outcome::Received);

    // Sets keep arriving while the copy is taken.
    let (stop, mut stopped) = tokio::sync::watch::channel(false);
    let writer = {
        let (client, url) = (operator.clone(), app.url(""));
        tokio::spawn(async move {
            let mut acknowledged = 0;
            for amps in (6..=32).cycle() {
                if *stopped.borrow_and_update() {
                    break;
                }
                let res = client
                    .post(format!("{url}/api/set_target"))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header("accept", "application/json")
                    .body(format!("charger_id={id}&amps={amps}&duration=600"))
                    .send()
                    .await
                    .unwrap();
                assert!(res.status().is_success(), "{}", res.status());
                acknowledged += 1;
            }
            acknowledged
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let place = tempfile::tempdir().unwrap();
    let target = place.path().join("backup");
    let args = BackupArgs {
        target: target.clone(),
        data: DataArgs::new(app.data_dir.path().to_owned()),
    };
    let made = backup::run(args.clone()).await.expect("backup made");
    stop.send(true).unwrap();
    let acknowledged = writer.await.unwrap();
    assert!(acknowledged > 0, "no set ran during the backup");

    // The head written beside the copy is the copy's own.
    let recorded: Anchor = std::fs::read_to_string(target.join(HEAD_FILE))
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(Some(&recorded), made.head.as_ref());
    assert_eq!(recorded.rows, made.rows);

    // A second backup into the same place is refused, the first untouched.
    let again = backup::run(args).await.unwrap_err().to_string();
    assert!(again.contains("not empty"), "{again}");

    // Restore: start from the backup directory.
    let mut config = test_config(&target);
    config.clemap = ClientConfig::new(sim.base_url());
    let restored = spawn_configured(place, config).await;
    let verified = restored
        .services
        .audit
        .verify(Some(&recorded))
        .await
        .unwrap();
    assert!(verified.broken.is_none(), "{:?}", verified.broken);
    let first_again = evse_dashboard::audit::entry(restored.services.audit.db(), first.audit_id)
        .await
        .unwrap()
        .expect("the set acknowledged before the backup is in it");
    assert_eq!(first_again.outcome, Outcome::Received);

    // The copied token key still opens the charger's token.
    let operator = restored.login("op").await;
    let outcome: ControlOutcome = ok(restored.call_fn(&operator, set(id, 11)).await).await;
    assert_eq!(outcome.outcome, Outcome::Received);
    assert_eq!(sim.active_target("evse").map(|t| t.0), Some(11));
}
