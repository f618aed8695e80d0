//! One bound on what a signed-in person can make the trail hold by
//! repeating themselves (#37): refusals past the first few a minute are
//! one summary row, and changes past a person's pace are refused.

use app::server_fns::alerts::MyAlertsView;
use app::server_fns::alerts::{AddMyAlert, MyAlerts, RemoveMyAlert};
use evse_dashboard::types::{Problem, Role};

use crate::helpers::{failed, ok, spawn_app};

fn add(address: &str) -> AddMyAlert {
    AddMyAlert {
        address: address.into(),
        events: Vec::new(),
        sites: Vec::new(),
        quiet_from: String::new(),
        quiet_until: String::new(),
    }
}

async fn rows_of(app: &crate::helpers::TestApp, actor: &str) -> Vec<(String, Option<String>)> {
    sqlx::query_as(
        "SELECT action, error FROM audit_events WHERE actor = $1 AND action LIKE 'alert_%' \
         ORDER BY id",
    )
    .bind(actor)
    .fetch_all(app.sqlite())
    .await
    .unwrap()
}

#[tokio::test]
async fn three_hundred_refused_addresses_add_at_most_thirty_rows() {
    let app = spawn_app().await;
    app.create_user("vera", Role::Viewer).await;
    let vera = app.login("vera").await;
    for i in 0..300 {
        let (status, _) = failed(
            app.call_fn(&vera, add(&format!("not an address {i}")))
                .await,
        )
        .await;
        assert_eq!(status, 422, "each one is still refused with its reason");
    }
    let before_flush = rows_of(&app, "vera").await.len();
    app.services.audit.flush_repeats().await;
    let rows = rows_of(&app, "vera").await;
    assert!(rows.len() <= 30, "{} rows", rows.len());
    // Nothing is lost: the rows and the summary's count make 300.
    let summarised: i64 = rows
        .iter()
        .filter_map(|(_, e)| e.as_deref().map(Problem::from_stored))
        .map(|p| match p {
            Problem::Repeated { attempts } => attempts,
            _ => 1,
        })
        .sum();
    assert_eq!(summarised, 300);
    assert_eq!(rows.len(), before_flush + 1, "one summary row");
}

#[tokio::test]
async fn adding_and_removing_in_a_loop_is_refused_past_a_persons_pace() {
    let app = spawn_app().await;
    app.create_user("vera", Role::Viewer).await;
    let vera = app.login("vera").await;
    let mut too_fast = 0;
    for i in 0..60 {
        // No mail server here: the address is added, its confirmation
        // mail is refused.
        let res = app
            .call_fn(&vera, add(&format!("vera{i}@example.com")))
            .await;
        if res.status() == 429 {
            too_fast += 1;
        }
        let mine: MyAlertsView = ok(app.call_fn(&vera, MyAlerts {}).await).await;
        for s in mine.subscriptions {
            let _ = app.call_fn(&vera, RemoveMyAlert { id: s.id }).await;
        }
    }
    assert!(too_fast > 0, "a loop meets the bound");
    app.services.audit.flush_repeats().await;
    let rows = rows_of(&app, "vera").await.len();
    assert!(rows <= 60, "{rows} rows for 120 changes asked");
}
