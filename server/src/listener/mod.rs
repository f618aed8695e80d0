//! Accepting connections: `TCP_NODELAY` on every socket (without it a
//! response written in two pieces waits ~40 ms for the client's delayed
//! ACK), caps on open connections (in all, and per client), deadlines for
//! idle connections, and a graceful stop that lets requests in flight
//! finish.
//!
//! Every connection must complete its first request within the header
//! deadline and may then sit idle between requests only so long, in
//! HTTP/1 and HTTP/2 alike: hyper's own header timeout starts only once
//! the protocol is known, so a client that sends nothing, or part of the
//! HTTP/2 preface, would otherwise hold its connection for ever.

mod activity;
pub(crate) mod clients;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::Request;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio_util::task::TaskTracker;
use tower::ServiceExt;

use activity::{Activity, Tracked};
pub use clients::PerClient;

/// How connections are bounded.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// Connections open at once; more wait in the kernel's backlog.
    pub max_connections: usize,
    /// Connections one client (an address, an IPv6 /64) may hold; more
    /// are closed at once. Trusted proxies are exempt.
    pub max_per_client: usize,
    /// How long a client may take to send a request's headers, also the
    /// first request's on a new connection.
    pub header_read_timeout: Duration,
    /// How long a connection may stay open with no request running.
    pub idle_timeout: Duration,
    /// How long a request may take to produce its response (a streamed
    /// body, like the CSV export, has its own limit).
    pub request_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            max_connections: 1024,
            max_per_client: 128,
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            request_timeout: Duration::from_secs(30),
        }
    }
}

/// Requests one HTTP/2 connection may run at once: with the per-client
/// cap on connections, this bounds what one client can keep running
/// (hyper's default is 200 per connection). A browser opens a handful.
pub const MAX_STREAMS_PER_CONNECTION: u32 = 32;

/// How long a stop waits for requests in flight.
const DRAIN: Duration = Duration::from_secs(30);
/// How long an idle connection gets to close politely (HTTP/2 waits for
/// the client to acknowledge its GOAWAY) before it is dropped.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// Serves `router` on `listener` until `shutdown` completes. Connections
/// from `trusted_proxies` are exempt from the per-client cap.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    trusted_proxies: Arc<[ipnet::IpNet]>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let per_client = PerClient::new(limits.max_per_client, trusted_proxies);
    let (stop, stopping) = watch::channel(false);
    let connections = TaskTracker::new();
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(MAX_STREAMS_PER_CONNECTION);
    let builder = Arc::new(builder);
    tokio::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait, not spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(place) = per_client.admit(peer.ip()) else {
            tracing::debug!(%peer, "connection refused: the client holds its share");
            metrics::counter!(evse_dashboard::metrics::HTTP_CONNECTIONS_REFUSED).increment(1);
            continue; // dropping the stream closes it
        };
        let connection = serve_one(
            Arc::clone(&builder),
            stream,
            peer,
            router.clone(),
            limits,
            stopping.clone(),
        );
        connections.spawn(async move {
            let _held = (slot, place);
            let open = metrics::gauge!(evse_dashboard::metrics::HTTP_CONNECTIONS);
            open.increment(1.0);
            connection.await;
            open.decrement(1.0);
        });
    }
    drop(listener);
    let _ = stop.send(true);
    connections.close();
    tokio::select! {
        () = connections.wait() => {}
        () = tokio::time::sleep(DRAIN) => tracing::warn!("requests still running after the drain time"),
    }
    Ok(())
}

/// Serves one connection until it ends, is idle too long, or the server
/// stops (then in-flight requests get [`DRAIN`] to finish).
async fn serve_one(
    builder: Arc<Builder<TokioExecutor>>,
    stream: TcpStream,
    peer: SocketAddr,
    router: Router,
    limits: ConnectionLimits,
    mut stopping: watch::Receiver<bool>,
) {
    if let Err(e) = stream.set_nodelay(true) {
        tracing::debug!(error = %e, "cannot set TCP_NODELAY");
    }
    let activity = Activity::new();
    let service = {
        let activity = Arc::clone(&activity);
        tower::service_fn(move |mut request: Request<Incoming>| {
            let busy = activity.begin();
            request.extensions_mut().insert(ConnectInfo(peer));
            let router = router.clone();
            async move {
                let response = router.oneshot(request).await?;
                Ok::<_, std::convert::Infallible>(Tracked::wrap(response, busy))
            }
        })
    };
    let connection = builder.serve_connection_with_upgrades(
        TokioIo::new(stream),
        hyper_util::service::TowerToHyperService::new(service),
    );
    tokio::pin!(connection);
    let idle = activity.idle_for_too_long(limits.header_read_timeout, limits.idle_timeout);
    let grace = tokio::select! {
        ended = connection.as_mut() => {
            if let Err(e) = ended {
                tracing::debug!(error = %e, %peer, "connection ended with an error");
            }
            return;
        }
        () = idle => CLOSE_GRACE,
        _ = stopping.wait_for(|stop| *stop) => DRAIN,
    };
    connection.as_mut().graceful_shutdown();
    if tokio::time::timeout(grace, connection).await.is_err() {
        tracing::debug!(%peer, "connection dropped: it did not close in time");
    }
}
