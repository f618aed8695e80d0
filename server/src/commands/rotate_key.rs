//! `rotate-key`: the new key is written before the database changes, and
//! put in place only after the transaction committed, so a crash at any
//! point leaves a key that opens the stored tokens.

use evse_dashboard::registry;
use evse_dashboard::vault::{self, KeySource, TokenKey, Vault};

use super::CommandResult;
use crate::backend;
use crate::cli::RotateKeyArgs;

pub async fn run(args: RotateKeyArgs) -> CommandResult {
    let pool = backend::open_database(&args.data.data_dir).await?;
    let (old, source) = backend::open_vault(&args.data.data_dir)?;
    let new_key = TokenKey::generate();
    let new_id = new_key.id().to_owned();

    let key_file = match (&source, &args.new_key_file) {
        (_, Some(path)) => path.clone(),
        (KeySource::File(path) | KeySource::CreatedFile(path), None) => path.clone(),
        (KeySource::Environment, None) => {
            return Err(format!(
                "the current key comes from {}; say where the new key goes with --new-key-file FILE",
                backend::TOKEN_KEY_ENV
            )
            .into());
        }
    };
    let staged = key_file.with_extension("key.new");
    // A leftover from an interrupted rotation was never committed: replace it.
    let _ = std::fs::remove_file(&staged);
    vault::write_key_file(&new_key, &staged)?;

    let count = registry::rotate_key(&pool, &old, &Vault::new(new_key)).await?;
    std::fs::rename(&staged, &key_file)?;
    println!(
        "re-encrypted {count} evsetokens under key {new_id}; the key is in {}",
        key_file.display()
    );
    if source == KeySource::Environment {
        println!(
            "set {} to the new key (or unset it to use the file) before the next start",
            backend::TOKEN_KEY_ENV
        );
    }
    println!("the old key ({}) is no longer needed", old.key_id());
    Ok(())
}
