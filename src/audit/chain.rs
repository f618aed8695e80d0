//! Tamper evidence for the audit trail. Each row's `hash` is an
//! HMAC-SHA256, under the audit key (kept outside the database), of the
//! previous row's hash and the row's content as inserted; completing a
//! pending row adds `outcome_hash` over the row's hash and the completion.
//! Editing, deleting or reordering a row behind the application's back
//! breaks the chain at that row, which [`verify`] reports; cutting rows off
//! the end is caught by checking against a saved [`Anchor`].
//!
//! Keyed hashes carry the prefix `h2:`. Rows written before the chain was
//! keyed hold plain SHA-256 (no prefix); they still verify, are counted as
//! legacy, and may only come before the first keyed row.

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::key::{AuditKey, hex};
use super::row::AuditRow;

/// What the first row's `prev_hash` is compared against.
pub const GENESIS: &str = "evse-dashboard audit chain v1";
/// Marks a keyed (HMAC) hash.
pub const KEYED: &str = "h2:";

/// One stored value, as the hash and the INSERT take it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Cell<'a> {
    Text(Option<&'a str>),
    Int(Option<i64>),
}

impl Cell<'_> {
    fn is_null(&self) -> bool {
        matches!(self, Self::Text(None) | Self::Int(None))
    }
}

/// The columns fixed at insert, in hashing order: the chain hashes these
/// values and `AuditLog::append` inserts exactly these columns, so the
/// two cannot drift apart. The order is part of the hash format: append
/// a new column at the end, never in between. Columns after the first
/// [`ALWAYS_HASHED`] were added later and enter the hash only when set,
/// so rows written before they existed verify unchanged.
pub fn inserted(row: &AuditRow) -> [(&'static str, Cell<'_>); 20] {
    use Cell::{Int, Text};
    [
        ("at", Text(Some(&row.at))),
        ("actor_id", Int(row.actor_id)),
        ("actor", Text(Some(&row.actor))),
        ("action", Text(Some(row.action.into()))),
        ("charger_id", Int(row.charger_id)),
        ("charger_name", Text(row.charger_name.as_deref())),
        ("subject", Text(row.subject.as_deref())),
        ("requested_current", Int(row.requested_current)),
        ("requested_duration", Int(row.requested_duration)),
        ("outcome", Text(Some(row.outcome.into()))),
        ("upstream_status", Int(row.upstream_status)),
        ("upstream_answer", Text(row.upstream_answer.as_deref())),
        ("previous_settings", Text(row.previous_settings.as_deref())),
        ("error", Text(row.error.as_deref())),
        ("request_id", Text(row.request_id.as_deref())),
        ("client_ip", Text(row.client_ip.as_deref())),
        ("completed_at", Text(row.completed_at.as_deref())),
        ("batch_id", Text(row.batch_id.as_deref())),
        // Added with the verdicts (#28).
        ("refers_to", Int(row.refers_to)),
        ("verdict", Text(row.verdict.map(<&str>::from))),
    ]
}

/// `id` and every column fixed at insert (the chain's own list): what the
/// page and the CSV read, without the hashes (a third of a row's bytes).
pub fn listed_columns() -> &'static str {
    static COLUMNS: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    COLUMNS.get_or_init(|| {
        let row = AuditRow::default();
        let names = inserted(&row).map(|(name, _)| name);
        format!("id, {}", names.join(", "))
    })
}

/// How many of [`inserted`]'s columns every row's hash covers.
pub const ALWAYS_HASHED: usize = 18;

/// The columns a completion sets, in hashing order (see [`inserted`]).
pub fn completed(row: &AuditRow) -> [(&'static str, Cell<'_>); 6] {
    use Cell::{Int, Text};
    [
        ("outcome", Text(Some(row.outcome.into()))),
        ("upstream_status", Int(row.upstream_status)),
        ("upstream_answer", Text(row.upstream_answer.as_deref())),
        ("previous_settings", Text(row.previous_settings.as_deref())),
        ("error", Text(row.error.as_deref())),
        ("completed_at", Text(row.completed_at.as_deref())),
    ]
}

/// Canonical JSON (a fixed-order array of the values) keeps the hash
/// independent of how any one tool prints a row.
fn canonical(cells: &[(&'static str, Cell<'_>)]) -> String {
    let values: Vec<Cell<'_>> = cells.iter().map(|(_, value)| *value).collect();
    serde_json::to_string(&values).expect("cells always serialise")
}

fn canonical_row(row: &AuditRow) -> String {
    let cells = inserted(row);
    let set = cells[ALWAYS_HASHED..]
        .iter()
        .rposition(|(_, cell)| !cell.is_null())
        .map_or(ALWAYS_HASHED, |last| ALWAYS_HASHED + last + 1);
    canonical(&cells[..set])
}

fn canonical_completion(row: &AuditRow) -> String {
    canonical(&completed(row))
}

/// The keyed hash of a row appended after `prev_hash`.
pub fn row_hash(key: &AuditKey, prev_hash: &str, row: &AuditRow) -> String {
    let mac = key.mac(&[prev_hash.as_bytes(), &[0], canonical_row(row).as_bytes()]);
    format!("{KEYED}{mac}")
}

/// The keyed hash of a pending row's completion (the completion's columns
/// of `done`).
pub fn outcome_hash(key: &AuditKey, row_hash: &str, done: &AuditRow) -> String {
    let mac = key.mac(&[
        row_hash.as_bytes(),
        &[1],
        canonical_completion(done).as_bytes(),
    ]);
    format!("{KEYED}{mac}")
}

/// Plain SHA-256, as rows were hashed before the chain was keyed.
fn legacy_hash(tag: u8, prev: &str, canonical: &str) -> String {
    hex(Sha256::new()
        .chain_update(prev.as_bytes())
        .chain_update([tag])
        .chain_update(canonical.as_bytes())
        .finalize())
}

/// What a stored row's hash should be, in the scheme that stored hash uses.
pub(super) fn expected_row_hash(
    key: &AuditKey,
    stored: &str,
    prev: &str,
    row: &AuditRow,
) -> String {
    if stored.starts_with(KEYED) {
        row_hash(key, prev, row)
    } else {
        legacy_hash(0, prev, &canonical_row(row))
    }
}

pub(super) fn expected_outcome_hash(
    key: &AuditKey,
    stored: &str,
    row_hash: &str,
    done: &AuditRow,
) -> String {
    if stored.starts_with(KEYED) {
        outcome_hash(key, row_hash, done)
    } else {
        legacy_hash(1, row_hash, &canonical_completion(done))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Verdict;

    #[test]
    fn columns_added_later_enter_the_hash_only_when_set() {
        let old = AuditRow {
            at: "2026-11-24T10:00:00.000Z".into(),
            actor: "olga".into(),
            hash: String::new(),
            ..AuditRow::default()
        };
        let cells: Vec<_> = inserted(&old).iter().map(|(_, c)| *c).collect();
        let as_before: String = serde_json::to_string(&cells[..ALWAYS_HASHED]).unwrap();
        assert_eq!(
            canonical_row(&old),
            as_before,
            "a row without them hashes as it did"
        );
        let verdict = AuditRow {
            refers_to: Some(7),
            verdict: Some(Verdict::NotFollowed),
            ..old.clone()
        };
        assert!(canonical_row(&verdict).ends_with(r#",7,"not_followed"]"#));
        let key = AuditKey::generate();
        assert_ne!(row_hash(&key, "p", &old), row_hash(&key, "p", &verdict));
    }
}
