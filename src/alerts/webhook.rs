//! A webhook delivery: a JSON POST signed with the subscription's secret
//! (`X-Evse-Signature: sha256=<hex HMAC-SHA256 of the raw body>`), its
//! delivery id in the body and a header (the same on every attempt, so a
//! receiver can drop duplicates). No redirect is followed (a 3xx is a
//! failure), every attempt has a deadline, nothing secret is in the body
//! or in the error kept for the log.

use std::time::Duration;

use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;

use super::destination::Destinations;
use crate::secret::WebhookSecret;
use crate::types::{AlertCharger, AlertEvent, AlertSchedule, AlertSite};

/// The body a receiver gets.
#[derive(Debug, Serialize)]
pub struct Payload<'a> {
    pub event: AlertEvent,
    pub at: chrono::DateTime<chrono::Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub charger: Option<&'a AlertCharger>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site: Option<&'a AlertSite>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule: Option<&'a AlertSchedule>,
    /// Several chargers of `site` at once.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub chargers: &'a [AlertCharger],
    /// Alerts of this event held back since the last one.
    pub suppressed: u32,
    /// What happened, in English.
    pub detail: String,
    pub dashboard_url: String,
    /// Unique per alert and receiver; the same on every retry.
    pub delivery: &'a str,
}

/// `sha256=` and the HMAC-SHA256 of `body` under `secret`, hex.
pub fn signature(secret: &WebhookSecret, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(body);
    format!(
        "sha256={}",
        crate::audit::key::hex(mac.finalize().into_bytes())
    )
}

/// The client every webhook attempt goes through: it resolves names
/// itself, keeping only the addresses `destinations` permits, and never
/// goes through a proxy (which would resolve them instead).
pub fn client(destinations: &Destinations) -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .no_proxy()
        .dns_resolver(std::sync::Arc::new(destinations.clone()))
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(10))
        .user_agent(concat!("evse-dashboard/", env!("CARGO_PKG_VERSION")))
        .build()
}

/// One attempt. `Err` says why, in words fit for the delivery log: the
/// status, or the kind of transport failure (never the URL, whose path
/// may be a secret, nor the body).
pub async fn post(
    (client, destinations): (&reqwest::Client, &Destinations),
    url: &str,
    secret: &WebhookSecret,
    delivery: &str,
    body: &str,
) -> Result<(), String> {
    // The client's resolver checks names; an address in the URL itself
    // is never resolved, so it is checked here.
    if let Ok(parsed) = reqwest::Url::parse(url) {
        let literal = match parsed.host() {
            Some(url::Host::Ipv4(ip)) => Some(std::net::IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => Some(std::net::IpAddr::V6(ip)),
            _ => None,
        };
        let local = crate::clemap::client::is_loopback(&parsed);
        if literal.is_some_and(|ip| !destinations.permits(ip, local)) {
            return Err("the receiver's address is one webhooks may not reach".into());
        }
    }
    let sent = client
        .post(url)
        .header("content-type", "application/json")
        .header("x-evse-signature", signature(secret, body.as_bytes()))
        .header("x-evse-delivery", delivery)
        .body(body.to_owned())
        .send()
        .await;
    match sent {
        Ok(res) if res.status().is_success() => Ok(()),
        Ok(res) if res.status().is_redirection() => Err(format!(
            "the receiver answered {} (a redirect, which is not followed)",
            res.status().as_u16()
        )),
        Ok(res) => Err(format!("the receiver answered {}", res.status().as_u16())),
        Err(e) if e.is_timeout() => Err("no answer within 10 s".into()),
        Err(e) if e.is_connect() => Err("could not connect".into()),
        Err(_) => Err("the request failed".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_the_hmac_sha256_of_the_raw_body() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let secret = WebhookSecret::new("Jefe");
        assert_eq!(
            signature(&secret, b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
