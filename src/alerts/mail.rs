//! Alert mails over SMTP (#31), through `lettre`: `smtps://` is TLS from
//! the first byte, `smtp://` upgrades with STARTTLS and refuses to go on
//! without it, except to this machine (a local relay or a test sink).
//! The user name and password come from the environment only, so they are
//! never in argv, in the URL, or in a log line that prints either.

use std::time::Duration;

use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use reqwest::Url;

use crate::secret::SmtpPassword;
use crate::types::AlertMail;

/// How the server reaches its mail server: `--smtp-url`, `--mail-from`,
/// `EVSE_SMTP_USERNAME`, `EVSE_SMTP_PASSWORD`.
#[derive(Debug, Clone)]
pub struct MailSettings {
    pub url: String,
    pub from: Option<String>,
    pub username: Option<String>,
    pub password: Option<SmtpPassword>,
}

/// Why mail cannot be set up: said at start, so the operator fixes it
/// before any alert is due.
#[derive(Debug, thiserror::Error)]
pub enum MailSetupError {
    #[error("--smtp-url must be smtp://HOST[:PORT] or smtps://HOST[:PORT]")]
    BadUrl,
    #[error(
        "--smtp-url must not carry a user name or password: set EVSE_SMTP_USERNAME and EVSE_SMTP_PASSWORD instead"
    )]
    CredentialsInUrl,
    #[error("--mail-from is needed with --smtp-url, e.g. \"EVSE dashboard <alerts@example.com>\"")]
    NoFrom,
    #[error("--mail-from is not an address like \"EVSE dashboard <alerts@example.com>\"")]
    BadFrom,
    #[error("EVSE_SMTP_USERNAME and EVSE_SMTP_PASSWORD go together: set both or neither")]
    HalfCredentials,
    #[error("the mail transport could not be set up for that host")]
    Transport,
}

/// Sends alert mails; cheap to clone (one connection per mail, as alerts
/// are rare).
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// `smtps://host:port`, for logs.
    server: String,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("server", &self.server)
            .finish()
    }
}

impl Mailer {
    pub fn new(settings: &MailSettings) -> Result<Mailer, MailSetupError> {
        let url = Url::parse(settings.url.trim()).map_err(|_| MailSetupError::BadUrl)?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(MailSetupError::CredentialsInUrl);
        }
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or(MailSetupError::BadUrl)?;
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let builder = match url.scheme() {
            "smtps" => AsyncSmtpTransport::<Tokio1Executor>::relay(host),
            "smtp" if crate::clemap::client::is_loopback(&url) => {
                Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host).port(25))
            }
            "smtp" => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host),
            _ => return Err(MailSetupError::BadUrl),
        };
        let mut builder = builder
            .map_err(|_| MailSetupError::Transport)?
            .timeout(Some(Duration::from_secs(10)));
        if let Some(port) = url.port() {
            builder = builder.port(port);
        }
        match (&settings.username, &settings.password) {
            (Some(user), Some(password)) => {
                builder = builder
                    .credentials(Credentials::new(user.clone(), password.expose().to_owned()));
            }
            (None, None) => {}
            _ => return Err(MailSetupError::HalfCredentials),
        }
        let from = settings.from.as_deref().ok_or(MailSetupError::NoFrom)?;
        let from: Mailbox = from.trim().parse().map_err(|_| MailSetupError::BadFrom)?;
        let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
        Ok(Mailer {
            transport: builder.build(),
            from,
            server: format!("{}://{host}{port}", url.scheme()),
        })
    }

    /// One attempt. `Err` says why in words fit for the delivery log (the
    /// server's status code or the kind of failure, never a credential).
    pub async fn send(&self, to: &str, mail: &AlertMail) -> Result<(), String> {
        let to: Mailbox = to
            .parse()
            .map_err(|_| "the address is not one a mail server takes".to_owned())?;
        let mut message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&mail.subject);
        if let Some(url) = &mail.one_click {
            message = message
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe"),
                    format!("<{url}>"),
                ))
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                    "List-Unsubscribe=One-Click".to_owned(),
                ));
        }
        let message = message
            .multipart(MultiPart::alternative_plain_html(
                mail.text.clone(),
                mail.html.clone(),
            ))
            .map_err(|_| "the mail could not be put together".to_owned())?;
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(e) => Err(said(&e)),
        }
    }
}

fn said(e: &lettre::transport::smtp::Error) -> String {
    if let Some(code) = e.status() {
        let kind = if e.is_permanent() {
            "refused the mail"
        } else {
            "deferred the mail"
        };
        format!("the mail server {kind} ({code})")
    } else if e.is_timeout() {
        "no answer from the mail server within 10 s".to_owned()
    } else if e.is_tls() {
        "the TLS connection to the mail server failed".to_owned()
    } else {
        "could not connect to the mail server".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(url: &str) -> MailSettings {
        MailSettings {
            url: url.to_owned(),
            from: Some("EVSE <alerts@example.com>".to_owned()),
            username: None,
            password: None,
        }
    }

    #[test]
    fn the_url_is_smtp_or_smtps_without_credentials() {
        assert!(Mailer::new(&settings("smtps://mail.example.com")).is_ok());
        assert!(Mailer::new(&settings("smtp://mail.example.com:587")).is_ok());
        assert!(Mailer::new(&settings("smtp://127.0.0.1:2525")).is_ok());
        assert!(matches!(
            Mailer::new(&settings("smtps://olga:pw@mail.example.com")),
            Err(MailSetupError::CredentialsInUrl)
        ));
        assert!(matches!(
            Mailer::new(&settings("https://mail.example.com")),
            Err(MailSetupError::BadUrl)
        ));
        let mut half = settings("smtps://mail.example.com");
        half.username = Some("olga".into());
        assert!(matches!(
            Mailer::new(&half),
            Err(MailSetupError::HalfCredentials)
        ));
        let mut no_from = settings("smtps://mail.example.com");
        no_from.from = None;
        assert!(matches!(Mailer::new(&no_from), Err(MailSetupError::NoFrom)));
    }
}
