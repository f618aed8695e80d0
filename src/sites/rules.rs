//! A site's rules on what may be typed: its supply limit, and whether
//! that limit covers what a shared site's chargers hold with no car.

use crate::on_db;
use crate::problem::{Field, Invalid, Rule};

/// The largest supply limit that can be typed, ampere.
const SUPPLY_LIMIT_MAX: i64 = 100_000;

/// Whether `limit` covers what every charger of a shared site holds with
/// no car (the minimum, or 0 where its range allows 0): the sharing
/// settings and this page's supply limit both ask (#40).
pub async fn reserves_cover(
    db: &crate::db::Db,
    site_id: i64,
    limit: u32,
    minimum: u32,
) -> Result<Result<(), Invalid>, sqlx::Error> {
    let ranges: Vec<(i64, i64)> = on_db!(db, pool => sqlx::query_as(
        "SELECT min_current, max_current FROM chargers \
         WHERE site_id = $1 AND deleted_at IS NULL",
    )
    .bind(site_id)
    .fetch_all(pool)
    .await?);
    let reserves: u32 = ranges
        .iter()
        .filter(|(min, _)| *min > 0)
        .map(|&(min, max)| minimum.max(min as u32).min(max as u32))
        .sum();
    Ok(if reserves > limit {
        Err(Invalid::new(
            Field::SupplyLimit,
            Rule::BelowReserves { limit, reserves },
        ))
    } else {
        Ok(())
    })
}

pub fn supply(text: &str) -> Result<Option<i64>, Invalid> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let amps: i64 = text
        .parse()
        .map_err(|_| Invalid::new(Field::SupplyLimit, Rule::not_a_whole_number(text)))?;
    if !(1..=SUPPLY_LIMIT_MAX).contains(&amps) {
        return Err(Invalid::new(
            Field::SupplyLimit,
            Rule::OutOfRange {
                got: amps,
                min: 1,
                max: SUPPLY_LIMIT_MAX,
            },
        ));
    }
    Ok(Some(amps))
}
