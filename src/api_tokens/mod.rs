//! API tokens for `/api/v1` (#30): made, listed and revoked by admins (the
//! admin page and `evse-dashboard token`), each change audited in the
//! transaction that makes it. A token is 32 random bytes shown once; the
//! database keeps only its SHA-256, so neither a backup nor a stolen
//! database file lets anyone call the API.

mod check;
mod handoff;
pub mod idempotency;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::audit::{Actor, AuditLog, Event};
use crate::db::{Db, Stamp, stamp};
use crate::problem::{Field, Invalid, Missing, Problem, Rule};
use crate::secret::ApiSecret;
use crate::types::{ApiToken, MAX_TOKEN_DAYS, Role};
use crate::vault::Vault;
use crate::vocabulary::AuditAction;
use crate::{on_db, on_tx};

pub use check::{Presented, check_name};

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("invalid {:?}: {:?}", .0.field, .0.rule)]
    Invalid(Invalid),
    #[error("a token named {0} exists or existed")]
    Duplicate(String),
    #[error("there is no active token named {0}")]
    NotFound(String),
    /// More changes in a minute than a person makes.
    #[error("refused: {0:?}")]
    TooFast(Problem),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
}

impl From<Invalid> for TokenError {
    fn from(invalid: Invalid) -> Self {
        Self::Invalid(invalid)
    }
}

impl TokenError {
    pub fn problem(&self) -> Problem {
        match self {
            Self::Invalid(invalid) => Problem::Invalid(invalid.clone()),
            Self::Duplicate(name) => Problem::DuplicateToken { name: name.clone() },
            Self::NotFound(name) => Problem::NotFound(Missing::ApiToken(name.clone())),
            Self::TooFast(problem) => problem.clone(),
            Self::Db(_) => Problem::Internal,
        }
    }
}

/// A token just made: its record, and the token itself, which exists
/// nowhere else once this value is dropped.
#[derive(Debug)]
pub struct NewToken {
    pub token: ApiToken,
    pub secret: ApiSecret,
}

#[derive(sqlx::FromRow)]
struct TokenRow {
    id: i64,
    name: String,
    role: Role,
    created_at: Stamp,
    created_by: String,
    expires_at: Option<Stamp>,
    last_used_at: Option<Stamp>,
    revoked_at: Option<Stamp>,
}

impl From<TokenRow> for ApiToken {
    fn from(r: TokenRow) -> Self {
        let at = |s: Option<Stamp>| s.map(|s| s.0);
        ApiToken {
            id: r.id,
            name: r.name,
            role: r.role,
            created_at: r.created_at.0,
            created_by: r.created_by,
            expires_at: at(r.expires_at),
            last_used_at: at(r.last_used_at),
            revoked_at: at(r.revoked_at),
        }
    }
}

/// The columns every read of a token takes (never the hash).
const COLUMNS: &str =
    "id, name, role, created_at, created_by, expires_at, last_used_at, revoked_at";

#[derive(Clone, Debug)]
pub struct ApiTokens {
    db: Db,
    audit: AuditLog,
    /// Seals a new token on its way to the admin page (`handoff`).
    vault: Vault,
}

impl ApiTokens {
    /// The keys that make a retried `/api/v1` write safe.
    pub fn idempotency_keys(&self) -> idempotency::IdempotencyKeys {
        idempotency::IdempotencyKeys::new(self.db.clone())
    }

    pub fn new(audit: AuditLog, vault: Vault) -> Self {
        Self {
            db: audit.db().clone(),
            audit,
            vault,
        }
    }

    /// Makes a token; `name` is trimmed and lower-cased. Audited either
    /// way (a refusal on its own, a success in the insert's transaction).
    pub async fn create(
        &self,
        actor: &Actor,
        name: &str,
        role: Role,
        expires_in_days: Option<i64>,
    ) -> Result<NewToken, TokenError> {
        let shown = name.trim().to_lowercase();
        let result = match self.audit.admit(actor, AuditAction::ApiTokenCreated) {
            Ok(()) => self.insert(actor, &shown, role, expires_in_days).await,
            Err(too_fast) => Err(TokenError::TooFast(too_fast)),
        };
        if let Err(e) = &result {
            self.refusal(actor, AuditAction::ApiTokenCreated, &shown, e)
                .await;
        }
        result
    }

    async fn insert(
        &self,
        actor: &Actor,
        name: &str,
        role: Role,
        expires_in_days: Option<i64>,
    ) -> Result<NewToken, TokenError> {
        let name = check_name(name)?;
        let now = Utc::now();
        let expires_at = lifetime(expires_in_days)?.map(|days| now + days);
        let secret = check::generate();
        let mut tx = self.db.begin_serialised().await?;
        let role_text: &str = role.into();
        let row: Option<TokenRow> = on_tx!(&mut tx, conn => sqlx::query_as(&format!(
            "INSERT INTO api_tokens (name, role, token_hash, created_at, created_by, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (name) DO NOTHING RETURNING {COLUMNS}"
        ))
        .bind(&name)
        .bind(role_text)
        .bind(digest(secret.expose()))
        .bind(stamp(now))
        .bind(actor.who.stored_name())
        .bind(expires_at.map(stamp))
        .fetch_optional(&mut *conn)
        .await?);
        let token = ApiToken::from(row.ok_or_else(|| TokenError::Duplicate(name.clone()))?);
        let event = Event::of(AuditAction::ApiTokenCreated, &Ok(())).about(&name);
        self.audit.record_in(&mut tx, actor, event).await?;
        tx.commit().await?;
        self.audit.committed(Vec::new());
        Ok(NewToken { token, secret })
    }

    /// Every token, active or not, newest first.
    pub async fn list(&self) -> Result<Vec<ApiToken>, TokenError> {
        let rows: Vec<TokenRow> = on_db!(&self.db, pool => sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM api_tokens ORDER BY id DESC"
        ))
        .fetch_all(pool)
        .await?);
        Ok(rows.into_iter().map(ApiToken::from).collect())
    }

    /// Ends a token: its next request is refused. The row stays (the name
    /// is never given again, and the list shows when it was revoked).
    pub async fn revoke(&self, actor: &Actor, name: &str) -> Result<ApiToken, TokenError> {
        let name = name.trim().to_lowercase();
        if let Err(too_fast) = self.audit.admit(actor, AuditAction::ApiTokenRevoked) {
            let error = TokenError::TooFast(too_fast);
            self.refusal(actor, AuditAction::ApiTokenRevoked, &name, &error)
                .await;
            return Err(error);
        }
        let mut tx = self.db.begin_serialised().await?;
        let row: Option<TokenRow> = on_tx!(&mut tx, conn => sqlx::query_as(&format!(
            "UPDATE api_tokens SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL \
             RETURNING {COLUMNS}"
        ))
        .bind(stamp(Utc::now()))
        .bind(&name)
        .fetch_optional(&mut *conn)
        .await?);
        let Some(row) = row else {
            drop(tx);
            let error = TokenError::NotFound(name.clone());
            self.refusal(actor, AuditAction::ApiTokenRevoked, &name, &error)
                .await;
            return Err(error);
        };
        let event = Event::of(AuditAction::ApiTokenRevoked, &Ok(())).about(&name);
        self.audit.record_in(&mut tx, actor, event).await?;
        tx.commit().await?;
        self.audit.committed(Vec::new());
        Ok(row.into())
    }

    /// Audits a creation refused before it reached [`ApiTokens::create`]
    /// (a lifetime that is not a number), like any other refusal.
    pub async fn refuse_creation(&self, actor: &Actor, name: &str, invalid: Invalid) -> TokenError {
        let error = TokenError::Invalid(invalid);
        let shown = name.trim().to_lowercase();
        self.refusal(actor, AuditAction::ApiTokenCreated, &shown, &error)
            .await;
        error
    }

    async fn refusal(&self, actor: &Actor, action: AuditAction, name: &str, e: &TokenError) {
        if let TokenError::Db(db) = e {
            tracing::error!(error = %db, %action, "an API token change failed");
        }
        let event = Event::of(action, &Err::<(), _>(e.problem())).about(name);
        self.audit.record_or_log(actor, event).await;
    }
}

/// The SHA-256 of a token, hex: what the database keeps and looks up.
/// Plain SHA-256 is enough: the token is 256 random bits, so there is
/// nothing to guess that a slow hash would protect.
fn digest(token: &str) -> String {
    crate::audit::key::hex(Sha256::digest(token.as_bytes()))
}

/// `--expires-in-days`: none, or 1 to [`MAX_TOKEN_DAYS`].
fn lifetime(days: Option<i64>) -> Result<Option<chrono::TimeDelta>, Invalid> {
    let Some(days) = days else { return Ok(None) };
    if !(1..=i64::from(MAX_TOKEN_DAYS)).contains(&days) {
        return Err(Invalid::new(
            Field::TokenLifetime,
            Rule::OutOfRange {
                got: days,
                min: 1,
                max: MAX_TOKEN_DAYS.into(),
            },
        ));
    }
    Ok(Some(chrono::TimeDelta::days(days)))
}

/// When a token was last used, kept to the minute: a busy integration
/// costs one write a minute, not one per call.
const LAST_USED_GRAIN: chrono::TimeDelta = chrono::TimeDelta::minutes(1);

fn stale(last_used: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    last_used.is_none_or(|at| now - at >= LAST_USED_GRAIN)
}
