//! Dates from the outside (#37): every endpoint that takes a day reads it
//! through `calendar::day`, so no date, however far or strange, panics a
//! request or goes unanswered. A far-future `to` once closed the
//! connection with no answer and ~75 log lines. proptest makes the
//! strings: days in and out of 2000–2100, signed and six-digit years,
//! impossible days, other shapes, and noise.

use app::server_fns::audit::AuditPageCall;
use evse_dashboard::types::{AuditFilter, Role};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRng, TestRunner};

use crate::api_v1::{app_with_charger, call, token};

fn date() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("+262142-12-31".to_owned()),
        Just("-262143-01-01".to_owned()),
        Just("262142-12-31".to_owned()),
        Just("9999-12-31".to_owned()),
        Just("2100-12-31".to_owned()),
        Just("2101-01-01".to_owned()),
        Just("1999-12-31".to_owned()),
        Just("0000-01-01".to_owned()),
        Just("2026-02-30".to_owned()),
        Just("2026-12-07".to_owned()),
        (0i64..=999_999, 0u32..=13, 0u32..=32)
            .prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")),
        (-300_000i64..=300_000).prop_map(|y| format!("{y:+}-01-01")),
        "\\PC{0,16}",
    ]
}

/// `?from=…&to=…` with `day` as either end or both.
fn query(day: &str, which: u8) -> String {
    let day = urlencode(day);
    match which % 3 {
        0 => format!("to={day}"),
        1 => format!("from={day}"),
        _ => format!("from={day}&to={day}"),
    }
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_date_panics_or_goes_unanswered_anywhere() {
    let (app, _sim, charger) = app_with_charger().await;
    let site = app.services.registry.get(charger).await.unwrap().site_id;
    let viewer_token = token(&app, "dates", Role::Viewer).await;
    app.create_user("olga", Role::Operator).await;
    let browser = app.login("olga").await;
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::deterministic_rng(Config::default().rng_algorithm),
    );
    let api = [
        format!("/chargers/{charger}/history"),
        format!("/sites/{site}/history"),
        "/audit".to_owned(),
    ];
    let pages = [
        format!("/chargers/{charger}/history.csv"),
        format!("/sites/{site}/history.csv"),
        "/audit/export.csv".to_owned(),
        "/audit".to_owned(),
    ];
    let mut refused = 0;
    for round in 0..60u8 {
        let day = date().new_tree(&mut runner).unwrap().current();
        let asked = query(&day, round);
        for path in &api {
            let res = call(
                &app,
                reqwest::Method::GET,
                &format!("{path}?{asked}"),
                Some(&viewer_token),
            )
            .send()
            .await
            .unwrap_or_else(|e| panic!("{path}?{asked}: no answer ({e})"));
            let status = res.status().as_u16();
            assert!(
                [200, 400, 422].contains(&status),
                "{path}?{asked}: {status}"
            );
            if status == 422 {
                refused += 1;
                let body: serde_json::Value = res.json().await.unwrap();
                let detail = body["detail"].as_str().unwrap_or_default();
                assert!(!detail.is_empty() && detail.len() < 300, "{detail}");
            }
        }
        for path in &pages {
            let res = browser
                .get(app.url(&format!("{path}?{asked}")))
                .send()
                .await
                .unwrap_or_else(|e| panic!("{path}?{asked}: no answer ({e})"));
            let status = res.status().as_u16();
            assert!(
                [200, 400, 422].contains(&status),
                "{path}?{asked}: {status}"
            );
            // Read it all: a stream cut off by a panic fails here.
            res.bytes()
                .await
                .unwrap_or_else(|e| panic!("{path}?{asked}: cut off ({e})"));
        }
        let filter = AuditFilter {
            to: Some(day.clone()),
            ..Default::default()
        };
        let res = app
            .call_fn(
                &browser,
                AuditPageCall {
                    filter,
                    before: None,
                },
            )
            .await;
        assert!(
            [200, 422].contains(&res.status().as_u16()),
            "audit_page to={day}: {}",
            res.status()
        );
    }
    assert!(refused > 0, "some of the dates were refused");
}

#[tokio::test]
async fn a_far_future_day_is_refused_with_the_years_taken() {
    let (app, _sim, charger) = app_with_charger().await;
    let viewer_token = token(&app, "far", Role::Viewer).await;
    for path in [format!("/chargers/{charger}/history"), "/audit".to_owned()] {
        let res = call(
            &app,
            reqwest::Method::GET,
            &format!("{path}?to=%2B262142-12-31"),
            Some(&viewer_token),
        )
        .send()
        .await
        .unwrap();
        assert_eq!(res.status(), 422, "{path}");
        let body: serde_json::Value = res.json().await.unwrap();
        let detail = body["detail"].as_str().unwrap();
        assert!(detail.contains("2026-11-24"), "{path}: {detail}");
        let res = call(
            &app,
            reqwest::Method::GET,
            &format!("{path}?to=2999-01-01"),
            Some(&viewer_token),
        )
        .send()
        .await
        .unwrap();
        assert_eq!(res.status(), 422, "{path}");
        let body: serde_json::Value = res.json().await.unwrap();
        let detail = body["detail"].as_str().unwrap();
        assert!(
            detail.contains("2000") && detail.contains("2100"),
            "{path}: {detail}"
        );
    }
}
