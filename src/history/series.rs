//! History shaped for the charts, from the 15-minute buckets: a charger's
//! currents over a day, a week or a month, and a site's sum per charger
//! with its energy per local day.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeZone, Utc};

use super::buckets;
use super::buckets::ChartBucket;
use super::energy_days::EnergyDays;
use super::rollup;
use super::zone_of;
use crate::db::Db;
use crate::types::{
    Charger, ChargerChart, ChartRange, ChartTick, CurrentPoint, SiteChart, SitePhases, SiteShare,
};

fn at_s(s: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(s, 0).unwrap_or_default()
}

fn amps(deci: Option<i64>) -> Option<f64> {
    deci.map(|d| d as f64 / 10.0)
}

/// Marks every `every_h` hours of local time (at local midnight and the
/// hours between) from `from` to `to`.
fn ticks(
    zone: chrono_tz::Tz,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    every_h: i64,
) -> Vec<ChartTick> {
    let mut out = Vec::new();
    let first = from.with_timezone(&zone).date_naive();
    let mut day = first;
    while day <= to.with_timezone(&zone).date_naive() {
        for hour in (0..24).step_by(every_h.clamp(1, 24) as usize) {
            let Some(local) = day.and_hms_opt(hour as u32, 0, 0) else {
                continue;
            };
            if let Some(at) = zone.from_local_datetime(&local).earliest() {
                let at = at.with_timezone(&Utc);
                if at >= from && at <= to {
                    out.push(ChartTick { at, local });
                }
            }
        }
        day = day + chrono::Days::new(1);
    }
    out
}

/// A charger's currents over `range` up to `now`; times marked in `zone`
/// (its site's).
pub async fn charger(
    db: &Db,
    charger: &Charger,
    (range, zone): (ChartRange, &str),
    now: DateTime<Utc>,
) -> Result<ChargerChart, sqlx::Error> {
    let to_s = now.timestamp();
    let step = range.step_s();
    let from_s = (to_s - range.span_s()).div_euclid(step) * step;
    let rows = buckets::Buckets::of(db)
        .charger_chart(charger.id, from_s, to_s + 1)
        .await?;
    let points = points_from_buckets(&rows, step);
    let every_h = match range {
        ChartRange::Day => 6,
        ChartRange::Week => 24,
        ChartRange::Month => 24 * 7,
    };
    let ticks = if range == ChartRange::Month {
        // A mark a week, at local midnight.
        ticks(zone_of(zone), at_s(from_s), now, 24)
            .into_iter()
            .step_by(7)
            .collect()
    } else {
        ticks(zone_of(zone), at_s(from_s), now, every_h)
    };
    Ok(ChargerChart {
        range,
        from: at_s(from_s),
        to: now,
        points,
        max_current: charger.max_current,
        ticks,
    })
}

/// A charger's currents from `from` to `to` (a charging session's
/// chart): 15-minute steps for up to two days, coarser for longer ones.
pub async fn charger_between(
    db: &Db,
    charger: &Charger,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    zone: &str,
) -> Result<ChargerChart, sqlx::Error> {
    let span = (to - from).num_seconds();
    let range = if span <= 2 * 24 * 3600 {
        ChartRange::Day
    } else if span <= 8 * 24 * 3600 {
        ChartRange::Week
    } else {
        ChartRange::Month
    };
    let step = range.step_s();
    let from_s = from.timestamp().div_euclid(step) * step;
    let to_s = to.timestamp();
    let rows = buckets::Buckets::of(db)
        .charger_chart(charger.id, from_s, to_s + 1)
        .await?;
    // About four marks across the chart, at most one a day.
    let every_h = (span / 3600 / 4).clamp(1, 24);
    Ok(ChargerChart {
        range,
        from: at_s(from_s),
        to,
        points: points_from_buckets(&rows, step),
        max_current: charger.max_current,
        ticks: ticks(zone_of(zone), at_s(from_s), to, every_h),
    })
}

fn points_from_buckets(rows: &[ChartBucket], step: i64) -> Vec<CurrentPoint> {
    rows.chunk_by(|a, b| a.start_s.div_euclid(step) == b.start_s.div_euclid(step))
        .map(|group| {
            let phase = |f: fn(&ChartBucket) -> Option<i64>| {
                let known: Vec<i64> = group.iter().filter_map(f).collect();
                (!known.is_empty())
                    .then(|| known.iter().sum::<i64>() as f64 / known.len() as f64 / 10.0)
            };
            let last = group.last().expect("chunks are never empty");
            CurrentPoint {
                at: at_s(group[0].start_s.div_euclid(step) * step),
                phases: [
                    phase(|b| b.avg_l1_da),
                    phase(|b| b.avg_l2_da),
                    phase(|b| b.avg_l3_da),
                ],
                target: last.target_a.and_then(|a| u32::try_from(a).ok()),
                limit: amps(last.limit_da),
                simulated: group.iter().all(|b| b.simulated != 0),
            }
        })
        .collect()
}

/// The starts (Unix seconds) of the 96 quarter hours up to and including
/// the one `now` falls in: a site's day on its charts.
fn last_day_steps(now: DateTime<Utc>) -> Vec<i64> {
    let first = rollup::bucket_start(now.timestamp_millis()) - 95 * rollup::BUCKET_S;
    (0..96).map(|i| first + i * rollup::BUCKET_S).collect()
}

/// A site's last 24 h per charger (15-minute steps) and its energy per
/// local day for 30 days.
pub async fn site(
    db: &Db,
    energy: &EnergyDays,
    site_id: i64,
    chargers: &[Charger],
    (zone, supply_limit): (&str, Option<u32>),
    now: DateTime<Utc>,
) -> Result<SiteChart, sqlx::Error> {
    let zone = zone_of(zone);
    let to_s = now.timestamp();
    let steps = last_day_steps(now);
    let first = steps[0];
    let rows = buckets::Buckets::of(db)
        .site_chart(site_id, first, to_s + 1)
        .await?;
    let mut shares = Vec::new();
    for charger in chargers {
        let mine: BTreeMap<i64, Option<f64>> = rows
            .iter()
            .filter(|b| b.charger_id == charger.id)
            .map(|b| (b.start_s, amps(b.highest_da)))
            .collect();
        shares.push(SiteShare {
            charger_id: charger.id,
            name: charger.name.clone(),
            amps: steps
                .iter()
                .map(|s| mine.get(s).copied().flatten())
                .collect(),
        });
    }
    let days = energy.last_30(db, site_id, zone, now).await?;
    Ok(SiteChart {
        simulated: days.iter().any(|d| d.simulated) || rows.iter().any(|b| b.simulated != 0),
        ticks: ticks(zone, at_s(first), now, 6),
        steps: steps.into_iter().map(at_s).collect(),
        chargers: shares,
        supply_limit,
        days,
    })
}

/// A site's last 24 h per phase with the sum of its targets (15-minute
/// steps), for the Sharing card; times marked in the site's zone.
pub async fn site_phases(
    db: &Db,
    site_id: i64,
    (zone, supply_limit): (&str, Option<u32>),
    now: DateTime<Utc>,
) -> Result<SitePhases, sqlx::Error> {
    let steps = last_day_steps(now);
    let first = steps[0];
    let rows: BTreeMap<i64, buckets::SitePhaseStep> = buckets::Buckets::of(db)
        .site_phases(site_id, first, now.timestamp() + 1)
        .await?
        .into_iter()
        .map(|r| (r.start_s, r))
        .collect();
    let step = |s: &i64| rows.get(s);
    Ok(SitePhases {
        ticks: ticks(zone_of(zone), at_s(first), now, 6),
        phases: steps
            .iter()
            .map(|s| step(s).map_or([None; 3], |r| [amps(r.l1_da), amps(r.l2_da), amps(r.l3_da)]))
            .collect(),
        allocated: steps
            .iter()
            .map(|s| step(s).and_then(|r| r.targets_a).map(|a| a as f64))
            .collect(),
        steps: steps.into_iter().map(at_s).collect(),
        supply_limit,
    })
}
