//! The texts of alerts (#31): the dispatcher's words come from
//! `app::words`, which owns every sentence; here they are laid out as a
//! webhook's `detail` and as a mail's text and HTML (a maud template, so
//! every name in it is escaped).

use std::sync::Arc;

use app::language::{Locale, from_language};
use app::words::{
    MailWords, alert_mail_words, alert_sentence, confirm_mail_words, test_mail_words,
};
use evse_dashboard::alerts::Alerts;
use evse_dashboard::alerts::dispatch::{Dispatcher, MailLinks, Wording};
use evse_dashboard::alerts::mail::Mailer;
use evse_dashboard::types::{AlertFacts, AlertMail, Language};

struct Words;

impl Wording for Words {
    fn detail(&self, facts: &AlertFacts) -> String {
        alert_sentence(Locale::en, facts)
    }

    fn mail(&self, language: Language, facts: &AlertFacts, links: &MailLinks) -> AlertMail {
        let words = alert_mail_words(from_language(language), facts);
        laid_out(words, language, &links.look, Some(links))
    }

    fn test_mail(&self, language: Language, links: &MailLinks) -> AlertMail {
        let words = test_mail_words(from_language(language));
        laid_out(words, language, &links.look, Some(links))
    }

    fn confirm_mail(&self, language: Language, username: &str, confirm: &str) -> AlertMail {
        let words = confirm_mail_words(from_language(language), username);
        laid_out(words, language, confirm, None)
    }
}

/// The same words twice: plain text, and HTML that reads the same without
/// images or styles (many mail programs show neither).
fn laid_out(
    words: MailWords,
    language: Language,
    link: &str,
    stop: Option<&MailLinks>,
) -> AlertMail {
    let stop_text = stop
        .map(|s| format!("\n{}: {}\n", words.stop, s.stop))
        .unwrap_or_default();
    let text = format!(
        "{}\n\n{}: {link}\n\n-- \n{}\n{stop_text}",
        words.sentence, words.look, words.why
    );
    let html = maud::html! {
        (maud::DOCTYPE)
        html lang=(language.as_str()) {
            head {
                meta charset="utf-8";
                title { (words.subject) }
            }
            body {
                p { (words.sentence) }
                p { a href=(link) { (words.look) } }
                hr;
                p { small { (words.why) } }
                @if let Some(stop) = stop {
                    p { small { a href=(stop.stop) { (words.stop) } } }
                }
            }
        }
    }
    .into_string();
    AlertMail {
        subject: words.subject,
        text,
        html,
        one_click: stop.map(|s| s.one_click.clone()),
    }
}

/// The dispatcher the server runs and `alert test` sends with.
pub fn dispatcher(
    alerts: Alerts,
    mailer: Option<Mailer>,
    public_url: &str,
) -> Result<Dispatcher, reqwest::Error> {
    Dispatcher::new(alerts, Arc::new(Words), mailer, public_url)
}

#[cfg(test)]
mod tests {
    use super::*;
    use evse_dashboard::types::{AlertCharger, AlertEvent, AlertSite};

    #[test]
    fn a_mail_is_in_the_recipients_language_and_escapes_names() {
        let mut facts = AlertFacts::new(AlertEvent::ChargerOffline, chrono::Utc::now());
        facts.charger = Some(AlertCharger {
            id: 7,
            name: "Garage <A1>".into(),
            site: AlertSite {
                id: 1,
                name: "Roof & Co".into(),
            },
        });
        let links = MailLinks {
            look: "https://evse.example/chargers/7".into(),
            stop: "https://evse.example/alerts/unsubscribe/3/abc".into(),
            one_click: "https://evse.example/alerts/unsubscribe/3/abc/one-click".into(),
        };
        let mail = Words.mail(Language::De, &facts, &links);
        assert!(mail.subject.contains("Garage <A1>"), "{}", mail.subject);
        assert!(
            mail.text.contains("Garage <A1>")
                && mail.text.contains("https://evse.example/chargers/7")
        );
        assert!(mail.html.contains("Garage &lt;A1&gt;") && mail.html.contains("Roof &amp; Co"));
        assert!(!mail.html.contains("<A1>"));
        assert!(mail.html.contains("lang=\"de\""));
        assert!(
            mail.text
                .contains("https://evse.example/alerts/unsubscribe/3/abc")
        );
        assert_eq!(mail.one_click.as_deref(), Some(links.one_click.as_str()));
        let english = Words.mail(Language::En, &facts, &links);
        assert_ne!(english.text, mail.text, "German and English differ");
    }
}
