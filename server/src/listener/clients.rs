//! Connections per client: one address (an IPv6 /64) may hold only so
//! many at once, so one client cannot take every slot of the server.
//! Trusted reverse proxies are exempt: every client behind them shares
//! their address.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use evse_dashboard::net::AddressGroup;
use ipnet::IpNet;

/// Open connections per address group.
#[derive(Clone)]
pub struct PerClient {
    max: usize,
    exempt: Arc<[IpNet]>,
    open: Arc<Mutex<HashMap<AddressGroup, usize>>>,
}

/// Held while a connection is open; frees its place when dropped.
pub struct Place {
    owner: Option<(PerClient, AddressGroup)>,
}

impl Place {
    /// A place counted nowhere (a request whose client is not known).
    pub fn unbounded() -> Self {
        Place { owner: None }
    }
}

impl PerClient {
    pub fn new(max: usize, exempt: Arc<[IpNet]>) -> Self {
        Self {
            max: max.max(1),
            exempt,
            open: Arc::default(),
        }
    }

    /// A place for one more connection from `peer`, or `None` when that
    /// client already holds its share.
    pub fn admit(&self, peer: IpAddr) -> Option<Place> {
        let peer = peer.to_canonical();
        if self.exempt.iter().any(|net| net.contains(&peer)) {
            return Some(Place { owner: None });
        }
        let group = AddressGroup::of(peer);
        let mut open = self.open.lock().expect("never poisoned: no panics inside");
        let count = open.entry(group).or_default();
        if *count >= self.max {
            return None;
        }
        *count += 1;
        Some(Place {
            owner: Some((self.clone(), group)),
        })
    }

    #[cfg(test)]
    fn held(&self, peer: IpAddr) -> usize {
        let open = self.open.lock().unwrap();
        open.get(&AddressGroup::of(peer)).copied().unwrap_or(0)
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        if let Some((clients, group)) = self.owner.take() {
            let mut open = clients
                .open
                .lock()
                .expect("never poisoned: no panics inside");
            if let Some(count) = open.get_mut(&group) {
                *count -= 1;
                if *count == 0 {
                    open.remove(&group);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn each_client_gets_its_share_and_gives_it_back() {
        let clients = PerClient::new(2, Arc::from(vec!["10.0.0.1/32".parse().unwrap()]));
        let a = clients.admit(ip("198.51.100.1")).unwrap();
        let _b = clients.admit(ip("198.51.100.1")).unwrap();
        assert!(clients.admit(ip("198.51.100.1")).is_none());
        // Another client is not affected; one /64 is one client.
        assert!(clients.admit(ip("198.51.100.2")).is_some());
        let _v6 = clients.admit(ip("2001:db8::1")).unwrap();
        let _v6b = clients.admit(ip("2001:db8::2")).unwrap();
        assert!(clients.admit(ip("2001:db8::3")).is_none());
        drop(a);
        assert_eq!(clients.held(ip("198.51.100.1")), 1);
        assert!(clients.admit(ip("198.51.100.1")).is_some());
        // A trusted proxy carries everyone: no per-client cap.
        let proxied: Vec<_> = (0..5).map(|_| clients.admit(ip("10.0.0.1"))).collect();
        assert!(proxied.iter().all(Option::is_some));
    }
}
