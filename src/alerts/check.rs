//! What a subscription must be before it is kept: refused with the field
//! and the rule, so the sentence says what to fix.

use reqwest::Url;

use crate::problem::{Field, Invalid, Rule};
use crate::secret::WebhookSecret;
use crate::types::QuietHours;

/// The longest URL or address kept.
const MAX_TARGET: usize = 2048;

/// `https://…`, or `http://` to this machine (as for CLEMAP); no
/// credentials in it (they would show wherever the URL does).
pub fn webhook_url(text: &str) -> Result<String, Invalid> {
    let text = text.trim();
    let bad = |rule| Invalid::new(Field::WebhookUrl, rule);
    if text.is_empty() {
        return Err(bad(Rule::Required));
    }
    if text.len() > MAX_TARGET {
        return Err(bad(Rule::TooLong {
            max: MAX_TARGET as u32,
        }));
    }
    let url = Url::parse(text).map_err(|_| bad(Rule::NotAUrl))?;
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad(Rule::NotAUrl));
    }
    match url.scheme() {
        "https" => {}
        "http" if crate::clemap::client::is_loopback(&url) => {}
        "http" => return Err(bad(Rule::HttpsRequired)),
        _ => return Err(bad(Rule::NotAUrl)),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad(Rule::CredentialsInUrl));
    }
    Ok(url.to_string())
}

/// 16 to 256 characters: enough to resist guessing, short enough for any
/// receiver's configuration.
pub fn secret(secret: &WebhookSecret) -> Result<(), Invalid> {
    let n = secret.expose().chars().count();
    let rule = if n == 0 {
        Rule::Required
    } else if n < 16 {
        Rule::TooShort { min: 16 }
    } else if n > 256 {
        Rule::TooLong { max: 256 }
    } else if secret.expose().chars().any(char::is_control) {
        Rule::ControlCharacters
    } else {
        return Ok(());
    };
    Err(Invalid::new(Field::WebhookSecret, rule))
}

/// A comma-separated list of alert events (blank: all of them).
pub fn events(text: &str) -> Result<Vec<crate::types::AlertEvent>, Invalid> {
    crate::types::AlertEvent::parse_list(text)
        .map_err(|name| Invalid::new(Field::AlertEvents, Rule::UnknownEvent { text: name }))
}

/// Quiet hours from two `HH:MM` times: both blank for none, one alone is
/// missing its partner, equal times are no span.
pub fn quiet_hours(from: &str, until: &str) -> Result<Option<QuietHours>, Invalid> {
    let bad = |rule| Invalid::new(Field::QuietHours, rule);
    let (from, until) = (from.trim(), until.trim());
    match (from.is_empty(), until.is_empty()) {
        (true, true) => return Ok(None),
        (true, false) | (false, true) => return Err(bad(Rule::Required)),
        (false, false) => {}
    }
    if let Some(time) = [from, until]
        .into_iter()
        .find(|t| QuietHours::minute(t).is_none())
    {
        return Err(bad(Rule::not_a_time(time)));
    }
    QuietHours::parse(from, until)
        .map(Some)
        .ok_or_else(|| bad(Rule::NoSpan))
}

/// `name@domain.tld`, without spaces or angle brackets: what an SMTP
/// server takes as a recipient.
pub fn address(text: &str) -> Result<String, Invalid> {
    let text = text.trim();
    let bad = |rule| Invalid::new(Field::EmailAddress, rule);
    if text.is_empty() {
        return Err(bad(Rule::Required));
    }
    let (local, domain) = text
        .rsplit_once('@')
        .ok_or_else(|| bad(Rule::NotAnAddress))?;
    let plain = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| !c.is_whitespace() && !c.is_control() && !"<>()[],;:\"@".contains(c))
    };
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && domain
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    if text.len() > 254 || local.len() > 64 || !plain(local) || !domain_ok {
        return Err(bad(Rule::NotAnAddress));
    }
    Ok(text.to_owned())
}

/// A target as the audit trail and the logs show it: an address whole, a
/// URL only to its host (a webhook's path often is its secret, as
/// Slack's and Teams' are).
pub fn shown(target: &str) -> String {
    match Url::parse(target.trim()) {
        Ok(url) if url.host_str().is_some() => {
            let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
            format!(
                "{}://{}{port}/…",
                url.scheme(),
                url.host_str().unwrap_or_default()
            )
        }
        _ => target.trim().chars().take(254).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_https_or_local_and_carry_no_credentials() {
        assert!(webhook_url("https://hooks.example.com/evse?x=1").is_ok());
        assert!(webhook_url("http://127.0.0.1:9000/hook").is_ok());
        assert!(webhook_url("http://localhost/hook").is_ok());
        let rule = |u| webhook_url(u).unwrap_err().rule;
        assert_eq!(rule("http://hooks.example.com/"), Rule::HttpsRequired);
        assert_eq!(
            rule("https://user:pw@hooks.example.com/"),
            Rule::CredentialsInUrl
        );
        assert_eq!(rule("ftp://example.com/"), Rule::NotAUrl);
        assert_eq!(rule("hooks.example.com"), Rule::NotAUrl);
        assert_eq!(rule(" "), Rule::Required);
    }

    #[test]
    fn addresses_are_plain() {
        assert_eq!(address(" olga@example.com "), Ok("olga@example.com".into()));
        for bad in [
            "olga",
            "olga@",
            "@example.com",
            "o lga@example.com",
            "olga@example",
            "<o@x.ch>",
        ] {
            assert!(address(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_url_shows_only_its_host() {
        assert_eq!(
            shown("https://hooks.slack.com/services/T0/B0/SECRETPART"),
            "https://hooks.slack.com/…"
        );
        assert_eq!(shown("olga@example.com"), "olga@example.com");
    }

    #[test]
    fn quiet_hours_are_both_times_or_none() {
        assert_eq!(quiet_hours(" ", ""), Ok(None));
        assert!(quiet_hours("22:00", "06:30").unwrap().is_some());
        let rule = |a, b| quiet_hours(a, b).unwrap_err().rule;
        assert_eq!(rule("22:00", ""), Rule::Required);
        assert_eq!(rule("25:00", "06:00"), Rule::not_a_time("25:00"));
        assert_eq!(rule("06:00", "06:00"), Rule::NoSpan);
    }

    #[test]
    fn secrets_are_long_enough() {
        assert!(secret(&WebhookSecret::new("0123456789abcdef")).is_ok());
        assert!(secret(&WebhookSecret::new("short")).is_err());
    }
}
