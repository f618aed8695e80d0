//! The token-leak crawler. Chargers get unique high-entropy tokens; then,
//! as an anonymous visitor and as each role, it fetches every page route
//! the router serves (ids filled in, links followed), calls every server
//! function the server registers (valid, invalid and garbage arguments),
//! fetches every file of the site, downloads the CSV export, scrapes the
//! metrics and takes a backup. Every byte that came out — responses with
//! their headers, the server's TRACE log, CLI output, the database with
//! its WAL, the backup — is searched for each token in every encoding
//! `forms` knows. Routes and functions come from the app, so a new one is
//! crawled without editing this file. `/api/v1` is crawled from its own
//! OpenAPI document with each role's API token (`api`); API tokens may
//! appear only where they are shown once.

mod api;
mod forms;
mod process;

use std::collections::{BTreeSet, VecDeque};
use std::path::{Path, PathBuf};

use evse_dashboard::clemap::simulator::{self, Fleet, StationSpec, Vehicle};
use evse_dashboard::types::Role;
use strum::IntoEnumIterator;

use crate::calls::{NONE, calls};
use crate::helpers::{PASSWORD, client};
use forms::{forms, fresh_token};
pub(crate) use process::{BIN, Serving, cli, smtp_password};

/// How many pages one visitor fetches at most (the app has a few dozen).
const MAX_PAGES: usize = 400;
const GARBAGE: &str = "id=-1&charger_id=%00%FF&amps=NaN&duration=1e309&input%5Bname%5D=";

/// Everything the server let out, by where it came from.
#[derive(Default)]
struct Outflow(pub Vec<(String, Vec<u8>)>);

impl Outflow {
    pub async fn response(&mut self, what: String, res: reqwest::Response) -> (u16, String) {
        let status = res.status().as_u16();
        let mut bytes = format!("{:?}\n", res.headers()).into_bytes();
        let body = res.bytes().await.unwrap_or_default();
        bytes.extend_from_slice(&body);
        self.0.push((what, bytes));
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    fn files_under(&mut self, dir: &Path) {
        for entry in walk(dir) {
            let bytes = std::fs::read(&entry).unwrap_or_default();
            self.0.push((entry.display().to_string(), bytes));
        }
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// Same-site links in a page (`href="/…"`), entities undone.
fn links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|href| href.starts_with('/') && !href.starts_with("//"))
        .map(|href| href.replace("&amp;", "&"))
        .collect()
}

/// Each page pattern with its parameters filled by every id given.
fn page_urls(ids: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for pattern in server::http::page_paths() {
        if !pattern.contains(':') && !pattern.contains('{') {
            out.push(pattern);
            continue;
        }
        for id in ids {
            let filled: Vec<String> = pattern
                .split('/')
                .map(|seg| {
                    if seg.starts_with(':') || seg.starts_with('{') {
                        id.clone()
                    } else {
                        seg.to_owned()
                    }
                })
                .collect();
            out.push(filled.join("/"));
        }
    }
    out
}

async fn crawl_pages(
    out: &mut Outflow,
    who: &str,
    c: &reqwest::Client,
    base: &str,
    seeds: Vec<String>,
) {
    let mut seen: BTreeSet<String> = seeds.iter().cloned().collect();
    let mut queue: VecDeque<String> = seeds.into();
    let mut fetched = 0;
    while let Some(path) = queue.pop_front() {
        fetched += 1;
        assert!(
            fetched <= MAX_PAGES,
            "{who}: more than {MAX_PAGES} pages; is a link growing?"
        );
        let res = c.get(format!("{base}{path}")).send().await.unwrap();
        let (status, body) = out.response(format!("{who} GET {path}"), res).await;
        assert!(status < 500, "{who} GET {path}: {status}");
        for link in links(&body) {
            if seen.insert(link.clone()) {
                queue.push_back(link);
            }
        }
    }
}

async fn call_everything(
    out: &mut Outflow,
    who: &str,
    c: &reqwest::Client,
    base: &str,
    charger: i64,
) {
    let registered: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_owned())
        .collect();
    // Garbage first, then every function with harmless and then real
    // arguments; the real pass ends by deleting the charger and logging out.
    let mut bodies: Vec<(String, String)> = registered
        .iter()
        .flat_map(|p| [(p.clone(), String::new()), (p.clone(), GARBAGE.to_owned())])
        .collect();
    for target in [NONE, charger] {
        for (endpoint, _, body) in calls(target) {
            bodies.push((format!("/api/{endpoint}"), body));
        }
    }
    for (path, body) in bodies {
        for accept in ["application/json", "text/html"] {
            let res = c
                .post(format!("{base}{path}"))
                .header("content-type", "application/x-www-form-urlencoded")
                .header("accept", accept)
                .body(body.clone())
                .send()
                .await
                .unwrap();
            let (status, _) = out
                .response(format!("{who} POST {path} ({accept}) {body}"), res)
                .await;
            assert!(status < 500, "{who} POST {path} {body}: {status}");
        }
    }
}

async fn login(base: &str, username: &str) -> reqwest::Client {
    let c = client();
    let res = c
        .post(format!("{base}/api/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .body(format!(
            "username={username}&password={}&next=/",
            PASSWORD.replace(' ', "+")
        ))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{username}: {}", res.status());
    c
}

fn site_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/site")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_token_leaves_the_server_in_any_form() {
    let tokens: Vec<String> = (0..3).map(|_| fresh_token()).collect();
    let stations: Vec<StationSpec> = tokens
        .iter()
        .enumerate()
        .map(|(i, t)| {
            StationSpec::new(
                format!("edge-{i}"),
                format!("evse-{i}"),
                t.clone(),
                32,
                Vehicle::Charging,
            )
        })
        .collect();
    let sim = simulator::spawn(Fleet {
        stations: stations.clone(),
    })
    .await
    .unwrap();
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data");
    let data_arg = data.to_str().unwrap();
    let mut out = Outflow::default();
    let mut said = String::new();

    // Two chargers from the command line, one through the web (below).
    for role in Role::iter() {
        said += &cli(
            &[
                "user",
                "add",
                &format!("crawl-{}", role.as_str()),
                "--role",
                role.as_str(),
                "--data-dir",
                data_arg,
            ],
            PASSWORD,
        );
    }
    for (i, token) in tokens.iter().enumerate().skip(1) {
        let (name, edge, evse) = (
            format!("Crawl {i}"),
            format!("edge-{i}"),
            format!("evse-{i}"),
        );
        said += &cli(
            &[
                "charger",
                "add",
                "--name",
                &name,
                "--site",
                "Crawl",
                "--edge-device",
                &edge,
                "--evse",
                &evse,
                "--data-dir",
                data_arg,
            ],
            token,
        );
    }
    let site = site_dir();
    let bundle_built = site.join("pkg").is_dir();
    if std::env::var_os("EVSE_CRAWL_REQUIRE_BUNDLE").is_some() {
        assert!(
            bundle_built,
            "no bundle in {}: run `cargo leptos build` first",
            site.display()
        );
    }
    let server = Serving::start(
        &data,
        &sim.base_url(),
        &site,
        work.path().join("server.log"),
    )
    .await;
    let base = server.base.clone();

    let mut api_tokens = api::one_per_role(&mut out, data_arg);
    let webhook_secret = api::webhook_secret(&mut out, data_arg).await;

    let admin = login(&base, "crawl-admin").await;
    let add = format!(
        "input%5Bname%5D=Crawl+0&input%5Bsite%5D=Crawl&input%5Bedge_device_id%5D=edge-0&input%5Bevse_uuid%5D=evse-0&token={}",
        urlencoding::encode(&tokens[0])
    );
    let res = admin
        .post(format!("{base}/api/add_charger"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .body(add)
        .send()
        .await
        .unwrap();
    let (status, body) = out.response("admin adds a charger".into(), res).await;
    assert_eq!(status, 200, "{body}");
    let added: serde_json::Value = serde_json::from_str(&body).unwrap();
    let web_charger = added["id"].as_i64().expect("the new charger's id");

    for (who, token) in &api_tokens {
        api::crawl(&mut out, &base, who, token, web_charger).await;
    }
    let on_page = api::made_on_the_admin_page(&mut out, &base, &admin).await;
    api_tokens.push(("crawl-web".into(), on_page));

    // Anonymous first, admin last: the admin's real pass deletes a charger.
    let mut visitors = vec![("anonymous".to_owned(), client())];
    for role in Role::iter() {
        let name = format!("crawl-{}", role.as_str());
        visitors.push((name.clone(), login(&base, &name).await));
    }
    visitors.sort_by_key(|(name, _)| name == "crawl-admin");
    let ids: Vec<String> = (1..=4)
        .map(|i| i.to_string())
        .chain([NONE.to_string(), "x".into()])
        .collect();
    for (who, c) in &visitors {
        let mut seeds = page_urls(&ids);
        seeds.extend([
            "/audit/export.csv".into(),
            "/audit/export.csv?from=2000-01-01".into(),
            "/sessions/export.csv".into(),
            "/sessions/export.csv?from=2000-01-01&to=2000-12-31&limited=on".into(),
            "/sites/1/report.csv".into(),
            "/healthz".into(),
        ]);
        for file in walk(&site).into_iter().chain(walk(Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../public"
        )))) {
            let root = if file.starts_with(&site) {
                site.clone()
            } else {
                file.parent().unwrap().to_owned()
            };
            seeds.push(format!("/{}", file.strip_prefix(&root).unwrap().display()));
        }
        crawl_pages(&mut out, who, c, &base, seeds).await;
        if who == "crawl-viewer" {
            // The crawl saw the chargers, not just a login page.
            let (status, page) = out
                .response(
                    format!("{who} charger page"),
                    c.get(format!("{base}/chargers/{web_charger}"))
                        .send()
                        .await
                        .unwrap(),
                )
                .await;
            assert!(status == 200 && page.contains("Crawl 0"), "{status}");
        }
        call_everything(&mut out, who, c, &base, web_charger).await;
    }
    let res = reqwest::get(&server.metrics).await.unwrap();
    out.response("metrics".into(), res).await;
    said += &cli(
        &[
            "backup",
            work.path().join("backup").to_str().unwrap(),
            "--data-dir",
            data_arg,
        ],
        "",
    );
    let log = server.kill();

    // The tokens were used: each charger's reached CLEMAP, and valid.
    for spec in &stations {
        assert!(
            sim.requests()
                .iter()
                .any(|r| r.evse_uuid == spec.uuid && r.token_valid),
            "{} was never called with its token",
            spec.uuid
        );
    }
    out.0.push(("CLI output".into(), said.into_bytes()));
    out.files_under(work.path());
    let log_bytes = std::fs::read(&log).unwrap();
    assert!(
        log_bytes.len() > 10_000 && String::from_utf8_lossy(&log_bytes).contains("TRACE"),
        "the log is not at TRACE"
    );

    let mut leaks = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        for (form, needle) in forms(token) {
            for (source, bytes) in &out.0 {
                if memchr::memmem::find(bytes, &needle).is_some() {
                    leaks.push(format!("token {i} ({form}) in {source}"));
                }
            }
        }
    }
    leaks.extend(api::leaks(&out, &api_tokens, &webhook_secret));
    let searched: usize = out.0.iter().map(|(_, b)| b.len()).sum();
    eprintln!(
        "searched {} sources, {} bytes; bundle built: {bundle_built}",
        out.0.len(),
        searched
    );
    assert!(
        leaks.is_empty(),
        "tokens left the server:\n{}",
        leaks.join("\n")
    );
}
