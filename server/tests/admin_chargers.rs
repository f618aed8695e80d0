//! Charger administration over HTTP, against the CLEMAP simulator: tokens
//! go in and never come out (HTML, JSON, audit rows).

mod common;

use common::spawn_app_with;
use evse_dashboard::clemap::ClientConfig;
use evse_dashboard::clemap::simulator::{self, Fleet, StationSpec, Vehicle};
use evse_dashboard::types::Role;

const TOKEN: &str = "tok-admin-9c8b7a6f5e4d3c2b1a0f9e8d";

fn fleet() -> Fleet {
    Fleet {
        stations: vec![StationSpec::new(
            "edge-9",
            "evse-9",
            TOKEN,
            32,
            Vehicle::Charging,
        )],
    }
}

#[tokio::test]
async fn register_test_and_read_back_without_the_token_ever_leaving() {
    let sim = simulator::spawn(fleet()).await.unwrap();
    let url = sim.base_url();
    let app = spawn_app_with(|c| c.clemap = ClientConfig::new(url)).await;
    app.create_user("boss", Role::Admin).await;
    let admin = app.login("boss").await;

    let add = app
        .call(
            &admin,
            "add_charger",
            &format!(
                "input[name]=Bay+9&input[site]=Depot&input[edge_device_id]=edge-9&input[evse_uuid]=evse-9\
                 &input[min_current]=6&input[max_current]=16&token={TOKEN}"
            ),
        )
        .await;
    assert_eq!(add.status(), 200);
    let added = add.text().await.unwrap();
    assert!(!added.contains(TOKEN));
    let charger: serde_json::Value = serde_json::from_str(&added).unwrap();
    assert_eq!(charger["token_set"], true);
    let id = charger["id"].as_i64().unwrap();

    let test = app
        .call(&admin, "test_charger_connection", &format!("id={id}"))
        .await;
    let test: serde_json::Value = test.json().await.unwrap();
    assert_eq!(test["ok"], true, "{test}");
    assert!(
        sim.requests().iter().any(|r| r.token_valid),
        "the token reached CLEMAP"
    );

    // Every way of reading back shows no token.
    let mut seen = String::new();
    for (endpoint, body) in [
        ("list_chargers", String::new()),
        ("get_charger", format!("id={id}")),
    ] {
        seen.push_str(
            &app.call(&admin, endpoint, &body)
                .await
                .text()
                .await
                .unwrap(),
        );
    }
    seen.push_str(
        &admin
            .get(app.url("/admin"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    assert!(seen.contains("Bay 9"), "the reads returned the charger");
    assert!(!seen.contains(TOKEN), "a token leaked into a response");

    // A wrong token is reported in CLEMAP's words, without the token.
    let wrong = format!("{TOKEN}-wrong");
    let set = app
        .call(
            &admin,
            "set_charger_token",
            &format!("id={id}&token={wrong}"),
        )
        .await;
    assert_eq!(set.status(), 200);
    let test = app
        .call(&admin, "test_charger_connection", &format!("id={id}"))
        .await;
    let text = test.text().await.unwrap();
    assert!(
        text.contains("CLEMAP rejected this charger's token"),
        "{text}"
    );
    assert!(!text.contains(&wrong));

    // Invalid input gets the field's sentence and a 422.
    let bad = app
        .call(
            &admin,
            "update_charger",
            &format!("id={id}&input[name]=Bay+9&input[site]=Depot&input[edge_device_id]=edge+9&input[evse_uuid]=evse-9"),
        )
        .await;
    assert_eq!(bad.status(), 422);
    assert!(
        bad.text()
            .await
            .unwrap()
            .contains("must not contain spaces")
    );

    // Delete; the audit rows name the charger and never hold a token.
    assert_eq!(
        app.call(&admin, "delete_charger", &format!("id={id}"))
            .await
            .status(),
        200
    );
    assert_eq!(
        app.call(&admin, "get_charger", &format!("id={id}"))
            .await
            .status(),
        404
    );
    let rows: Vec<(String, Option<String>, String)> = sqlx::query_as(
        "SELECT action, charger_name, coalesce(error, '') || coalesce(subject, '') FROM audit_events \
         WHERE charger_id = ? ORDER BY id",
    )
    .bind(id)
    .fetch_all(&app.services.pool)
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
    .fetch_one(&app.services.pool)
    .await
    .unwrap_or_default();
    assert!(!dump.contains(TOKEN));
}

#[tokio::test]
async fn a_viewer_sees_chargers_but_cannot_change_them() {
    let app = spawn_app_with(|_| {}).await;
    app.create_user("look", Role::Viewer).await;
    let viewer = app.login("look").await;
    assert_eq!(app.call(&viewer, "list_chargers", "").await.status(), 200);
    let res = app
        .call(
            &viewer,
            "add_charger",
            "input[name]=X&input[site]=S&input[edge_device_id]=e&input[evse_uuid]=u&token=t",
        )
        .await;
    assert_eq!(res.status(), 403);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Your role (viewer) may not do this")
    );
}
