//! The crawler's pass over `/api/v1`: every operation the served OpenAPI
//! document lists, with each role's API token, with real, garbage and
//! missing bodies and ids; and an API token made through the admin page,
//! read from the one page that shows it. API tokens may appear only where
//! they are shown once ([`SHOWN_ONCE`] sources); evsetokens nowhere.

use evse_dashboard::types::Role;
use serde_json::Value;
use strum::IntoEnumIterator;

use super::Outflow;
use super::forms::forms;

/// Sources that show a new API token to whoever made it, by design.
pub const SHOWN_ONCE: &str = "shown once: ";

/// `token add NAME --role ROLE` at TRACE: its standard output (which
/// shows the token, once) and its log are kept apart. Returns the token.
pub fn token_add(out: &mut Outflow, name: &str, role: &str, data: &str) -> String {
    let run = std::process::Command::new(super::BIN)
        .args(["token", "add", name, "--role", role, "--data-dir", data])
        .env("RUST_LOG", "trace")
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let printed = String::from_utf8(run.stdout.clone()).unwrap();
    out.0.push((format!("token add {name}: log"), run.stderr));
    out.0
        .push((format!("{SHOWN_ONCE}token add {name}: output"), run.stdout));
    printed.trim_end().lines().last().unwrap().to_owned()
}

pub async fn crawl(out: &mut Outflow, base: &str, who: &str, token: &str, charger: i64) {
    let c = crate::helpers::client();
    let doc: Value = c
        .get(format!("{base}/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let bodies = [
        r#"{"current": 10, "duration": 600}"#,
        r#"{"current": "x", "duration": -1}"#,
        "garbage",
        "",
    ];
    let mut answered = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            for id in [charger.to_string(), "1".into(), "999999".into(), "x".into()] {
                let url = format!("{base}/api/v1{}", path.replace("{id}", &id));
                for body in bodies {
                    let request = c
                        .request(method.to_uppercase().parse().unwrap(), &url)
                        .bearer_auth(token)
                        .header("content-type", "application/json")
                        .header(
                            "idempotency-key",
                            format!("crawl-{who}-{method}-{id}-{body}"),
                        )
                        .body(body);
                    let res = request.send().await.unwrap();
                    let (status, _) = out
                        .response(format!("{who} {method} {url} {body}"), res)
                        .await;
                    assert!(
                        status < 500 || status == 502,
                        "{who} {method} {url}: {status}"
                    );
                    answered += usize::from(status < 300);
                }
            }
        }
    }
    assert!(
        answered > 10,
        "{who}: the token was not accepted ({answered} answers)"
    );
}

/// An admin makes a token on the admin page (a plain form post); the page
/// it is sent to shows it once. Returns the token.
pub async fn made_on_the_admin_page(
    out: &mut Outflow,
    base: &str,
    admin: &reqwest::Client,
) -> String {
    let res = admin
        .post(format!("{base}/api/create_api_token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "text/html")
        .body("name=crawl-web&role=viewer&expires_in_days=")
        .send()
        .await
        .unwrap();
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    out.response("admin creates an API token".into(), res).await;
    assert!(location.starts_with("/admin?new_token="), "{location}");
    let page = admin.get(format!("{base}{location}")).send().await.unwrap();
    let (_, html) = out
        .response(
            format!("{SHOWN_ONCE}admin page after creating a token"),
            page,
        )
        .await;
    let start = html.find("value=\"evse_").unwrap_or_else(|| {
        let at = html.find("tokens-heading").unwrap_or(0);
        panic!(
            "the page shows no new token: {}",
            &html[at..(at + 3000).min(html.len())]
        )
    }) + 7;
    let token = html[start..].split('"').next().unwrap().to_owned();
    // Shown once: the same page again does not have it.
    let again = admin.get(format!("{base}{location}")).send().await.unwrap();
    let (_, html) = out.response("admin page again".into(), again).await;
    assert!(!html.contains(&token), "a new token is shown only once");
    token
}

/// A token of each role from the command line: `(name, token)`.
pub fn one_per_role(out: &mut Outflow, data: &str) -> Vec<(String, String)> {
    Role::iter()
        .map(|role| {
            let name = format!("crawl-api-{}", role.as_str());
            let token = token_add(out, &name, role.as_str(), data);
            (name, token)
        })
        .collect()
}

/// Where an API token was found, in any encoding, outside the sources
/// that show it once; and where a webhook secret was found at all.
pub fn leaks(out: &Outflow, tokens: &[(String, String)], secret: &str) -> Vec<String> {
    let mut found = Vec::new();
    let secrets = [
        ("webhook secret", secret),
        ("SMTP password", super::smtp_password()),
    ];
    for (what, secret) in secrets {
        for (form, needle) in forms(secret) {
            for (source, bytes) in &out.0 {
                if memchr::memmem::find(bytes, &needle).is_some() {
                    found.push(format!("{what} ({form}) in {source}"));
                }
            }
        }
    }
    for (who, token) in tokens {
        for (form, needle) in forms(token) {
            for (source, bytes) in &out.0 {
                let shown = source.starts_with(SHOWN_ONCE);
                if !shown && memchr::memmem::find(bytes, &needle).is_some() {
                    found.push(format!("API token {who} ({form}) in {source}"));
                }
            }
        }
    }
    found
}

/// What the receiver got: whether the signature checked out, and the bytes.
type Received = (bool, Vec<u8>);

/// A webhook added with the CLI (its secret on stdin) and sent a test
/// alert, to a receiver here that checks the signature: every output of
/// both commands and every byte the receiver got join the outflow, where
/// the secret must appear nowhere. Returns the secret.
pub async fn webhook_secret(out: &mut Outflow, data: &str) -> String {
    use axum::routing::post;
    use std::sync::{Arc, Mutex};
    let secret = super::forms::fresh_token();
    let got: Arc<Mutex<Vec<Received>>> = Arc::default();
    let (seen, key) = (got.clone(), secret.clone());
    let app = axum::Router::new().route(
        "/hook",
        post(
            move |headers: axum::http::HeaderMap, body: axum::body::Bytes| async move {
                let signature = headers["x-evse-signature"].to_str().unwrap_or_default();
                let expected = evse_dashboard::alerts::webhook::signature(
                    &evse_dashboard::secret::WebhookSecret::new(key.as_str()),
                    &body,
                );
                let mut bytes = format!("{headers:?}\n").into_bytes();
                bytes.extend_from_slice(&body);
                seen.lock().unwrap().push((signature == expected, bytes));
                "ok"
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let added = super::cli(&["alert", "add-webhook", &url, "--data-dir", data], &secret);
    let id = added
        .split("added webhook ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the webhook's id")
        .to_owned();
    let tested = tokio::task::spawn_blocking({
        let data = data.to_owned();
        move || super::cli(&["alert", "test", &id, "--data-dir", &data], "")
    })
    .await
    .unwrap();
    out.0
        .push(("alert add-webhook output".into(), added.into_bytes()));
    // An address too: any alert the crawl causes is mailed, with the SMTP
    // credentials, to a server that is not there.
    let mailed = super::cli(
        &[
            "alert",
            "add-email",
            "crawl@example.com",
            "--data-dir",
            data,
        ],
        "",
    );
    out.0
        .push(("alert add-email output".into(), mailed.into_bytes()));
    out.0
        .push(("alert test output".into(), tested.into_bytes()));
    let got = std::mem::take(&mut *got.lock().unwrap());
    assert_eq!(got.len(), 1, "the test alert arrived once");
    for (signed, bytes) in got {
        assert!(signed, "the test alert is signed with the secret");
        out.0.push(("webhook delivery".into(), bytes));
    }
    secret
}
