//! Logins on the store level, on either backend: each throttle scope, the
//! sources an account has logged in from, and the summaries of refusals.

use evse_dashboard::audit::{Actor, AuditKey, AuditLog, Who};
use evse_dashboard::auth::{AuthError, LoggedIn, LoginAttempt, Users};
use evse_dashboard::secret::Password;
use evse_dashboard::types::Role;

use crate::fixtures::{TestDb, database};

const PASSWORD: &str = "correct horse battery staple";

struct Logins {
    _db: TestDb,
    users: Users,
}

async fn logins() -> Logins {
    let db = database().await;
    let audit = AuditLog::new(db.db.clone(), AuditKey::generate());
    let users = Users::new(db.db.clone(), audit);
    users
        .create("olga", &Password::new(PASSWORD), Role::Operator)
        .await
        .unwrap();
    Logins { _db: db, users }
}

fn from(ip: &str) -> Actor {
    Actor {
        who: Who::Unknown {
            name: String::new(),
        },
        request_id: None,
        client_ip: Some(ip.into()),
    }
}

impl Logins {
    async fn try_login(
        &self,
        username: &str,
        password: &str,
        ip: &str,
        device: Option<&str>,
    ) -> Result<LoggedIn, AuthError> {
        let password = Password::new(password);
        let attempt = LoginAttempt {
            username,
            password: &password,
            ip,
            device,
        };
        self.users.authenticate(attempt, from(ip)).await
    }
}

fn throttled<T>(result: &Result<T, AuthError>) -> bool {
    matches!(result, Err(AuthError::Throttled { .. }))
}

#[tokio::test]
async fn one_source_gets_five_guesses_and_a_success_clears_only_its_own_row() {
    let l = logins().await;
    for _ in 0..5 {
        let r = l.try_login("olga", "wrong", "2001:db8::1", None).await;
        assert!(matches!(r, Err(AuthError::BadCredentials)));
    }
    // Another address in the same /64 is the same source.
    assert!(throttled(
        &l.try_login("olga", PASSWORD, "2001:db8::ffff", None).await
    ));
    // A new source still gets in, and becomes known.
    let ok = l.try_login("olga", PASSWORD, "198.51.100.1", None).await;
    assert!(ok.is_ok());
}

#[tokio::test]
async fn known_addresses_and_devices_keep_their_allowance_while_the_account_waits() {
    let l = logins().await;
    let phone = l
        .try_login("olga", PASSWORD, "192.0.2.1", None)
        .await
        .unwrap();
    l.try_login("olga", PASSWORD, "192.0.2.2", None)
        .await
        .unwrap();
    for i in 0..10 {
        let r = l
            .try_login("olga", "wrong", &format!("198.51.100.{i}"), None)
            .await;
        assert!(matches!(r, Err(AuthError::BadCredentials)), "guess {i}");
    }
    assert!(throttled(
        &l.try_login("olga", PASSWORD, "203.0.113.9", None).await
    ));
    assert!(
        l.try_login("olga", PASSWORD, "192.0.2.2", None)
            .await
            .is_ok()
    );
    let cookie = Some(phone.device_cookie.as_str());
    assert!(
        l.try_login("olga", PASSWORD, "203.0.113.10", cookie)
            .await
            .is_ok()
    );
    // A forged or foreign cookie is no device at all.
    assert!(throttled(
        &l.try_login("olga", PASSWORD, "203.0.113.11", Some("x.y"))
            .await
    ));
}

#[tokio::test]
async fn spraying_names_from_one_address_is_throttled_after_twenty() {
    let l = logins().await;
    // Olga logged in from the office before the spraying began there.
    l.try_login("olga", PASSWORD, "198.51.100.7", None)
        .await
        .unwrap();
    for i in 0..20 {
        let r = l
            .try_login(&format!("guess{i}"), "wrong", "198.51.100.7", None)
            .await;
        assert!(matches!(r, Err(AuthError::BadCredentials)), "guess {i}");
    }
    assert!(throttled(
        &l.try_login("guess99", "wrong", "198.51.100.7", None).await
    ));
    // For Olga that address is known: she keeps her own allowance there.
    assert!(
        l.try_login("olga", PASSWORD, "198.51.100.7", None)
            .await
            .is_ok()
    );
}
