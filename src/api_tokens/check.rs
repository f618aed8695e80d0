//! Making a token, and telling whether a presented one is good: the
//! per-request check of `/api/v1`. No cache: a revoked or expired token
//! is refused on its very next request, on every instance.

use chrono::{DateTime, Utc};

use super::{ApiTokens, COLUMNS, TokenRow, digest, stale};
use crate::db::stamp;
use crate::on_db;
use crate::problem::{Field, Invalid, Rule};
use crate::secret::ApiSecret;
use crate::types::{ApiToken, MAX_TOKEN_NAME_CHARS, TokenState};

/// What every token starts with: tells a leaked one apart in a log or a
/// secret scanner, and tells the server it is meant as one of ours.
const PREFIX: &str = "evse_";

/// A new token: 32 bytes from the operating system's generator.
pub(super) fn generate() -> ApiSecret {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    use base64::Engine;
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let text = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    bytes.fill(0);
    ApiSecret::new(format!("{PREFIX}{text}"))
}

/// A token name: 1 to 40 of `a-z 0-9 . _ -` (it becomes part of the
/// audit actor `token:NAME`, so nothing that could read as another
/// actor).
pub fn check_name(name: &str) -> Result<String, Invalid> {
    let name = name.trim().to_lowercase();
    let rule = if name.is_empty() {
        Rule::Required
    } else if name.chars().count() > MAX_TOKEN_NAME_CHARS as usize {
        Rule::TooLong {
            max: MAX_TOKEN_NAME_CHARS,
        }
    } else if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
    {
        Rule::TokenNameCharacters
    } else {
        return Ok(name);
    };
    Err(Invalid::new(Field::TokenName, rule))
}

/// What a presented token turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Presented {
    Good(ApiToken),
    Expired(ApiToken),
    Revoked(ApiToken),
    /// No token of ours has this value.
    Unknown,
}

impl ApiTokens {
    /// Looks a presented token up by its hash and says whether it is
    /// good now; notes its use (at most once a minute).
    pub async fn check(
        &self,
        presented: &str,
        now: DateTime<Utc>,
    ) -> Result<Presented, sqlx::Error> {
        if !presented.starts_with(PREFIX) || presented.len() > 128 {
            return Ok(Presented::Unknown);
        }
        let row: Option<TokenRow> = on_db!(&self.db, pool => sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM api_tokens WHERE token_hash = $1"
        ))
        .bind(digest(presented))
        .fetch_optional(pool)
        .await?);
        let Some(token) = row.map(ApiToken::from) else {
            return Ok(Presented::Unknown);
        };
        Ok(match token.state(now) {
            TokenState::Revoked => Presented::Revoked(token),
            TokenState::Expired => Presented::Expired(token),
            TokenState::Active => {
                if stale(token.last_used_at, now) {
                    self.note_use(token.id, now).await;
                }
                Presented::Good(token)
            }
        })
    }

    /// A failure to note the use only leaves "last used" older: logged.
    async fn note_use(&self, id: i64, now: DateTime<Utc>) {
        let result = on_db!(self.db.writes(), pool => sqlx::query(
            "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2",
        )
        .bind(stamp(now))
        .bind(id)
        .execute(pool)
        .await
        .map(|_| ()));
        if let Err(e) = result {
            tracing::warn!(error = %e, token = id, "could not note the token's use");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_marked() {
        let (a, b) = (generate(), generate());
        assert!(a.expose().starts_with(PREFIX));
        assert_eq!(a.expose().len(), PREFIX.len() + 43, "32 bytes of base64url");
        assert_ne!(a.expose(), b.expose());
        assert!(!format!("{a:?}").contains(&a.expose()[PREFIX.len()..]));
    }

    #[test]
    fn names_are_lower_case_words_that_cannot_pose_as_another_actor() {
        assert_eq!(check_name("  BMS-Main "), Ok("bms-main".to_owned()));
        for bad in [
            "",
            "a b",
            "schedule:7",
            "x".repeat(41).as_str(),
            "olga@site",
        ] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
    }
}
