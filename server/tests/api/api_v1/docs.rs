//! The OpenAPI document and the reference page: every route of the API is
//! in the document (the router and the document come from one list; here,
//! each documented operation is answered by the router and refuses a
//! caller without a token unless it is public), and the page is served
//! with no script and nothing fetched from elsewhere.

use reqwest::Method;
use serde_json::Value;

use super::{answer, call};
use crate::helpers::spawn_app;

#[tokio::test]
async fn every_documented_operation_is_routed_and_authorises_first() {
    let app = spawn_app().await;
    let (status, kind, doc) = answer(call(&app, Method::GET, "/openapi.json", None)).await;
    assert_eq!((status, kind.as_str()), (200, "application/json"));
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    assert_eq!(
        doc,
        serde_json::to_value(server::api_v1::openapi()).unwrap()
    );
    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let method: Method = method.to_uppercase().parse().unwrap();
            let concrete = path.replace("{id}", "1");
            let res = call(&app, method.clone(), &concrete, None)
                .send()
                .await
                .unwrap();
            let status = res.status().as_u16();
            let public = op.get("security").is_none();
            if public {
                assert_eq!(status, 200, "{method} {path} is public");
            } else {
                assert_eq!(status, 401, "{method} {path} without a token");
                assert!(
                    op["responses"].get("401").is_some(),
                    "{method} {path} documents 401"
                );
            }
            operations += 1;
        }
    }
    assert_eq!(
        operations, 12,
        "the operations #30 asks for, #42's report, and the two reference ones"
    );
}

/// The router is made only from `routes!` lists, which document each
/// handler: a plain `.route(` in the API's code would add a route the
/// document does not have.
#[test]
fn the_api_router_has_no_route_outside_the_documented_list() {
    let mut dirs = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/api_v1")];
    let mut files = Vec::new();
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    assert!(files.len() > 10, "{files:?}");
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        for forbidden in [
            ".route(",
            ".route_service(",
            ".nest(",
            ".nest_service(",
            ".merge(",
        ] {
            assert!(
                !text.contains(forbidden),
                "{} uses {forbidden}: register routes with routes!() so they are documented",
                path.display()
            );
        }
    }
}

#[tokio::test]
async fn the_reference_page_stands_alone() {
    let app = spawn_app().await;
    let res = call(&app, Method::GET, "/docs", None).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.starts_with("default-src 'none'") && !csp.contains("script-src"),
        "{csp}"
    );
    let html = res.text().await.unwrap();
    assert!(html.contains("<html lang=\"en\">") && html.contains("<main>"));
    assert!(
        !html.contains("<script") && !html.contains("src=\"http"),
        "no script, no remote asset"
    );
    for operation in [
        "/api/v1/chargers/{id}/target",
        "/api/v1/sites/{id}/target",
        "/api/v1/audit",
    ] {
        assert!(html.contains(operation), "{operation}");
    }
    assert!(html.contains("id=\"problem-unauthorized\""));
    let _: Value = serde_json::from_str(
        &call(&app, Method::GET, "/openapi.json", None)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    )
    .unwrap();
}
