//! Logins under attack: bursts, throttling per username and address, what
//! the audit trail keeps of failed attempts, bounded hashing, sessions that
//! end when a password or role changes, and where a login may send you.

use app::error::AppError;
use app::server_fns::auth::{ChangePassword, Login};
use app::server_fns::chargers::ListChargers;
use app::server_fns::users::SetUserRole;
use evse_dashboard::types::{Problem, Role};

use crate::helpers::{PASSWORD, TestApp, client, failed, spawn_app, spawn_app_with};

fn login(username: &str, password: &str) -> Login {
    Login {
        username: username.into(),
        password: password.into(),
        next: "/".into(),
    }
}

/// A login as seen from `ip` (through a trusted proxy on loopback).
async fn login_from(app: &TestApp, ip: &str, username: &str, password: &str) -> reqwest::Response {
    client()
        .post(app.url("/api/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .header("x-forwarded-for", ip)
        .body(serde_qs::to_string(&login(username, password)).unwrap())
        .send()
        .await
        .unwrap()
}

async fn behind_proxy() -> TestApp {
    spawn_app_with(|c| c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()]).await
}

async fn audit_rows(app: &TestApp) -> Vec<(String, String, Option<String>, Option<String>)> {
    sqlx::query_as("SELECT actor, outcome, subject, error FROM audit_events WHERE action = 'login' ORDER BY id")
        .fetch_all(app.sqlite())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_burst_of_concurrent_guesses_is_checked_five_times_at_most() {
    let app = spawn_app().await;
    app.create_user("target", Role::Admin).await;
    let guesses = (0..20).map(|i| {
        let app = &app;
        async move {
            let res = app
                .call_fn(&client(), login("target", &format!("guess number {i}")))
                .await;
            res.status().as_u16()
        }
    });
    let statuses = futures::future::join_all(guesses).await;
    let checked = statuses.iter().filter(|s| **s == 401).count();
    assert_eq!(checked, 5, "{statuses:?}");
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        15,
        "{statuses:?}"
    );
    assert_eq!(
        audit_rows(&app).await.len(),
        5,
        "one row per password actually checked"
    );
}

#[tokio::test]
async fn failures_slow_down_one_address_and_lock_nobody_out() {
    let app = behind_proxy().await;
    app.create_user("admin", Role::Admin).await;
    for _ in 0..5 {
        let (status, _) =
            failed(login_from(&app, "198.51.100.1", "admin", "not the password").await).await;
        assert_eq!(status, 401);
    }
    let (status, error) = failed(login_from(&app, "198.51.100.1", "admin", PASSWORD).await).await;
    assert_eq!(status, 429);
    assert_eq!(error, AppError::TooManyAttempts { seconds: 1 });
    // The admin, from their own address, is not locked out.
    let res = login_from(&app, "198.51.100.2", "admin", PASSWORD).await;
    assert_eq!(res.status(), 200);
    // A header from an untrusted peer is not believed.
    let app = spawn_app().await;
    app.create_user("admin", Role::Admin).await;
    for ip in [
        "198.51.100.1",
        "198.51.100.2",
        "198.51.100.3",
        "198.51.100.4",
        "198.51.100.5",
    ] {
        login_from(&app, ip, "admin", "not the password").await;
    }
    let res = login_from(&app, "198.51.100.6", "admin", PASSWORD).await;
    assert_eq!(
        res.status(),
        429,
        "forged X-Forwarded-For must not give fresh attempts"
    );
}

#[tokio::test]
async fn failed_logins_never_store_an_unknown_name_as_typed() {
    let app = spawn_app().await;
    app.create_user("known", Role::Viewer).await;
    // A password typed into the username field.
    let typed = "Summer2026forever";
    failed(app.call_fn(&client(), login(typed, "x")).await).await;
    failed(app.call_fn(&client(), login(typed, "y")).await).await;
    failed(
        app.call_fn(&client(), login("known", "not the password"))
            .await,
    )
    .await;
    // Not a username at all: refused before anything is checked or kept.
    let huge = "x".repeat(2_000_000);
    let (status, _) = failed(app.call_fn(&client(), login(&huge, "x")).await).await;
    assert_eq!(status, 422);
    let (status, error) = failed(app.call_fn(&client(), login("a b;c", "x")).await).await;
    assert_eq!(status, 422, "{error:?}");

    let rows = audit_rows(&app).await;
    assert_eq!(rows.len(), 3, "{rows:?}");
    let dump = format!("{rows:?}");
    assert!(
        !dump.to_lowercase().contains(&typed.to_lowercase()),
        "{dump}"
    );
    let pseudonym = rows[0].2.clone().unwrap();
    assert!(pseudonym.starts_with("unknown user "), "{pseudonym}");
    assert_eq!(
        rows[1].2.as_deref(),
        Some(pseudonym.as_str()),
        "the same name, the same pseudonym"
    );
    assert_eq!(rows[2].2.as_deref(), Some("known"));
}

#[tokio::test]
async fn attempts_refused_while_throttled_are_one_row() {
    let app = spawn_app().await;
    app.create_user("slow", Role::Viewer).await;
    for _ in 0..5 {
        failed(
            app.call_fn(&client(), login("slow", "not the password"))
                .await,
        )
        .await;
    }
    for _ in 0..10 {
        let (status, _) = failed(
            app.call_fn(&client(), login("slow", "not the password"))
                .await,
        )
        .await;
        assert_eq!(status, 429);
    }
    assert_eq!(
        audit_rows(&app).await.len(),
        5,
        "refusals are not written one by one"
    );
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let res = app.call_fn(&client(), login("slow", PASSWORD)).await;
    assert_eq!(res.status(), 200);
    let rows = audit_rows(&app).await;
    assert_eq!(rows.len(), 7, "{rows:?}");
    let summary = Problem::from_stored(rows[5].3.as_deref().unwrap());
    assert_eq!(summary, Problem::LoginsThrottled { attempts: 10 });
    assert_eq!(rows[6].1, "ok");
}

#[tokio::test]
async fn a_saturated_server_answers_busy_instead_of_hashing_without_bound() {
    let app = spawn_app().await;
    app.create_user("patient", Role::Viewer).await;
    let all_slots = app.services.users.hasher().saturate().await;
    let (status, error) = failed(app.call_fn(&client(), login("patient", PASSWORD)).await).await;
    assert_eq!((status, error), (503, AppError::Busy));
    drop(all_slots);
    // The busy attempt was not counted against the user.
    assert_eq!(
        app.call_fn(&client(), login("patient", PASSWORD))
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn the_current_password_check_is_throttled_too() {
    let app = spawn_app().await;
    app.create_user("guess", Role::Viewer).await;
    let session = app.login("guess").await;
    let change = |current: &str| ChangePassword {
        current: current.into(),
        new: "a brand new passphrase".into(),
        confirm: "a brand new passphrase".into(),
    };
    for _ in 0..5 {
        let (status, _) = failed(app.call_fn(&session, change("wrong current")).await).await;
        assert_eq!(status, 422);
    }
    let (status, _) = failed(app.call_fn(&session, change(PASSWORD)).await).await;
    assert_eq!(status, 429);
}

#[tokio::test]
async fn sessions_end_when_the_role_or_a_password_changes() {
    let app = spawn_app().await;
    app.create_user("boss", Role::Admin).await;
    app.create_user("worker", Role::Operator).await;
    let boss = app.login("boss").await;
    let worker = app.login("worker").await;
    let worker_id = app.services.users.by_name("worker").await.unwrap().id;
    assert_eq!(app.call_fn(&worker, ListChargers {}).await.status(), 200);
    let demote = SetUserRole {
        id: worker_id,
        role: Role::Viewer,
    };
    assert_eq!(app.call_fn(&boss, demote).await.status(), 200);
    let (status, _) = failed(app.call_fn(&worker, ListChargers {}).await).await;
    assert_eq!(status, 401, "the old session must not keep the old role");

    // One's own password change ends the other sessions, not this one.
    let here = app.login("worker").await;
    let elsewhere = app.login("worker").await;
    let change = ChangePassword {
        current: PASSWORD.into(),
        new: "a brand new passphrase".into(),
        confirm: "a brand new passphrase".into(),
    };
    assert_eq!(app.call_fn(&here, change).await.status(), 200);
    assert_eq!(app.call_fn(&here, ListChargers {}).await.status(), 200);
    assert_eq!(app.call_fn(&elsewhere, ListChargers {}).await.status(), 401);
}

#[tokio::test]
async fn a_login_never_sends_the_browser_off_the_site() {
    let app = spawn_app().await;
    app.create_user("nav", Role::Viewer).await;
    for next in [
        "/\t/evil.example",
        "/\n/evil.example",
        "/\n",
        "//evil.example",
        "/\\evil.example",
    ] {
        let res = client()
            .post(app.url("/api/login"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(
                serde_qs::to_string(&Login {
                    next: next.into(),
                    ..login("nav", PASSWORD)
                })
                .unwrap(),
            )
            .send()
            .await
            .unwrap();
        assert!(
            res.status().is_redirection() || res.status().is_success(),
            "{next:?}: {}",
            res.status()
        );
        let location = res
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(location.as_deref(), Some("/"), "{next:?}");
    }
}
