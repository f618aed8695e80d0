//! Secrets that must never leave the server: the per-charger `evsetoken`
//! and passwords. The wrappers print `[redacted]` under `Debug`, have no
//! `Display` and no `Serialize`, and wipe their memory on drop. Reading the
//! value takes an explicit `expose()`, so every use is easy to find.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

/// A charger's CLEMAP `evsetoken`.
#[derive(Clone)]
pub struct EvseToken(SecretString);

impl EvseToken {
    pub fn new(value: impl Into<String>) -> Self {
        Self(SecretString::from(value.into()))
    }

    /// The raw token, for the one place that puts it into a request header
    /// (and the vault that encrypts it).
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for EvseToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EvseToken([redacted])")
    }
}

/// A password typed by a person.
#[derive(Clone)]
pub struct Password(SecretString);

impl Password {
    pub fn new(value: impl Into<String>) -> Self {
        Self(SecretString::from(value.into()))
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password([redacted])")
    }
}

/// An API token as its holder presents it (`evse_` and 43 characters of
/// base64url: 32 random bytes). The server keeps only its SHA-256.
#[derive(Clone)]
pub struct ApiSecret(SecretString);

impl ApiSecret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(SecretString::from(value.into()))
    }

    /// The token, for the one moment it is shown to whoever created it.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for ApiSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiSecret([redacted])")
    }
}

/// A webhook's signing secret (#31): read from stdin or a form, sealed in
/// the database, used only to sign.
#[derive(Clone)]
pub struct WebhookSecret(SecretString);

impl WebhookSecret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(SecretString::from(value.into()))
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret([redacted])")
    }
}

/// The SMTP server's password for alert mails (#31): read from the
/// environment only (`EVSE_SMTP_PASSWORD`), never argv, never logged.
#[derive(Clone)]
pub struct SmtpPassword(SecretString);

impl SmtpPassword {
    pub fn new(value: impl Into<String>) -> Self {
        Self(SecretString::from(value.into()))
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for SmtpPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SmtpPassword([redacted])")
    }
}

/// Replaces every occurrence of `secret` in `text`; used on upstream
/// bodies before they are kept in an error, in case an upstream echoes
/// the header it was sent.
pub fn scrub(text: &str, secret: &str) -> String {
    if secret.is_empty() {
        text.to_owned()
    } else {
        text.replace(secret, "[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let token = EvseToken::new("tok-9f8e7d6c5b4a");
        let password = Password::new("correct horse battery");
        assert_eq!(format!("{token:?}"), "EvseToken([redacted])");
        assert_eq!(format!("{password:?}"), "Password([redacted])");
        assert!(!format!("{:#?}", Some(&token)).contains("9f8e"));
        assert_eq!(token.expose(), "tok-9f8e7d6c5b4a");
    }

    #[test]
    fn scrub_removes_every_occurrence() {
        assert_eq!(scrub("a SEC b SEC", "SEC"), "a [redacted] b [redacted]");
        assert_eq!(scrub("abc", ""), "abc");
    }
}
