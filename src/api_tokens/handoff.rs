//! A new token's way to the admin page that made it (a plain form post is
//! answered by a redirect, so the page after it has to fetch the token):
//! sealed under the token key and bound to the admin, kept in the database
//! so any instance can serve that page, deleted by the first read, useless
//! after ten minutes. The redirect carries only the handoff's random id.

use chrono::{TimeDelta, Utc};

use super::ApiTokens;
use crate::on_db;
use crate::secret::ApiSecret;
use crate::vault::SealedToken;

/// How long a handoff waits for its page.
const TTL: TimeDelta = TimeDelta::minutes(10);

fn binding(user_id: i64) -> String {
    format!("api-token-handoff/user/{user_id}")
}

impl ApiTokens {
    /// Keeps `secret` for `user_id`'s next page; returns the id its
    /// redirect carries.
    pub async fn hand_over(&self, user_id: i64, secret: &ApiSecret) -> Result<String, sqlx::Error> {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let sealed = self.vault.seal_bound(&binding(user_id), secret.expose());
        let now = Utc::now();
        on_db!(self.db.writes(), pool => sqlx::query("DELETE FROM api_token_handoffs WHERE expires_ms < $1")
            .bind(now.timestamp_millis())
            .execute(pool)
            .await?
            .rows_affected());
        on_db!(self.db.writes(), pool => sqlx::query(
            "INSERT INTO api_token_handoffs (id, user_id, sealed, nonce, key_id, expires_ms) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(user_id)
        .bind(&sealed.ciphertext)
        .bind(&sealed.nonce)
        .bind(&sealed.key_id)
        .bind((now + TTL).timestamp_millis())
        .execute(pool)
        .await?
        .rows_affected());
        Ok(id)
    }

    /// The token handed over to `user_id` under `id`, once: the read
    /// deletes it. `None` when already taken, expired, or someone else's.
    pub async fn take_over(
        &self,
        user_id: i64,
        id: &str,
    ) -> Result<Option<ApiSecret>, sqlx::Error> {
        let row: Option<(Vec<u8>, Vec<u8>, String)> = on_db!(self.db.writes(), pool => sqlx::query_as(
            "DELETE FROM api_token_handoffs WHERE id = $1 AND user_id = $2 AND expires_ms >= $3 \
             RETURNING sealed, nonce, key_id",
        )
        .bind(id)
        .bind(user_id)
        .bind(Utc::now().timestamp_millis())
        .fetch_optional(pool)
        .await?);
        Ok(row.and_then(|(ciphertext, nonce, key_id)| {
            let sealed = SealedToken {
                ciphertext,
                nonce,
                key_id,
            };
            let opened = self.vault.open_bound(&binding(user_id), &sealed)?;
            Some(ApiSecret::new(opened.as_str()))
        }))
    }
}
