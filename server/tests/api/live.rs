//! Live pages over HTTP (#41): `/live` answers 401 without a session,
//! starts with the page's regions and follows a set, carries a viewer
//! nothing an admin alone may see, ends at logout, drops a reader that
//! does not keep up, and on PostgreSQL follows a set made on another
//! instance.

use std::time::{Duration, Instant};

use app::server_fns::auth::Logout;
use evse_dashboard::db::changes::Change;
use evse_dashboard::types::Role;

use crate::helpers::{TestApp, spawn_app, spawn_app_with_fleet};
use crate::instances::{set, station, two_instances};

/// One server-sent event: its name, id and data.
#[derive(Debug)]
struct Sse {
    event: String,
    id: String,
    data: String,
}

impl Sse {
    /// The regions it carries, by name.
    fn regions(&self) -> Vec<(String, String)> {
        let pushed: app::islands::live::Pushed =
            serde_json::from_str(&self.data).unwrap_or_else(|e| panic!("{e}: {}", self.data));
        pushed.html
    }

    fn region(&self, name: &str) -> Option<String> {
        self.regions()
            .into_iter()
            .find(|(key, _)| key == name)
            .map(|(_, html)| html)
    }
}

/// Reads a stream's events as they come.
struct Stream {
    response: reqwest::Response,
    text: String,
}

impl Stream {
    async fn open(app: &TestApp, client: &reqwest::Client, page: &str) -> Self {
        Self::open_since(app, client, page, "").await
    }

    /// A stream of a page rendered at `since` (the server's place then).
    async fn open_since(app: &TestApp, client: &reqwest::Client, page: &str, since: &str) -> Self {
        let response = client
            .get(app.url(&format!(
                "/live?page={}&since={}",
                urlencoding::encode(page),
                urlencoding::encode(since)
            )))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{page}");
        assert_eq!(
            response.headers()["content-type"].to_str().unwrap(),
            "text/event-stream"
        );
        Self {
            response,
            text: String::new(),
        }
    }

    /// The next event (heartbeat comments skipped), `None` when the
    /// stream ended or nothing came `within`.
    async fn next(&mut self, within: Duration) -> Option<Sse> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(end) = self.text.find("\n\n") {
                let block: String = self.text.drain(..end + 2).collect();
                let mut sse = Sse {
                    event: String::new(),
                    id: String::new(),
                    data: String::new(),
                };
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event: ").or(line.strip_prefix("event:")) {
                        sse.event = v.to_owned();
                    } else if let Some(v) = line.strip_prefix("id: ").or(line.strip_prefix("id:")) {
                        sse.id = v.to_owned();
                    } else if let Some(v) =
                        line.strip_prefix("data: ").or(line.strip_prefix("data:"))
                    {
                        sse.data.push_str(v);
                    }
                }
                if sse.event.is_empty() && sse.data.is_empty() {
                    continue; // a comment: the heartbeat
                }
                return Some(sse);
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            match tokio::time::timeout(left, self.response.chunk()).await {
                Ok(Ok(Some(chunk))) => self.text.push_str(&String::from_utf8_lossy(&chunk)),
                // Ended, failed, or nothing in time.
                Ok(Ok(None)) | Ok(Err(_)) | Err(_) => return None,
            }
        }
    }

    /// Whether the server ended the stream within `within`.
    async fn ends_within(&mut self, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        loop {
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                return false;
            };
            match tokio::time::timeout(left, self.response.chunk()).await {
                Ok(Ok(Some(_))) => continue,
                Ok(Ok(None)) | Ok(Err(_)) => return true,
                Err(_) => return false,
            }
        }
    }
}

#[tokio::test]
async fn a_stream_without_a_session_is_refused_with_401() {
    let app = spawn_app().await;
    let res = app
        .client
        .get(app.url("/live?page=%2F"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        401,
        "not a redirect an EventSource cannot follow"
    );
    assert_ne!(
        res.headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned()),
        Some("text/event-stream".to_owned())
    );
    // Signed in, a page that does not follow changes is refused too.
    app.create_user("vera", Role::Viewer).await;
    let vera = app.login("vera").await;
    let res = vera
        .get(app.url("/live?page=%2Flogin"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
}

#[tokio::test]
async fn a_charger_page_stream_starts_with_the_page_and_follows_a_set() {
    let spec = station("evse-live-1");
    let (app, _sim) = spawn_app_with_fleet(vec![spec.clone()]).await;
    let charger = app.register(&spec, "Bay 1", 16).await;
    app.create_user("olga", Role::Operator).await;
    let olga = app.login("olga").await;
    let page = format!("/chargers/{charger}");

    // No `since`: the page may have missed something, so it gets all.
    let mut stream = Stream::open(&app, &olga, &page).await;
    let first = stream
        .next(Duration::from_secs(5))
        .await
        .expect("a snapshot");
    assert_eq!(first.event, "regions");
    assert!(!first.id.is_empty(), "an id to resume from");
    let names: Vec<String> = first.regions().into_iter().map(|(k, _)| k).collect();
    assert_eq!(
        names,
        ["charger-live", "charger-history", "charger-sessions"]
    );
    assert!(
        first
            .region("charger-live")
            .unwrap()
            .contains("No temporary target")
    );

    let res = app.call_fn(&olga, set(charger, 10)).await;
    assert!(res.status().is_success(), "{}", res.status());
    let started = Instant::now();
    let after = stream
        .next(Duration::from_secs(5))
        .await
        .expect("the set, pushed");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    let live = after.region("charger-live").expect("what CLEMAP says now");
    assert!(live.contains("10 A"), "{live}");
    assert!(
        after
            .region("charger-history")
            .is_some_and(|h| h.contains("olga")),
        "the new row, with who made it"
    );

    // Where the page stands now, a reconnect gets nothing it has.
    let now = app.services.changes().position();
    let mut again = Stream::open_since(&app, &olga, &page, &now).await;
    assert!(again.next(Duration::from_millis(500)).await.is_none());
}

/// A round moves every charger's "updated" time: the overview gets the
/// time once with the chargers read then, not a cell of HTML each.
#[tokio::test]
async fn a_round_pushes_the_overview_its_times_as_one_list() {
    let specs = [station("evse-round-1"), station("evse-round-2")];
    let (app, _sim) = spawn_app_with_fleet(specs.to_vec()).await;
    let mut ids = Vec::new();
    for (i, spec) in specs.iter().enumerate() {
        ids.push(app.register(spec, &format!("Bay {i}"), 16).await);
    }
    app.services.sampler.tick(chrono::Utc::now()).await.unwrap();
    app.create_user("vera", Role::Viewer).await;
    let vera = app.login("vera").await;
    let now = app.services.changes().position();
    let mut stream = Stream::open_since(&app, &vera, "/", &now).await;
    // The page is current: nothing to send until the next round.
    assert!(stream.next(Duration::from_millis(300)).await.is_none());

    tokio::time::sleep(Duration::from_millis(1_100)).await;
    app.services.sampler.tick(chrono::Utc::now()).await.unwrap();
    let round = stream
        .next(Duration::from_secs(5))
        .await
        .expect("the round");
    let pushed: app::islands::live::Pushed = serde_json::from_str(&round.data).unwrap();
    let mut read: Vec<i64> = pushed
        .read
        .iter()
        .flat_map(|(_, ids)| ids.clone())
        .collect();
    read.sort_unstable();
    assert_eq!(read, ids, "{pushed:?}");
    assert!(
        pushed
            .html
            .iter()
            .all(|(key, _)| !key.ends_with("-updated")),
        "{pushed:?}"
    );
}

#[tokio::test]
async fn a_viewers_stream_carries_nothing_only_an_admin_sees() {
    let app = spawn_app().await;
    app.create_user("vera", Role::Viewer).await;
    app.create_user("adam", Role::Admin).await;
    let (vera, adam) = (app.login("vera").await, app.login("adam").await);
    let mut viewer = Stream::open(&app, &vera, "/admin").await;
    let mut admin = Stream::open(&app, &adam, "/admin").await;
    // Both start with what they may see of the page: the admin its
    // deliveries, the viewer nothing.
    let admins = admin
        .next(Duration::from_secs(5))
        .await
        .expect("a snapshot");
    assert!(admins.region("deliveries").is_some());
    let viewers = viewer.next(Duration::from_secs(5)).await;
    assert!(
        viewers
            .as_ref()
            .is_none_or(|e| e.region("deliveries").is_none()),
        "{viewers:?}"
    );
    // A delivery's change reaches neither with anything new (nothing
    // changed), and the viewer never with the deliveries.
    app.services.changes().publish(Change::Deliveries);
    let later = viewer.next(Duration::from_millis(500)).await;
    assert!(later.is_none_or(|e| e.region("deliveries").is_none()));
}

/// A stream is a request in flight: the idle-connection deadline, which
/// closes connections with no request running, leaves it open.
#[tokio::test]
async fn a_quiet_stream_outlives_the_idle_deadline() {
    let app = crate::helpers::spawn_app_with(|c| {
        c.connections.idle_timeout = Duration::from_millis(500);
    })
    .await;
    app.create_user("olga", Role::Operator).await;
    let olga = app.login("olga").await;
    let now = app.services.changes().position();
    let mut stream = Stream::open_since(&app, &olga, "/audit", &now).await;
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    // A new audit row (a login) after three idle deadlines.
    app.create_user("vera", Role::Viewer).await;
    app.login("vera").await;
    let event = stream
        .next(Duration::from_secs(5))
        .await
        .expect("still open");
    assert!(
        event
            .region("audit-results")
            .is_some_and(|html| html.contains("vera")),
        "{event:?}"
    );
}

#[tokio::test]
async fn a_logout_ends_the_stream_and_a_new_one_is_refused() {
    let app = spawn_app().await;
    app.create_user("olga", Role::Operator).await;
    let olga = app.login("olga").await;
    let mut stream = Stream::open(&app, &olga, "/audit").await;
    let res = app.call_fn(&olga, Logout {}).await;
    assert!(res.status().is_success() || res.status().is_redirection());
    assert!(
        stream.ends_within(Duration::from_secs(1)).await,
        "the stream ended with the session"
    );
    let res = olga
        .get(app.url("/live?page=%2Faudit"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
}

/// A reader that stops reading is dropped: the server holds a bounded
/// number of events for it, then ends its stream (the browser would
/// reconnect and get the page again), instead of queueing without end.
/// The reader is an HTTP/2 client whose flow-control window is nearly
/// closed and never opened: the server can send it almost nothing, as to
/// a phone that stopped reading (over HTTP/1 the same happens once the
/// socket's buffers are full, which takes megabytes on loopback).
#[tokio::test]
async fn a_reader_that_does_not_keep_up_is_dropped() {
    let spec = station("evse-slow");
    let (app, _sim) = spawn_app_with_fleet(vec![spec.clone()]).await;
    let charger = app.register(&spec, "Bay 1", 16).await;
    let cookie = session_cookie(&app, "vera").await;

    let tcp = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let (client, connection) = h2::client::Builder::new()
        .initial_window_size(256)
        .initial_connection_window_size(65_535)
        .handshake::<_, axum::body::Bytes>(tcp)
        .await
        .unwrap();
    tokio::spawn(connection);
    let mut client = client.ready().await.unwrap();
    let page = format!("%2Fchargers%2F{charger}");
    let request = axum::http::Request::get(format!("http://{}/live?page={page}", app.addr))
        .header("cookie", &cookie)
        .body(())
        .unwrap();
    let (response, _) = client.send_request(request, true).unwrap();
    let response = response.await.unwrap();
    assert_eq!(response.status(), 200);
    let mut body = response.into_body();

    // Rounds that change the charger's reading (the time it was read, at
    // least), each an event of its page, while the reader reads nothing.
    // (A stream renders at most every 100 ms.)
    for _ in 0..2 * server::live::BUFFER {
        app.services.sampler.tick(chrono::Utc::now()).await.unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
    }

    // Now it reads: what was held for it, then the end of the stream,
    // instead of every round.
    let mut text = String::new();
    let ended = loop {
        match tokio::time::timeout(Duration::from_secs(3), body.data()).await {
            Ok(Some(Ok(chunk))) => {
                let _ = body.flow_control().release_capacity(chunk.len());
                text.push_str(&String::from_utf8_lossy(&chunk));
            }
            Ok(None) | Ok(Some(Err(_))) => break true,
            Err(_) => break false,
        }
    };
    assert!(
        ended,
        "the stream of a reader that fell behind was still open"
    );
    let events = text.matches("event: regions").count();
    assert!(
        events <= server::live::BUFFER + 2,
        "{events} events were kept for it, not at most {} and the snapshot",
        server::live::BUFFER
    );
}

/// A new viewer's session cookie, as a `Cookie` header's value.
async fn session_cookie(app: &TestApp, username: &str) -> String {
    app.create_user(username, Role::Viewer).await;
    let res = app
        .call(
            &crate::helpers::client(),
            "login",
            &format!(
                "username={username}&password={}&next=/",
                crate::helpers::PASSWORD.replace(' ', "+")
            ),
        )
        .await;
    res.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .find(|c| c.starts_with("evse_session="))
        .expect("a session cookie")
}

/// On PostgreSQL: a set made through one instance reaches a page open on
/// the other.
#[tokio::test]
async fn a_set_on_one_instance_reaches_a_page_open_on_the_other() {
    let spec = station("evse-live-two");
    let (a, b, _sim) = two_instances(vec![spec.clone()]).await;
    let charger = a.register(&spec, "Bay 1", 16).await;
    a.create_user("olga", Role::Operator).await;
    let olga = a.login("olga").await;
    // The same cookie is good on both (one session store).
    let mut hearing = b.services.changes().hearing();
    tokio::time::timeout(Duration::from_secs(10), hearing.wait_for(|h| *h))
        .await
        .expect("B hears A")
        .unwrap();
    let mut on_b = Stream::open(&b, &olga, &format!("/chargers/{charger}")).await;
    let _snapshot = on_b.next(Duration::from_secs(5)).await.expect("a snapshot");

    let res = a.call_fn(&olga, set(charger, 12)).await;
    assert!(res.status().is_success(), "{}", res.status());
    let pushed = on_b
        .next(Duration::from_secs(2))
        .await
        .expect("B pushed A's set within 2 s");
    assert!(
        pushed
            .region("charger-live")
            .is_some_and(|html| html.contains("12 A")),
        "{pushed:?}"
    );
}
