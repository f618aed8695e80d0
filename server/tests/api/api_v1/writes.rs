//! Sets and resets through `/api/v1`: the same rules and audit rows as the
//! forms, refusals audited and never sent, CLEMAP failures as 502, and
//! `Idempotency-Key` answering a repeat from the first answer, also after
//! a restart.

use evse_dashboard::clemap::simulator::Faults;
use evse_dashboard::types::{AuditAction, AuditFilter, Outcome, Role};
use reqwest::Method;
use serde_json::Value;

use super::{EVSE_TOKEN, answer, app_with_charger, call, problem, token};
use crate::helpers::{spawn_configured, test_config};

fn posts(sim: &evse_dashboard::clemap::simulator::SimulatorHandle) -> usize {
    sim.requests().iter().filter(|r| r.method == "POST").count()
}

async fn trail(
    app: &crate::helpers::TestApp,
    actor: &str,
) -> Vec<evse_dashboard::types::AuditEntry> {
    let filter = AuditFilter {
        user: Some(actor.into()),
        ..Default::default()
    };
    app.services.audit.page_rows(&filter, None).await.unwrap().0
}

fn set_body(current: Value, duration: Value) -> String {
    serde_json::json!({"current": current, "duration": duration}).to_string()
}

#[tokio::test]
async fn a_set_and_a_reset_answer_as_documented_and_are_audited_as_the_token() {
    let (app, sim, id) = app_with_charger().await;
    let ops = token(&app, "bms", Role::Operator).await;
    let path = format!("/chargers/{id}/target");
    let set = answer(
        call(&app, Method::POST, &path, Some(&ops))
            .header("content-type", "application/json")
            .body(set_body(10.into(), 600.into())),
    )
    .await;
    let (status, kind, body) = &set;
    assert_eq!(
        (*status, kind.as_str()),
        (201, "application/json"),
        "{body}"
    );
    assert_eq!(body["outcome"], "received");
    assert_eq!(
        (body["current"].as_i64(), body["duration"].as_i64()),
        (Some(10), Some(600))
    );
    assert!(body["valid_until"].is_string(), "{body}");
    assert_eq!(sim.active_target("evse").map(|t| t.0), Some(10));

    let read = answer(call(&app, Method::GET, &path, Some(&ops))).await;
    assert_eq!(read.2["current"], 10, "{}", read.2);

    let reset = answer(call(&app, Method::DELETE, &path, Some(&ops))).await;
    assert_eq!(reset.0, 200, "{}", reset.2);
    assert_eq!(reset.2["previous"]["current"], 10, "{}", reset.2);
    assert!(reset.2["audit_id"].is_i64());
    assert_eq!(sim.active_target("evse"), None);

    let rows = trail(&app, "token:bms").await;
    let actions: Vec<(AuditAction, Outcome)> = rows.iter().map(|r| (r.action, r.outcome)).collect();
    assert_eq!(
        actions,
        [
            (AuditAction::ResetTarget, Outcome::Received),
            (AuditAction::SetTarget, Outcome::Received)
        ]
    );
    assert_eq!(rows[1].id, body["audit_id"].as_i64().unwrap());
    // The audit page's filter finds the token's calls through the API too.
    let listed = answer(call(&app, Method::GET, "/audit?user=token:bms", Some(&ops))).await;
    assert_eq!(
        listed.2["events"].as_array().map(Vec::len),
        Some(2),
        "{}",
        listed.2
    );
}

#[tokio::test]
async fn refusals_are_audited_never_sent_and_say_what_the_ui_says() {
    let (app, sim, id) = app_with_charger().await;
    let ops = token(&app, "bms", Role::Operator).await;
    let path = format!("/chargers/{id}/target");
    let cases = [
        (
            set_body(40.into(), 600.into()),
            "40 A is outside this charger's range of 6–32 A. Nothing was sent to CLEMAP.",
        ),
        (set_body("ten".into(), 600.into()), ""),
        (set_body(10.into(), Value::Null), ""),
        (set_body(10.into(), 0.into()), ""),
    ];
    for (body, sentence) in &cases {
        let refused = answer(
            call(&app, Method::POST, &path, Some(&ops))
                .header("content-type", "application/json")
                .body(body.clone()),
        )
        .await;
        let doc = problem(&refused, 422);
        if !sentence.is_empty() {
            assert_eq!(doc["detail"], *sentence);
        }
        let audit_id = doc["audit_id"].as_i64().expect("the refusal's audit event");
        let entry = app.services.audit.entry(audit_id).await.unwrap().unwrap();
        assert_eq!(
            (entry.outcome, entry.actor.as_str()),
            (Outcome::Refused, "token:bms")
        );
    }
    assert_eq!(posts(&sim), 0, "nothing refused reached CLEMAP");
    let not_json = answer(
        call(&app, Method::POST, &path, Some(&ops))
            .header("content-type", "application/json")
            .body("current=10"),
    )
    .await;
    problem(&not_json, 400);
}

#[tokio::test]
async fn a_clemap_failure_is_a_502_with_its_audit_event() {
    let (app, sim, id) = app_with_charger().await;
    let ops = token(&app, "bms", Role::Operator).await;
    sim.set_faults(Faults {
        error_rate: 1.0,
        error_status: Some(500),
        ..Default::default()
    });
    let failed = answer(
        call(
            &app,
            Method::POST,
            &format!("/chargers/{id}/target"),
            Some(&ops),
        )
        .header("content-type", "application/json")
        .body(set_body(10.into(), 600.into())),
    )
    .await;
    let doc = problem(&failed, 502);
    let entry = app
        .services
        .audit
        .entry(doc["audit_id"].as_i64().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(entry.outcome, Outcome::Error);
    assert!(!failed.2.to_string().contains(EVSE_TOKEN));
}

#[tokio::test]
async fn a_repeated_key_gets_the_first_answer_without_a_second_call_even_after_a_restart() {
    let (app, sim, id) = app_with_charger().await;
    let ops = token(&app, "bms", Role::Operator).await;
    let path = format!("/chargers/{id}/target");
    let send = |app: &crate::helpers::TestApp, key: &str, current: i64| {
        call(app, Method::POST, &path, Some(&ops))
            .header("content-type", "application/json")
            .header("idempotency-key", key)
            .body(set_body(current.into(), 600.into()))
    };
    let first = answer(send(&app, "k-1", 10)).await;
    assert_eq!(first.0, 201, "{}", first.2);
    let res = send(&app, "k-1", 10).send().await.unwrap();
    assert_eq!(res.headers()["idempotent-replayed"], "true");
    assert_eq!(res.status(), 201);
    assert_eq!(res.json::<Value>().await.unwrap(), first.2);
    assert_eq!(posts(&sim), 1, "one call to CLEMAP");
    assert_eq!(trail(&app, "token:bms").await.len(), 1, "one audit event");

    // The same key for another request is refused, not replayed.
    problem(&answer(send(&app, "k-1", 12)).await, 422);
    // A refusal is kept too: its repeat is not audited twice.
    let refused = answer(send(&app, "k-2", 99)).await;
    problem(&refused, 422);
    assert_eq!(answer(send(&app, "k-2", 99)).await.2, refused.2);
    assert_eq!(trail(&app, "token:bms").await.len(), 2);
    problem(&answer(send(&app, &"x".repeat(300), 10)).await, 400);

    // A restart on the same database keeps the key.
    let data_dir = app.stop().await;
    let mut config = test_config(data_dir.path());
    config.clemap = evse_dashboard::clemap::ClientConfig::new(sim.base_url());
    let second = spawn_configured(data_dir, config).await;
    let again = answer(send(&second, "k-1", 10)).await;
    assert_eq!(again.2, first.2);
    assert_eq!(posts(&sim), 1, "still one call to CLEMAP after the restart");
    assert_eq!(trail(&second, "token:bms").await.len(), 2);
}

#[tokio::test]
async fn a_token_past_its_rate_gets_429_with_retry_after() {
    let spec = evse_dashboard::clemap::simulator::StationSpec::new(
        "edge",
        "evse",
        EVSE_TOKEN,
        32,
        evse_dashboard::clemap::simulator::Vehicle::Charging,
    );
    let sim = evse_dashboard::clemap::simulator::spawn(evse_dashboard::clemap::simulator::Fleet {
        stations: vec![spec.clone()],
    })
    .await
    .unwrap();
    let url = sim.base_url();
    let app = crate::helpers::spawn_app_with(|c| {
        c.clemap = evse_dashboard::clemap::ClientConfig::new(url);
        c.api_writes_per_minute = std::num::NonZeroU32::new(2).unwrap();
    })
    .await;
    let id = app.register(&spec, "Bay 1", 32).await;
    let ops = token(&app, "bms", Role::Operator).await;
    let viewer_reads = token(&app, "reader", Role::Operator).await;
    let path = format!("/chargers/{id}/target");
    // A repeat of the same key answers from the first and costs nothing:
    // three sends of one key, then one without, are the two allowed.
    for _ in 0..3 {
        let keyed = call(&app, Method::DELETE, &path, Some(&ops)).header("idempotency-key", "same");
        assert_eq!(answer(keyed).await.0, 200);
    }
    let ok = answer(call(&app, Method::DELETE, &path, Some(&ops))).await;
    assert_eq!(ok.0, 200, "{}", ok.2);
    let res = call(&app, Method::DELETE, &path, Some(&ops))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
    let wait: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    // Past its rate, a new key is refused before it is claimed: the
    // flood writes nothing (#37); the answered key still answers.
    let keys = |app: &crate::helpers::TestApp| {
        let pool = app.sqlite().clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM idempotency_keys")
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    let before = keys(&app).await;
    for n in 0..20 {
        let fresh = call(&app, Method::DELETE, &path, Some(&ops))
            .header("idempotency-key", format!("flood-{n}"));
        assert_eq!(answer(fresh).await.0, 429);
    }
    assert_eq!(keys(&app).await, before, "no key claimed past the rate");
    let again = call(&app, Method::DELETE, &path, Some(&ops)).header("idempotency-key", "same");
    assert_eq!(answer(again).await.0, 200, "a repeat still answers");
    // Reads are not limited, and each token has its own allowance.
    assert_eq!(
        answer(call(&app, Method::GET, "/chargers", Some(&ops)))
            .await
            .0,
        200
    );
    assert_eq!(
        answer(call(&app, Method::DELETE, &path, Some(&viewer_reads)))
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn a_site_target_no_charger_takes_is_refused_and_audited_on_each() {
    let (app, sim, id) = app_with_charger().await;
    let site = app.services.registry.get(id).await.unwrap().site_id;
    let ops = token(&app, "bms", Role::Operator).await;
    let path = format!("/sites/{site}/target");
    for body in [
        set_body(500.into(), 600.into()),
        set_body(10.into(), 0.into()),
    ] {
        let refused = answer(
            call(&app, Method::POST, &path, Some(&ops))
                .header("content-type", "application/json")
                .body(body),
        )
        .await;
        let doc = problem(&refused, 422);
        let audit_id = doc["audit_id"].as_i64().expect("the one charger's refusal");
        let entry = app.services.audit.entry(audit_id).await.unwrap().unwrap();
        assert_eq!(
            (entry.outcome, entry.charger_id),
            (Outcome::Refused, Some(id))
        );
    }
    assert_eq!(posts(&sim), 0);
}

/// A client that gives up (or the request timeout) does not leave its key
/// claimed without an answer: the change finishes on its own task and a
/// retry with the same key gets its answer.
#[tokio::test]
async fn a_retry_after_the_client_gave_up_gets_the_first_answer() {
    let (app, sim, id) = app_with_charger().await;
    let ops = token(&app, "bms", Role::Operator).await;
    sim.set_faults(Faults {
        latency: std::time::Duration::from_millis(600),
        ..Default::default()
    });
    let url = app.url(&format!("/api/v1/chargers/{id}/target"));
    let impatient = reqwest::Client::builder()
        .timeout(std::time::Duration::from_millis(150))
        .build()
        .unwrap();
    let send = |client: &reqwest::Client| {
        client
            .post(&url)
            .bearer_auth(&ops)
            .header("content-type", "application/json")
            .header("idempotency-key", "slow-1")
            .body(set_body(10.into(), 600.into()))
            .send()
    };
    assert!(send(&impatient).await.is_err(), "the client gave up");
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    sim.clear_faults();
    let retry = send(&app.client).await.unwrap();
    assert_eq!(retry.status(), 201);
    assert_eq!(retry.headers()["idempotent-replayed"], "true");
    assert_eq!(posts(&sim), 1);
}
