//! Every server function × {anonymous, viewer, operator, admin}. The list
//! of functions comes from the server itself, so a new function without a
//! rule here fails this test.

use evse_dashboard::types::Role;

use crate::calls::{NONE, Rule, calls};
use crate::helpers::{PASSWORD, spawn_app};

#[tokio::test]
async fn every_server_function_has_a_rule() {
    let rules = calls(NONE);
    let registered: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_owned())
        .collect();
    assert!(registered.len() >= rules.len(), "{registered:?}");
    for path in &registered {
        let endpoint = path.strip_prefix("/api/").unwrap_or(path);
        assert!(
            rules.iter().any(|(e, _, _)| *e == endpoint),
            "server function {path} has no authorisation rule in this test: add one"
        );
    }
    for (endpoint, _, _) in &rules {
        assert!(
            registered.iter().any(|p| p == &format!("/api/{endpoint}")),
            "rule for {endpoint}, which is not a registered server function"
        );
    }
}

#[tokio::test]
async fn every_server_function_answers_each_role_as_specified() {
    let app = spawn_app().await;
    app.create_user("matrix", Role::Viewer).await;
    let clients = app.role_clients().await;

    for (endpoint, rule, body) in calls(NONE) {
        let callers = std::iter::once((None, crate::helpers::client()))
            .chain(clients.iter().map(|(r, c)| (Some(*r), c.clone())));
        for (role, client) in callers {
            // Logging in or out would change the shared session: use a
            // fresh one.
            let client = match (endpoint, role) {
                ("login", _) => crate::helpers::client(),
                ("logout", Some(role)) => {
                    let name = format!("fresh-{}", role.as_str());
                    if app.services.users.by_name(&name).await.is_err() {
                        app.create_user(&name, role).await;
                    }
                    app.login(&name).await
                }
                _ => client,
            };
            let status = app.call(&client, endpoint, &body).await.status().as_u16();
            let expected = match (rule, role) {
                (Rule::Public, _) => None,
                (Rule::AtLeast(_), None) => Some(401),
                (Rule::AtLeast(min), Some(r)) if r < min => Some(403),
                (Rule::AtLeast(_), Some(_)) => None,
            };
            match expected {
                Some(code) => assert_eq!(status, code, "{endpoint} as {role:?}"),
                None => assert!(
                    status != 401 && status != 403,
                    "{endpoint} as {role:?} was refused with {status}"
                ),
            }
        }
    }
}

#[tokio::test]
async fn anonymous_page_requests_go_to_login_and_come_back() {
    let app = spawn_app().await;
    let res = app
        .client
        .get(app.url("/admin?tab=users"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(
        res.headers()["location"],
        "/login?next=%2Fadmin%3Ftab%3Dusers"
    );
    // The login page itself, the bundle and health stay reachable.
    assert_eq!(
        app.client
            .get(app.url("/login"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        app.client
            .get(app.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    app.create_user("back", Role::Viewer).await;
    let client = crate::helpers::client();
    let res = app
        .call(
            &client,
            "login",
            &format!(
                "username=back&password={}&next=%2Fadmin%3Ftab%3Dusers",
                PASSWORD.replace(' ', "+")
            ),
        )
        .await;
    // Without JavaScript the browser follows the server's redirect to `next`.
    assert!(res.status().is_redirection() || res.status().is_success());
    let page = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
}

#[tokio::test]
async fn the_login_refuses_foreign_next_targets() {
    let app = spawn_app().await;
    app.create_user("nav", Role::Viewer).await;
    let res = app
        .client
        .post(app.url("/api/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "username=nav&password={}&next=%2F%2Fevil.example",
            PASSWORD.replace(' ', "+")
        ))
        .send()
        .await
        .unwrap();
    let location = res
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned());
    assert_ne!(location.as_deref(), Some("//evil.example"));
}

#[tokio::test]
async fn cross_site_changes_are_refused() {
    let app = spawn_app().await;
    app.create_user("csrf", Role::Admin).await;
    let admin = app.login("csrf").await;
    let res = admin
        .post(app.url("/api/list_users"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", "https://evil.example")
        .body("")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let same = admin
        .post(app.url("/api/list_users"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", format!("http://{}", app.addr))
        .body("")
        .send()
        .await
        .unwrap();
    assert_eq!(same.status(), 200);
}
