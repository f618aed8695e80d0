//! Tokens: stored only as a hash, revocation and expiry effective on the
//! very next request, creation and revocation audited, "last used" noted;
//! and the command line prints a new token once, alone on its last line.

use evse_dashboard::audit::{Actor, Who};
use evse_dashboard::types::{AuditAction, AuditFilter, Outcome, Role};
use reqwest::Method;

use super::{answer, call, problem, token};
use crate::helpers::spawn_app;
use crate::leaks::{BIN, cli};

#[tokio::test]
async fn revocation_and_expiry_take_effect_on_the_next_request() {
    let app = spawn_app().await;
    let bms = token(&app, "bms", Role::Viewer).await;
    assert_eq!(
        answer(call(&app, Method::GET, "/audit", Some(&bms)))
            .await
            .0,
        200
    );
    let stored: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM api_tokens")
        .fetch_all(app.sqlite())
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert!(
        !stored[0].contains(&bms[5..]) && stored[0].len() == 64,
        "only a hash is kept"
    );

    let actor = Actor::of(Who::Cli {
        os_user: "tester".into(),
    });
    app.services.api_tokens.revoke(&actor, "bms").await.unwrap();
    let res = call(&app, Method::GET, "/audit", Some(&bms))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let www = res.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(www.contains("invalid_token"), "{www}");
    let doc: serde_json::Value = res.json().await.unwrap();
    assert!(doc["detail"].as_str().unwrap().contains("revoked"), "{doc}");

    let short = app
        .services
        .api_tokens
        .create(&actor, "short", Role::Viewer, Some(1))
        .await
        .unwrap();
    sqlx::query(
        "UPDATE api_tokens SET expires_at = '2000-01-01T00:00:00.000Z' WHERE name = 'short'",
    )
    .execute(app.sqlite())
    .await
    .unwrap();
    let expired = answer(call(
        &app,
        Method::GET,
        "/chargers",
        Some(short.secret.expose()),
    ))
    .await;
    let doc = problem(&expired, 401);
    assert!(doc["detail"].as_str().unwrap().contains("expired"), "{doc}");
    let unknown = answer(call(
        &app,
        Method::GET,
        "/chargers",
        Some("evse_not-a-token"),
    ))
    .await;
    problem(&unknown, 401);

    // Made twice, revoked once, refused once (a name is never reused).
    let again = app
        .services
        .api_tokens
        .create(&actor, "BMS", Role::Admin, None)
        .await;
    assert!(again.is_err());
    let filter = AuditFilter {
        user: Some("cli:tester".into()),
        ..Default::default()
    };
    let (rows, _) = app.services.audit.page_rows(&filter, None).await.unwrap();
    let seen: Vec<(AuditAction, Outcome, Option<String>)> = rows
        .into_iter()
        .rev()
        .map(|r| (r.action, r.outcome, r.subject))
        .collect();
    let created = |name: &str, outcome| (AuditAction::ApiTokenCreated, outcome, Some(name.into()));
    assert_eq!(
        seen,
        [
            created("bms", Outcome::Ok),
            (
                AuditAction::ApiTokenRevoked,
                Outcome::Ok,
                Some("bms".into())
            ),
            created("short", Outcome::Ok),
            created("bms", Outcome::Failed),
        ]
    );
}

#[tokio::test]
async fn a_call_notes_when_the_token_was_last_used() {
    let app = spawn_app().await;
    let bms = token(&app, "bms", Role::Viewer).await;
    let before = app.services.api_tokens.list().await.unwrap();
    assert_eq!(before[0].last_used_at, None);
    call(&app, Method::GET, "/audit", Some(&bms))
        .send()
        .await
        .unwrap();
    let after = app.services.api_tokens.list().await.unwrap();
    assert!(after[0].last_used_at.is_some());
}

#[tokio::test]
async fn the_command_line_prints_the_token_once_on_its_last_line() {
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data");
    let data = data.to_str().unwrap();
    let out = std::process::Command::new(BIN)
        .args([
            "token",
            "add",
            "BMS",
            "--role",
            "operator",
            "--expires-in-days",
            "30",
        ])
        .args(["--data-dir", data])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8(out.stdout).unwrap();
    let token = said.trim_end().lines().last().unwrap();
    assert!(token.starts_with("evse_") && token.len() == 48, "{said}");
    assert_eq!(said.matches(token).count(), 1, "{said}");
    let listed = cli(&["token", "list", "--data-dir", data], "");
    assert!(
        listed.contains("bms") && listed.contains("operator"),
        "{listed}"
    );
    assert!(!listed.contains(&token[5..]), "{listed}");
    let revoked = cli(&["token", "revoke", "bms", "--data-dir", data], "");
    assert!(revoked.contains("revoked"), "{revoked}");
    assert!(cli(&["token", "list", "--data-dir", data], "").contains("revoked"));
}
