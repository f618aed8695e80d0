//! Where a webhook may be delivered. An admin's URL must not turn the
//! dashboard into a probe of the networks it sits in ("Send a test" would
//! otherwise be a port scanner), so a webhook goes only to public
//! addresses, to this machine when the URL names it (`localhost`,
//! `127.0.0.1`, `[::1]`: a receiver beside the dashboard, and the tests'),
//! and to the networks an operator lists with `--webhook-allow`.
//!
//! A name is checked when the webhook is added (the admin hears it at
//! once; a name that does not resolve yet is kept) and again at every
//! connection, by the client's own resolver: a
//! name can resolve elsewhere later, and the address checked is then the
//! one connected to.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use ipnet::IpNet;
use reqwest::Url;

use crate::problem::{Field, Invalid, Rule};

/// The addresses a webhook may reach.
#[derive(Debug, Clone, Default)]
pub struct Destinations {
    /// `--webhook-allow`: a company's own receivers on private networks.
    allowed: Arc<[IpNet]>,
}

impl Destinations {
    pub fn allowing(allowed: Vec<IpNet>) -> Self {
        Self {
            allowed: allowed.into(),
        }
    }

    /// Whether a connection to `ip` may carry a webhook; `named_local`:
    /// the URL names this machine itself.
    pub fn permits(&self, ip: IpAddr, named_local: bool) -> bool {
        let ip = ip.to_canonical();
        if self.allowed.iter().any(|net| net.contains(&ip)) {
            return true;
        }
        if ip.is_loopback() {
            return named_local;
        }
        is_public(ip)
    }

    /// Checks the host of `typed` (a URL as the admin typed it) as it
    /// resolves now: every address it gives must be permitted (a name
    /// with one private address among public ones could be made to
    /// connect there).
    pub async fn check(&self, typed: &str) -> Result<(), Invalid> {
        let refused = |rule| Invalid::new(Field::WebhookUrl, rule);
        let url = Url::parse(typed.trim()).map_err(|_| refused(Rule::NotAUrl))?;
        let named_local = names_this_machine(typed, &url);
        let addresses: Vec<IpAddr> = match url.host() {
            Some(url::Host::Ipv4(ip)) => vec![IpAddr::V4(ip)],
            Some(url::Host::Ipv6(ip)) => vec![IpAddr::V6(ip)],
            // A name that does not resolve now reaches nothing now; it is
            // kept (the resolver checks it at every connection, and its
            // deliveries say they could not connect).
            Some(url::Host::Domain(name)) => {
                let port = url.port_or_known_default().unwrap_or(443);
                match tokio::net::lookup_host((name, port)).await {
                    Ok(found) => found.map(|a| a.ip()).collect(),
                    Err(_) => Vec::new(),
                }
            }
            None => return Err(refused(Rule::NotAUrl)),
        };
        if addresses.iter().all(|ip| self.permits(*ip, named_local)) {
            Ok(())
        } else {
            Err(refused(Rule::PrivateAddress))
        }
    }
}

/// Whether the URL names this machine as a person writes it: a URL
/// parser also reads `2130706433` and `0x7f000001` as 127.0.0.1, which
/// only someone probing would type.
fn names_this_machine(typed: &str, url: &Url) -> bool {
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    crate::clemap::client::is_loopback(url)
        && typed
            .trim()
            .to_ascii_lowercase()
            .contains(&format!("://{host}"))
}

/// Resolves names for the webhook client, keeping only the addresses
/// [`Destinations::permits`]: the check at connection time.
impl reqwest::dns::Resolve for Destinations {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let this = self.clone();
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let named_local = host.eq_ignore_ascii_case("localhost");
            let found = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let permitted: Vec<SocketAddr> = found
                .filter(|a| this.permits(a.ip(), named_local))
                .collect();
            if permitted.is_empty() {
                return Err("the webhook's host resolves to no address it may reach".into());
            }
            Ok(Box::new(permitted.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// An address on the public internet: not loopback, private, shared
/// (CGNAT), link-local (cloud metadata lives there), unique-local,
/// unspecified, multicast, broadcast, documentation, benchmarking or
/// reserved; an IPv6 address that embeds IPv4 counts as that address.
pub fn is_public(ip: IpAddr) -> bool {
    match ip.to_canonical() {
        IpAddr::V4(v4) => public_v4(v4),
        IpAddr::V6(v6) => public_v6(v6),
    }
}

fn public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // 100.64/10, shared (CGNAT)
        || (a == 192 && b == 0 && c == 0) // 192.0.0/24, protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // 198.18/15, benchmarking
        || a >= 240) // 240/4, reserved
}

fn public_v6(ip: Ipv6Addr) -> bool {
    let segments = ip.segments();
    // 64:ff9b::/96 (NAT64) and 2002::/16 (6to4) carry an IPv4 address.
    if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        let v4 = (u32::from(segments[6]) << 16) | u32::from(segments[7]);
        return public_v4(Ipv4Addr::from(v4));
    }
    if segments[0] == 0x2002 {
        let v4 = (u32::from(segments[1]) << 16) | u32::from(segments[2]);
        return public_v4(Ipv4Addr::from(v4));
    }
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (segments[0] & 0xfe00) == 0xfc00 // fc00::/7, unique local
        || (segments[0] & 0xffc0) == 0xfe80 // fe80::/10, link-local
        || (segments[0] & 0xffc0) == 0xfec0 // fec0::/10, old site-local
        || (segments[0] == 0x2001 && segments[1] == 0x0db8) // documentation
        || segments[..6] == [0, 0, 0, 0, 0, 0]) // ::/96, IPv4-compatible
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn private_and_special_addresses_are_not_public() {
        for text in [
            "10.0.0.1",
            "169.254.169.254",
            "fd00::1",
            "fe80::1",
            "::ffff:10.0.0.1",
            "0.0.0.0",
            "::",
            "100.64.0.1",
            "192.168.1.1",
            "172.16.0.1",
            "172.31.255.255",
            "127.0.0.1",
            "::1",
            "224.0.0.1",
            "255.255.255.255",
            "64:ff9b::a00:1",
            "2002:a00:1::",
            "198.18.0.1",
            "240.0.0.1",
        ] {
            assert!(!is_public(ip(text)), "{text}");
        }
        for text in [
            "93.184.216.34",
            "2606:2800:220:1::",
            "172.32.0.1",
            "100.128.0.1",
        ] {
            assert!(is_public(ip(text)), "{text}");
        }
    }

    #[test]
    fn loopback_only_when_named_and_allowed_networks_pass() {
        let none = Destinations::default();
        assert!(none.permits(ip("127.0.0.1"), true));
        assert!(!none.permits(ip("127.0.0.1"), false));
        assert!(!none.permits(ip("10.1.2.3"), false));
        let company = Destinations::allowing(vec!["10.1.0.0/16".parse().unwrap()]);
        assert!(company.permits(ip("10.1.2.3"), false));
        assert!(company.permits(ip("::ffff:10.1.2.3"), false));
        assert!(!company.permits(ip("10.2.0.1"), false));
    }

    #[tokio::test]
    async fn urls_are_checked_by_the_addresses_they_name() {
        let none = Destinations::default();
        let rule = |r: Result<(), Invalid>| r.unwrap_err().rule;
        // The numeric spellings a URL parser reads as 127.0.0.1 or 10/8.
        for url in [
            "https://10.0.0.1/",
            "https://169.254.169.254/latest/meta-data",
            "https://[fd00::1]/",
            "https://[fe80::1]/",
            "https://[::ffff:10.0.0.1]/",
            "https://0.0.0.0/",
            "https://[::]/",
            "https://100.64.0.1/",
            "https://192.168.0.10/",
            "https://172.16.5.4/",
            "https://2130706433/",
            "https://0x7f000001/",
            "https://017700000001/",
        ] {
            assert_eq!(rule(none.check(url).await), Rule::PrivateAddress, "{url}");
        }
        assert!(none.check("http://127.0.0.1:9000/hook").await.is_ok());
        assert!(none.check("http://localhost:9000/hook").await.is_ok());
        assert!(none.check("https://[::1]/hook").await.is_ok());
        assert!(none.check("https://no-such-host.invalid/").await.is_ok());
    }
}
