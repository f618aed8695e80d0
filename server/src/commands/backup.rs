//! `backup PATH`: a copy of the database and the key files, taken while the
//! server runs, that is itself a data directory. Restoring is starting the
//! dashboard with `--data-dir PATH` (or moving PATH into place).

use std::path::Path;

use evse_dashboard::audit::key::KEY_FILE as AUDIT_KEY_FILE;
use evse_dashboard::audit::verify::Anchor;
use evse_dashboard::db::{DATABASE_FILE, backup};
use evse_dashboard::vault::KEY_FILE as TOKEN_KEY_FILE;

use super::open_backend;
use crate::cli::{BackupArgs, DataArgs};
use crate::data_dir::open_database;

/// The file beside the copy that records where its chain ends, for
/// `audit verify --anchor` after a restore.
pub const HEAD_FILE: &str = "audit-head.txt";

/// What a backup holds.
#[derive(Debug)]
pub struct Backup {
    pub rows: u64,
    pub head: Option<Anchor>,
}

pub async fn run(args: BackupArgs) -> Result<Backup, Box<dyn std::error::Error>> {
    let target = &args.target;
    if target.exists() && std::fs::read_dir(target)?.next().is_some() {
        return Err(format!(
            "{} is not empty: a backup goes into a new directory, it never overwrites one",
            target.display()
        )
        .into());
    }
    let db = open_database(&args.data).await?;
    private_dir(target)?;
    backup::sqlite_into(&db, &target.join(DATABASE_FILE)).await?;
    db.close().await;
    let keys = copy_keys(&args.data.data_dir, target)?;

    // Prove the copy before anyone relies on it: its chain must verify with
    // the keys that went with it.
    let (audit, _) = open_backend(&DataArgs::new(target.clone())).await?;
    let verified = audit.verify(None).await?;
    audit.db().close().await;
    if let Some(broken) = verified.broken {
        return Err(format!(
            "the copy in {} does not verify ({}); the original may be damaged: run `audit verify`",
            target.display(),
            broken.reason
        )
        .into());
    }
    if let Some(head) = &verified.head {
        std::fs::write(target.join(HEAD_FILE), format!("{head}\n"))?;
    }
    println!(
        "backup in {}: {} audit rows, chain verified, head {}",
        target.display(),
        verified.rows,
        verified
            .head
            .as_ref()
            .map_or_else(|| "(empty)".to_owned(), ToString::to_string)
    );
    match keys.as_slice() {
        [] => println!(
            "no key file was copied: the keys come from the environment; keep them with the backup"
        ),
        names => println!(
            "it holds the key files ({}): keep it as safe as the data directory",
            names.join(", ")
        ),
    }
    Ok(Backup {
        rows: verified.rows,
        head: verified.head,
    })
}

fn private_dir(path: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(path)
}

/// Copies the key files the data directory has (keys from the environment
/// have none); owner-only, as the originals. Returns the names copied.
/// Also what a second instance of one installation needs.
pub fn copy_keys(from: &Path, to: &Path) -> std::io::Result<Vec<&'static str>> {
    let mut copied = Vec::new();
    for name in [TOKEN_KEY_FILE, AUDIT_KEY_FILE] {
        let source = from.join(name);
        if !source.exists() {
            continue;
        }
        std::fs::copy(&source, to.join(name))?;
        #[cfg(unix)]
        std::fs::set_permissions(
            to.join(name),
            std::os::unix::fs::PermissionsExt::from_mode(0o600),
        )?;
        copied.push(name);
    }
    Ok(copied)
}
