//! Every server function × {anonymous, viewer, operator, admin}. The list
//! of functions comes from the server itself, so a new function without a
//! rule here fails this test.

use app::api::audit::{AuditEventCall, AuditPageCall};
use app::api::auth::{ChangePassword, Login, Logout, Me};
use app::api::chargers::{
    AddCharger, DeleteCharger, GetCharger, ListChargers, SetChargerToken, TestChargerConnection,
    UpdateCharger,
};
use app::api::control::{
    ChargerHistory, ChargerLiveCall, ControlOutcomeCall, ResetTarget, SetTarget, TargetLimitsCall,
};
use app::api::overview::{BulkResult, BulkSetTarget, FleetOverview};
use app::api::schedules::{
    ChargerSchedules, CreateSchedule, DeleteSchedule, GetSchedule, SetScheduleEnabled,
    SitePlanCall, UpdateSchedule, UpdateSite,
};
use app::api::system::ServerInfoCall;
use app::api::users::{CreateUser, ListUsers, ResetUserPassword, SetUserDisabled, SetUserRole};
use app::language::SetLanguage;
use app::prefs::{SetTheme, Theme};
use evse_dashboard::types::{
    AuditAction, AuditFilter, ChargerInput, Language, Role, ScheduleInput,
};
use leptos::server_fn::ServerFn;
use serde::Serialize;

use crate::helpers::{PASSWORD, spawn_app};

#[derive(Clone, Copy, Debug)]
enum Rule {
    /// Anyone, logged in or not.
    Public,
    /// This role or a higher one.
    AtLeast(Role),
}

/// A function's endpoint, its rule, and a well-formed body built from its
/// typed arguments.
fn rule<S: ServerFn + Serialize>(rule: Rule, args: S) -> (&'static str, Rule, String) {
    let endpoint = S::PATH.strip_prefix("/api/").unwrap_or(S::PATH);
    (endpoint, rule, serde_qs::to_string(&args).unwrap())
}

/// Arguments name things that do not exist (id 999999) so an allowed call
/// changes nothing.
fn rules() -> Vec<(&'static str, Rule, String)> {
    use Role::*;
    use Rule::*;
    const NONE: i64 = 999_999;
    let charger = ChargerInput {
        name: "X".into(),
        site: "S".into(),
        edge_device_id: "e".into(),
        evse_uuid: "u".into(),
        min_current: Some(20),
        max_current: Some(10),
        notes: None,
    };
    let login = Login {
        username: "matrix".into(),
        password: PASSWORD.into(),
        next: "/".into(),
    };
    let set = SetTarget {
        charger_id: NONE,
        amps: "10".into(),
        duration: "600".into(),
        custom_minutes: None,
        confirmed: None,
    };
    let bulk = BulkSetTarget {
        charger_ids: vec![NONE],
        amps: "10".into(),
        duration: "600".into(),
        custom_minutes: None,
        confirmed: None,
    };
    let audit = AuditPageCall {
        filter: AuditFilter {
            action: Some(AuditAction::Login),
            ..Default::default()
        },
        before: None,
    };
    let change_password = ChangePassword {
        current: "wrong".into(),
        new: "x".into(),
        confirm: "y".into(),
    };
    vec![
        rule(Public, ServerInfoCall {}),
        rule(Public, Me {}),
        rule(
            Public,
            SetTheme {
                theme: Theme::Dark,
                next: "/".into(),
            },
        ),
        rule(
            Public,
            SetLanguage {
                language: Language::Fr,
                next: "/".into(),
            },
        ),
        rule(Public, login),
        rule(AtLeast(Viewer), Logout {}),
        rule(AtLeast(Viewer), change_password),
        rule(AtLeast(Viewer), ListChargers {}),
        rule(AtLeast(Viewer), GetCharger { id: NONE }),
        rule(
            AtLeast(Admin),
            AddCharger {
                input: charger.clone(),
                token: "t".into(),
            },
        ),
        rule(
            AtLeast(Admin),
            UpdateCharger {
                id: NONE,
                input: charger,
            },
        ),
        rule(AtLeast(Admin), DeleteCharger { id: NONE }),
        rule(
            AtLeast(Admin),
            SetChargerToken {
                id: NONE,
                token: "t".into(),
            },
        ),
        rule(AtLeast(Admin), TestChargerConnection { id: NONE }),
        rule(AtLeast(Viewer), TargetLimitsCall {}),
        rule(AtLeast(Viewer), ChargerLiveCall { id: NONE }),
        rule(AtLeast(Viewer), ChargerHistory { id: NONE }),
        rule(AtLeast(Viewer), ControlOutcomeCall { audit_id: NONE }),
        rule(AtLeast(Operator), set),
        rule(
            AtLeast(Operator),
            ResetTarget {
                charger_id: NONE,
                confirmed: None,
            },
        ),
        rule(AtLeast(Viewer), FleetOverview {}),
        rule(AtLeast(Operator), bulk),
        rule(
            AtLeast(Viewer),
            BulkResult {
                batch_id: "none".into(),
            },
        ),
        rule(AtLeast(Viewer), audit),
        rule(AtLeast(Viewer), AuditEventCall { id: NONE }),
        rule(AtLeast(Admin), ListUsers {}),
        rule(
            AtLeast(Admin),
            CreateUser {
                username: "bad name".into(),
                password: "short".into(),
                role: Viewer,
            },
        ),
        rule(
            AtLeast(Admin),
            SetUserRole {
                id: NONE,
                role: Viewer,
            },
        ),
        rule(
            AtLeast(Admin),
            SetUserDisabled {
                id: NONE,
                disabled: true,
            },
        ),
        rule(
            AtLeast(Admin),
            ResetUserPassword {
                id: NONE,
                password: "x".into(),
            },
        ),
        rule(AtLeast(Viewer), ChargerSchedules { charger_id: NONE }),
        rule(AtLeast(Viewer), SitePlanCall { site_id: NONE }),
        rule(AtLeast(Viewer), GetSchedule { id: NONE }),
        rule(
            AtLeast(Operator),
            CreateSchedule {
                charger_id: Some(NONE),
                site_id: None,
                input: ScheduleInput::default(),
            },
        ),
        rule(
            AtLeast(Operator),
            UpdateSchedule {
                id: NONE,
                input: ScheduleInput::default(),
            },
        ),
        rule(
            AtLeast(Operator),
            SetScheduleEnabled {
                id: NONE,
                enabled: false,
            },
        ),
        rule(
            AtLeast(Operator),
            DeleteSchedule {
                id: NONE,
                confirmed: None,
            },
        ),
        rule(
            AtLeast(Admin),
            UpdateSite {
                id: NONE,
                time_zone: "UTC".into(),
                supply_limit: String::new(),
            },
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
