//! Every server function × {anonymous, viewer, operator, admin}. The list
//! of functions comes from the server itself, so a new function without a
//! rule here fails this test.

mod common;

use common::{PASSWORD, spawn_app};
use evse_dashboard::types::Role;

#[derive(Clone, Copy, Debug)]
enum Rule {
    /// Anyone, logged in or not.
    Public,
    /// This role or a higher one.
    AtLeast(Role),
}

/// (endpoint, rule, a well-formed body). Bodies name things that do not
/// exist (id 999999) so an allowed call changes nothing.
fn rules() -> Vec<(&'static str, Rule, String)> {
    use Role::*;
    use Rule::*;
    let charger = "input[name]=X&input[site]=S&input[edge_device_id]=e&input[evse_uuid]=u";
    vec![
        ("server_info", Public, String::new()),
        ("me", Public, String::new()),
        (
            "login",
            Public,
            format!(
                "username=matrix&password={}&next=/",
                PASSWORD.replace(' ', "+")
            ),
        ),
        ("logout", AtLeast(Viewer), String::new()),
        (
            "change_password",
            AtLeast(Viewer),
            "current=wrong&new=x&confirm=y".into(),
        ),
        ("list_chargers", AtLeast(Viewer), String::new()),
        ("get_charger", AtLeast(Viewer), "id=999999".into()),
        (
            "add_charger",
            AtLeast(Admin),
            format!("{charger}&input[min_current]=20&input[max_current]=10&token=t"),
        ),
        (
            "update_charger",
            AtLeast(Admin),
            format!("id=999999&{charger}"),
        ),
        ("delete_charger", AtLeast(Admin), "id=999999".into()),
        (
            "set_charger_token",
            AtLeast(Admin),
            "id=999999&token=t".into(),
        ),
        (
            "test_charger_connection",
            AtLeast(Admin),
            "id=999999".into(),
        ),
        ("target_limits", AtLeast(Viewer), String::new()),
        ("charger_live", AtLeast(Viewer), "id=999999".into()),
        ("charger_history", AtLeast(Viewer), "id=999999".into()),
        ("control_outcome", AtLeast(Viewer), "audit_id=999999".into()),
        (
            "set_target",
            AtLeast(Operator),
            "charger_id=999999&amps=10&duration=600".into(),
        ),
        (
            "reset_target",
            AtLeast(Operator),
            "charger_id=999999".into(),
        ),
        ("fleet_overview", AtLeast(Viewer), String::new()),
        (
            "bulk_set_target",
            AtLeast(Operator),
            "charger_ids[0]=999999&amps=10&duration=600".into(),
        ),
        ("audit_page", AtLeast(Viewer), "filter[action]=login".into()),
        ("list_users", AtLeast(Admin), String::new()),
        (
            "create_user",
            AtLeast(Admin),
            "username=bad name&password=short&role=viewer".into(),
        ),
        (
            "set_user_role",
            AtLeast(Admin),
            "id=999999&role=viewer".into(),
        ),
        (
            "set_user_disabled",
            AtLeast(Admin),
            "id=999999&disabled=true".into(),
        ),
        (
            "reset_user_password",
            AtLeast(Admin),
            "id=999999&password=x".into(),
        ),
    ]
}

#[tokio::test]
async fn every_server_function_has_a_rule() {
    let rules = rules();
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

    for (endpoint, rule, body) in rules() {
        let callers = std::iter::once((None, common::client()))
            .chain(clients.iter().map(|(r, c)| (Some(*r), c.clone())));
        for (role, client) in callers {
            // Logging in or out would change the shared session: use a
            // fresh one.
            let client = match (endpoint, role) {
                ("login", _) => common::client(),
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
    let client = common::client();
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
