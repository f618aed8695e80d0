//! Bad input for every server function: proptest mutates each function's
//! well-formed arguments (a field replaced by a negative, huge, NaN, empty,
//! 1 MB, unicode or control-character value; a field dropped, doubled or
//! added) and sends it as an admin, who passes every role check, so the
//! input reaches the function. Every answer must be below 500 and, when
//! refused, a typed error with a sentence; nothing refused reaches CLEMAP;
//! a refused set or reset is in the audit trail as refused.

use app::error::AppError;
use app::language::Locale;
use evse_dashboard::clemap::simulator::{SimulatorHandle, StationSpec, Vehicle};
use evse_dashboard::types::{ControlOutcome, Outcome, Role};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRng, TestRunner};

use crate::calls::{NONE, calls};
use crate::helpers::{TestApp, spawn_app_with_fleet};

/// Random cases per function, beside the fixed ones.
const CASES: usize = 24;

fn nasty() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("-1".to_owned()),
        Just("-9223372036854775809".to_owned()),
        Just("18446744073709551616".to_owned()),
        Just("NaN".to_owned()),
        Just("inf".to_owned()),
        Just("1e309".to_owned()),
        Just(String::new()),
        Just("x".repeat(1 << 20)),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|f| f.to_string()),
        "\\PC{0,40}",
        "[\\x00-\\x1f\\x7f\u{202e}\u{feff}]{1,20}",
    ]
}

#[derive(Debug, Clone)]
enum Mutation {
    Replace(usize, String),
    Remove(usize),
    Duplicate(usize, String),
    Extra(String),
}

fn mutation(fields: usize) -> impl Strategy<Value = Mutation> {
    let at = 0..fields.max(1);
    prop_oneof![
        4 => (at.clone(), nasty()).prop_map(|(i, v)| Mutation::Replace(i, v)),
        1 => at.clone().prop_map(Mutation::Remove),
        1 => (at, nasty()).prop_map(|(i, v)| Mutation::Duplicate(i, v)),
        1 => nasty().prop_map(Mutation::Extra),
    ]
}

/// A form body as (raw key, raw value) pairs.
fn pairs(body: &str) -> Vec<(String, String)> {
    body.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (k.to_owned(), v.to_owned())
        })
        .collect()
}

fn apply(mut fields: Vec<(String, String)>, m: &Mutation) -> String {
    let enc = |v: &str| urlencoding::encode(v).into_owned();
    match m {
        Mutation::Replace(i, v) if *i < fields.len() => fields[*i].1 = enc(v),
        Mutation::Remove(i) if *i < fields.len() => {
            fields.remove(*i);
        }
        Mutation::Duplicate(i, v) if *i < fields.len() => {
            let key = fields[*i].0.clone();
            fields.push((key, enc(v)));
        }
        Mutation::Extra(v) | Mutation::Replace(_, v) | Mutation::Duplicate(_, v) => {
            fields.push(("unexpected".into(), enc(v)));
        }
        Mutation::Remove(_) => {}
    }
    fields
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// How the cases were answered.
#[derive(Debug, Default)]
struct Tally {
    accepted: usize,
    refused_4xx: usize,
    audited_refusals: usize,
}

/// Sends one case and checks what the issue promises.
async fn check(
    app: &TestApp,
    sim: &SimulatorHandle,
    admin: &reqwest::Client,
    endpoint: &str,
    body: String,
    tally: &mut Tally,
) {
    let calls_before = sim.requests().len();
    let res = app.call(admin, endpoint, &body).await;
    let status = res.status().as_u16();
    let text = res
        .text()
        .await
        .expect("an answer, not a dropped connection");
    let shown = || format!("{endpoint} {}", body.chars().take(160).collect::<String>());
    assert!(status < 500, "{status} for {}: {text}", shown());
    let refused = if status >= 400 {
        let error: AppError = serde_json::from_str(&text).unwrap_or_else(|e| {
            panic!(
                "{status} without a typed error for {}: {e}: {text}",
                shown()
            )
        });
        let sentence = app::words::error_sentence(Locale::en, &error);
        assert!(
            sentence.len() > 10,
            "no sentence for {}: {error:?}",
            shown()
        );
        tally.refused_4xx += 1;
        true
    } else if matches!(endpoint, "set_target" | "reset_target") {
        let outcome: ControlOutcome = serde_json::from_str(&text).unwrap();
        if outcome.outcome == Outcome::Refused {
            let row = evse_dashboard::audit::entry(app.services.audit.db(), outcome.audit_id)
                .await
                .unwrap()
                .expect("the refusal is audited");
            assert_eq!(row.outcome, Outcome::Refused, "{}", shown());
            tally.audited_refusals += 1;
        }
        outcome.outcome == Outcome::Refused
    } else {
        false
    };
    if !refused {
        tally.accepted += 1;
    }
    if refused {
        assert_eq!(
            sim.requests().len(),
            calls_before,
            "a refused call reached CLEMAP: {}",
            shown()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_server_function_refuses_bad_input_with_a_sentence() {
    let spec = StationSpec::new(
        "edge",
        "evse",
        "tok-bad-input-4b7e1f0a9c2d",
        32,
        Vehicle::Charging,
    );
    let (app, sim) = spawn_app_with_fleet(vec![spec.clone()]).await;
    let charger = app.register(&spec, "Bay 1", 32).await;
    app.create_user("bad-admin", Role::Admin).await;
    let admin = app.login("bad-admin").await;

    // Sets and resets on the real charger (their refusals are audited);
    // everything else names nothing, so a case that happens to be valid
    // changes nothing the next case relies on. Logging out comes last.
    let mut targets: Vec<(&str, String)> = calls(NONE)
        .into_iter()
        .filter(|(e, _, _)| !matches!(*e, "set_target" | "reset_target" | "logout"))
        .map(|(e, _, b)| (e, b))
        .collect();
    targets.extend(
        calls(charger)
            .into_iter()
            .filter(|(e, _, _)| matches!(*e, "set_target" | "reset_target" | "logout"))
            .map(|(e, _, b)| (e, b)),
    );
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::deterministic_rng(Config::default().rng_algorithm),
    );
    let mut cases = 0;
    let mut tally = Tally::default();
    for (endpoint, body) in targets {
        let fields = pairs(&body);
        // Fixed cases: each field dropped, and each emptied.
        for i in 0..fields.len() {
            check(
                &app,
                &sim,
                &admin,
                endpoint,
                apply(fields.clone(), &Mutation::Remove(i)),
                &mut tally,
            )
            .await;
            check(
                &app,
                &sim,
                &admin,
                endpoint,
                apply(fields.clone(), &Mutation::Replace(i, String::new())),
                &mut tally,
            )
            .await;
            cases += 2;
        }
        let strategy = mutation(fields.len());
        // Sets and resets carry the audit promise: more cases.
        let rounds = match endpoint {
            "set_target" | "reset_target" => CASES * 4,
            _ => CASES,
        };
        for _ in 0..rounds {
            let m = strategy.new_tree(&mut runner).unwrap().current();
            check(
                &app,
                &sim,
                &admin,
                endpoint,
                apply(fields.clone(), &m),
                &mut tally,
            )
            .await;
            cases += 1;
        }
    }
    eprintln!("{cases} cases: {tally:?}");
    assert!(cases > 1000, "{cases} cases");
    // The cases reached the functions' own checks, not only the decoder.
    assert!(tally.refused_4xx > 500 && tally.accepted > 50, "{tally:?}");
    // Refused sets are audited, the first few a minute as rows of their
    // own and the rest in a summary row (#37; `tests/api/repeats.rs`).
    let written = evse_dashboard::audit::repeats::REFUSALS_WRITTEN as usize;
    assert!(tally.audited_refusals >= written, "{tally:?}");
}
