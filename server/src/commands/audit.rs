use evse_dashboard::audit::chain;

use super::CommandResult;
use crate::backend;

pub async fn verify(data_dir: &std::path::Path) -> CommandResult {
    let pool = backend::open_database(data_dir).await?;
    let result = chain::verify(&pool).await?;
    match result.broken {
        None => {
            println!("audit trail intact: {} rows, chain unbroken", result.rows);
            Ok(())
        }
        Some(broken) => Err(format!(
            "audit trail broken at row {}: {} ({} rows checked)",
            broken.id, broken.reason, result.rows
        )
        .into()),
    }
}
