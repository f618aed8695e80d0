//! How many live page streams (#41) each client holds, and the signal
//! that ends them all when the server stops. Its own module so the state
//! can hold it below the handler that uses both.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use app::error::AppError;
use app::live::{LivePage, Regions, Viewer};
use evse_dashboard::db::changes::{Change, Heard};
use evse_dashboard::types::Role;
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

use crate::listener::clients::{PerClient, Place};

/// The streams of this process: how many each client holds, and the
/// signal that ends them all when the server stops (a graceful stop
/// would otherwise wait for them).
#[derive(Clone)]
pub struct LiveStreams {
    topics: Arc<Topics>,
    per_client: PerClient,
    /// Streams open now, and the most the server holds: each holds a
    /// connection, and pages must still find one.
    open: Arc<AtomicUsize>,
    most: usize,
    stop: CancellationToken,
    renders: Renders,
}

/// What a stream listens to: a change wakes only the streams it concerns
/// (1,000 charger pages open, a set on another charger wakes none of
/// them; each stream on the process-wide broadcast woke for every change).
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub enum Topic {
    /// One charger's page.
    Charger(i64),
    /// Pages of many chargers (the overview, a site's page).
    Chargers,
    Audit,
    Deliveries,
    /// Whoever shows this user's pages (their sessions changed).
    User(i64),
}

impl Topic {
    /// The topics `change` concerns; `None`: all of them.
    fn of(change: &Change) -> Option<Vec<Topic>> {
        Some(match change {
            Change::Fleet | Change::Resync => return None,
            Change::Chargers { ids } => ids
                .iter()
                .map(|id| Topic::Charger(*id))
                .chain([Topic::Chargers])
                .collect(),
            Change::Audit { chargers } => chargers
                .iter()
                .map(|id| Topic::Charger(*id))
                .chain([Topic::Audit])
                .chain((!chargers.is_empty()).then_some(Topic::Chargers))
                .collect(),
            Change::Deliveries => vec![Topic::Deliveries],
            Change::User { id } | Change::SessionEnded { user_id: id } => vec![Topic::User(*id)],
        })
    }
}

/// A broadcast per topic that has listeners.
#[derive(Default)]
struct Topics(Mutex<HashMap<Topic, broadcast::Sender<Heard>>>);

/// Changes a topic's listener may fall behind by (then it reads all again).
const TOPIC_CAPACITY: usize = 64;

impl Topics {
    fn subscribe(&self, topic: Topic) -> broadcast::Receiver<Heard> {
        let mut topics = self.0.lock().unwrap_or_else(|e| e.into_inner());
        topics
            .entry(topic)
            .or_insert_with(|| broadcast::channel(TOPIC_CAPACITY).0)
            .subscribe()
    }

    fn send(&self, heard: Heard) {
        let mut topics = self.0.lock().unwrap_or_else(|e| e.into_inner());
        match Topic::of(&heard.change) {
            None => topics.retain(|_, sender| sender.send(heard.clone()).is_ok()),
            Some(wanted) => {
                for topic in wanted {
                    if let Some(sender) = topics.get(&topic)
                        && sender.send(heard.clone()).is_err()
                    {
                        // Nobody listens any more.
                        topics.remove(&topic);
                    }
                }
            }
        }
    }
}

/// One stream's places, in its client's share and in the server's; freed
/// when dropped.
pub struct StreamPlace {
    _client: Place,
    open: Arc<AtomicUsize>,
}

impl Drop for StreamPlace {
    fn drop(&mut self) {
        self.open.fetch_sub(1, Ordering::AcqRel);
    }
}

/// What the streams woken by one change render, rendered once: every
/// overview open in one language after a round is one render, not one
/// per stream. Keyed by what a region depends on (the page, the language,
/// the role; the user too on the audit page, whose rows are masked per
/// reader) and the change it follows.
type Renders = moka::future::Cache<RenderKey, Arc<Regions>>;

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
struct RenderKey {
    page: String,
    locale: app::language::Locale,
    role: Role,
    user: Option<i64>,
    /// The newest change the render follows.
    seq: u64,
}

/// A render is shared for this long at most (it is keyed by the change it
/// follows, so a later change is rendered anew anyway).
const SHARED_FOR: Duration = Duration::from_secs(2);

impl LiveStreams {
    /// At most `per_client` streams per client (an IPv6 /64: as many as
    /// its connections, counted apart from them, so behind a trusted proxy
    /// each client still has its own share), and `most` in all.
    pub fn new(per_client: usize, most: usize) -> Self {
        Self {
            topics: Arc::default(),
            per_client: PerClient::new(per_client, Arc::new([])),
            open: Arc::default(),
            most: most.max(1),
            stop: CancellationToken::new(),
            renders: moka::future::Cache::builder()
                .max_capacity(1_000)
                .time_to_live(SHARED_FOR)
                .build(),
        }
    }

    /// Routes every change this instance hears to the streams it concerns,
    /// until the process stops (`Application::build` spawns it).
    pub async fn route(self, mut changes: broadcast::Receiver<Heard>) {
        loop {
            let heard = match changes.recv().await {
                Ok(heard) => heard,
                // Fell behind: every stream reads all again.
                Err(broadcast::error::RecvError::Lagged(_)) => Heard {
                    seq: 0,
                    change: Arc::new(Change::Resync),
                },
                Err(broadcast::error::RecvError::Closed) => return,
            };
            self.topics.send(heard);
        }
    }

    /// The changes of `topic`, from now on.
    pub fn subscribe(&self, topic: Topic) -> broadcast::Receiver<Heard> {
        self.topics.subscribe(topic)
    }

    /// Ends every stream (the server is stopping).
    pub fn stop(&self) {
        self.stop.cancel();
    }

    /// Cancelled when the server stops.
    pub fn stopping(&self) -> CancellationToken {
        self.stop.clone()
    }

    /// A place for one more stream of `client` (`None`: not known), or
    /// `None` when it holds its share or the server holds all it takes.
    pub fn admit(&self, client: Option<IpAddr>) -> Option<StreamPlace> {
        let client = match client {
            Some(ip) => self.per_client.admit(ip)?,
            None => Place::unbounded(),
        };
        if self.open.fetch_add(1, Ordering::AcqRel) >= self.most {
            self.open.fetch_sub(1, Ordering::AcqRel);
            return None;
        }
        Some(StreamPlace {
            _client: client,
            open: Arc::clone(&self.open),
        })
    }

    /// `page`'s regions as `viewer` sees them after change `seq`: rendered
    /// once for every stream that asks the same.
    pub async fn render(
        &self,
        page: &LivePage,
        viewer: &Viewer,
        seq: u64,
    ) -> Result<Arc<Regions>, AppError> {
        let key = RenderKey {
            page: format!("{page:?}"),
            locale: viewer.locale,
            role: viewer.user.role,
            user: matches!(page, LivePage::Audit(_)).then_some(viewer.user.id),
            seq,
        };
        self.renders
            .try_get_with(key, async {
                app::live::regions(page, viewer).await.map(Arc::new)
            })
            .await
            .map_err(|e| (*e).clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn heard(change: Change) -> Heard {
        Heard {
            seq: 1,
            change: Arc::new(change),
        }
    }

    #[tokio::test]
    async fn a_change_wakes_only_the_streams_it_concerns() {
        let topics = Topics::default();
        let mut bay_1 = topics.subscribe(Topic::Charger(1));
        let mut overview = topics.subscribe(Topic::Chargers);
        let mut audit = topics.subscribe(Topic::Audit);
        let mut olga = topics.subscribe(Topic::User(7));

        topics.send(heard(Change::Audit { chargers: vec![2] }));
        assert!(bay_1.try_recv().is_err(), "a set on another charger");
        assert!(overview.try_recv().is_ok() && audit.try_recv().is_ok());
        assert!(olga.try_recv().is_err());

        topics.send(heard(Change::User { id: 7 }));
        assert!(olga.try_recv().is_ok() && bay_1.try_recv().is_err());

        topics.send(heard(Change::Resync));
        for receiver in [&mut bay_1, &mut overview, &mut audit, &mut olga] {
            assert!(receiver.try_recv().is_ok(), "a resync reaches everyone");
        }
        // A topic nobody listens to any more is forgotten.
        drop(bay_1);
        topics.send(heard(Change::Chargers { ids: vec![1] }));
        assert!(!topics.0.lock().unwrap().contains_key(&Topic::Charger(1)));
    }
}
