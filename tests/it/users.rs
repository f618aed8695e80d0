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

/// Whether a session made with `epoch` is still good.
async fn session_is_good(users: &Users, id: i64, epoch: i64) -> bool {
    users
        .session_user(id, Utc::now(), epoch)
        .await
        .unwrap()
        .is_some()
}

async fn epoch_of(users: &Users, id: i64) -> i64 {
    users.session_epoch(id).await.unwrap().unwrap()
}

#[tokio::test]
async fn a_role_a_password_or_disabling_ends_every_session_a_language_does_not() {
    let (_db, users) = users().await;
    let password = Password::new(PASSWORD);
    let olga = users
        .create("olga", &password, Role::Operator)
        .await
        .unwrap();
    let id = olga.id;
    let epoch = epoch_of(&users, id).await;
    assert!(session_is_good(&users, id, epoch).await);

    users.set_language(id, Some(Language::De)).await.unwrap();
    assert!(session_is_good(&users, id, epoch).await);
    let language = users.get(id).await.unwrap().unwrap().language;
    assert_eq!(language, Some(Language::De));

    users.set_role(id, Role::Viewer).await.unwrap();
    assert!(!session_is_good(&users, id, epoch).await);

    let epoch = epoch_of(&users, id).await;
    let new_password = Password::new("a completely new passphrase");
    users.set_password(id, &new_password).await.unwrap();
    assert!(!session_is_good(&users, id, epoch).await);

    let epoch = epoch_of(&users, id).await;
    users.set_disabled(id, true).await.unwrap();
    let new_epoch = epoch_of(&users, id).await;
    assert_ne!(new_epoch, epoch);
    assert!(!session_is_good(&users, id, new_epoch).await, "disabled");

    let missing = users.set_role(999, Role::Admin).await;
    assert!(matches!(missing, Err(AuthError::NotFound(_))));
    let missing = users.set_disabled(999, true).await;
    assert!(matches!(missing, Err(AuthError::NotFound(_))));
}

/// Another instance on the same database (or the CLI) changes a role: this
/// process's copy of the user is trusted for at most `USER_STALENESS`
/// (#29: the user is no longer read on every request), then the session
/// ends here too.
#[tokio::test]
async fn a_change_made_elsewhere_ends_sessions_here_within_the_bound() {
    let (db, here) = users().await;
    let elsewhere = Users::new(
        db.db.clone(),
        AuditLog::new(db.db.clone(), AuditKey::generate()),
    );
    let olga = here
        .create("olga", &Password::new(PASSWORD), Role::Operator)
        .await
        .unwrap();
    let epoch = epoch_of(&here, olga.id).await;
    assert!(
        session_is_good(&here, olga.id, epoch).await,
        "read and kept"
    );
    elsewhere.set_role(olga.id, Role::Viewer).await.unwrap();
    assert!(
        !session_is_good(&elsewhere, olga.id, epoch).await,
        "where the change was made, at once"
    );
    let started = std::time::Instant::now();
    while session_is_good(&here, olga.id, epoch).await {
        assert!(
            started.elapsed() <= evse_dashboard::auth::USER_STALENESS,
            "still good here after the bound"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
