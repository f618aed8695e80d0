//! Logged-in sessions as a browser holds them: the session cookie in a jar
//! that outlives any one connection, so a command can log in first, close
//! those connections, measure a baseline and browse later with the same
//! sessions. Every request is timed to its last body byte.

use std::sync::Arc;
use std::time::{Duration, Instant};

use evse_dashboard::types::ControlOutcome;
use reqwest::cookie::Jar;

/// Every account's password (it only exists in throwaway data dirs).
pub const PASSWORD: &str = "proof-password-0123";

/// One login.
#[derive(Clone)]
pub struct Session {
    pub operator: bool,
    pub jar: Arc<Jar>,
}

/// What came back: the status and body, and how long it took.
pub struct Answer {
    pub status: u16,
    pub elapsed: Duration,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }
}

/// A request that got no complete answer (refused, reset, timed out, cut).
pub type Transport = String;

/// A browser for `jar`: keeps cookies, never follows redirects (a redirect
/// to /login must show as such), gives up after 60 s.
pub fn browser(jar: &Arc<Jar>) -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .build()
        .expect("an HTTP client")
}

/// Logs `user` in through the login form's endpoint, as the page's script
/// does (JSON back).
pub async fn login(base: &str, user: &str, operator: bool) -> Result<Session, String> {
    let jar = Arc::new(Jar::default());
    let answer = send(
        browser(&jar)
            .post(format!("{base}/api/login"))
            .header("accept", "application/json")
            .form(&[("username", user), ("password", PASSWORD), ("next", "/")]),
    )
    .await
    .map_err(|e| format!("login {user}: {e}"))?;
    if answer.status != 200 {
        return Err(format!(
            "login {user}: HTTP {}: {}",
            answer.status,
            answer.text()
        ));
    }
    Ok(Session { operator, jar })
}

/// Logs each of `users` in `per_user` times. Each account logs in one
/// attempt after the other: the throttle (src/auth/throttle.rs) counts an
/// attempt as a failure until it succeeds and starts delaying at 5
/// failures per (user, address), so parallel attempts on one account could
/// be refused; accounts go in parallel, which the throttle does not mind
/// (the hashing slots queue them).
pub async fn login_many(
    base: &str,
    users: &[(String, bool)],
    per_user: usize,
) -> Result<Vec<Session>, String> {
    let per_account = users.iter().map(|(user, operator)| async move {
        let mut sessions = Vec::with_capacity(per_user);
        for _ in 0..per_user {
            sessions.push(login(base, user, *operator).await?);
        }
        Ok::<_, String>(sessions)
    });
    let mut all = Vec::new();
    for sessions in futures::future::join_all(per_account).await {
        all.extend(sessions?);
    }
    Ok(all)
}

async fn send(request: reqwest::RequestBuilder) -> Result<Answer, Transport> {
    let started = Instant::now();
    let response = request.send().await.map_err(describe)?;
    let status = response.status().as_u16();
    let body = response.bytes().await.map_err(describe)?.to_vec();
    Ok(Answer {
        status,
        elapsed: started.elapsed(),
        body,
    })
}

fn describe(e: reqwest::Error) -> Transport {
    let e = e.without_url();
    let mut text = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// A page GET. `brotli` asks for a compressed page, as browsers do (the
/// server then compresses, which is part of its cost); the body is kept
/// compressed. Without it the body is plain text (for searching it).
pub async fn page(
    client: &reqwest::Client,
    base: &str,
    path: &str,
    brotli: bool,
) -> Result<Answer, Transport> {
    let mut request = client.get(format!("{base}{path}"));
    if brotli {
        request = request.header("accept-encoding", "br");
    }
    send(request).await
}

/// POST /api/set_target: `amps` for 10 minutes.
pub async fn set_target(
    client: &reqwest::Client,
    base: &str,
    charger_id: i64,
    amps: u32,
) -> Result<Answer, Transport> {
    let form = [
        ("charger_id", charger_id.to_string()),
        ("amps", amps.to_string()),
        ("duration", "600".to_owned()),
    ];
    send(
        client
            .post(format!("{base}/api/set_target"))
            .header("accept", "application/json")
            .form(&form),
    )
    .await
}

/// POST /api/reset_target.
pub async fn reset_target(
    client: &reqwest::Client,
    base: &str,
    charger_id: i64,
) -> Result<Answer, Transport> {
    send(
        client
            .post(format!("{base}/api/reset_target"))
            .header("accept", "application/json")
            .form(&[("charger_id", charger_id.to_string())]),
    )
    .await
}

/// The outcome a 200 answer to a set or reset carries.
pub fn outcome(answer: &Answer) -> Result<ControlOutcome, String> {
    if answer.status != 200 {
        return Err(format!("HTTP {}: {}", answer.status, answer.text()));
    }
    serde_json::from_slice(&answer.body).map_err(|e| format!("{e}: {}", answer.text()))
}
