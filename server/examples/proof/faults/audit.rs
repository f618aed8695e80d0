//! The audit side of `faults`: every set the operators sent is in the
//! trail, row for row, with the outcome they were told, and that outcome
//! is the one the charger's fault implies.

use std::collections::HashMap;

use crate::Verdict;
use crate::auditdb::AuditDb;

use super::SetRecord;
use super::kinds::Fault;

/// Checks every set against its audit row: there, a `set_target` on that
/// charger with the outcome the client was told, and that outcome the one
/// the charger's fault implies; and no set without a row or row without
/// a set.
pub async fn check_audit(
    data: &std::path::Path,
    ids: &[i64],
    sets: &[SetRecord],
    verdict: &mut Verdict,
) -> Result<(), String> {
    let mut db = AuditDb::open(data).await?;
    let rows = db.rows_from(0).await?;
    let pending = db.count_outcome("pending").await?;
    db.close().await;
    let mut by_outcome: HashMap<String, usize> = HashMap::new();
    let (mut matched, mut wrong) = (0, Vec::new());
    for set in sets {
        let label = format!("set on charger {} ({:?})", ids[set.charger], set.fault);
        match &set.result {
            Err(e) => wrong.push(format!("{label}: no outcome: {e}")),
            Ok(o) => {
                *by_outcome
                    .entry(format!("{} ({:?})", o.outcome, set.fault))
                    .or_default() += 1;
                if !Fault::expects(set.fault, o) {
                    wrong.push(format!("{label}: told {} {:?}", o.outcome, o.problem));
                }
                match rows.get(&o.audit_id) {
                    Some(row)
                        if row.action == "set_target"
                            && row.charger_id == Some(ids[set.charger])
                            && row.outcome == o.outcome.to_string() =>
                    {
                        matched += 1
                    }
                    Some(row) => wrong.push(format!("{label}: row {} says {row:?}", o.audit_id)),
                    None => wrong.push(format!("{label}: no audit row {}", o.audit_id)),
                }
            }
        }
    }
    let audited = rows
        .values()
        .filter(|r| r.action == "set_target" && r.actor.starts_with("fop"))
        .count();
    let mut summary: Vec<_> = by_outcome.into_iter().collect();
    summary.sort();
    println!(
        "\nsets: {} sent, {audited} set_target rows in the trail, {matched} matched row for row (action, charger, outcome)",
        sets.len()
    );
    for (outcome, n) in summary {
        println!("  {n:>5} × {outcome}");
    }
    let upstream: Vec<String> = {
        let mut s: Vec<String> = rows
            .values()
            .filter(|r| r.outcome == "error")
            .map(|r| {
                r.upstream_status
                    .map_or("none (timeout)".into(), |s| s.to_string())
            })
            .collect();
        s.sort();
        s.dedup();
        s
    };
    println!(
        "  upstream statuses recorded on error rows: {}",
        upstream.join(", ")
    );
    verdict.check(
        audited == sets.len(),
        format!(
            "{} sets sent but {audited} set_target rows audited",
            sets.len()
        ),
    );
    verdict.check(pending == 0, format!("{pending} rows still pending"));
    for w in wrong.iter().take(10) {
        verdict.check(false, w.clone());
    }
    verdict.check(
        wrong.len() <= 10,
        format!("… {} wrong sets in all", wrong.len()),
    );
    Ok(())
}
