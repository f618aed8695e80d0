//! `GET /live?page=PATH&since=PLACE`: a page's live stream (#41), as
//! Server-Sent Events. On the session like any page, same-origin; the
//! page's regions are rendered by `app::live` with the stream's user, so a
//! region carries what a reload would show that user and nothing more.
//!
//! A stream starts with every region when the page may have missed a
//! change (its `since`, or `Last-Event-ID` on a reconnect, is not this
//! instance's place now), then sends only regions whose HTML changed,
//! after each change that concerns the page. Bounded: at most [`BUFFER`]
//! events wait for a slow reader, past it the stream ends (the browser
//! reconnects and gets everything again); streams count against the
//! client's connection cap; a heartbeat every [`HEARTBEAT`] keeps proxies
//! from closing a quiet one. A logout, or a change to the user, ends the
//! user's streams: the browser reconnects, and its session is checked
//! again like any request's.

use std::collections::HashMap;
use std::convert::Infallible;
use std::hash::{Hash, Hasher};
use std::net::IpAddr;
use std::time::Duration;

use app::error::AppError;
use app::islands::live::Pushed;
use app::language::negotiate_headers;
use app::live::{LivePage, Regions, Viewer};
use app::server_fns::context::ClientIp;
use axum::extract::{ConnectInfo, Extension, Query, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use evse_dashboard::db::changes::{Change, Heard};
use serde::Deserialize;
use tokio::sync::{broadcast, mpsc};
use tokio_util::sync::CancellationToken;
use tower_sessions::Session;

use crate::export::refuse;
use crate::live_streams::{LiveStreams, StreamPlace, Topic};
use crate::state::AppState;

/// A comment this often on a quiet stream, so proxies keep it open.
pub const HEARTBEAT: Duration = Duration::from_secs(25);
/// Events that may wait for a reader before it counts as too slow.
pub const BUFFER: usize = 8;
/// Changes arriving together (a round's readings, its verdicts, the
/// audit rows of a bulk change) are rendered once.
const COALESCE: Duration = Duration::from_millis(50);
/// At most one render per stream this often, however busy the trail.
const MIN_GAP: Duration = Duration::from_millis(100);
/// How often a stream checks its user again (a change made with the CLI,
/// which tells no instance, is seen within this and the users' cache).
const RECHECK: Duration = evse_dashboard::auth::USER_STALENESS;
/// A stream ends after this long: the browser reconnects through the
/// session layer, whose idle and absolute expiry apply then.
const LONGEST: Duration = Duration::from_secs(600);

/// The query of a stream.
#[derive(Debug, Deserialize)]
pub struct Asked {
    /// The page's path and query, as the browser shows it.
    page: String,
    /// The server's place in its changes when it rendered the page.
    #[serde(default)]
    since: String,
}

pub async fn stream(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    client_ip: Option<Extension<ClientIp>>,
    peer: Option<Extension<ConnectInfo<std::net::SocketAddr>>>,
    Query(asked): Query<Asked>,
) -> Response {
    let services = state.services.clone();
    let user = match app::session::user_of(&session, &services).await {
        Ok(Some(user)) => user,
        Ok(None) => return refuse(negotiate_headers(None, &headers), AppError::NotLoggedIn),
        Err(e) => {
            tracing::error!(error = %e, "session lookup failed");
            return refuse(negotiate_headers(None, &headers), AppError::Internal);
        }
    };
    let l = negotiate_headers(user.language, &headers);
    let Some(page) = LivePage::parse(&asked.page) else {
        return refuse(l, AppError::Malformed);
    };
    let client: Option<IpAddr> = client_ip
        .map(|Extension(ClientIp(ip))| ip)
        .or(peer.map(|Extension(ConnectInfo(at))| at.ip()));
    let Some(place) = state.live.admit(client) else {
        return refuse(l, AppError::Busy);
    };
    // Subscribed before the first render: nothing falls between the two.
    let changes = Listening {
        page: state.live.subscribe(topic(&page)),
        user: state.live.subscribe(Topic::User(user.id)),
    };
    let seq = services.changes().seq();
    let now = services.changes().position_at(seq);
    let viewer = Viewer {
        user,
        locale: l,
        services,
    };
    let first = match state.live.render(&page, &viewer, seq).await {
        Ok(regions) => regions,
        Err(e) => return refuse(l, e),
    };
    let since = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or(&asked.since);
    let (events, to_send) = mpsc::channel(BUFFER);
    let mut follower = Follower {
        page,
        viewer,
        session,
        streams: state.live.clone(),
        shown: HashMap::new(),
    };
    let everything = follower.news(&first);
    if since != now {
        // Fits: the channel is empty.
        let _ = events.try_send(regions_event(&everything, &now));
    }
    tokio::spawn(follower.run(changes, events, place));
    let body = futures::stream::unfold(to_send, |mut to_send| async move {
        let event = to_send.recv().await?;
        Some((Ok::<_, Infallible>(event), to_send))
    });
    let mut response = Sse::new(body)
        .keep_alive(KeepAlive::new().interval(HEARTBEAT))
        .into_response();
    // nginx would otherwise hold events back in its buffer.
    response
        .headers_mut()
        .insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}

/// What a stream listens to: its page's topic and its user's.
struct Listening {
    page: broadcast::Receiver<Heard>,
    user: broadcast::Receiver<Heard>,
}

/// The topic of `page`'s changes.
fn topic(page: &LivePage) -> Topic {
    match page {
        LivePage::Charger(id) => Topic::Charger(*id),
        LivePage::Overview { .. } | LivePage::Site(_) => Topic::Chargers,
        LivePage::Audit(_) => Topic::Audit,
        LivePage::Admin => Topic::Deliveries,
    }
}

fn hash(text: &str) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
}

fn regions_event(pushed: &Pushed, place: &str) -> Event {
    Event::default()
        .event(app::islands::live::REGIONS_EVENT)
        .id(place)
        .data(serde_json::to_string(pushed).unwrap_or_else(|_| "{}".to_owned()))
}

/// One stream's page, its viewer, and what it has shown of each region.
struct Follower {
    page: LivePage,
    viewer: Viewer,
    session: Session,
    streams: LiveStreams,
    /// Each region's HTML as last sent (or as the page had it), both as
    /// hashes: an overview of 500 chargers has 4,500 regions.
    shown: HashMap<u64, u64>,
}

/// The changes heard in one wait, together.
#[derive(Default)]
struct Batch {
    /// A change this page shows.
    wanted: bool,
    /// Something may have been missed: the user is checked again and every
    /// region rendered.
    resync: bool,
    /// The user's sessions or rights changed: the stream ends.
    ended: bool,
    /// The newest change heard.
    seq: Option<u64>,
}

impl Batch {
    fn add(&mut self, follower: &Follower, heard: Result<Heard, broadcast::error::RecvError>) {
        match heard {
            Ok(heard) => {
                // Broadcast order may differ from the order of the places.
                self.seq = Some(self.seq.map_or(heard.seq, |s| s.max(heard.seq)));
                let change = &*heard.change;
                if matches!(change, Change::Resync) {
                    self.resync = true;
                } else if change.ends_sessions_of(follower.viewer.user.id) {
                    self.ended = true;
                }
                self.wanted |= follower.page.wants(change);
            }
            Err(broadcast::error::RecvError::Lagged(_)) => self.resync = true,
            Err(broadcast::error::RecvError::Closed) => self.ended = true,
        }
    }
}

impl Follower {
    /// What differs from what was shown (the regions' HTML, the times
    /// chargers were read, to the second); remembers it.
    fn news(&mut self, regions: &Regions) -> Pushed {
        let mut pushed = Pushed::default();
        for (key, html) in &regions.html {
            if self.shows(key, html) {
                pushed.html.push((key.clone(), html.clone()));
            }
        }
        let mut read: std::collections::BTreeMap<String, Vec<i64>> = Default::default();
        for (charger, at) in &regions.read {
            let at = at.format("%Y-%m-%dT%H:%M:%SZ").to_string();
            if self.shows(&app::islands::live::read_key(*charger), &at) {
                read.entry(at).or_default().push(*charger);
            }
        }
        pushed.read = read.into_iter().collect();
        pushed
    }

    /// Whether `value` is new for region `key`; remembers it.
    fn shows(&mut self, key: &str, value: &str) -> bool {
        let value = hash(value);
        self.shown.insert(hash(key), value) != Some(value)
    }

    async fn run(
        mut self,
        mut changes: Listening,
        events: mpsc::Sender<Event>,
        _place: StreamPlace,
    ) {
        let stop = self.streams.stopping();
        let open = metrics::gauge!(evse_dashboard::metrics::LIVE_STREAMS);
        open.increment(1.0);
        self.follow(&mut changes, &events, &stop).await;
        open.decrement(1.0);
    }

    async fn follow(
        &mut self,
        changes: &mut Listening,
        events: &mpsc::Sender<Event>,
        stop: &CancellationToken,
    ) {
        let opened = tokio::time::Instant::now();
        let mut checked = opened;
        let mut rendered = opened.checked_sub(MIN_GAP).unwrap_or(opened);
        loop {
            let mut batch = Batch::default();
            tokio::select! {
                () = stop.cancelled() => return,
                () = events.closed() => return,
                () = tokio::time::sleep_until(checked + RECHECK) => {
                    if opened.elapsed() >= LONGEST || !Box::pin(self.still_signed_in()).await {
                        return;
                    }
                    checked = tokio::time::Instant::now();
                    continue;
                }
                heard = changes.page.recv() => batch.add(self, heard),
                heard = changes.user.recv() => batch.add(self, heard),
            }
            // The user's sessions changed, or changes may have been missed:
            // the browser reconnects, through the session's checks, and
            // gets what it lacks.
            if batch.ended || batch.resync {
                return;
            }
            if !batch.wanted {
                continue;
            }
            tokio::time::sleep(COALESCE.max(MIN_GAP.saturating_sub(rendered.elapsed()))).await;
            for receiver in [&mut changes.page, &mut changes.user] {
                loop {
                    match receiver.try_recv() {
                        Err(broadcast::error::TryRecvError::Empty) => break,
                        Ok(heard) => batch.add(self, Ok(heard)),
                        Err(broadcast::error::TryRecvError::Lagged(n)) => {
                            batch.add(self, Err(broadcast::error::RecvError::Lagged(n)));
                        }
                        Err(broadcast::error::TryRecvError::Closed) => return,
                    }
                }
            }
            if batch.ended || batch.resync {
                return;
            }
            rendered = tokio::time::Instant::now();
            let seq = batch
                .seq
                .unwrap_or_else(|| self.viewer.services.changes().seq());
            // Boxed: a render's future is large, and would otherwise sit in
            // every waiting stream's task for its whole life.
            let render = Box::pin(self.streams.render(&self.page, &self.viewer, seq));
            let regions = match render.await {
                Ok(regions) => regions,
                Err(AppError::Internal | AppError::Busy) => continue,
                // Gone, or no longer allowed: the page says so on reload.
                Err(_) => return,
            };
            let news = self.news(&regions);
            if news == Pushed::default() {
                continue;
            }
            let place = self.viewer.services.changes().position_at(seq);
            match events.try_send(regions_event(&news, &place)) {
                Ok(()) => {}
                Err(mpsc::error::TrySendError::Full(_)) => {
                    metrics::counter!(evse_dashboard::metrics::LIVE_DROPPED).increment(1);
                    tracing::debug!(
                        user = self.viewer.user.id,
                        "a live stream's reader fell behind; closed"
                    );
                    return;
                }
                Err(mpsc::error::TrySendError::Closed(_)) => return,
            }
        }
    }

    /// Whether the stream's user may still see the page: their session's
    /// epoch still holds, they are not disabled (their role may have
    /// changed: the next render uses it).
    async fn still_signed_in(&mut self) -> bool {
        match app::session::user_of(&self.session, &self.viewer.services).await {
            Ok(Some(user)) => {
                self.viewer.user = user;
                true
            }
            _ => false,
        }
    }
}
