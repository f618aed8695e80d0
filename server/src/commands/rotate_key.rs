//! `rotate-key`: the new key is written before the database changes, and
//! put in place only after the transaction committed, so a crash at any
//! point leaves a key that opens the stored tokens. It refuses to run
//! while a server holds the data directory, or while a staged key from an
//! interrupted rotation exists (it may be the only key that works).

use evse_dashboard::audit::{AuditLog, Event};
use evse_dashboard::key_rotation;
use evse_dashboard::types::AuditAction;
use evse_dashboard::vault::{KeySource, TokenKey, Vault};

use super::{CommandResult, cli_actor};
use crate::cli::RotateKeyArgs;
use crate::data_dir::{self, DataDirLock, STAGED_KEY_FILE};

pub async fn run(args: RotateKeyArgs) -> CommandResult {
    let data_dir = &args.data.data_dir;
    let _lock = DataDirLock::acquire(data_dir)?;
    let db = data_dir::open_database(&args.data).await?;
    let (old, source) = data_dir::open_vault(data_dir, &db).await?;
    let audit = AuditLog::new(db.clone(), data_dir::open_audit_key(data_dir, &db).await?);

    let key_file = match (&source, &args.new_key_file) {
        (_, Some(path)) => path.clone(),
        (KeySource::File(path) | KeySource::CreatedFile(path), None) => path.clone(),
        (KeySource::Environment, None) => {
            return Err(format!(
                "the current key comes from {}; say where the new key goes with --new-key-file FILE",
                data_dir::TOKEN_KEY_ENV
            )
            .into());
        }
    };
    let staged = key_file.with_file_name(STAGED_KEY_FILE);
    if staged.exists() {
        return Err(format!(
            "{staged} exists: an earlier rotation may have committed with it, and then it is the \
             only key that opens the tokens. Start the server: if it reports a key mismatch naming \
             {staged}, move it over {key}; if it starts, that rotation never committed and you may \
             delete {staged}. Nothing was changed.",
            staged = staged.display(),
            key = key_file.display()
        )
        .into());
    }
    let new_key = TokenKey::generate();
    let new_id = new_key.id().to_owned();
    new_key.write_to(&staged)?;

    let count = key_rotation::rotate_key(&db, &old, &Vault::new(new_key)).await?;
    std::fs::rename(&staged, &key_file)?;
    let event = Event::of(AuditAction::KeyRotated, &Ok(())).about(format!(
        "token key {} → {new_id}, {count} tokens",
        old.key_id()
    ));
    audit.record_or_log(&cli_actor(), event).await;
    println!(
        "re-encrypted {count} evsetokens under key {new_id}; the key is in {}",
        key_file.display()
    );
    if source == KeySource::Environment {
        println!(
            "set {} to the new key (or unset it to use the file) before the next start",
            data_dir::TOKEN_KEY_ENV
        );
    }
    println!("the old key ({}) is no longer needed", old.key_id());
    Ok(())
}
