//! How many live page streams (#41) each client holds, and the signal
//! that ends them all when the server stops. Its own module so the state
//! can hold it below the handler that uses both.

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use app::error::AppError;
use app::live::{LivePage, Regions, Viewer};
use evse_dashboard::types::Role;
use tokio_util::sync::CancellationToken;

use crate::listener::clients::{PerClient, Place};

/// The streams of this process: how many each client holds, and the
/// signal that ends them all when the server stops (a graceful stop
/// would otherwise wait for them).
#[derive(Clone)]
pub struct LiveStreams {
    per_client: PerClient,
    /// Streams open now, and the most the server holds: each holds a
    /// connection, and pages must still find one.
    open: Arc<AtomicUsize>,
    most: usize,
    stop: CancellationToken,
    renders: Renders,
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
