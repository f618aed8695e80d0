//! Alert mails through a real SMTP server (#31): PyPI's `aiosmtpd`, which
//! `.ci/test` installs in `target/test-venv`, writing what it receives to
//! a Maildir. A mail goes out once, in the subscription's language, as
//! plain text and HTML; a server that is down or missing is a delivery
//! error that says so, retried like a webhook's.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::Utc;
use evse_dashboard::alerts::Alerts;
use evse_dashboard::alerts::dispatch::Dispatcher;
use evse_dashboard::alerts::mail::{MailSettings, Mailer};
use evse_dashboard::types::{AuditAction, DeliveryStatus, Language, Outcome};
use evse_dashboard::vault::{TokenKey, Vault};

use crate::alert_delivery::Plain;
use crate::alerts::{alerts_of, bay, email, offline};
use crate::fixtures::{World, actor};

/// A Python with `aiosmtpd`: `EVSE_TEST_SMTP_PYTHON`, or the one `.ci/test`
/// installs.
fn python() -> PathBuf {
    if let Ok(path) = std::env::var("EVSE_TEST_SMTP_PYTHON") {
        return path.into();
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-venv/bin/python");
    assert!(
        venv.exists(),
        "the mail tests need PyPI's aiosmtpd: run .ci/test once (it makes target/test-venv), \
         or set EVSE_TEST_SMTP_PYTHON to a python that has it"
    );
    venv
}

/// A local SMTP sink; stopped when dropped.
pub(crate) struct Sink {
    _child: tokio::process::Child,
    maildir: tempfile::TempDir,
    port: u16,
}

impl Sink {
    pub(crate) async fn start() -> Sink {
        let port = free_port();
        let maildir = tempfile::tempdir().unwrap();
        let child = tokio::process::Command::new(python())
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir.path().join("box"))
            .kill_on_drop(true)
            .spawn()
            .expect("aiosmtpd starts");
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return Sink {
                    _child: child,
                    maildir,
                    port,
                };
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("aiosmtpd did not listen on {port} within 10 s");
    }

    pub(crate) fn mailer(&self) -> Mailer {
        Mailer::new(&settings(self.port)).unwrap()
    }

    /// The mails received so far, as raw text.
    pub(crate) async fn mails(&self, at_least: usize) -> Vec<String> {
        let new = self.maildir.path().join("box/new");
        for _ in 0..100 {
            let mut found = Vec::new();
            if let Ok(entries) = std::fs::read_dir(&new) {
                for entry in entries.flatten() {
                    found.push(std::fs::read_to_string(entry.path()).unwrap());
                }
            }
            if found.len() >= at_least {
                return found;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("fewer than {at_least} mails arrived within 10 s");
    }
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

fn settings(port: u16) -> MailSettings {
    MailSettings {
        url: format!("smtp://127.0.0.1:{port}"),
        from: Some("EVSE dashboard <alerts@example.com>".into()),
        username: None,
        password: None,
    }
}

async fn with_address(language: Language) -> (World, Alerts) {
    let world = World::new(vec![], Duration::from_millis(400)).await;
    let alerts = alerts_of(&world, &Vault::new(TokenKey::generate()));
    let mut new = email("ops@example.com", "");
    new.language = Some(language);
    alerts
        .subscriptions
        .add_email(&actor("olga"), &new)
        .await
        .unwrap();
    (world, alerts)
}

pub(crate) fn dispatcher(alerts: &Alerts, mailer: Option<Mailer>) -> Dispatcher {
    Dispatcher::new(
        alerts.clone(),
        std::sync::Arc::new(Plain),
        mailer,
        "https://dash.example.com",
    )
    .unwrap()
}

#[tokio::test]
async fn an_alert_mail_arrives_once_as_text_and_html_in_the_recipients_language() {
    let sink = Sink::start().await;
    let (_world, alerts) = with_address(Language::De).await;
    let dispatcher = dispatcher(&alerts, Some(sink.mailer()));
    let now = Utc::now();
    alerts.raise(offline(bay(7, 2)), now).await.unwrap();
    assert_eq!(dispatcher.round(now).await.unwrap(), 1);
    assert_eq!(dispatcher.round(now).await.unwrap(), 0, "sent once");
    let mails = sink.mails(1).await;
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert!(mail.contains("To: ops@example.com"), "{mail}");
    assert!(
        mail.contains("From: \"EVSE dashboard\" <alerts@example.com>")
            || mail.contains("From: EVSE dashboard <alerts@example.com>"),
        "{mail}"
    );
    assert!(mail.contains("Subject: [de] charger_offline"), "{mail}");
    assert!(mail.contains("multipart/alternative"), "{mail}");
    assert!(
        mail.contains("text/plain") && mail.contains("text/html"),
        "{mail}"
    );
    assert!(
        mail.contains("https://dash.example.com/chargers/7"),
        "the link: {mail}"
    );
    let log = alerts.recent(5).await.unwrap();
    assert_eq!(log[0].status, DeliveryStatus::Delivered);
}

#[tokio::test]
async fn a_mail_server_that_is_down_or_missing_is_an_error_that_says_so() {
    let (_world, alerts) = with_address(Language::En).await;
    let now = Utc::now();
    alerts.raise(offline(bay(1, 1)), now).await.unwrap();
    // Nothing listens on the port.
    let down = Mailer::new(&settings(free_port())).unwrap();
    assert_eq!(dispatcher(&alerts, Some(down)).round(now).await.unwrap(), 1);
    let log = alerts.recent(5).await.unwrap();
    assert_eq!(log[0].status, DeliveryStatus::Pending, "retried later");
    assert_eq!(
        log[0].last_error.as_deref(),
        Some("could not connect to the mail server")
    );
    // No --smtp-url at all: the operator is told what to set.
    let later = now + chrono::TimeDelta::seconds(6);
    assert_eq!(dispatcher(&alerts, None).round(later).await.unwrap(), 1);
    let log = alerts.recent(5).await.unwrap();
    assert_eq!(log[0].attempts, 2);
    assert!(
        log[0].last_error.as_deref().unwrap().contains("--smtp-url"),
        "{:?}",
        log[0].last_error
    );
}

#[tokio::test]
async fn a_test_mail_arrives_and_is_audited() {
    let sink = Sink::start().await;
    let (world, alerts) = with_address(Language::Fr).await;
    let id = alerts.subscriptions.list().await.unwrap()[0].id;
    let tested = dispatcher(&alerts, Some(sink.mailer()))
        .test(&actor("olga"), id)
        .await
        .unwrap();
    assert_eq!(tested.result, Ok(()));
    let mails = sink.mails(1).await;
    assert!(mails[0].contains("Subject: [fr] test"), "{}", mails[0]);
    let (rows, _) = evse_dashboard::audit::query::page_rows(world.db(), &Default::default(), None)
        .await
        .unwrap();
    let row = rows
        .iter()
        .find(|r| r.id == tested.audit_id.unwrap())
        .unwrap();
    assert_eq!(row.action, AuditAction::AlertTestSent);
    assert_eq!(row.outcome, Outcome::Ok);
    assert_eq!(row.subject.as_deref(), Some("ops@example.com"));
}
