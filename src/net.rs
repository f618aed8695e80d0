//! Client addresses as limits count them. One IPv6 subscriber gets a
//! whole /64 and can rotate through it at will, so an IPv6 address counts
//! as its /64; an IPv4 address counts as itself.

use std::fmt;
use std::net::{IpAddr, Ipv6Addr};

/// The unit a per-client limit counts: an IPv4 address or an IPv6 /64.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AddressGroup(IpAddr);

impl AddressGroup {
    pub fn of(ip: IpAddr) -> Self {
        match ip.to_canonical() {
            IpAddr::V6(v6) => {
                let bits = u128::from(v6) & !((1u128 << 64) - 1);
                Self(IpAddr::V6(Ipv6Addr::from(bits)))
            }
            v4 => Self(v4),
        }
    }

    /// Reads an address as the client's (`"unknown"` and other text that
    /// is not an address stays a group of its own, by its text).
    pub fn key(text: &str) -> String {
        text.parse::<IpAddr>()
            .map_or_else(|_| text.to_owned(), |ip| Self::of(ip).to_string())
    }
}

/// `203.0.113.7`, or `2001:db8::/64`: the stored key of the group.
impl fmt::Display for AddressGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            IpAddr::V4(v4) => write!(f, "{v4}"),
            IpAddr::V6(v6) => write!(f, "{v6}/64"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(text: &str) -> String {
        AddressGroup::key(text)
    }

    #[test]
    fn an_ipv6_address_counts_as_its_64() {
        assert_eq!(group("2001:db8::100"), "2001:db8::/64");
        assert_eq!(group("2001:db8::11d"), "2001:db8::/64");
        assert_eq!(group("2001:db8:0:0:ffff:ffff:ffff:ffff"), "2001:db8::/64");
        assert_ne!(group("2001:db8:0:1::1"), group("2001:db8::1"));
    }

    #[test]
    fn an_ipv4_address_counts_as_itself_also_when_mapped() {
        assert_eq!(group("198.51.100.7"), "198.51.100.7");
        assert_eq!(group("::ffff:198.51.100.7"), "198.51.100.7");
        assert_ne!(group("198.51.100.7"), group("198.51.100.8"));
        assert_eq!(group("unknown"), "unknown");
    }
}
