//! Sessions: cookie attributes, no fixation, logout ends the server-side
//! session, lockout, stored hash format, security headers.

use crate::helpers::{PASSWORD, spawn_app, spawn_app_with};
use evse_dashboard::types::Role;

fn login_body(username: &str, password: &str) -> String {
    format!(
        "username={username}&password={}&next=/",
        password.replace(' ', "+")
    )
}

async fn login_raw(
    app: &crate::helpers::TestApp,
    cookie: Option<&str>,
    username: &str,
    password: &str,
) -> reqwest::Response {
    let mut req = app
        .client
        .post(app.url("/api/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .body(login_body(username, password));
    if let Some(cookie) = cookie {
        req = req.header("cookie", cookie);
    }
    req.send().await.unwrap()
}

fn session_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("evse_session=") || c.starts_with("__Host-evse_session="))
}

#[tokio::test]
async fn the_cookie_is_http_only_same_site_strict_and_not_secure_on_loopback() {
    let app = spawn_app().await;
    app.create_user("cookie", Role::Viewer).await;
    let res = login_raw(&app, None, "cookie", PASSWORD).await;
    assert!(res.status().is_success(), "{}", res.status());
    let cookie = session_cookie(&res).expect("a session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
    assert!(!cookie.contains("Secure"), "{cookie}");
    assert!(
        cookie.contains("Max-Age=") || cookie.contains("Expires="),
        "{cookie}"
    );
}

#[tokio::test]
async fn the_cookie_is_secure_when_asked() {
    let app = spawn_app_with(|c| c.sessions.secure_cookies = true).await;
    app.create_user("cookie", Role::Viewer).await;
    let cookie = session_cookie(&login_raw(&app, None, "cookie", PASSWORD).await).unwrap();
    assert!(cookie.contains("Secure"), "{cookie}");
}

#[tokio::test]
async fn login_cycles_the_session_id() {
    let app = spawn_app().await;
    app.create_user("fix", Role::Viewer).await;
    // An attacker's pre-login session (a failed login creates none, so make
    // one by logging in as another user first).
    app.create_user("attacker", Role::Viewer).await;
    let planted = session_cookie(&login_raw(&app, None, "attacker", PASSWORD).await).unwrap();
    let planted_pair = planted.split(';').next().unwrap().to_owned();

    let res = login_raw(&app, Some(&planted_pair), "fix", PASSWORD).await;
    let fresh = session_cookie(&res).expect("a new cookie at login");
    let fresh_pair = fresh.split(';').next().unwrap().to_owned();
    assert_ne!(
        planted_pair, fresh_pair,
        "the session id must change at login"
    );

    // The planted id no longer belongs to anyone.
    let me = app
        .client
        .post(app.url("/api/me"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", &planted_pair)
        .send()
        .await
        .unwrap();
    let me: Option<serde_json::Value> = me.json().await.unwrap();
    assert!(me.is_none(), "{me:?}");
}

#[tokio::test]
async fn logout_deletes_the_server_side_session() {
    let app = spawn_app().await;
    app.create_user("bye", Role::Viewer).await;
    let cookie = session_cookie(&login_raw(&app, None, "bye", PASSWORD).await).unwrap();
    let pair = cookie.split(';').next().unwrap().to_owned();
    let call = |endpoint: &'static str| {
        app.client
            .post(app.url(&format!("/api/{endpoint}")))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", pair.clone())
            .send()
    };
    assert_eq!(call("list_chargers").await.unwrap().status(), 200);
    let logout = call("logout").await.unwrap().status();
    assert!(logout.is_success() || logout.is_redirection(), "{logout}");
    // Replaying the old cookie does not work: the server forgot it.
    assert_eq!(call("list_chargers").await.unwrap().status(), 401);
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
        .fetch_one(app.sqlite())
        .await
        .unwrap();
    assert_eq!(rows, 0);
}

#[tokio::test]
async fn unknown_users_and_wrong_passwords_get_the_same_answer() {
    let app = spawn_app().await;
    app.create_user("known", Role::Viewer).await;
    let a = login_raw(&app, None, "known", "not the password").await;
    let b = login_raw(&app, None, "nobody", "not the password").await;
    assert_eq!(a.status(), b.status());
    assert_eq!(a.text().await.unwrap(), b.text().await.unwrap());
}

#[tokio::test]
async fn disabled_users_cannot_log_in_and_lose_their_sessions() {
    let app = spawn_app().await;
    app.create_user("gone", Role::Operator).await;
    let client = app.login("gone").await;
    assert_eq!(app.call(&client, "list_chargers", "").await.status(), 200);
    let user = app.services.users.by_name("gone").await.unwrap();
    app.services
        .users
        .set_disabled(user.id, true)
        .await
        .unwrap();
    assert_eq!(app.call(&client, "list_chargers", "").await.status(), 401);
    assert_eq!(login_raw(&app, None, "gone", PASSWORD).await.status(), 401);
}

#[tokio::test]
async fn passwords_are_stored_as_argon2id_phc() {
    let app = spawn_app().await;
    app.create_user("hash", Role::Viewer).await;
    let phc: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE username = 'HASH'")
        .fetch_one(app.sqlite())
        .await
        .unwrap();
    assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
    assert!(!phc.contains(PASSWORD));
}

#[tokio::test]
async fn logins_and_logouts_are_audited() {
    let app = spawn_app().await;
    app.create_user("aud", Role::Viewer).await;
    login_raw(&app, None, "aud", "wrong wrong wrong").await;
    let client = app.login("aud").await;
    app.call(&client, "logout", "").await;
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("SELECT actor, action, outcome FROM audit_events ORDER BY id")
            .fetch_all(app.sqlite())
            .await
            .unwrap();
    assert_eq!(
        rows,
        vec![
            ("aud".into(), "login".into(), "failed".into()),
            ("aud".into(), "login".into(), "ok".into()),
            ("aud".into(), "logout".into(), "ok".into()),
        ]
    );
}

#[tokio::test]
async fn pages_carry_security_headers_and_a_csp_nonce() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/login")).send().await.unwrap();
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert_eq!(res.headers()["referrer-policy"], "same-origin");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(!csp.contains("'unsafe-eval'"), "{csp}");
    assert!(!csp.contains("'unsafe-inline'"), "{csp}");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the CSP")
        .to_owned();
    let html = res.text().await.unwrap();
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "inline scripts carry the nonce"
    );

    // A second response gets a different nonce.
    let again = app.client.get(app.url("/login")).send().await.unwrap();
    assert!(
        !again.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains(&nonce)
    );
    // Non-page responses get the strict default.
    let health = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert!(
        health.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'none'")
    );
}
