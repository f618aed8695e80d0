//! The audit page's data over HTTP: combined filters, keyset pages with a
//! count, and the CSV export of exactly the filter (operators and up).

use std::collections::HashSet;

use app::error::AppError;
use app::server_fns::audit::AuditPageCall;
use evse_dashboard::audit::{Actor, Completion, Event, Intent, Who};
use evse_dashboard::types::{AuditAction, AuditFilter, AuditPage, Field, Outcome, Role};

use crate::helpers::{TestApp, failed, ok, spawn_app};

async fn seed(app: &crate::helpers::TestApp) {
    let log = &app.services.audit;
    for i in 0..120 {
        let actor = Actor::of(Who::Unknown {
            name: if i % 2 == 0 { "olga" } else { "ivan" }.into(),
        });
        let id = log
            .begin(
                &actor,
                Intent {
                    action: AuditAction::SetTarget,
                    charger_id: 1 + (i % 3),
                    charger_name: "Bay",
                    requested_current: Some(6 + (i % 10) as u32),
                    requested_duration: Some(600),
                    batch_id: None,
                },
            )
            .await
            .unwrap();
        let outcome = if i % 4 == 0 {
            Outcome::Rejected
        } else {
            Outcome::Received
        };
        log.complete(id, &Completion::answered(outcome, 201, &"{}"))
            .await
            .unwrap();
    }
    log.record(
        &Actor::of(Who::Unknown {
            name: "olga".into(),
        }),
        Event::of(AuditAction::Login, &Ok(())),
    )
    .await
    .unwrap();
}

async fn page(app: &TestApp, client: &reqwest::Client, filter: AuditFilter) -> AuditPage {
    ok(app
        .call_fn(
            client,
            AuditPageCall {
                filter,
                before: None,
            },
        )
        .await)
    .await
}

fn sets() -> AuditFilter {
    AuditFilter {
        action: Some(AuditAction::SetTarget),
        ..Default::default()
    }
}

#[tokio::test]
async fn keyset_pages_cover_every_match_once() {
    let app = spawn_app().await;
    app.create_user("viewer", Role::Viewer).await;
    seed(&app).await;
    let viewer = app.login("viewer").await;

    let mut seen = HashSet::new();
    let mut before = None::<i64>;
    let mut pages = 0;
    loop {
        let call = AuditPageCall {
            filter: sets(),
            before,
        };
        let p: AuditPage = ok(app.call_fn(&viewer, call).await).await;
        assert_eq!(p.total, 120);
        pages += 1;
        let ids: Vec<i64> = p.entries.iter().map(|e| e.id).collect();
        assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first");
        for id in ids {
            assert!(seen.insert(id), "id {id} on two pages");
        }
        match p.next_before {
            Some(b) => before = Some(b),
            None => break,
        }
    }
    assert_eq!((pages, seen.len()), (3, 120));
}

#[tokio::test]
async fn filters_combine() {
    let app = spawn_app().await;
    app.create_user("viewer", Role::Viewer).await;
    seed(&app).await;
    let viewer = app.login("viewer").await;
    let filter = AuditFilter {
        user: Some("OLGA".into()),
        outcome: Some(Outcome::Rejected),
        charger: Some(1),
        ..Default::default()
    };
    let p = page(&app, &viewer, filter).await;
    // i even (olga), i % 4 == 0 (rejected), 1 + i % 3 == 1 (i % 3 == 0): i % 12 == 0.
    assert_eq!(p.total, 10);
    assert!(
        p.entries.iter().all(|e| e.actor == "olga"
            && e.outcome == Outcome::Rejected
            && e.charger_id == Some(1))
    );
    let logins = AuditFilter {
        action: Some(AuditAction::Login),
        ..Default::default()
    };
    let p = page(&app, &viewer, logins).await;
    // The viewer's own login is there too.
    assert_eq!(p.total, 2);
    let january = AuditFilter {
        from: Some("2020-01-01".into()),
        to: Some("2020-01-31".into()),
        ..Default::default()
    };
    assert_eq!(page(&app, &viewer, january).await.total, 0);
    let bad = AuditFilter {
        from: Some("yesterday".into()),
        ..Default::default()
    };
    let call = AuditPageCall {
        filter: bad,
        before: None,
    };
    match failed(app.call_fn(&viewer, call).await).await {
        (422, AppError::Invalid(invalid)) => assert_eq!(invalid.field, Field::FirstDay),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn the_csv_export_is_exactly_the_filter_and_not_for_viewers() {
    let app = spawn_app().await;
    app.create_user("viewer", Role::Viewer).await;
    app.create_user("op", Role::Operator).await;
    seed(&app).await;
    let viewer = app.login("viewer").await;
    let operator = app.login("op").await;

    let url = app.url("/audit/export.csv?action=set_target&outcome=rejected");
    assert_eq!(viewer.get(&url).send().await.unwrap().status(), 403);
    let res = operator.get(&url).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let csv = res.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("id,at_utc,actor,action"));
    assert_eq!(lines.len(), 1 + 30, "header + the 30 rejected sets");
    assert!(
        lines[1..]
            .iter()
            .all(|l| l.contains(",set_target,") && l.contains(",rejected,"))
    );
    // ISO 8601 UTC times.
    let at = lines[1].split(',').nth(1).unwrap();
    assert!(chrono::DateTime::parse_from_rfc3339(at).is_ok(), "{at}");

    let bad = operator
        .get(app.url("/audit/export.csv?from=24.11."))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    // The export itself is audited.
    let exports: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'audit_exported'")
            .fetch_one(app.sqlite())
            .await
            .unwrap();
    assert_eq!(exports, 1);
}

#[tokio::test]
async fn the_page_renders_for_a_viewer_with_the_filters_from_the_url() {
    let app = spawn_app().await;
    app.create_user("viewer", Role::Viewer).await;
    seed(&app).await;
    let viewer = app.login("viewer").await;
    let html = viewer
        .get(app.url("/audit?action=set_target&outcome=rejected"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("30 matching events"),
        "count rendered on the server"
    );
    assert!(
        !html.contains("data-testid=\"export\""),
        "viewers get no export link"
    );
}

#[tokio::test]
async fn every_action_and_outcome_is_offered_as_a_filter_with_its_label() {
    use strum::IntoEnumIterator;
    let app = spawn_app().await;
    app.create_user("viewer", Role::Viewer).await;
    let viewer = app.login("viewer").await;
    let html = app.page(&viewer, "/audit").await;
    for action in AuditAction::iter() {
        let option = format!(
            "<option value=\"{action}\">{}</option>",
            app::words::action_label(app::language::Locale::en, action)
        );
        assert!(html.contains(&option), "no filter option {option}");
    }
    for outcome in Outcome::iter() {
        let option = format!(
            "<option value=\"{outcome}\">{}</option>",
            app::words::outcome_label(app::language::Locale::en, outcome)
        );
        assert!(html.contains(&option), "no filter option {option}");
    }
}
