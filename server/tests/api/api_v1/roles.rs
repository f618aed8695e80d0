//! Every endpoint for every role: no token 401 (with `WWW-Authenticate`),
//! a role too low 403, enough 2xx; a refused write never reaches CLEMAP.

use evse_dashboard::types::Role;
use reqwest::Method;
use strum::IntoEnumIterator;

use super::{answer, app_with_charger, call, problem, token};

/// Method, path, body, least role (`None`: public) and the success status.
type Endpoint = (Method, String, Option<&'static str>, Option<Role>, u16);

fn endpoints(charger: i64, site: i64) -> Vec<Endpoint> {
    let set = Some(r#"{"current": 10, "duration": 600}"#);
    vec![
        (
            Method::GET,
            "/chargers".into(),
            None,
            Some(Role::Viewer),
            200,
        ),
        (
            Method::GET,
            format!("/chargers/{charger}"),
            None,
            Some(Role::Viewer),
            200,
        ),
        (
            Method::GET,
            format!("/chargers/{charger}/target"),
            None,
            Some(Role::Viewer),
            200,
        ),
        (
            Method::POST,
            format!("/chargers/{charger}/target"),
            set,
            Some(Role::Operator),
            201,
        ),
        (
            Method::DELETE,
            format!("/chargers/{charger}/target"),
            None,
            Some(Role::Operator),
            200,
        ),
        (
            Method::POST,
            format!("/sites/{site}/target"),
            set,
            Some(Role::Operator),
            201,
        ),
        (
            Method::GET,
            format!("/chargers/{charger}/history"),
            None,
            Some(Role::Viewer),
            200,
        ),
        (
            Method::GET,
            format!("/sites/{site}/history"),
            None,
            Some(Role::Viewer),
            200,
        ),
        (
            Method::GET,
            format!("/sites/{site}/report"),
            None,
            Some(Role::Viewer),
            200,
        ),
        (Method::GET, "/audit".into(), None, Some(Role::Viewer), 200),
        (Method::GET, "/openapi.json".into(), None, None, 200),
        (Method::GET, "/docs".into(), None, None, 200),
    ]
}

#[tokio::test]
async fn every_endpoint_answers_each_role_as_its_rule_says() {
    let (app, sim, charger) = app_with_charger().await;
    let site = app.services.registry.get(charger).await.unwrap().site_id;
    let mut tokens = vec![(None, None)];
    for role in Role::iter() {
        tokens.push((
            Some(role),
            Some(token(&app, &format!("{role}-token"), role).await),
        ));
    }
    for (method, path, body, least, success) in endpoints(charger, site) {
        for (role, bearer) in &tokens {
            let mut request = call(&app, method.clone(), &path, bearer.as_deref());
            if let Some(body) = body {
                request = request
                    .header("content-type", "application/json")
                    .body(body);
            }
            let upstream_before = sim.requests().len();
            let res = request.send().await.unwrap();
            let status = res.status().as_u16();
            let www = res.headers().get("www-authenticate").cloned();
            let text = res.text().await.unwrap();
            let case = format!("{method} {path} as {role:?}: {status} {text}");
            match (least, role) {
                (None, _) => assert_eq!(status, success, "{case}"),
                (Some(_), None) => {
                    assert_eq!(status, 401, "{case}");
                    let www = www.expect("WWW-Authenticate");
                    assert!(www.to_str().unwrap().starts_with("Bearer"), "{case}");
                }
                (Some(least), Some(role)) if *role < least => {
                    assert_eq!(status, 403, "{case}");
                    assert_eq!(
                        sim.requests().len(),
                        upstream_before,
                        "{case} reached CLEMAP"
                    );
                }
                (Some(_), Some(_)) => assert_eq!(status, success, "{case}"),
            }
        }
    }
}

#[tokio::test]
async fn a_session_cookie_is_no_credential_for_the_api() {
    let (app, _sim, charger) = app_with_charger().await;
    app.create_user("olga", Role::Admin).await;
    let browser = app.login("olga").await;
    let res = browser
        .post(app.url(&format!("/api/v1/chargers/{charger}/target")))
        .header("content-type", "application/json")
        .body(r#"{"current": 10, "duration": 600}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401, "a logged-in browser without a token");
    let listed = browser
        .get(app.url("/api/v1/chargers"))
        .send()
        .await
        .unwrap();
    assert_eq!(listed.status(), 401);
}

#[tokio::test]
async fn unknown_paths_and_bad_ids_are_problem_documents() {
    let (app, _sim, _) = app_with_charger().await;
    let viewer = token(&app, "v", Role::Viewer).await;
    let missing = answer(call(&app, Method::GET, "/chargers/999", Some(&viewer))).await;
    let body = problem(&missing, 404);
    assert_eq!(
        body["detail"],
        "Charger 999 does not exist (it may have been deleted)."
    );
    problem(
        &answer(call(&app, Method::GET, "/nothing-here", Some(&viewer))).await,
        404,
    );
    let put = call(&app, Method::PUT, "/chargers/1/target", Some(&viewer));
    problem(&answer(put).await, 405);
    problem(
        &answer(call(&app, Method::GET, "/chargers/abc", Some(&viewer))).await,
        400,
    );
    let bad_filter = answer(call(
        &app,
        Method::GET,
        "/audit?action=explode",
        Some(&viewer),
    ))
    .await;
    problem(&bad_filter, 400);
}

/// Readers of one charger's target share CLEMAP's reads (#37): 40
/// connections asking for 5 s, CLEMAP answering in 300 ms, make at most
/// 12 reads (each a status and a settings request), and a failing charger
/// is not asked again by every reader that comes meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_readers_share_clemaps_reads() {
    use evse_dashboard::clemap::simulator::Faults;
    let (app, sim, id) = super::app_with_charger().await;
    let viewer = super::token(&app, "readers", Role::Viewer).await;
    sim.set_faults(Faults {
        latency: std::time::Duration::from_millis(300),
        ..Default::default()
    });
    sim.clear_requests();
    let until = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let readers = (0..40).map(|_| {
        let (app, viewer) = (&app, viewer.clone());
        async move {
            let mut answered = 0;
            while std::time::Instant::now() < until {
                let res = super::call(
                    app,
                    reqwest::Method::GET,
                    &format!("/chargers/{id}/target"),
                    Some(&viewer),
                )
                .send()
                .await
                .unwrap();
                assert_eq!(res.status(), 200);
                answered += 1;
            }
            answered
        }
    });
    let answered: usize = futures::future::join_all(readers).await.into_iter().sum();
    let reads = sim
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path.ends_with("/status"))
        .count();
    assert!(answered > 40, "{answered} answers");
    assert!(reads <= 12, "{reads} CLEMAP reads for {answered} answers");
    // A charger that fails is remembered as failing for as long.
    sim.set_faults(Faults {
        latency: std::time::Duration::from_millis(300),
        error_rate: 1.0,
        ..Default::default()
    });
    tokio::time::sleep(evse_dashboard::control::LIVE_TTL).await;
    sim.clear_requests();
    let failing = (0..20).map(|_| {
        super::call(
            &app,
            reqwest::Method::GET,
            &format!("/chargers/{id}/target"),
            Some(&viewer),
        )
        .send()
    });
    for res in futures::future::join_all(failing).await {
        assert_eq!(res.unwrap().status(), 502);
    }
    // One read, with the client's own retries of a GET (else 20 readers
    // would make 20 of them).
    let reads = sim
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/status"))
        .count();
    assert!(
        reads <= 6,
        "{reads} reads of a failing charger by 20 readers"
    );
}
