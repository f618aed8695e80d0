//! Bad input through `/api/v1`, as the server functions get it
//! (`bad_input.rs`): proptest makes target bodies from nasty JSON values
//! (huge, negative, fractional, text, null, nested, missing, extra, not
//! JSON, 1 MB), bad ids, queries and Idempotency-Keys, sent with an
//! operator token. Every answer is below 500 and, when refused, a problem
//! document with a sentence; nothing refused reaches CLEMAP; a refused
//! set on a real charger is audited as refused.

use evse_dashboard::clemap::simulator::{SimulatorHandle, StationSpec, Vehicle};
use evse_dashboard::types::{Outcome, Role};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRng, TestRunner};
use reqwest::Method;

use super::{answer, call, token};
use crate::helpers::spawn_app_with;

/// A JSON value as raw text (some of it not JSON at all).
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("-1".to_owned()),
        Just("0".to_owned()),
        Just("10".to_owned()),
        Just("600".to_owned()),
        Just("9223372036854775807".to_owned()),
        Just("-9223372036854775809".to_owned()),
        Just("18446744073709551616".to_owned()),
        Just("1e309".to_owned()),
        Just("6.5".to_owned()),
        Just("NaN".to_owned()),
        Just("null".to_owned()),
        Just("true".to_owned()),
        Just("[10]".to_owned()),
        Just(r#"{"current": 10}"#.to_owned()),
        Just(r#""10""#.to_owned()),
        Just(format!("\"{}\"", "x".repeat(1 << 20))),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| format!("{f:?}")),
        "\\PC{0,20}".prop_map(|s| serde_json::to_string(&s).unwrap()),
    ]
}

/// A whole body: both fields, one left out, an extra one, or no object.
fn body() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => (value(), value()).prop_map(|(c, d)| format!(r#"{{"current": {c}, "duration": {d}}}"#)),
        1 => value().prop_map(|c| format!(r#"{{"current": {c}}}"#)),
        1 => value().prop_map(|d| format!(r#"{{"duration": {d}, "extra": {d}}}"#)),
        1 => value(),
        1 => "\\PC{0,40}",
    ]
}

fn key() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        3 => Just(None),
        1 => "[ -~]{1,40}".prop_map(Some),
        1 => Just(Some("x".repeat(300))),
        1 => "\\PC{1,10}".prop_map(Some),
    ]
}

fn posts(sim: &SimulatorHandle) -> usize {
    sim.requests().iter().filter(|r| r.method == "POST").count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_through_the_api_is_refused_with_a_sentence() {
    let spec = StationSpec::new(
        "edge",
        "evse",
        "tok-api-bad-1c2d3e4f5a6b",
        32,
        Vehicle::Charging,
    );
    let sim = evse_dashboard::clemap::simulator::spawn(evse_dashboard::clemap::simulator::Fleet {
        stations: vec![spec.clone()],
    })
    .await
    .unwrap();
    let url = sim.base_url();
    let app = spawn_app_with(|c| {
        c.clemap = evse_dashboard::clemap::ClientConfig::new(url);
        c.api_writes_per_minute = std::num::NonZeroU32::new(100_000).unwrap();
    })
    .await;
    let charger = app.register(&spec, "Bay 1", 32).await;
    let site = app.services.registry.get(charger).await.unwrap().site_id;
    let ops = token(&app, "fuzz", Role::Operator).await;
    // A connection the server closed after refusing a body it did not read
    // must not be reused for the next case: no pooling.
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::deterministic_rng(Config::default().rng_algorithm),
    );
    let (mut refused, mut audited, mut accepted) = (0, 0, 0);
    let targets = [
        format!("/chargers/{charger}/target"),
        format!("/sites/{site}/target"),
        "/chargers/999999/target".to_owned(),
        "/chargers/-1/target".to_owned(),
        "/chargers/1e3/target".to_owned(),
    ];
    for round in 0..400 {
        let path = &targets[round % targets.len()];
        let body = body().new_tree(&mut runner).unwrap().current();
        let key = key().new_tree(&mut runner).unwrap().current();
        let mut request = client
            .post(app.url(&format!("/api/v1{path}")))
            .bearer_auth(&ops)
            .header("content-type", "application/json")
            .body(body.clone());
        if let Some(key) = &key {
            match reqwest::header::HeaderValue::from_str(key) {
                Ok(value) => request = request.header("idempotency-key", value),
                Err(_) => continue,
            }
        }
        let before = posts(&sim);
        if body.len() > 16 * 1024 {
            // Over the limit: refused (413) as soon as the headers are
            // read, and the connection may close while the client still
            // writes; either way nothing was sent upstream.
            if let Ok(res) = request.send().await {
                // 413, or 400 when the path was refused before the body.
                assert!(
                    [400, 413].contains(&res.status().as_u16()),
                    "{path}: {}",
                    res.status()
                );
            }
            assert_eq!(posts(&sim), before);
            refused += 1;
            continue;
        }
        let answered = answer(request).await;
        let (status, kind, doc) = &answered;
        let case = format!("POST {path} {:.200} key {key:?}: {status} {doc}", body);
        assert!(*status < 500, "{case}");
        if *status >= 400 {
            assert_eq!(kind, "application/problem+json", "{case}");
            assert!(
                doc["detail"].as_str().is_some_and(|d| d.ends_with('.')),
                "{case}"
            );
            assert_eq!(
                posts(&sim),
                before,
                "refused, yet CLEMAP was called: {case}"
            );
            refused += 1;
            if let Some(id) = doc["audit_id"].as_i64() {
                let entry = app.services.audit.entry(id).await.unwrap().unwrap();
                assert_eq!(entry.outcome, Outcome::Refused, "{case}");
                audited += 1;
            }
        } else {
            accepted += 1;
        }
    }
    for query in [
        "/audit?charger=x",
        "/audit?from=yesterday",
        "/audit?cursor=-",
        "/audit?outcome=%00",
        "/chargers/1/history?from=2026-13-01",
        "/sites/1/history?from=2000-01-01&to=2026-01-01",
        "/chargers/99999999999999999999",
        "/audit?user=%E2%80%AE",
    ] {
        let answered = answer(call(&app, Method::GET, query, Some(&ops))).await;
        assert!(answered.0 < 500, "{query}: {answered:?}");
        if answered.0 >= 400 {
            assert_eq!(answered.1, "application/problem+json", "{query}");
        }
    }
    eprintln!("api bad input: {refused} refused ({audited} audited), {accepted} accepted");
    // Refused sets are audited, the first few a minute as rows of their
    // own and the rest in a summary row (#37; `tests/api/repeats.rs`).
    let written = evse_dashboard::audit::repeats::REFUSALS_WRITTEN as usize;
    assert!(
        refused > 200 && audited >= written && accepted > 0,
        "{refused} {audited} {accepted}"
    );
}
