//! Logging in, and checking a password again: throttled (see
//! [`throttle`]), bounded in hashing, and audited. An unknown username is
//! never stored as typed (it may be a password typed into the wrong
//! field): the trail shows a keyed pseudonym, the same for the same name.

use chrono::{DateTime, Utc};

use super::throttle::{self, Admission, Refusals, Source, ThrottleScope};
use super::{AuthError, SESSION_MAX_AGE, Users, check_username, device, password};
use crate::audit::{Actor, Event, Who};
use crate::db::now_text;
use crate::net::AddressGroup;
use crate::on_db;
use crate::problem::Problem;
use crate::secret::Password;
use crate::types::User;
use crate::vocabulary::{AuditAction, Outcome};

/// One login attempt as it arrived.
pub struct LoginAttempt<'a> {
    pub username: &'a str,
    pub password: &'a Password,
    /// The client's address (behind trusted proxies: the forwarded one).
    pub ip: &'a str,
    /// The browser's device cookie, if it sent one.
    pub device: Option<&'a str>,
}

/// A successful login: the user, and the device cookie to give the
/// browser (so it keeps its own allowance if the account is attacked).
pub struct LoggedIn {
    pub user: User,
    pub device_cookie: String,
}

/// A user row as a password check needs it.
#[derive(sqlx::FromRow)]
struct Credentials {
    id: i64,
    password_hash: String,
    disabled: bool,
}

impl Users {
    async fn credentials(&self, username: &str) -> Result<Option<Credentials>, AuthError> {
        Ok(on_db!(&self.db, pool => sqlx::query_as(
            "SELECT id, password_hash, disabled FROM users WHERE lower(username) = lower($1)",
        )
        .bind(username)
        .fetch_optional(pool)
        .await?))
    }

    /// How the trail names who tried: the user, or a pseudonym.
    fn who(&self, username: &str, known: bool) -> String {
        if known {
            username.to_owned()
        } else {
            format!("unknown user {}", self.audit.key().pseudonym(username))
        }
    }

    /// Where an attempt comes from: a browser or an address this account
    /// has logged in from, or somewhere unknown.
    async fn source(
        &self,
        username: &str,
        ip: &str,
        device: Option<&str>,
    ) -> Result<Source, AuthError> {
        if let Some(id) = device.and_then(|d| device::verify(self.audit.key(), username, d)) {
            return Ok(Source::KnownDevice(id));
        }
        let group = AddressGroup::key(ip);
        Ok(
            if throttle::LoginThrottle::of(&self.db)
                .is_known_address(username, &group)
                .await?
            {
                Source::KnownAddress(group)
            } else {
                Source::Unknown(group)
            },
        )
    }

    /// Takes a hashing slot, then counts the attempt (so a busy server
    /// never charges one it did not check). Refusals while throttled are
    /// summarised in the trail, at most once a minute per throttle row.
    async fn admit(
        &self,
        username: &str,
        source: &Source,
        actor: &Actor,
    ) -> Result<password::Slot, AuthError> {
        let slot = self.hasher.slot().await?;
        for refusals in throttle::LoginThrottle::of(&self.db).forget_old().await? {
            self.report_refused(actor, &refusals).await;
        }
        let buckets = throttle::buckets(username, source);
        let (report, verdict) = match throttle::LoginThrottle::of(&self.db)
            .admit(&buckets)
            .await?
        {
            Admission::Throttled {
                retry_after,
                report,
            } => (
                report,
                Err(AuthError::Throttled {
                    seconds: retry_after,
                }),
            ),
            Admission::Granted { report } => (report, Ok(slot)),
        };
        for refusals in &report {
            self.report_refused(actor, refusals).await;
        }
        verdict
    }

    async fn report_refused(&self, actor: &Actor, refusals: &Refusals) {
        // An address row counts every name tried from there: it is about
        // the address, and names nobody.
        let subject = match refusals.scope {
            ThrottleScope::Address => refusals.source.clone(),
            ThrottleScope::Source | ThrottleScope::Account => {
                let known = matches!(self.credentials(&refusals.username).await, Ok(Some(_)));
                self.who(&refusals.username, known)
            }
        };
        let event = Event {
            outcome: Outcome::Refused,
            ..Event::of(
                AuditAction::Login,
                &Err::<(), _>(Problem::LoginsThrottled {
                    attempts: refusals.attempts,
                }),
            )
        }
        .about(subject);
        self.audit.record_or_log(actor, event).await;
    }

    /// Checks a login. Every attempt that goes ahead is audited: success
    /// as the user, failure against the name tried.
    pub async fn authenticate(
        &self,
        attempt: LoginAttempt<'_>,
        actor: Actor,
    ) -> Result<LoggedIn, AuthError> {
        let username = check_username(attempt.username)?;
        let stored = self.credentials(&username).await?;
        let who = self.who(&username, stored.is_some());
        let actor = Actor {
            who: Who::Unknown { name: who.clone() },
            ..actor
        };
        let source = self.source(&username, attempt.ip, attempt.device).await?;
        let slot = self.admit(&username, &source, &actor).await?;
        // Always verify (against a dummy when unknown): equal timing.
        let phc = stored.as_ref().map(|c| c.password_hash.clone());
        let ok = slot.verify(attempt.password, phc).await;
        match stored {
            Some(Credentials {
                id,
                disabled: false,
                ..
            }) if ok => {
                throttle::LoginThrottle::of(&self.db)
                    .succeeded(&username, &source, attempt.ip)
                    .await?;
                let now = now_text();
                on_db!(self.db.writes(), pool => sqlx::query(
                    "UPDATE users SET last_login_at = $1 WHERE id = $2",
                )
                .bind(&now)
                .bind(id)
                .execute(pool)
                .await?
                .rows_affected());
                // Only the time of the last login changed: this process's
                // copy goes, other instances' stay (and live pages too).
                self.forget(id);
                let user = self.get(id).await?.expect("the user was just read");
                let actor = Actor {
                    who: Who::User {
                        id,
                        name: username.clone(),
                    },
                    ..actor
                };
                let event = Event::of(AuditAction::Login, &Ok(()));
                self.audit.record_or_log(&actor, event).await;
                Ok(LoggedIn {
                    user,
                    device_cookie: device::mint(self.audit.key(), &username),
                })
            }
            _ => {
                let event = Event::of(AuditAction::Login, &Err::<(), _>(Problem::WrongCredentials))
                    .about(who);
                self.audit.record_or_log(&actor, event).await;
                Err(AuthError::BadCredentials)
            }
        }
    }

    /// Changes one's own password; needs the current one, which is checked
    /// under the same throttle as a login.
    pub async fn change_own_password(
        &self,
        user: &User,
        current: &Password,
        new: &Password,
        actor: &Actor,
    ) -> Result<(), AuthError> {
        let ip = actor.client_ip.as_deref().unwrap_or("unknown");
        // The session shows who this is: the check is counted in the
        // address's own row only, never against the account as a whole.
        let source = Source::KnownAddress(AddressGroup::key(ip));
        let slot = self.admit(&user.username, &source, actor).await?;
        let stored = self.credentials(&user.username).await?;
        let phc = stored.map(|c| c.password_hash);
        if !slot.verify(current, phc).await {
            return Err(AuthError::WrongCurrentPassword);
        }
        throttle::LoginThrottle::of(&self.db)
            .succeeded(&user.username, &source, ip)
            .await?;
        password::check_new(&user.username, new)?;
        let phc = slot.hash(new).await;
        drop(slot);
        self.store_password_hash(user.id, &phc).await
    }

    /// The user's session epoch: a session made with another one is over.
    pub async fn session_epoch(&self, user_id: i64) -> Result<Option<i64>, AuthError> {
        Ok(on_db!(&self.db, pool => {
            sqlx::query_scalar("SELECT session_epoch FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional(pool)
                .await?
        }))
    }

    /// The user a session belongs to, if the session is still good: the
    /// user exists, is not disabled, nothing ended their sessions since
    /// (`epoch`), and they logged in less than [`SESSION_MAX_AGE`] ago
    /// (the absolute expiry; the idle expiry is the session store's).
    /// Read from the database at most once per [`super::USER_STALENESS`].
    pub async fn session_user(
        &self,
        user_id: i64,
        logged_in_at: DateTime<Utc>,
        epoch: i64,
    ) -> Result<Option<User>, AuthError> {
        if Utc::now() - logged_in_at > SESSION_MAX_AGE {
            return Ok(None);
        }
        let current = match self.signed_in.get(&user_id) {
            Some(known) => Some(known),
            None => {
                let read = self.with_epoch(user_id).await?;
                if let Some(known) = &read {
                    self.signed_in.insert(user_id, known.clone());
                }
                read
            }
        };
        Ok(current
            .filter(|(current_epoch, user)| *current_epoch == epoch && !user.disabled)
            .map(|(_, user)| user))
    }

    /// The user and their session epoch, in one read.
    async fn with_epoch(&self, user_id: i64) -> Result<Option<(i64, User)>, AuthError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            session_epoch: i64,
            #[sqlx(flatten)]
            user: super::UserRow,
        }
        let row: Option<Row> = on_db!(&self.db, pool => sqlx::query_as(
            "SELECT session_epoch, id, username, role, disabled, created_at, last_login_at, \
             language FROM users WHERE id = $1",
        )
        .bind(user_id)
        .fetch_optional(pool)
        .await?);
        Ok(row.map(|r| (r.session_epoch, User::from(r.user))))
    }
}
