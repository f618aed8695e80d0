//! Reading saved schedules and the sites they plan for.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};

use super::days::Days;
use super::occurrence::Weekly;
use crate::db::{Db, Stamp, Tx};
use crate::problem::Problem;
use crate::types::{Schedule, ScheduleScope};
use crate::{on_db, on_tx};

/// Which saved schedules to read.
#[derive(Debug, Clone, Copy)]
pub enum Which {
    All,
    /// A charger's own schedules and its site's.
    ForCharger(i64),
    /// A site's own schedules and its chargers'.
    ForSite(i64),
    One(i64),
}

impl Which {
    /// The three optional ids [`SELECT_SCHEDULES`] filters on.
    fn ids(self) -> (Option<i64>, Option<i64>, Option<i64>) {
        match self {
            Which::All => (None, None, None),
            Which::One(id) => (Some(id), None, None),
            Which::ForCharger(id) => (None, Some(id), None),
            Which::ForSite(id) => (None, None, Some(id)),
        }
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct Row {
    id: i64,
    name: String,
    charger_id: Option<i64>,
    charger_name: Option<String>,
    site_id: Option<i64>,
    site_name: Option<String>,
    days: i64,
    start_time: String,
    end_time: String,
    time_zone: String,
    current: i64,
    valid_from: Option<String>,
    valid_to: Option<String>,
    enabled: bool,
    last_error: Option<String>,
    last_error_at: Option<Stamp>,
}

/// A saved schedule and the window it plans (`None` when the stored
/// values no longer read, e.g. a zone a newer tz database dropped: such a
/// schedule is shown but never applied).
pub type Saved = (Schedule, Option<Weekly>);

impl Row {
    pub(super) fn read(self, now: DateTime<Utc>) -> Saved {
        let time = |t: &str| NaiveTime::parse_from_str(t, "%H:%M").unwrap_or(NaiveTime::MIN);
        let date = |d: &Option<String>| {
            d.as_deref()
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        };
        let (start, end) = (time(&self.start_time), time(&self.end_time));
        let (valid_from, valid_to) = (date(&self.valid_from), date(&self.valid_to));
        let days = u8::try_from(self.days).unwrap_or(0);
        let weekly = Days::from_bits(days)
            .zip(self.time_zone.parse().ok())
            .map(|(days, zone)| Weekly {
                days,
                start,
                end,
                zone,
                valid_from,
                valid_to,
            });
        let next = weekly
            .as_ref()
            .and_then(|w| w.in_force(now).or_else(|| w.next_after(now)))
            .map(|o| (o.start, o.end));
        let next_local = weekly.as_ref().zip(next).map(|(w, (start, end))| {
            let local = |at: DateTime<Utc>| at.with_timezone(&w.zone).naive_local();
            (local(start), local(end))
        });
        let scope = match (self.charger_id, self.site_id) {
            (Some(id), _) => ScheduleScope::Charger {
                id,
                name: self.charger_name.unwrap_or_default(),
            },
            (None, id) => ScheduleScope::Site {
                id: id.unwrap_or_default(),
                name: self.site_name.unwrap_or_default(),
            },
        };
        let schedule = Schedule {
            id: self.id,
            name: self.name,
            scope,
            days,
            start,
            end,
            time_zone: self.time_zone,
            current: u32::try_from(self.current).unwrap_or(0),
            valid_from,
            valid_to,
            enabled: self.enabled,
            last_error: self
                .last_error
                .as_deref()
                .map(Problem::from_stored)
                .zip(self.last_error_at.map(DateTime::<Utc>::from)),
            next,
            next_local,
        };
        (schedule, weekly)
    }
}

/// The saved schedules `which` names.
pub(super) async fn select(
    db: &Db,
    which: Which,
    now: DateTime<Utc>,
) -> Result<Vec<Saved>, sqlx::Error> {
    let (one, charger, site) = which.ids();
    let rows: Vec<Row> = on_db!(db, pool => sqlx::query_as(SELECT_SCHEDULES)
        .bind(one)
        .bind(charger)
        .bind(site)
        .fetch_all(pool)
        .await?);
    Ok(rows.into_iter().map(|r| r.read(now)).collect())
}

/// [`select`] inside a transaction (the overlap check reads what its
/// write lock protects).
pub(super) async fn select_in(
    tx: &mut Tx,
    which: Which,
    now: DateTime<Utc>,
) -> Result<Vec<Saved>, sqlx::Error> {
    let (one, charger, site) = which.ids();
    let rows: Vec<Row> = on_tx!(tx, conn => sqlx::query_as(SELECT_SCHEDULES)
        .bind(one)
        .bind(charger)
        .bind(site)
        .fetch_all(&mut *conn)
        .await?);
    Ok(rows.into_iter().map(|r| r.read(now)).collect())
}

/// The saved schedules: all, or one (`$1`), or those of a charger (`$2`:
/// its own and its site's) or of a site (`$3`: its own and its chargers').
/// A deleted charger's schedules are gone with it.
const SELECT_SCHEDULES: &str = "SELECT s.id, s.name, s.charger_id, c.name AS charger_name, \
     s.site_id, t.name AS site_name, s.days, s.start_time, s.end_time, s.time_zone, s.current, \
     s.valid_from, s.valid_to, s.enabled, s.last_error, s.last_error_at \
     FROM schedules s LEFT JOIN chargers c ON c.id = s.charger_id \
     LEFT JOIN sites t ON t.id = s.site_id \
     WHERE s.deleted_at IS NULL AND c.deleted_at IS NULL \
     AND ($1 IS NULL OR s.id = $1) \
     AND ($2 IS NULL OR s.charger_id = $2 \
          OR s.site_id = (SELECT site_id FROM chargers WHERE id = $2)) \
     AND ($3 IS NULL OR s.site_id = $3 \
          OR s.charger_id IN (SELECT id FROM chargers WHERE site_id = $3 AND deleted_at IS NULL)) \
     ORDER BY lower(s.name), s.id";
