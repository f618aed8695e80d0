//! The login throttle against what the probe tried (issue #26): a forged
//! `X-Forwarded-For` line, rotating addresses in one IPv6 /64, guessing
//! spread over many addresses, and random usernames flooding the trail.
//! The owner, from an address or a browser that logged in before, is
//! never locked out.

use app::server_fns::auth::Login;
use evse_dashboard::types::Role;

use crate::helpers::{PASSWORD, TestApp, client, spawn_app_with};

/// Behind a proxy on loopback, given as a bare address (as the help says).
async fn behind_proxy() -> TestApp {
    let proxy = server::client_ip::parse_trusted_proxy("127.0.0.1").unwrap();
    spawn_app_with(move |c| c.trusted_proxies = vec![proxy]).await
}

/// A login through the proxy, with `forwarded` as X-Forwarded-For lines.
async fn login_via(
    app: &TestApp,
    browser: &reqwest::Client,
    forwarded: &[&str],
    username: &str,
    password: &str,
) -> u16 {
    let form = Login {
        username: username.into(),
        password: password.into(),
        next: "/".into(),
    };
    let mut request = browser
        .post(app.url("/api/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .body(serde_qs::to_string(&form).unwrap());
    for line in forwarded {
        request = request.header("x-forwarded-for", *line);
    }
    request.send().await.unwrap().status().as_u16()
}

async fn login_client_ips(app: &TestApp) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT DISTINCT client_ip FROM audit_events WHERE action = 'login' AND client_ip IS NOT NULL",
    )
    .fetch_all(app.sqlite())
    .await
    .unwrap()
}

#[tokio::test]
async fn a_forged_forwarded_line_gives_no_fresh_attempts() {
    let app = behind_proxy().await;
    app.create_user("admin", Role::Admin).await;
    let mut statuses = Vec::new();
    for i in 0..8 {
        // The client's own line first, then the one the proxy added.
        let forged = format!("198.51.100.{i}");
        let lines = [forged.as_str(), "203.0.113.7"];
        statuses.push(login_via(&app, &client(), &lines, "admin", "wrong").await);
    }
    assert_eq!(statuses, [401, 401, 401, 401, 401, 429, 429, 429]);
    assert_eq!(login_client_ips(&app).await, ["203.0.113.7"]);
}

#[tokio::test]
async fn rotating_addresses_inside_one_ipv6_64_is_one_client() {
    let app = behind_proxy().await;
    app.create_user("admin", Role::Admin).await;
    let mut statuses = Vec::new();
    for i in 0x100..=0x11d {
        let ip = format!("2001:db8::{i:x}");
        statuses.push(login_via(&app, &client(), &[&ip], "admin", "wrong").await);
    }
    assert_eq!(statuses.len(), 30);
    assert_eq!(
        statuses.iter().filter(|s| **s == 401).count(),
        5,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        25,
        "{statuses:?}"
    );
}

#[tokio::test]
async fn guessing_from_many_addresses_slows_down_but_never_locks_out_the_owner() {
    let app = behind_proxy().await;
    app.create_user("admin", Role::Admin).await;
    // The owner logs in once from the office, and once with their phone's
    // browser (which keeps the device cookie).
    assert_eq!(
        login_via(&app, &client(), &["192.0.2.10"], "admin", PASSWORD).await,
        200
    );
    let phone = client();
    assert_eq!(
        login_via(&app, &phone, &["192.0.2.20"], "admin", PASSWORD).await,
        200
    );
    // An attacker with a fresh address for every guess: the account's
    // allowance for unknown sources is 10, then it waits (1 s, doubling).
    for i in 0..10 {
        let ip = format!("198.51.100.{i}");
        assert_eq!(
            login_via(&app, &client(), &[&ip], "admin", "wrong").await,
            401
        );
    }
    // Even the right password from a new address waits now…
    assert_eq!(
        login_via(&app, &client(), &["198.51.100.99"], "admin", PASSWORD).await,
        429
    );
    assert_eq!(
        login_via(&app, &client(), &["198.51.100.11"], "admin", "wrong").await,
        429
    );
    // …but the office address and the phone's browser (from anywhere) are
    // known: each keeps its own allowance.
    assert_eq!(
        login_via(&app, &client(), &["192.0.2.10"], "admin", PASSWORD).await,
        200
    );
    assert_eq!(
        login_via(&app, &phone, &["203.0.113.200"], "admin", PASSWORD).await,
        200
    );
    // A device cookie is the account's: it does not help with another one.
    app.create_user("other", Role::Viewer).await;
    for i in 0..10 {
        let ip = format!("198.51.101.{i}");
        login_via(&app, &client(), &[&ip], "other", "wrong").await;
    }
    assert_eq!(
        login_via(&app, &phone, &["198.51.101.50"], "other", PASSWORD).await,
        429
    );
}

#[tokio::test]
async fn random_usernames_from_one_address_write_one_row_a_minute_past_the_throttle() {
    let app = behind_proxy().await;
    let mut statuses = Vec::new();
    for i in 0..30 {
        let name = format!("guess{i}");
        statuses.push(login_via(&app, &client(), &["198.51.100.77"], &name, "wrong").await);
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 401).count(),
        20,
        "{statuses:?}"
    );
    let rows = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM audit_events WHERE action = 'login'")
            .fetch_one(app.sqlite())
            .await
            .unwrap()
    };
    assert_eq!(
        rows().await,
        20,
        "one row per password checked, none per refusal"
    );
    // A minute on (moved by hand: the last summary a minute back, the wait
    // still running, as it would be), the next refusal summarises them.
    sqlx::query(
        "UPDATE login_throttle SET reported_at = '2000-01-01T00:00:00.000Z', \
         next_allowed_at = '2999-01-01T00:00:00.000Z' WHERE scope = 'address'",
    )
    .execute(app.sqlite())
    .await
    .unwrap();
    assert_eq!(
        login_via(&app, &client(), &["198.51.100.77"], "guess99", "wrong").await,
        429
    );
    assert_eq!(
        login_via(&app, &client(), &["198.51.100.77"], "guess100", "wrong").await,
        429
    );
    assert_eq!(
        rows().await,
        21,
        "one summary, then quiet again for a minute"
    );
    let (subject, error): (Option<String>, Option<String>) = sqlx::query_as(
        "SELECT subject, error FROM audit_events WHERE action = 'login' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(app.sqlite())
    .await
    .unwrap();
    assert_eq!(subject.as_deref(), Some("198.51.100.77"));
    // The 10 refused in the loop, and the one that wrote the summary.
    assert!(error.unwrap().contains("\"attempts\":11"));
}
