//! How many live page streams (#41) each client holds, and the signal
//! that ends them all when the server stops. Its own module so the state
//! can hold it below the handler that uses both.

use std::net::IpAddr;

use tokio_util::sync::CancellationToken;

use crate::listener::clients::{PerClient, Place};

/// The streams of this process: how many each client holds, and the
/// signal that ends them all when the server stops (a graceful stop
/// would otherwise wait for them).
#[derive(Clone)]
pub struct LiveStreams {
    per_client: PerClient,
    stop: CancellationToken,
}

impl LiveStreams {
    /// At most `per_client` streams per client (an IPv6 /64), its share of
    /// connections.
    pub fn new(per_client: usize) -> Self {
        Self {
            per_client: PerClient::new(per_client, std::sync::Arc::new([])),
            stop: CancellationToken::new(),
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

    /// A place for one more stream of `client`, or `None` when it holds
    /// its share.
    pub fn admit(&self, client: IpAddr) -> Option<Place> {
        self.per_client.admit(client)
    }
}
