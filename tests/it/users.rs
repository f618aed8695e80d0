//! Users on the store level, on either backend: reading, and every change
//! to who someone is or may do ending their sessions.

use chrono::Utc;
use evse_dashboard::audit::{AuditKey, AuditLog};
use evse_dashboard::auth::{AuthError, Users};
use evse_dashboard::secret::Password;
use evse_dashboard::types::{Language, Role};

use crate::fixtures::{TestDb, database};

const PASSWORD: &str = "correct horse battery staple";

async fn users() -> (TestDb, Users) {
    let db = database().await;
    let audit = AuditLog::new(db.db.clone(), AuditKey::generate());
    let users = Users::new(db.db.clone(), audit);
    (db, users)
}

#[tokio::test]
async fn users_read_back_by_id_by_name_in_any_case_and_in_order() {
    let (_db, users) = users().await;
    assert_eq!(users.count().await.unwrap(), 0);
    let zoe = users
        .create("zoe", &Password::new(PASSWORD), Role::Viewer)
        .await
        .unwrap();
    users
        .create("Anna", &Password::new(PASSWORD), Role::Admin)
        .await
        .unwrap();
    assert_eq!(users.count().await.unwrap(), 2);
    let names: Vec<String> = users
        .list()
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.username)
        .collect();
    assert_eq!(names, ["Anna", "zoe"]);
    assert_eq!(users.get(zoe.id).await.unwrap().unwrap().role, Role::Viewer);
    assert_eq!(users.by_name("ANNA").await.unwrap().role, Role::Admin);
    assert!(matches!(
        users.by_name("nobody").await,
        Err(AuthError::NotFound(_))
    ));
    let again = users
        .create("ZOE", &Password::new(PASSWORD), Role::Viewer)
        .await;
    assert!(matches!(again, Err(AuthError::Duplicate(_))), "{again:?}");
}

#[tokio::test]
async fn a_role_a_password_or_disabling_ends_every_session_a_language_does_not() {
    let (_db, users) = users().await;
    let olga = users
        .create("olga", &Password::new(PASSWORD), Role::Operator)
        .await
        .unwrap();
    let now = Utc::now();
    let mut epoch = users.session_epoch(olga.id).await.unwrap().unwrap();
    assert!(
        users
            .session_user(olga.id, now, epoch)
            .await
            .unwrap()
            .is_some()
    );

    users
        .set_language(olga.id, Some(Language::De))
        .await
        .unwrap();
    assert!(
        users
            .session_user(olga.id, now, epoch)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        users.get(olga.id).await.unwrap().unwrap().language,
        Some(Language::De)
    );

    users.set_role(olga.id, Role::Viewer).await.unwrap();
    assert!(
        users
            .session_user(olga.id, now, epoch)
            .await
            .unwrap()
            .is_none()
    );
    epoch = users.session_epoch(olga.id).await.unwrap().unwrap();

    users
        .set_password(olga.id, &Password::new("a completely new passphrase"))
        .await
        .unwrap();
    assert!(
        users
            .session_user(olga.id, now, epoch)
            .await
            .unwrap()
            .is_none()
    );
    epoch = users.session_epoch(olga.id).await.unwrap().unwrap();

    users.set_disabled(olga.id, true).await.unwrap();
    let new_epoch = users.session_epoch(olga.id).await.unwrap().unwrap();
    assert_ne!(new_epoch, epoch);
    assert!(
        users
            .session_user(olga.id, now, new_epoch)
            .await
            .unwrap()
            .is_none(),
        "disabled"
    );

    assert!(matches!(
        users.set_role(999, Role::Admin).await,
        Err(AuthError::NotFound(_))
    ));
    assert!(matches!(
        users.set_disabled(999, true).await,
        Err(AuthError::NotFound(_))
    ));
}
