//! What pages, `/api/v1`, the exports and the CLI read of charging
//! sessions and monthly reports, through [`History`].

use chrono::{DateTime, Utc};

use super::month;
use super::report;
use super::store::{Selection, Sessions};
use crate::history::History;
use crate::history::buckets::Buckets;
use crate::history::series;
use crate::problem::{Field, Invalid, Problem, Rule};
use crate::types::{
    AuditAction, AuditEntry, Charger, ChargerChart, ChargingSession, Month, Outcome, Peak,
    ReportCharger, SessionCursor, SessionFilter, SessionPage, Site, SiteReport,
};

/// Sessions per page of a list.
pub const PAGE: i64 = 50;

/// Why a list or a report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("invalid {:?}: {:?}", .0.field, .0.rule)]
    Invalid(Invalid),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
}

impl ReportError {
    pub fn problem(&self) -> Problem {
        match self {
            Self::Invalid(invalid) => Problem::Invalid(invalid.clone()),
            Self::Db(_) => Problem::Internal,
        }
    }
}

impl From<Invalid> for ReportError {
    fn from(invalid: Invalid) -> Self {
        Self::Invalid(invalid)
    }
}

pub use crate::history::zone_of;

/// A list's dates as instants on `zone`'s clock: `[from, to]` whole days,
/// at most [`SessionFilter::MAX_DAYS`] of them (to `today` when `to` is
/// left out).
pub fn date_span(
    filter: &SessionFilter,
    zone: chrono_tz::Tz,
    today: chrono::NaiveDate,
) -> Result<(i64, i64), Invalid> {
    let text = |t: &Option<String>| t.clone().unwrap_or_default();
    let from = crate::calendar::optional_day(&text(&filter.from), Field::FirstDay)?;
    let to = crate::calendar::optional_day(&text(&filter.to), Field::LastDay)?;
    if let Some(from) = from {
        let to = to.unwrap_or(today.max(from));
        if to < from {
            return Err(Invalid::new(Field::LastDay, Rule::EndsBeforeStart));
        }
        if (to - from).num_days() >= i64::from(SessionFilter::MAX_DAYS) {
            return Err(Invalid::new(
                Field::LastDay,
                Rule::SpanTooLong {
                    max_days: SessionFilter::MAX_DAYS,
                },
            ));
        }
    }
    let start = |d| month::day_start(zone, d).timestamp_millis();
    Ok((
        from.map_or(i64::MIN, start),
        to.map_or(i64::MAX, |d| start(crate::calendar::next(d))),
    ))
}

/// What a list or export of `filter` reads (its days on `zone`'s clock,
/// checked), `limit` rows at a time from `before`.
fn selection(
    filter: &SessionFilter,
    zone: &str,
    before: Option<SessionCursor>,
    limit: i64,
) -> Result<Selection, Invalid> {
    let zone = zone_of(zone);
    let today = Utc::now().with_timezone(&zone).date_naive();
    let (from_ms, to_ms) = date_span(filter, zone, today)?;
    Ok(Selection {
        site: filter.site,
        charger: filter.charger,
        from_ms,
        to_ms,
        limited: filter.limited,
        before,
        limit,
    })
}

/// The sets and resets CLEMAP received that were in force during
/// `session`, from a charger's rows around it (oldest first): each set
/// from when it was received until its duration ran out or a later one
/// replaced it.
pub fn targets_in_force(rows: &[AuditEntry], session: &ChargingSession) -> Vec<AuditEntry> {
    let end = session.ended.unwrap_or(session.last_seen);
    let received: Vec<&AuditEntry> = rows
        .iter()
        .filter(|e| {
            matches!(e.action, AuditAction::SetTarget | AuditAction::ResetTarget)
                && e.outcome == Outcome::Received
        })
        .collect();
    received
        .iter()
        .enumerate()
        .filter(|(i, e)| {
            let lapses =
                e.at + chrono::TimeDelta::seconds(i64::from(e.requested_duration.unwrap_or(0)));
            let replaced = received
                .get(i + 1)
                .map_or(lapses, |next| next.at.min(lapses));
            e.at < end
                && (replaced > session.started
                    || (e.action == AuditAction::ResetTarget && e.at >= session.started))
        })
        .map(|(_, e)| (*e).clone())
        .collect()
}

impl History {
    fn sessions(&self) -> Sessions {
        Sessions::new(self.db().clone())
    }

    /// The sessions matching `filter` (dates on `zone`'s clock) as CSV,
    /// streamed; `hold` is kept until it ends.
    pub fn sessions_csv(
        &self,
        filter: &SessionFilter,
        zone: &str,
        limit: std::time::Duration,
        hold: impl Send + 'static,
    ) -> Result<impl futures::Stream<Item = crate::csv_stream::Chunk> + Send + 'static, ReportError>
    {
        let selection = selection(filter, zone, None, PAGE)?;
        Ok(super::csv::sessions(
            self.sessions(),
            selection,
            limit,
            hold,
        ))
    }

    /// A page of sessions matching `filter` (dates on `zone`'s clock),
    /// newest first, older than `before`.
    pub async fn session_page(
        &self,
        filter: &SessionFilter,
        before: Option<SessionCursor>,
        zone: &str,
    ) -> Result<SessionPage, ReportError> {
        let mut sessions = self
            .sessions()
            .page(selection(filter, zone, before, PAGE + 1)?)
            .await?;
        let more = sessions.len() > PAGE as usize;
        sessions.truncate(PAGE as usize);
        let next = more
            .then(|| sessions.last())
            .flatten()
            .map(|s| SessionCursor {
                started_ms: s.started.timestamp_millis(),
                id: s.id,
            });
        Ok(SessionPage { sessions, next })
    }

    /// The newest `count` sessions of a site or a charger.
    pub async fn latest_sessions(
        &self,
        (site, charger): (Option<i64>, Option<i64>),
        count: i64,
    ) -> Result<Vec<ChargingSession>, sqlx::Error> {
        self.sessions()
            .page(Selection {
                site,
                charger,
                from_ms: i64::MIN,
                to_ms: i64::MAX,
                limited: false,
                before: None,
                limit: count,
            })
            .await
    }

    pub async fn session(&self, id: i64) -> Result<Option<ChargingSession>, sqlx::Error> {
        self.sessions().get(id).await
    }

    /// A session's charger's currents while it ran, a quarter hour either
    /// side.
    pub async fn session_chart(
        &self,
        session: &ChargingSession,
        charger: &Charger,
        zone: &str,
    ) -> Result<ChargerChart, sqlx::Error> {
        let margin = chrono::TimeDelta::minutes(15);
        let end = session.ended.unwrap_or(session.last_seen);
        series::charger_between(
            self.db(),
            charger,
            (session.started - margin, end + margin),
            zone,
        )
        .await
    }

    /// Where the history kept starts now.
    fn kept_from(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        chrono::TimeDelta::from_std(self.keep_history())
            .ok()
            .and_then(|keep| now.checked_sub_signed(keep))
            .unwrap_or(DateTime::<Utc>::MIN_UTC)
    }

    /// `site`'s report of `month` on its clock, up to `now` while the
    /// month runs.
    pub async fn site_report(
        &self,
        site: &Site,
        month: Month,
        now: DateTime<Utc>,
    ) -> Result<SiteReport, ReportError> {
        let zone = zone_of(&site.time_zone);
        let (from, end) = month::check(month, zone, now, self.kept_from(now))?;
        let to = end.min(now);
        let (from_s, to_s) = (from.timestamp(), end.timestamp());
        let buckets = Buckets::of(self.db());
        let quarters = buckets.site_quarters(site.id, from_s, to_s).await?;
        let energy = buckets.site_charger_energy(site.id, from_s, to_s).await?;
        let started: std::collections::HashMap<i64, i64> = self
            .sessions()
            .started_per_charger(site.id, from.timestamp_millis(), end.timestamp_millis())
            .await?
            .into_iter()
            .collect();
        let chargers: Vec<ReportCharger> = energy
            .into_iter()
            .map(|c| ReportCharger {
                sessions: started
                    .get(&c.charger_id)
                    .and_then(|n| u32::try_from(*n).ok())
                    .unwrap_or(0),
                charger_id: c.charger_id,
                name: c.name,
                energy_wh: c.energy_wh,
                limited_wh: c.limited_wh,
                quarters_read: u32::try_from(c.quarters).unwrap_or(u32::MAX),
            })
            .collect();
        Ok(SiteReport {
            site_id: site.id,
            site_name: site.name.clone(),
            time_zone: zone.name().to_owned(),
            month,
            from,
            to,
            local_from: from.with_timezone(&zone).naive_local(),
            local_to: to.with_timezone(&zone).naive_local(),
            complete: end <= now,
            energy_wh: quarters.iter().map(|q| q.energy_wh).sum(),
            limited_wh: quarters.iter().map(|q| q.limited_wh).sum(),
            sessions: chargers.iter().map(|c| c.sessions).sum(),
            chargers,
            peak: report::peak(&quarters, zone),
            supply_limit: site.supply_limit,
            hours_at_limit: site
                .supply_limit
                .map(|limit| report::hours_at_limit(&quarters, limit)),
        })
    }

    /// The highest quarter hour of `site`'s month so far (the site page,
    /// next to its supply limit; finished days' are kept a while).
    pub async fn month_peak(
        &self,
        site: &Site,
        now: DateTime<Utc>,
    ) -> Result<Option<Peak>, sqlx::Error> {
        self.peak_days()
            .month_so_far(self.db(), site.id, zone_of(&site.time_zone), now)
            .await
    }
}
