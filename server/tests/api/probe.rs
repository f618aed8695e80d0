//! What a black-box probe of the running server found (issue #26), one
//! regression test per finding: idle connections that held every slot, a
//! forged client address behind a proxy, a path that skipped the login,
//! formula cells in the CSV, dot-segment charger ids, a cross-site check
//! that failed open, and admin forms shown to viewers. (The login
//! throttle's findings are in `login_throttle.rs`.)

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use app::error::AppError;
use app::server_fns::chargers::AddCharger;
use evse_dashboard::types::{ChargerInput, Field, Role, Rule};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

use crate::helpers::{TestApp, failed, spawn_app, spawn_app_with};

/// The HTTP/2 connection preface, whole and cut after its first line.
const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
const H2_PREFACE_PART: &[u8] = b"PRI * HTTP/2.0\r\n";

/// A connection from `from` (any 127.x address is this machine).
async fn connect_from(from: IpAddr, to: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::new(from, 0)).unwrap();
    socket.connect(to).await.unwrap()
}

/// Reads until the server closes the connection; `None` if it is still
/// open after `limit`.
async fn closed_within(stream: &mut TcpStream, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    let mut sink = [0u8; 4096];
    tokio::time::timeout(limit, async {
        loop {
            match stream.read(&mut sink).await {
                Ok(0) | Err(_) => return started.elapsed(),
                Ok(_) => {} // a SETTINGS or GOAWAY frame, a 408: keep reading
            }
        }
    })
    .await
    .ok()
}

fn local(last: u8) -> IpAddr {
    IpAddr::from([127, 0, 0, last])
}

#[tokio::test]
async fn idle_connections_from_one_client_do_not_stop_the_others() {
    let app = spawn_app_with(|c| {
        c.connections.max_connections = 24;
        c.connections.max_per_client = 8;
    })
    .await;
    // The attacker: more idle connections than the server has slots,
    // silent, with half an HTTP/2 preface, and with a whole one.
    let mut held = Vec::new();
    for i in 0..30 {
        let mut stream = connect_from(local(1), app.addr).await;
        match i % 3 {
            0 => {}
            1 => stream.write_all(H2_PREFACE_PART).await.unwrap(),
            _ => stream.write_all(H2_PREFACE).await.unwrap(),
        }
        held.push(stream);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    // Everyone else is still served, at once.
    let other = reqwest::Client::builder()
        .local_address(local(2))
        .timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    let started = Instant::now();
    let res = other.get(app.url("/livez")).send().await;
    let res = res.expect("/livez must answer within 1 s while one client holds idle connections");
    assert_eq!(res.status(), 200);
    assert!(started.elapsed() < Duration::from_secs(1));
    // The attacker's connections past its share were closed at once.
    let mut closed = 0;
    for stream in &mut held {
        if closed_within(stream, Duration::from_millis(50))
            .await
            .is_some()
        {
            closed += 1;
        }
    }
    assert_eq!(closed, 22, "30 opened, 8 allowed per client");
    drop(held);
}

#[tokio::test]
async fn a_connection_that_never_completes_a_request_is_closed() {
    let app = spawn_app_with(|c| {
        c.connections.header_read_timeout = Duration::from_millis(500);
        c.connections.idle_timeout = Duration::from_secs(1);
    })
    .await;
    for (what, sent) in [
        ("nothing", &b""[..]),
        ("part of the HTTP/2 preface", H2_PREFACE_PART),
        ("the whole HTTP/2 preface", H2_PREFACE),
        ("part of an HTTP/1 request", &b"GET /livez HTTP/1.1\r\n"[..]),
    ] {
        let mut stream = connect_from(local(1), app.addr).await;
        stream.write_all(sent).await.unwrap();
        let took = closed_within(&mut stream, Duration::from_secs(5)).await;
        let took = took.unwrap_or_else(|| panic!("a connection that sent {what} stayed open"));
        assert!(
            took >= Duration::from_millis(400),
            "{what}: closed too early, {took:?}"
        );
    }
    // After a request, an idle keep-alive connection is closed too.
    let mut stream = connect_from(local(1), app.addr).await;
    stream
        .write_all(b"GET /livez HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut answer = [0u8; 512];
    let n = stream.read(&mut answer).await.unwrap();
    assert!(answer[..n].starts_with(b"HTTP/1.1 200"));
    let took = closed_within(&mut stream, Duration::from_secs(5)).await;
    assert!(took.is_some(), "an idle keep-alive connection stayed open");
}

/// A request written by hand, for what HTTP clients would not send.
async fn raw(app: &TestApp, request: &str) -> String {
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer))
        .await
        .expect("the server answers and closes")
        .unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn a_path_is_normalised_before_the_login_check() {
    let app = spawn_app().await;
    for path in [
        "/api/../admin",
        "/api/%2e%2e/admin",
        "/pkg/../admin",
        "//admin",
        "/api/no_such_function",
    ] {
        let answer = raw(
            &app,
            &format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
        )
        .await;
        let head = answer.split("\r\n\r\n").next().unwrap_or_default();
        assert!(
            head.starts_with("HTTP/1.1 303") || head.starts_with("HTTP/1.1 307"),
            "{path}: {head}"
        );
        assert!(
            head.to_ascii_lowercase().contains("location: /login?next="),
            "{path}: {head}"
        );
        assert!(
            !answer.contains("<form"),
            "{path} rendered a page for nobody"
        );
    }
}

#[tokio::test]
async fn a_change_without_a_readable_host_is_refused() {
    let app = spawn_app().await;
    let answer = raw(
        &app,
        "POST /api/logout HTTP/1.0\r\nOrigin: http://evil.example\r\nContent-Length: 0\r\n\r\n",
    )
    .await;
    assert!(
        answer.starts_with("HTTP/1.0 403") || answer.starts_with("HTTP/1.1 403"),
        "{answer}"
    );
}

#[tokio::test]
async fn dot_segment_charger_ids_are_refused_with_a_sentence() {
    let app = spawn_app().await;
    app.create_user("admin", Role::Admin).await;
    let admin = app.login("admin").await;
    for (edge, uuid, field) in [
        (".", "abc", Field::EdgeDeviceId),
        ("edge-1", "..", Field::EvseUuid),
    ] {
        let args = AddCharger {
            input: ChargerInput {
                name: "Bay".into(),
                site: "Depot".into(),
                edge_device_id: edge.into(),
                evse_uuid: uuid.into(),
                min_current: Some(6),
                max_current: Some(16),
                notes: None,
            },
            token: "tok-en".into(),
        };
        let (status, error) = failed(app.call_fn(&admin, args).await).await;
        assert_eq!(status, 422);
        match error {
            AppError::Invalid(invalid) => {
                assert_eq!((invalid.field, invalid.rule), (field, Rule::DotSegment));
            }
            other => panic!("{other:?}"),
        }
        let sentence = app::words::problem_sentence(
            app::language::Locale::en,
            &evse_dashboard::types::Problem::Invalid(evse_dashboard::types::Invalid::new(
                field,
                Rule::DotSegment,
            )),
        );
        assert!(sentence.contains("“..”"), "{sentence}");
    }
    assert!(app.services.registry.list().await.unwrap().is_empty());
}

#[tokio::test]
async fn viewers_are_not_shown_the_admin_forms() {
    let app = spawn_app().await;
    let clients = app.role_clients().await;
    // Every admin action is a form posting to its server function.
    let admin_actions = [
        "/api/add_charger",
        "/api/update_charger",
        "/api/delete_charger",
        "/api/set_charger_token",
        "/api/create_user",
        "/api/set_user_role",
    ];
    for (role, client) in clients {
        let page = app.page(&client, "/admin").await;
        let shown: Vec<_> = admin_actions
            .iter()
            .filter(|action| page.contains(&format!("action=\"{action}\"")))
            .collect();
        if role == Role::Admin {
            assert!(
                shown.len() >= 2,
                "the admin sees the admin forms: {shown:?}"
            );
        } else {
            assert!(
                shown.is_empty(),
                "{role:?} was shown admin forms: {shown:?}"
            );
            assert!(page.contains("needs"), "{role:?} is told why");
        }
    }
}

#[tokio::test]
async fn no_csv_cell_can_run_as_a_formula_in_a_semicolon_locale() {
    let app = spawn_app().await;
    app.create_user("admin", Role::Admin).await;
    let admin = app.login("admin").await;
    let input = ChargerInput {
        name: "Night;=1+1;".into(),
        site: "Depot,=2+2".into(),
        edge_device_id: "edge-1".into(),
        evse_uuid: "abc".into(),
        min_current: Some(6),
        max_current: Some(16),
        notes: None,
    };
    let res = app
        .call_fn(
            &admin,
            AddCharger {
                input,
                token: "tok-en".into(),
            },
        )
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    let csv = admin
        .get(app.url("/audit/export.csv"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.contains("Night;'=1+1;"), "{csv}");
    // As a spreadsheet set to de-CH or fr-CH reads it: `;` separates.
    for separator in [b';', b','] {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(separator)
            .has_headers(false)
            .flexible(true)
            .from_reader(csv.as_bytes());
        for record in reader.records() {
            for cell in record.unwrap().iter() {
                assert!(
                    !cell.starts_with(['=', '+', '-', '@']),
                    "a formula cell {cell:?} with {:?} as separator",
                    separator as char
                );
            }
        }
    }
}

#[tokio::test]
async fn the_metrics_port_closes_idle_connections_too() {
    let app = spawn_app_with(|c| c.metrics_listen = Some("127.0.0.1:0".parse().unwrap())).await;
    let metrics = app.metrics.expect("metrics are served");
    let mut silent = connect_from(local(1), metrics).await;
    let took = closed_within(&mut silent, Duration::from_secs(15)).await;
    assert!(
        took.is_some(),
        "a silent connection to /metrics stayed open"
    );
}
