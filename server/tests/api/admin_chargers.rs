//! Charger administration over HTTP, against the CLEMAP simulator: tokens
//! go in and never come out (HTML, JSON, audit rows).

use app::error::AppError;
use app::server_fns::chargers::{
    AddCharger, ConnectionTest, DeleteCharger, GetCharger, ListChargers, SetChargerToken,
    TestChargerConnection, UpdateCharger,
};
use evse_dashboard::clemap::simulator::{StationSpec, Vehicle};
use evse_dashboard::types::{
    Charger, ChargerInput, ClemapFailure, Field, Missing, Problem, Role, Rule,
};

use crate::helpers::{failed, ok, spawn_app, spawn_app_with_fleet};

const TOKEN: &str = "tok-admin-9c8b7a6f5e4d3c2b1a0f9e8d";

fn bay9() -> ChargerInput {
    ChargerInput {
        name: "Bay 9".into(),
        site: "Depot".into(),
        edge_device_id: "edge-9".into(),
        evse_uuid: "evse-9".into(),
        min_current: Some(6),
        max_current: Some(16),
        notes: None,
    }
}

#[tokio::test]
async fn register_test_and_read_back_without_the_token_ever_leaving() {
    let spec = StationSpec::new("edge-9", "evse-9", TOKEN, 32, Vehicle::Charging);
    let (app, sim) = spawn_app_with_fleet(vec![spec]).await;
    app.create_user("boss", Role::Admin).await;
    let admin = app.login("boss").await;

    let add = AddCharger {
        input: bay9(),
        token: TOKEN.into(),
    };
    let added = app.call_fn(&admin, add).await.text().await.unwrap();
    assert!(!added.contains(TOKEN));
    let charger: Charger = serde_json::from_str(&added).unwrap();
    assert!(charger.token_set);
    let id = charger.id;

    let test: ConnectionTest = ok(app.call_fn(&admin, TestChargerConnection { id }).await).await;
    assert!(matches!(test, ConnectionTest::Connected(_)), "{test:?}");
    assert!(
        sim.requests().iter().any(|r| r.token_valid),
        "the token reached CLEMAP"
    );

    // Every way of reading back shows no token.
    let mut seen = String::new();
    seen.push_str(
        &app.call_fn(&admin, ListChargers {})
            .await
            .text()
            .await
            .unwrap(),
    );
    seen.push_str(
        &app.call_fn(&admin, GetCharger { id })
            .await
            .text()
            .await
            .unwrap(),
    );
    seen.push_str(&app.page(&admin, "/admin").await);
    assert!(seen.contains("Bay 9"), "the reads returned the charger");
    assert!(!seen.contains(TOKEN), "a token leaked into a response");

    // A wrong token is reported as CLEMAP's refusal, without the token.
    let wrong = format!("{TOKEN}-wrong");
    let replace = SetChargerToken {
        id,
        token: wrong.clone().into(),
    };
    ok::<()>(app.call_fn(&admin, replace).await).await;
    let test = app.call_fn(&admin, TestChargerConnection { id }).await;
    let text = test.text().await.unwrap();
    assert!(!text.contains(&wrong));
    let test: ConnectionTest = serde_json::from_str(&text).unwrap();
    assert_eq!(
        test,
        ConnectionTest::Failed(Problem::Clemap(ClemapFailure::TokenRejected {
            status: 401
        }))
    );

    // Invalid input names the field and the rule, with a 422.
    let update = UpdateCharger {
        id,
        input: ChargerInput {
            edge_device_id: "edge 9".into(),
            ..bay9()
        },
    };
    match failed(app.call_fn(&admin, update).await).await {
        (422, AppError::Invalid(invalid)) => {
            assert_eq!(
                (invalid.field, invalid.rule),
                (Field::EdgeDeviceId, Rule::Whitespace)
            )
        }
        other => panic!("{other:?}"),
    }

    // Delete; the audit rows name the charger and never hold a token.
    ok::<()>(app.call_fn(&admin, DeleteCharger { id }).await).await;
    let (status, error) = failed(app.call_fn(&admin, GetCharger { id }).await).await;
    assert_eq!(
        (status, error),
        (404, AppError::NotFound(Missing::Charger(id)))
    );
    let rows: Vec<(String, Option<String>, String)> = sqlx::query_as(
        "SELECT action, charger_name, coalesce(error, '') || coalesce(subject, '') FROM audit_events \
         WHERE charger_id = ? ORDER BY id",
    )
    .bind(id)
    .fetch_all(app.sqlite())
    .await
    .unwrap();
    let actions: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(
        actions,
        [
            "charger_added",
            "charger_token_replaced",
            "charger_updated",
            "charger_deleted"
        ]
    );
    assert!(rows.iter().all(|r| r.1.as_deref() == Some("Bay 9")));
    let dump: String = sqlx::query_scalar(
        "SELECT group_concat(coalesce(error,'') || coalesce(subject,''), '|') FROM audit_events",
    )
    .fetch_one(app.sqlite())
    .await
    .unwrap_or_default();
    assert!(!dump.contains(TOKEN));
}

#[tokio::test]
async fn a_viewer_sees_chargers_but_cannot_change_them() {
    let app = spawn_app().await;
    app.create_user("look", Role::Viewer).await;
    let viewer = app.login("look").await;
    ok::<Vec<Charger>>(app.call_fn(&viewer, ListChargers {}).await).await;
    let add = AddCharger {
        input: bay9(),
        token: "t".into(),
    };
    let (status, error) = failed(app.call_fn(&viewer, add).await).await;
    assert_eq!(status, 403);
    assert_eq!(
        error,
        AppError::Forbidden {
            role: Role::Viewer,
            needed: Role::Admin
        }
    );
}
