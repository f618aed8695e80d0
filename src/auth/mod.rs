//! Users, passwords and logins. Sessions and the per-request role check
//! live in the web layer; this module owns the data and the rules.

pub mod device;
mod login;
pub mod password;
pub mod throttle;

use crate::db::changes::{Change, Heard};
use crate::db::{Db, Stamp};
use crate::on_db;
use chrono::{DateTime, Utc};
use tokio::sync::broadcast;

use crate::audit::AuditLog;
use crate::problem::{Field, Invalid, Missing, Problem, Rule};
use crate::secret::Password;
use crate::types::{Language, Role, User};

pub use login::{LoggedIn, LoginAttempt};
pub use password::Hasher;

/// A session ends this long after its login, however active it is.
pub const SESSION_MAX_AGE: chrono::TimeDelta = chrono::TimeDelta::days(7);

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// Deliberately the same for unknown users, wrong passwords and
    /// disabled accounts: the answer must not reveal who exists.
    #[error("wrong username or password")]
    BadCredentials,
    #[error("too many failed logins; try again in {seconds} s")]
    Throttled { seconds: i64 },
    #[error("every password hashing slot is busy")]
    Busy,
    #[error("invalid {:?}: {:?}", .0.field, .0.rule)]
    Invalid(Invalid),
    #[error("a user named {0} already exists")]
    Duplicate(String),
    #[error("there is no user {0}")]
    NotFound(String),
    #[error("the current password is not correct")]
    WrongCurrentPassword,
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
}

impl From<password::Busy> for AuthError {
    fn from(_: password::Busy) -> Self {
        Self::Busy
    }
}

impl From<Invalid> for AuthError {
    fn from(invalid: Invalid) -> Self {
        Self::Invalid(invalid)
    }
}

impl AuthError {
    /// What the UI and the audit trail say about it.
    pub fn problem(&self) -> Problem {
        match self {
            Self::BadCredentials => Problem::WrongCredentials,
            Self::Throttled { seconds } => Problem::Throttled { seconds: *seconds },
            Self::Busy => Problem::Busy,
            Self::Invalid(invalid) => Problem::Invalid(invalid.clone()),
            Self::Duplicate(name) => Problem::DuplicateUser {
                username: name.clone(),
            },
            Self::NotFound(name) => Problem::NotFound(Missing::User(name.clone())),
            Self::WrongCurrentPassword => Problem::WrongCurrentPassword,
            Self::Db(_) => Problem::Internal,
        }
    }
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    username: String,
    role: Role,
    disabled: bool,
    created_at: Stamp,
    last_login_at: Option<Stamp>,
    language: Option<Language>,
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> Self {
        User {
            id: r.id,
            username: r.username,
            role: r.role,
            disabled: r.disabled,
            created_at: r.created_at.0,
            last_login_at: r.last_login_at.map(DateTime::<Utc>::from),
            language: r.language,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Users {
    db: Db,
    hasher: Hasher,
    audit: AuditLog,
    /// The users of live sessions with their session epoch, read once per
    /// [`USER_STALENESS`] instead of on every request (#29). A change made
    /// through this process drops its entry at once.
    signed_in: moka::sync::Cache<i64, (i64, User)>,
}

/// How long another process's change to a user (another instance on the
/// same PostgreSQL, or the CLI) may go unseen by this one: a password,
/// role or status change made there ends sessions here within this time
/// (docs/SECURITY.md, "Sessions").
pub const USER_STALENESS: std::time::Duration = std::time::Duration::from_secs(5);

/// The longest username accepted.
pub const MAX_USERNAME_CHARS: u32 = 64;

pub fn check_username(username: &str) -> Result<String, Invalid> {
    let name = username.trim();
    let rule = if name.is_empty() {
        Rule::Required
    } else if name.chars().count() > MAX_USERNAME_CHARS as usize {
        Rule::TooLong {
            max: MAX_USERNAME_CHARS,
        }
    } else if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
    {
        Rule::UsernameCharacters
    } else {
        return Ok(name.to_owned());
    };
    Err(Invalid::new(Field::Username, rule))
}

impl Users {
    /// Logins are audited in `audit`; hashing is bounded to the machine.
    pub fn new(db: Db, audit: AuditLog) -> Self {
        Self {
            db,
            hasher: Hasher::for_this_machine(),
            audit,
            signed_in: moka::sync::Cache::builder()
                .max_capacity(10_000)
                .time_to_live(USER_STALENESS)
                .build(),
        }
    }

    pub fn with_hasher(mut self, hasher: Hasher) -> Self {
        self.hasher = hasher;
        self
    }

    pub fn hasher(&self) -> &Hasher {
        &self.hasher
    }

    pub async fn count(&self) -> Result<i64, AuthError> {
        Ok(
            on_db!(&self.db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(pool)
            .await?),
        )
    }

    pub async fn list(&self) -> Result<Vec<User>, AuthError> {
        let rows = self.select(None, None).await?;
        Ok(rows.into_iter().map(User::from).collect())
    }

    pub async fn get(&self, id: i64) -> Result<Option<User>, AuthError> {
        Ok(self.select(Some(id), None).await?.pop().map(User::from))
    }

    pub async fn by_name(&self, username: &str) -> Result<User, AuthError> {
        let name = username.trim();
        let row = self.select(None, Some(name)).await?.pop();
        row.map(User::from)
            .ok_or_else(|| AuthError::NotFound(name.to_owned()))
    }

    /// Every user, or the one with `id`, or the one named `name` (in any case).
    async fn select(
        &self,
        id: Option<i64>,
        name: Option<&str>,
    ) -> Result<Vec<UserRow>, sqlx::Error> {
        Ok(on_db!(&self.db, pool => sqlx::query_as(
            "SELECT id, username, role, disabled, created_at, last_login_at, language FROM users \
             WHERE ($1 IS NULL OR id = $1) AND ($2 IS NULL OR lower(username) = lower($2)) \
             ORDER BY lower(username)",
        )
        .bind(id)
        .bind(name)
        .fetch_all(pool)
        .await?))
    }

    pub async fn create(
        &self,
        username: &str,
        password: &Password,
        role: Role,
    ) -> Result<User, AuthError> {
        let username = check_username(username)?;
        password::check_new(&username, password)?;
        let phc = self.hasher.hash(password).await?;
        let role: &str = role.into();
        let inserted = on_db!(self.db.writes(), pool => sqlx::query(
            "INSERT INTO users (username, password_hash, role) VALUES ($1, $2, $3) \
             ON CONFLICT DO NOTHING",
        )
        .bind(&username)
        .bind(&phc)
        .bind(role)
        .execute(pool)
        .await?
        .rows_affected());
        if inserted == 0 {
            return Err(AuthError::Duplicate(username));
        }
        self.by_name(&username).await
    }

    /// Ends the user's sessions (a role change takes effect at once), as
    /// every change to who someone is or may do does.
    pub async fn set_role(&self, id: i64, role: Role) -> Result<(), AuthError> {
        let role: &str = role.into();
        let changed = on_db!(self.db.writes(), pool => sqlx::query(
            "UPDATE users SET role = $1, session_epoch = session_epoch + 1 WHERE id = $2",
        )
        .bind(role)
        .bind(id)
        .execute(pool)
        .await?
        .rows_affected());
        self.changed(id);
        found(changed, id)
    }

    /// Keeps the user's language (none: follow the browser).
    pub async fn set_language(&self, id: i64, language: Option<Language>) -> Result<(), AuthError> {
        let language = language.map(Language::as_str);
        on_db!(self.db.writes(), pool => sqlx::query("UPDATE users SET language = $1 WHERE id = $2")
            .bind(language)
            .bind(id)
            .execute(pool)
            .await?
            .rows_affected());
        self.changed(id);
        Ok(())
    }

    /// Ends the user's sessions.
    pub async fn set_disabled(&self, id: i64, disabled: bool) -> Result<(), AuthError> {
        let changed = on_db!(self.db.writes(), pool => sqlx::query(
            "UPDATE users SET disabled = $1, session_epoch = session_epoch + 1 WHERE id = $2",
        )
        .bind(disabled)
        .bind(id)
        .execute(pool)
        .await?
        .rows_affected());
        self.changed(id);
        found(changed, id)
    }

    /// Ends the user's sessions.
    pub async fn set_password(&self, id: i64, password: &Password) -> Result<(), AuthError> {
        let user = self
            .get(id)
            .await?
            .ok_or_else(|| AuthError::NotFound(format!("#{id}")))?;
        password::check_new(&user.username, password)?;
        let phc = self.hasher.hash(password).await?;
        self.store_password_hash(id, &phc).await
    }

    /// Ends the user's sessions.
    async fn store_password_hash(&self, id: i64, phc: &str) -> Result<(), AuthError> {
        let changed = on_db!(self.db.writes(), pool => sqlx::query(
            "UPDATE users SET password_hash = $1, session_epoch = session_epoch + 1 WHERE id = $2",
        )
        .bind(phc)
        .bind(id)
        .execute(pool)
        .await?
        .rows_affected());
        self.changed(id);
        found(changed, id)
    }

    /// Forgets what this process knows of user `id` after a change.
    /// Other instances forget it too, at once (#41).
    pub(super) fn changed(&self, id: i64) {
        self.forget(id);
        self.db.changes().publish(Change::User { id });
    }

    /// Forgets this process's copy of user `id` only.
    pub(super) fn forget(&self, id: i64) {
        self.signed_in.invalidate(&id);
    }

    /// A session of user `id` ended here (a logout): every instance reads
    /// its sessions again.
    pub fn session_ended(&self, user_id: i64) {
        self.db.changes().publish(Change::SessionEnded { user_id });
    }

    /// Follows every change this instance hears, until the process stops
    /// (the server spawns it): a role, password or status change, or a
    /// logout, made on another instance ends sessions here at once;
    /// [`USER_STALENESS`] is the bound only while changes cannot be heard.
    pub async fn follow(self, mut changes: broadcast::Receiver<Heard>) {
        loop {
            match changes.recv().await {
                Ok(heard) => self.hear(&heard.change),
                Err(broadcast::error::RecvError::Lagged(_)) => self.hear(&Change::Resync),
                Err(broadcast::error::RecvError::Closed) => return,
            }
        }
    }

    /// Follows one change: what is cached of its user is dropped (of
    /// everyone, when changes may have been missed).
    fn hear(&self, change: &Change) {
        match change {
            Change::User { id } | Change::SessionEnded { user_id: id } => {
                self.signed_in.invalidate(id);
            }
            Change::Resync => self.signed_in.invalidate_all(),
            _ => {}
        }
    }
}

/// `changed` rows were updated for user `id`: none means no such user.
fn found(changed: u64, id: i64) -> Result<(), AuthError> {
    if changed == 0 {
        return Err(AuthError::NotFound(format!("#{id}")));
    }
    Ok(())
}
