//! The typed CLEMAP client. One `reqwest::Client` (and so one connection
//! pool) per `ClemapClient`; clone it freely. The token travels only in the
//! `evsetoken` header of the request it authorises.

use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use futures::StreamExt;
use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;

use super::error::{ClemapError, excerpt};
use super::model::{CurrentSettings, PlugStatus, TargetAnswer, TargetRequest};
use crate::secret::EvseToken;

/// Where a charging station lives in CLEMAP's API.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EvseAddress {
    pub edge_device_id: String,
    pub evse_uuid: String,
}

impl EvseAddress {
    pub fn new(edge_device_id: impl Into<String>, evse_uuid: impl Into<String>) -> Self {
        Self {
            edge_device_id: edge_device_id.into(),
            evse_uuid: evse_uuid.into(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub base_url: String,
    pub connect_timeout: Duration,
    /// The whole request, from connect to the last byte of the body.
    pub request_timeout: Duration,
    /// Extra attempts for reads that failed transiently (never for writes).
    pub read_retries: u32,
    /// Wait before the first retry; doubles each time.
    pub retry_backoff: Duration,
    /// Allow `http://` to a host that is not loopback (test setups only:
    /// the evsetoken would cross the network in clear).
    pub allow_plain_http: bool,
    /// The largest answer read; a longer one is an error, not a buffer.
    pub max_body_bytes: usize,
    /// Requests in flight to CLEMAP at once, from every part of the
    /// dashboard together (the overview, pages, bulk changes).
    pub max_in_flight: usize,
}

impl ClientConfig {
    pub fn new(base_url: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            connect_timeout: Duration::from_secs(3),
            request_timeout: Duration::from_secs(10),
            read_retries: 2,
            retry_backoff: Duration::from_millis(200),
            allow_plain_http: false,
            max_body_bytes: 64 * 1024,
            // The overview alone puts up to 2 × its concurrency in flight.
            max_in_flight: 256,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ClientBuildError {
    #[error("the CLEMAP URL {url:?} is not a valid base URL: {reason}")]
    BadUrl { url: String, reason: String },
    #[error(
        "the CLEMAP URL {url:?} is plain http to another machine: evsetokens would cross the \
         network unencrypted; use https (or --clemap-allow-http for a test setup)"
    )]
    PlainHttp { url: String },
    #[error("cannot set up the HTTP client: {0}")]
    Http(#[from] reqwest::Error),
}

#[derive(Clone, Debug)]
pub struct ClemapClient {
    http: reqwest::Client,
    base: Url,
    config: ClientConfig,
    in_flight: std::sync::Arc<tokio::sync::Semaphore>,
}

impl ClemapClient {
    pub fn new(config: ClientConfig) -> Result<Self, ClientBuildError> {
        let base = Url::parse(&config.base_url)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && !u.cannot_be_a_base())
            .ok_or_else(|| ClientBuildError::BadUrl {
                url: config.base_url.clone(),
                reason: "expected http(s)://host[:port][/path]".into(),
            })?;
        if base.scheme() == "http" && !config.allow_plain_http && !is_loopback(&base) {
            return Err(ClientBuildError::PlainHttp {
                url: config.base_url.clone(),
            });
        }
        let http = reqwest::Client::builder()
            // A redirect would carry the evsetoken header to wherever it
            // points: never follow one.
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .pool_idle_timeout(Duration::from_secs(90))
            .user_agent(concat!("evse-dashboard/", env!("CARGO_PKG_VERSION")))
            .build()?;
        let in_flight =
            std::sync::Arc::new(tokio::sync::Semaphore::new(config.max_in_flight.max(1)));
        Ok(Self {
            http,
            base,
            config,
            in_flight,
        })
    }

    pub fn base_url(&self) -> &Url {
        &self.base
    }

    /// GET `currentsettings`: the target in force, or nulls.
    pub async fn current_settings(
        &self,
        evse: &EvseAddress,
        token: &EvseToken,
    ) -> Result<CurrentSettings, ClemapError> {
        self.read(evse, token, "currentsettings").await
    }

    /// GET `status`: one entry per plug.
    pub async fn status(
        &self,
        evse: &EvseAddress,
        token: &EvseToken,
    ) -> Result<Vec<PlugStatus>, ClemapError> {
        self.read(evse, token, "status").await
    }

    /// POST `currentsettings`. Never retried: a lost answer does not mean
    /// the request was lost, and the caller audits exactly one attempt.
    pub async fn set_target(
        &self,
        evse: &EvseAddress,
        token: &EvseToken,
        target: TargetRequest,
    ) -> Result<TargetAnswer, ClemapError> {
        self.send(Method::POST, evse, token, "currentsettings", Some(target))
            .await
    }

    /// DELETE `currentsettings`; CLEMAP returns the settings it removed.
    /// Never retried: a second DELETE would return nulls, losing the answer.
    pub async fn reset(
        &self,
        evse: &EvseAddress,
        token: &EvseToken,
    ) -> Result<CurrentSettings, ClemapError> {
        self.send::<CurrentSettings>(Method::DELETE, evse, token, "currentsettings", None)
            .await
    }

    /// Status of many stations at once, at most `concurrency` in flight, in
    /// the order given. Each entry fails on its own.
    pub async fn status_many<K>(
        &self,
        stations: Vec<(K, EvseAddress, EvseToken)>,
        concurrency: usize,
    ) -> Vec<(K, Result<Vec<PlugStatus>, ClemapError>)> {
        futures::stream::iter(stations)
            .map(|(key, evse, token)| async move {
                let result = self.status(&evse, &token).await;
                (key, result)
            })
            .buffered(concurrency.max(1))
            .collect()
            .await
    }

    /// A GET, retried on transient failures with exponential backoff, all
    /// tries within one `request_timeout`: a station that hangs costs a
    /// page the timeout once, not once per try (the proof's fault run saw
    /// 3 × 10 s, past the page's own 30 s limit).
    async fn read<T: DeserializeOwned>(
        &self,
        evse: &EvseAddress,
        token: &EvseToken,
        resource: &str,
    ) -> Result<T, ClemapError> {
        let backoff = ExponentialBuilder::default()
            .with_min_delay(self.config.retry_backoff)
            .with_max_times(self.config.read_retries as usize);
        let tries = (|| self.send::<T>(Method::GET, evse, token, resource, None))
            .retry(backoff)
            .when(ClemapError::is_transient)
            .notify(|e, wait| tracing::debug!(error = %e, ?wait, "retrying CLEMAP read"));
        tokio::time::timeout(self.config.request_timeout, tries)
            .await
            .unwrap_or(Err(ClemapError::Timeout {
                timeout: self.config.request_timeout,
            }))
    }

    /// One exchange, counted and timed for the metrics.
    async fn send<T: DeserializeOwned>(
        &self,
        method: Method,
        evse: &EvseAddress,
        token: &EvseToken,
        resource: &str,
        body: Option<TargetRequest>,
    ) -> Result<T, ClemapError> {
        let operation = crate::metrics::clemap_operation(method.as_str(), resource);
        let started = std::time::Instant::now();
        let result = self.exchange(method, evse, token, resource, body).await;
        let outcome = match &result {
            Ok(_) => "ok",
            Err(e) => e.failure().into(),
        };
        crate::metrics::clemap_call(operation, outcome, started.elapsed());
        result
    }

    async fn exchange<T: DeserializeOwned>(
        &self,
        method: Method,
        evse: &EvseAddress,
        token: &EvseToken,
        resource: &str,
        body: Option<TargetRequest>,
    ) -> Result<T, ClemapError> {
        let url = self.url(evse, resource);
        // Marked sensitive so no Debug output (ours or a library's) shows it.
        let mut token_header =
            reqwest::header::HeaderValue::from_str(token.expose()).map_err(|_| {
                ClemapError::Transport {
                    reason: "the stored token contains characters HTTP headers cannot carry".into(),
                }
            })?;
        token_header.set_sensitive(true);
        let mut request = self
            .http
            .request(method, url)
            .header("evsetoken", token_header)
            .header("accept", "application/json");
        if let Some(body) = body {
            request = request.json(&body);
        }
        // Waiting for a turn counts against the request's time, so a
        // saturated dashboard answers "timeout", never hangs.
        let timeout = ClemapError::Timeout {
            timeout: self.config.request_timeout,
        };
        let _turn = tokio::time::timeout(self.config.request_timeout, self.in_flight.acquire())
            .await
            .map_err(|_| timeout.clone())?
            .map_err(|_| timeout)?;
        let response = request.send().await.map_err(|e| self.transport_error(e))?;
        let status = response.status();
        let text = self.read_capped(response).await?;
        if !status.is_success() {
            return Err(ClemapError::from_status(
                status.as_u16(),
                excerpt(&text, token.expose()),
            ));
        }
        decode(status, &text, token)
    }

    /// The answer's body, at most `max_body_bytes` of it.
    async fn read_capped(&self, mut response: reqwest::Response) -> Result<String, ClemapError> {
        let status = response.status().as_u16();
        let limit = self.config.max_body_bytes;
        let too_large = || ClemapError::TooLarge { status, limit };
        if response.content_length().is_some_and(|n| n > limit as u64) {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| self.transport_error(e))?
        {
            if body.len() + chunk.len() > limit {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(String::from_utf8_lossy(&body).into_owned())
    }

    /// `…/edgedevices/{edge}/evses/{uuid}/{resource}`, each id one escaped
    /// path segment (an id can never add a path component).
    fn url(&self, evse: &EvseAddress, resource: &str) -> Url {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .expect("checked at construction: a base URL")
            .pop_if_empty()
            .extend([
                "edgedevices",
                &evse.edge_device_id,
                "evses",
                &evse.evse_uuid,
                resource,
            ]);
        url
    }

    fn transport_error(&self, e: reqwest::Error) -> ClemapError {
        if e.is_timeout() {
            ClemapError::Timeout {
                timeout: self.config.request_timeout,
            }
        } else {
            // The URL holds no secret, but the reason is what matters.
            let e = e.without_url();
            let mut reason = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(cause) = source {
                reason.push_str(": ");
                reason.push_str(&cause.to_string());
                source = cause.source();
            }
            ClemapError::Transport { reason }
        }
    }
}

/// Whether the URL's host is this machine.
pub(crate) fn is_loopback(url: &Url) -> bool {
    let host = url.host_str().unwrap_or_default();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn decode<T: DeserializeOwned>(
    status: StatusCode,
    text: &str,
    token: &EvseToken,
) -> Result<T, ClemapError> {
    serde_json::from_str(text).map_err(|e| ClemapError::Undecodable {
        status: status.as_u16(),
        // serde's message quotes the offending value, which could be
        // anything CLEMAP echoed: keep only the kind and the position.
        reason: format!(
            "{:?} at line {} column {}",
            e.classify(),
            e.line(),
            e.column()
        ),
        excerpt: excerpt(text, token.expose()),
    })
}

#[cfg(test)]
#[path = "client_tests.rs"]
mod tests;
