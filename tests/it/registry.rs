//! The charger registry with sealed tokens, against a real SQLite file.

use evse_dashboard::db::{Db, Pool};
use evse_dashboard::on_db;
use evse_dashboard::registry::{self, Registry, RegistryError};
use evse_dashboard::secret::EvseToken;
use evse_dashboard::types::{ChargerInput, Field};
use evse_dashboard::vault::{TokenKey, Vault, VaultError};

fn input(name: &str, evse: &str) -> ChargerInput {
    ChargerInput {
        name: name.into(),
        site: "Depot North".into(),
        edge_device_id: "edge-1".into(),
        evse_uuid: evse.into(),
        min_current: Some(6),
        max_current: Some(16),
        notes: None,
    }
}

/// High-entropy tokens that cannot appear by chance.
fn tokens(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!("tok{i}-{}", uuid::Uuid::new_v4().simple()))
        .collect()
}

async fn setup() -> (tempfile::TempDir, Db, Registry) {
    let db = crate::fixtures::database().await;
    let registry = Registry::new(db.db.clone(), Vault::new(TokenKey::generate()));
    (db.dir, db.db, registry)
}

#[tokio::test]
async fn add_list_get_and_read_the_token_back() {
    let (_dir, _pool, reg) = setup().await;
    let token = EvseToken::new("tok-one");
    let c = reg.add(&input("Bay 1", "u1"), &token).await.unwrap();
    assert_eq!(c.site_name, "Depot North");
    assert_eq!((c.min_current, c.max_current), (6, 16));
    assert!(c.token_set);
    assert_eq!(reg.token(c.id).await.unwrap().expose(), "tok-one");
    let (address, token) = reg.credentials(c.id).await.unwrap();
    assert_eq!(address.evse_uuid, "u1");
    assert_eq!(token.expose(), "tok-one");

    // The same site name in another case reuses the site.
    let mut other = input("Bay 2", "u2");
    other.site = "depot north".into();
    let c2 = reg.add(&other, &EvseToken::new("tok-two")).await.unwrap();
    assert_eq!(c2.site_id, c.site_id);
    assert_eq!(reg.list().await.unwrap().len(), 2);
}

#[tokio::test]
async fn duplicates_and_invalid_input_are_refused_with_reasons() {
    let (_dir, _pool, reg) = setup().await;
    reg.add(&input("Bay 1", "u1"), &EvseToken::new("t"))
        .await
        .unwrap();
    let err = reg
        .add(&input("Bay 1 again", "u1"), &EvseToken::new("t"))
        .await
        .unwrap_err();
    assert!(matches!(err, RegistryError::Duplicate { .. }));
    assert!(err.to_string().contains("already registered"), "{err}");
    assert!(err.to_string().contains("Bay 1"), "{err}");

    let mut bad = input("Bay 3", "u3");
    bad.min_current = Some(20);
    let err = reg.add(&bad, &EvseToken::new("t")).await.unwrap_err();
    assert!(
        matches!(err, RegistryError::Invalid(ref i) if i.field == Field::MinCurrent),
        "{err}"
    );

    let err = reg
        .add(&input("Bay 4", "u4"), &EvseToken::new("has space"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, RegistryError::Invalid(ref i) if i.field == Field::Token),
        "{err}"
    );
    assert_eq!(
        reg.list().await.unwrap().len(),
        1,
        "nothing half-registered"
    );
}

#[tokio::test]
async fn update_keeps_the_token_and_delete_frees_the_address() {
    let (_dir, _pool, reg) = setup().await;
    let c = reg
        .add(&input("Bay 1", "u1"), &EvseToken::new("keep-me"))
        .await
        .unwrap();
    let mut changed = input("Bay One", "u1");
    changed.max_current = Some(32);
    let c = reg.update(c.id, &changed).await.unwrap();
    assert_eq!((c.name.as_str(), c.max_current), ("Bay One", 32));
    assert_eq!(reg.token(c.id).await.unwrap().expose(), "keep-me");

    reg.set_token(c.id, &EvseToken::new("replaced"))
        .await
        .unwrap();
    assert_eq!(reg.token(c.id).await.unwrap().expose(), "replaced");

    reg.delete(c.id).await.unwrap();
    assert!(matches!(
        reg.get(c.id).await,
        Err(RegistryError::NotFound(_))
    ));
    assert!(matches!(
        reg.token(c.id).await,
        Err(RegistryError::NotFound(_))
    ));
    assert!(matches!(
        reg.delete(c.id).await,
        Err(RegistryError::NotFound(_))
    ));
    // The address can be registered again.
    reg.add(&input("Bay 1 new", "u1"), &EvseToken::new("t"))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_ciphertext_swapped_between_rows_does_not_decrypt() {
    let (_dir, pool, reg) = setup().await;
    let a = reg
        .add(&input("A", "ua"), &EvseToken::new("token-a"))
        .await
        .unwrap();
    let b = reg
        .add(&input("B", "ub"), &EvseToken::new("token-b"))
        .await
        .unwrap();
    // Behind the app's back: copy A's sealed token into B's row.
    on_db!(&pool, pool => sqlx::query(
        "UPDATE chargers SET (token_ciphertext, token_nonce, token_key_id) = \
         (SELECT token_ciphertext, token_nonce, token_key_id FROM chargers WHERE id = $1) WHERE id = $2",
    )
    .bind(a.id)
    .bind(b.id)
    .execute(pool)
    .await
    .unwrap()
    .rows_affected());
    let err = reg.token(b.id).await.unwrap_err();
    assert!(
        matches!(err, RegistryError::Vault(VaultError::Tampered { .. })),
        "{err}"
    );
    assert!(err.to_string().contains("altered or copied"), "{err}");
    assert_eq!(reg.token(a.id).await.unwrap().expose(), "token-a");
}

#[tokio::test]
async fn a_tampered_ciphertext_does_not_decrypt() {
    let (_dir, pool, reg) = setup().await;
    let a = reg
        .add(&input("A", "ua"), &EvseToken::new("token-a"))
        .await
        .unwrap();
    let (ciphertext,): (Vec<u8>,) = on_db!(&pool, pool => {
        sqlx::query_as("SELECT token_ciphertext FROM chargers WHERE id = $1")
            .bind(a.id)
            .fetch_one(pool)
            .await
            .unwrap()
    });
    on_db!(&pool, pool => sqlx::query("UPDATE chargers SET token_ciphertext = $1 WHERE id = $2")
        .bind(vec![0u8; ciphertext.len()])
        .bind(a.id)
        .execute(pool)
        .await
        .unwrap()
        .rows_affected());
    assert!(matches!(
        reg.token(a.id).await,
        Err(RegistryError::Vault(VaultError::Tampered { .. }))
    ));
}

#[tokio::test]
async fn a_wrong_key_gives_the_clear_error() {
    let (_dir, pool, reg) = setup().await;
    let c = reg
        .add(&input("Bay 7", "u7"), &EvseToken::new("t"))
        .await
        .unwrap();
    let other = Registry::new(pool, Vault::new(TokenKey::generate()));
    let err = other.token(c.id).await.unwrap_err();
    assert!(
        err.to_string().starts_with(&format!(
            "the token key does not match the one used to encrypt charger {}",
            c.id
        )),
        "{err}"
    );
}

#[tokio::test]
async fn rotate_key_reseals_everything_and_the_old_key_is_no_longer_needed() {
    let (_dir, pool, reg) = setup().await;
    let old = Vault::new(TokenKey::generate());
    let reg_old = Registry::new(pool.clone(), old.clone());
    let secret = tokens(3);
    let mut ids = vec![];
    for (i, t) in secret.iter().enumerate() {
        ids.push(
            reg_old
                .add(
                    &input(&format!("C{i}"), &format!("u{i}")),
                    &EvseToken::new(t.as_str()),
                )
                .await
                .unwrap()
                .id,
        );
    }
    drop(reg);
    let key_ids = registry::token_key_ids(&pool).await.unwrap();
    assert_eq!(key_ids, [old.key_id().to_owned()]);
    let new = Vault::new(TokenKey::generate());
    assert_eq!(
        evse_dashboard::key_rotation::rotate_key(&pool, &old, &new)
            .await
            .unwrap(),
        3
    );
    let key_ids = registry::token_key_ids(&pool).await.unwrap();
    assert_eq!(key_ids, [new.key_id().to_owned()]);
    let reg_new = Registry::new(pool.clone(), new.clone());
    for (id, t) in ids.iter().zip(&secret) {
        assert_eq!(reg_new.token(*id).await.unwrap().expose(), t);
        assert!(matches!(
            reg_old.token(*id).await,
            Err(RegistryError::Vault(VaultError::WrongKey { .. }))
        ));
    }
    // Rotating with the wrong "old" key changes nothing.
    let stranger = Vault::new(TokenKey::generate());
    assert!(
        evse_dashboard::key_rotation::rotate_key(
            &pool,
            &stranger,
            &TokenKey::generate().into_vault()
        )
        .await
        .is_err()
    );
    assert_eq!(reg_new.token(ids[0]).await.unwrap().expose(), secret[0]);
}

#[tokio::test]
async fn no_token_is_in_the_database_file_or_its_wal() {
    let (dir, pool, reg) = setup().await;
    let secret = tokens(5);
    for (i, t) in secret.iter().enumerate() {
        let c = reg
            .add(
                &input(&format!("C{i}"), &format!("u{i}")),
                &EvseToken::new(t.as_str()),
            )
            .await
            .unwrap();
        reg.set_token(c.id, &EvseToken::new(format!("{t}-v2")))
            .await
            .unwrap();
    }
    // PostgreSQL's files are the server's: read every row as text instead.
    if let Pool::Postgres(pool) = pool.pool() {
        let rows: Vec<String> = sqlx::query_scalar("SELECT c::text FROM chargers c")
            .fetch_all(pool)
            .await
            .unwrap();
        assert_eq!(rows.len(), 5);
        for t in &secret {
            assert!(
                !rows.concat().contains(t.as_str()),
                "a token was found in a row"
            );
        }
        return;
    }
    // Check the WAL before and after a checkpoint moves pages into the file.
    let mut checked = 0;
    for checkpoint in [false, true] {
        if checkpoint {
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(pool.as_sqlite().unwrap())
                .await
                .unwrap();
        }
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            checked += bytes.len();
            for t in &secret {
                assert!(
                    !bytes.windows(t.len()).any(|w| w == t.as_bytes()),
                    "a token was found in the raw database files"
                );
            }
        }
    }
    assert!(checked > 4096, "the files were actually read");
    assert_eq!(reg.list().await.unwrap().len(), 5);
}
