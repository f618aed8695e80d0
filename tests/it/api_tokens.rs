//! API tokens and idempotency keys on the store level, on either backend:
//! a token is found by its hash until revoked or expired, its use is
//! noted; a key is claimed once, its answer replayed, a different request
//! refused, an expired key freed.

use chrono::{TimeDelta, Utc};
use evse_dashboard::api_tokens::idempotency::{self, Answer, Claim};
use evse_dashboard::api_tokens::{ApiTokens, Presented, TokenError};
use evse_dashboard::audit::{AuditKey, AuditLog};
use evse_dashboard::types::Role;
use evse_dashboard::vault::{TokenKey, Vault};

use crate::fixtures::{TestDb, actor, database};

async fn tokens() -> (TestDb, ApiTokens) {
    let db = database().await;
    let audit = AuditLog::new(db.db.clone(), AuditKey::generate());
    (db, ApiTokens::new(audit, Vault::new(TokenKey::generate())))
}

#[tokio::test]
async fn a_token_is_good_until_revoked_or_expired() {
    let (_db, tokens) = tokens().await;
    let olga = actor("olga");
    let made = tokens
        .create(&olga, " BMS ", Role::Operator, Some(30))
        .await
        .unwrap();
    assert_eq!(
        (made.token.name.as_str(), made.token.role),
        ("bms", Role::Operator)
    );
    assert_eq!(made.token.created_by, "olga");
    let now = Utc::now();
    let Presented::Good(good) = tokens.check(made.secret.expose(), now).await.unwrap() else {
        panic!("a fresh token is good");
    };
    assert_eq!(good.id, made.token.id);
    assert!(
        tokens.list().await.unwrap()[0].last_used_at.is_some(),
        "its use is noted"
    );
    let later = now + TimeDelta::days(31);
    assert!(matches!(
        tokens.check(made.secret.expose(), later).await.unwrap(),
        Presented::Expired(_)
    ));
    assert_eq!(
        tokens.check("evse_wrong", now).await.unwrap(),
        Presented::Unknown
    );
    assert!(matches!(
        tokens.create(&olga, "bms", Role::Viewer, None).await,
        Err(TokenError::Duplicate(_))
    ));
    assert!(matches!(
        tokens.create(&olga, "x y", Role::Viewer, None).await,
        Err(TokenError::Invalid(_))
    ));
    let revoked = tokens.revoke(&olga, "BMS").await.unwrap();
    assert!(revoked.revoked_at.is_some());
    assert!(matches!(
        tokens.check(made.secret.expose(), now).await.unwrap(),
        Presented::Revoked(_)
    ));
    assert!(matches!(
        tokens.revoke(&olga, "bms").await,
        Err(TokenError::NotFound(_))
    ));
}

#[tokio::test]
async fn a_key_is_claimed_once_and_its_answer_replayed_for_a_day() {
    let (_db, tokens) = tokens().await;
    let made = tokens
        .create(&actor("olga"), "bms", Role::Operator, None)
        .await
        .unwrap();
    let id = made.token.id;
    let keys = tokens.idempotency_keys();
    let print = idempotency::fingerprint("POST", "/api/v1/chargers/1/target", b"{}");
    let now = Utc::now();
    assert_eq!(
        keys.claim(id, "k", &print, now).await.unwrap(),
        Claim::Fresh
    );
    assert_eq!(
        keys.claim(id, "k", &print, now).await.unwrap(),
        Claim::Running
    );
    let late = now + TimeDelta::minutes(5);
    assert_eq!(
        keys.claim(id, "k", &print, late).await.unwrap(),
        Claim::Unfinished
    );
    let answer = Answer {
        status: 201,
        body: r#"{"outcome":"received"}"#.into(),
    };
    keys.finish(id, "k", &answer).await.unwrap();
    assert_eq!(
        keys.claim(id, "k", &print, now).await.unwrap(),
        Claim::Replay(answer)
    );
    let other = idempotency::fingerprint("POST", "/api/v1/chargers/2/target", b"{}");
    assert_eq!(
        keys.claim(id, "k", &other, now).await.unwrap(),
        Claim::Mismatch
    );
    // A claim given up (nothing was done) frees the key at once.
    assert_eq!(
        keys.claim(id, "r", &print, now).await.unwrap(),
        Claim::Fresh
    );
    keys.release(id, "r").await.unwrap();
    assert_eq!(
        keys.claim(id, "r", &print, now).await.unwrap(),
        Claim::Fresh
    );
    let tomorrow = now + idempotency::KEEP + TimeDelta::seconds(1);
    assert_eq!(
        keys.claim(id, "k", &other, tomorrow).await.unwrap(),
        Claim::Fresh,
        "a key is forgotten after a day"
    );
}

#[tokio::test]
async fn a_new_token_reaches_the_admin_page_once_and_only_its_maker() {
    let (_db, tokens) = tokens().await;
    let made = tokens
        .create(&actor("olga"), "bms", Role::Viewer, None)
        .await
        .unwrap();
    let handoff = tokens.hand_over(1, &made.secret).await.unwrap();
    assert_eq!(
        tokens
            .take_over(2, &handoff)
            .await
            .unwrap()
            .map(|s| s.expose().to_owned()),
        None
    );
    let taken = tokens.take_over(1, &handoff).await.unwrap();
    assert_eq!(
        taken.as_ref().map(|s| s.expose()),
        Some(made.secret.expose())
    );
    assert!(
        tokens.take_over(1, &handoff).await.unwrap().is_none(),
        "taken once"
    );
}
