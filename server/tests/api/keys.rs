//! The keys that protect the tokens and the trail: rotation refuses to run
//! under a server or over a staged key, a wrong key stops the start with a
//! sentence naming the right file, and a lost key file is never replaced
//! while data depends on it.

use evse_dashboard::secret::EvseToken;
use evse_dashboard::types::ChargerInput;
use evse_dashboard::vault::{TokenKey, Vault};
use server::Application;
use server::cli::{DataArgs, RotateKeyArgs};
use server::commands::rotate_key;

use crate::helpers::test_config;

fn bay() -> ChargerInput {
    ChargerInput {
        name: "Bay".into(),
        site: "Depot".into(),
        edge_device_id: "edge".into(),
        evse_uuid: "evse".into(),
        ..Default::default()
    }
}

/// A data directory with one registered charger (and so a sealed token
/// and keyed audit rows), no server running.
async fn data_dir_with_a_charger() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let app = Application::build(test_config(dir.path())).await.unwrap();
    app.services()
        .registry
        .add(&bay(), &EvseToken::new("tok-keys-1"))
        .await
        .unwrap();
    app.services()
        .audit
        .record(
            &evse_dashboard::audit::Actor::of(evse_dashboard::audit::Who::Unknown {
                name: String::new(),
            }),
            evse_dashboard::audit::Event::of(evse_dashboard::types::AuditAction::Login, &Ok(())),
        )
        .await
        .unwrap();
    app.services().audit.db().as_sqlite().unwrap().close().await;
    drop(app);
    dir
}

fn rotate_args(dir: &std::path::Path) -> RotateKeyArgs {
    RotateKeyArgs {
        data: DataArgs::new(dir.to_owned()),
        new_key_file: None,
    }
}

#[tokio::test]
async fn rotation_refuses_while_a_server_holds_the_data_directory() {
    let dir = data_dir_with_a_charger().await;
    let running = Application::build(test_config(dir.path())).await.unwrap();
    let err = rotate_key::run(rotate_args(dir.path())).await.unwrap_err();
    assert!(
        err.to_string().contains("holds the data directory"),
        "{err}"
    );
    drop(running);
    rotate_key::run(rotate_args(dir.path())).await.unwrap();
    Application::build(test_config(dir.path()))
        .await
        .expect("the rotated key opens the tokens");
}

#[tokio::test]
async fn rotation_never_deletes_a_staged_key() {
    let dir = data_dir_with_a_charger().await;
    let staged = dir.path().join("token.key.new");
    std::fs::write(&staged, "the only key that works, perhaps\n").unwrap();
    let before = std::fs::read(dir.path().join("token.key")).unwrap();
    let err = rotate_key::run(rotate_args(dir.path())).await.unwrap_err();
    assert!(err.to_string().contains("token.key.new exists"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&staged).unwrap(),
        "the only key that works, perhaps\n"
    );
    assert_eq!(std::fs::read(dir.path().join("token.key")).unwrap(), before);
}

/// A rotation that committed and then died before renaming its key: the
/// start names the file that holds the right key.
#[tokio::test]
async fn a_start_with_the_wrong_key_names_the_staged_one() {
    let dir = data_dir_with_a_charger().await;
    let db =
        evse_dashboard::db::Db::connect(&evse_dashboard::db::Location::DataDir(dir.path().into()))
            .await
            .unwrap();
    let old_text = std::fs::read_to_string(dir.path().join("token.key")).unwrap();
    let old = Vault::new(TokenKey::from_base64(&old_text).unwrap());
    let new_key = TokenKey::generate();
    new_key.write_to(&dir.path().join("token.key.new")).unwrap();
    evse_dashboard::key_rotation::rotate_key(&db, &old, &Vault::new(new_key))
        .await
        .unwrap();
    db.as_sqlite().unwrap().close().await;

    let err = Application::build(test_config(dir.path()))
        .await
        .err()
        .expect("must refuse");
    let text = err.to_string();
    assert!(
        text.contains("is not the one the stored evsetokens were sealed with"),
        "{text}"
    );
    assert!(
        text.contains("token.key.new") && text.contains("mv "),
        "{text}"
    );
}

#[tokio::test]
async fn a_lost_key_file_is_not_replaced_while_data_needs_it() {
    for file in ["token.key", "audit.key"] {
        let dir = data_dir_with_a_charger().await;
        std::fs::remove_file(dir.path().join(file)).unwrap();
        let err = Application::build(test_config(dir.path()))
            .await
            .err()
            .expect("must refuse");
        assert!(err.to_string().contains("is missing"), "{file}: {err}");
        assert!(
            !dir.path().join(file).exists(),
            "{file} was silently regenerated"
        );
    }
}
