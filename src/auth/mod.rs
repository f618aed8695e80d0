//! Users, passwords and logins. Sessions and the per-request role check
//! live in the web layer; this module owns the data and the rules.

mod lockout;
pub mod password;

use chrono::{DateTime, Utc};
use sqlx::SqlitePool;

use crate::problem::{Field, Invalid, Missing, Problem, Rule};
use crate::secret::Password;
use crate::types::{Role, User};

pub use lockout::{LOCKOUT_WINDOW_MINUTES, MAX_FAILURES};

/// A session ends this long after its login, however active it is.
pub const SESSION_MAX_AGE: chrono::TimeDelta = chrono::TimeDelta::days(7);

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// Deliberately the same for unknown users, wrong passwords and
    /// disabled accounts: the answer must not reveal who exists.
    #[error("wrong username or password")]
    BadCredentials,
    #[error("too many failed logins; try again in {minutes} minutes")]
    LockedOut { minutes: i64 },
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
            Self::LockedOut { minutes } => Problem::LockedOut { minutes: *minutes },
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
    created_at: DateTime<Utc>,
    last_login_at: Option<DateTime<Utc>>,
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> Self {
        User {
            id: r.id,
            username: r.username,
            role: r.role,
            disabled: r.disabled,
            created_at: r.created_at,
            last_login_at: r.last_login_at,
        }
    }
}

const USER_COLUMNS: &str = "id, username, role, disabled, created_at, last_login_at";

#[derive(Clone, Debug)]
pub struct Users {
    pool: SqlitePool,
}

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
    pub fn new(pool: SqlitePool) -> Self {
        Self { pool }
    }

    pub async fn count(&self) -> Result<i64, AuthError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&self.pool)
            .await?)
    }

    pub async fn list(&self) -> Result<Vec<User>, AuthError> {
        let rows: Vec<UserRow> = sqlx::query_as(&format!(
            "SELECT {USER_COLUMNS} FROM users ORDER BY username COLLATE NOCASE"
        ))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(User::from).collect())
    }

    pub async fn get(&self, id: i64) -> Result<Option<User>, AuthError> {
        let row: Option<UserRow> =
            sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?"))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(User::from))
    }

    pub async fn by_name(&self, username: &str) -> Result<User, AuthError> {
        let row: Option<UserRow> = sqlx::query_as(&format!(
            "SELECT {USER_COLUMNS} FROM users WHERE username = ?"
        ))
        .bind(username.trim())
        .fetch_optional(&self.pool)
        .await?;
        row.map(User::from)
            .ok_or_else(|| AuthError::NotFound(username.trim().to_owned()))
    }

    pub async fn create(
        &self,
        username: &str,
        password: &Password,
        role: Role,
    ) -> Result<User, AuthError> {
        let username = check_username(username)?;
        password::check_new(&username, password)?;
        let phc = password::hash(password).await;
        let inserted = sqlx::query(
            "INSERT INTO users (username, password_hash, role) VALUES (?, ?, ?) \
             ON CONFLICT (username) DO NOTHING",
        )
        .bind(&username)
        .bind(&phc)
        .bind(role)
        .execute(&self.pool)
        .await?
        .rows_affected();
        if inserted == 0 {
            return Err(AuthError::Duplicate(username));
        }
        self.by_name(&username).await
    }

    pub async fn set_role(&self, id: i64, role: Role) -> Result<(), AuthError> {
        self.update(id, "role = ?", role).await
    }

    pub async fn set_disabled(&self, id: i64, disabled: bool) -> Result<(), AuthError> {
        self.update(id, "disabled = ?", i64::from(disabled)).await
    }

    pub async fn set_password(&self, id: i64, password: &Password) -> Result<(), AuthError> {
        let user = self
            .get(id)
            .await?
            .ok_or_else(|| AuthError::NotFound(format!("#{id}")))?;
        password::check_new(&user.username, password)?;
        let phc = password::hash(password).await;
        self.update(id, "password_hash = ?", phc).await
    }

    /// Changes one's own password; needs the current one.
    pub async fn change_own_password(
        &self,
        id: i64,
        current: &Password,
        new: &Password,
    ) -> Result<(), AuthError> {
        let stored: Option<String> =
            sqlx::query_scalar("SELECT password_hash FROM users WHERE id = ?")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        if stored.is_none() || !password::verify(current, stored).await {
            return Err(AuthError::WrongCurrentPassword);
        }
        self.set_password(id, new).await
    }

    async fn update<T>(&self, id: i64, set: &str, value: T) -> Result<(), AuthError>
    where
        T: for<'q> sqlx::Encode<'q, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite> + Send,
    {
        let changed = sqlx::query(&format!("UPDATE users SET {set} WHERE id = ?"))
            .bind(value)
            .bind(id)
            .execute(&self.pool)
            .await?
            .rows_affected();
        if changed == 0 {
            return Err(AuthError::NotFound(format!("#{id}")));
        }
        Ok(())
    }

    /// The user a session belongs to, if the session is still good: the
    /// user exists, is not disabled, and logged in less than
    /// [`SESSION_MAX_AGE`] ago (the absolute expiry; the idle expiry is the
    /// session store's).
    pub async fn session_user(
        &self,
        user_id: i64,
        logged_in_at: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<User>, AuthError> {
        if chrono::Utc::now() - logged_in_at > SESSION_MAX_AGE {
            return Ok(None);
        }
        Ok(self.get(user_id).await?.filter(|u| !u.disabled))
    }

    /// Checks a login. Refuses while the username or the address is locked
    /// out; records failures; on success clears the username's failures
    /// and stamps the last login.
    pub async fn authenticate(
        &self,
        username: &str,
        password: &Password,
        ip: &str,
    ) -> Result<User, AuthError> {
        let username = username.trim();
        if let Some(minutes) = lockout::minutes_left(&self.pool, username, ip).await? {
            return Err(AuthError::LockedOut { minutes });
        }
        let stored: Option<(i64, String, bool)> =
            sqlx::query_as("SELECT id, password_hash, disabled FROM users WHERE username = ?")
                .bind(username)
                .fetch_optional(&self.pool)
                .await?;
        let (id, disabled, phc) = match stored {
            Some((id, phc, disabled)) => (Some(id), disabled, Some(phc)),
            None => (None, false, None),
        };
        // Always verify (against a dummy when unknown): equal timing.
        let ok = password::verify(password, phc).await;
        match id {
            Some(id) if ok && !disabled => {
                lockout::clear(&self.pool, username).await?;
                sqlx::query(
                    "UPDATE users SET last_login_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?",
                )
                .bind(id)
                .execute(&self.pool)
                .await?;
                Ok(self.get(id).await?.expect("the user was just read"))
            }
            _ => {
                lockout::record_failure(&self.pool, username, ip).await?;
                Err(AuthError::BadCredentials)
            }
        }
    }
}
