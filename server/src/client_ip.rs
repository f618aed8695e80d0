//! Who the client is. Behind a reverse proxy every request comes from the
//! proxy; its `X-Forwarded-For` names the client, but only a proxy listed
//! with `--trusted-proxy` is believed (anyone can send the header). The
//! address found goes into the request's extensions for the login
//! throttle and the audit trail.

use std::net::{IpAddr, SocketAddr};

use app::server_fns::context::ClientIp;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;

use crate::state::AppState;

/// The client behind `peer`: walking the forwarded hops from the right,
/// the first one that is not a trusted proxy (the peer itself when it is
/// not trusted, or the header is missing or unreadable).
///
/// `forwarded_for` is every `X-Forwarded-For` line in the order received:
/// a proxy may add a line of its own rather than append to the client's,
/// and then the client's (forgeable) line comes first.
pub fn client_ip<'a>(
    peer: IpAddr,
    forwarded_for: impl DoubleEndedIterator<Item = &'a str>,
    trusted: &[IpNet],
) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    let peer = peer.to_canonical();
    if !is_trusted(&peer) {
        return peer;
    }
    let mut client = peer;
    let hops = forwarded_for.rev().flat_map(|line| line.rsplit(','));
    for hop in hops {
        match hop.trim().parse::<IpAddr>() {
            Ok(ip) => {
                client = ip.to_canonical();
                if !is_trusted(&client) {
                    break;
                }
            }
            // Unreadable: nothing left of it can be believed either.
            Err(_) => break,
        }
    }
    client
}

/// Every `X-Forwarded-For` line, in order; a line that is not text is
/// kept as an unreadable hop, so it stops the walk instead of vanishing.
fn forwarded_lines(headers: &HeaderMap) -> impl DoubleEndedIterator<Item = &str> {
    headers
        .get_all("x-forwarded-for")
        .iter()
        .map(|v| v.to_str().unwrap_or("unreadable"))
}

pub async fn middleware(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    if let Some(ConnectInfo(peer)) = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .copied()
    {
        let lines = forwarded_lines(request.headers());
        let ip = client_ip(peer.ip(), lines, &state.trusted_proxies);
        request.extensions_mut().insert(ClientIp(ip));
    }
    next.run(request).await
}

/// `--trusted-proxy`: a network (`10.0.0.0/8`) or a bare address, which
/// means that one host (`/32`, `/128`).
pub fn parse_trusted_proxy(text: &str) -> Result<IpNet, String> {
    let text = text.trim();
    if let Ok(net) = text.parse::<IpNet>() {
        return Ok(net.trunc());
    }
    text.parse::<IpAddr>()
        .map(|ip| IpNet::from(ip.to_canonical()))
        .map_err(|_| {
            format!("`{text}` is neither an address (10.0.0.2) nor a network (10.0.0.0/8)")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn via(peer: &str, lines: &[&str], trusted: &[IpNet]) -> IpAddr {
        client_ip(ip(peer), lines.iter().copied(), trusted)
    }

    #[test]
    fn only_trusted_proxies_are_believed() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        // An untrusted peer's header is ignored.
        assert_eq!(
            via("203.0.113.9", &["1.2.3.4"], &trusted),
            ip("203.0.113.9")
        );
        // Through the proxy: the client it names.
        assert_eq!(
            via("10.0.0.2", &["198.51.100.7"], &trusted),
            ip("198.51.100.7")
        );
        // A client cannot hide behind a forged first entry.
        assert_eq!(
            via("10.0.0.2", &["1.2.3.4, 198.51.100.7"], &trusted),
            ip("198.51.100.7")
        );
        // Chained trusted proxies are skipped.
        assert_eq!(
            via("10.0.0.2", &["198.51.100.7, 10.0.0.5"], &trusted),
            ip("198.51.100.7")
        );
        // Without a header, the proxy is all we know.
        assert_eq!(via("10.0.0.2", &[], &trusted), ip("10.0.0.2"));
        assert_eq!(via("10.0.0.2", &["garbage"], &trusted), ip("10.0.0.2"));
    }

    #[test]
    fn a_forged_line_before_the_proxys_own_line_is_not_believed() {
        let trusted = vec![parse_trusted_proxy("127.0.0.1").unwrap()];
        // The client sent the first line; the proxy added the second.
        assert_eq!(
            via("127.0.0.1", &["198.51.100.4", "203.0.113.7"], &trusted),
            ip("203.0.113.7")
        );
        // Lines are one list: the proxy's own hop at the end is skipped.
        assert_eq!(
            via("127.0.0.1", &["203.0.113.7", "127.0.0.1"], &trusted),
            ip("203.0.113.7")
        );
    }

    #[test]
    fn mapped_addresses_compare_as_the_ipv4_they_are() {
        let trusted = vec![parse_trusted_proxy("127.0.0.1").unwrap()];
        assert_eq!(
            via("::ffff:127.0.0.1", &["::ffff:198.51.100.4"], &trusted),
            ip("198.51.100.4")
        );
    }

    #[test]
    fn a_bare_address_is_one_trusted_host() {
        assert_eq!(
            parse_trusted_proxy("127.0.0.1").unwrap(),
            "127.0.0.1/32".parse::<IpNet>().unwrap()
        );
        assert_eq!(
            parse_trusted_proxy("::1").unwrap(),
            "::1/128".parse::<IpNet>().unwrap()
        );
        assert_eq!(
            parse_trusted_proxy("10.1.2.3/8").unwrap(),
            "10.0.0.0/8".parse::<IpNet>().unwrap()
        );
        assert!(parse_trusted_proxy("proxy.example").is_err());
    }
}
