//! Quiet hours (#31): an alert for a subscription with quiet hours waits
//! until they end, in the time zone of the site it is about. Good news a
//! person waits for (`charger_back`) and a broken trail do not wait.

use chrono::{DateTime, Days, NaiveTime, TimeDelta, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

use crate::types::{AlertEvent, QuietHours};

/// When an alert of `event` may go out to a subscription with `quiet`
/// hours, raised at `now`: `now`, or the end of the quiet hours.
pub fn not_before(
    quiet: Option<QuietHours>,
    event: AlertEvent,
    zone: Tz,
    now: DateTime<Utc>,
) -> DateTime<Utc> {
    let Some(quiet) = quiet.filter(|_| !event.ignores_quiet_hours()) else {
        return now;
    };
    let local = now.with_timezone(&zone);
    let minute = u16::try_from(local.hour() * 60 + local.minute()).unwrap_or(0);
    if !quiet.contains(minute) {
        return now;
    }
    let day = if minute < quiet.until {
        local.date_naive()
    } else {
        local.date_naive() + Days::new(1)
    };
    let until =
        NaiveTime::from_hms_opt(u32::from(quiet.until / 60), u32::from(quiet.until % 60), 0)
            .unwrap_or_default();
    let end = day.and_time(until);
    // The end may fall in a DST gap: then an hour later, when it exists.
    zone.from_local_datetime(&end)
        .earliest()
        .or_else(|| {
            zone.from_local_datetime(&(end + TimeDelta::hours(1)))
                .earliest()
        })
        .map_or(now, |end| end.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn an_alert_in_quiet_hours_waits_for_their_end_in_the_sites_zone() {
        let night = QuietHours::parse("22:00", "07:00");
        let zurich: Tz = "Europe/Zurich".parse().unwrap();
        let offline = AlertEvent::ChargerOffline;
        // 23:30 in Zurich (UTC+1 in December): waits until 07:00 local.
        let late = at("2026-12-06T22:30:00Z");
        assert_eq!(
            not_before(night, offline, zurich, late),
            at("2026-12-07T06:00:00Z")
        );
        // 03:00 local: the same morning.
        assert_eq!(
            not_before(night, offline, zurich, at("2026-12-07T02:00:00Z")),
            at("2026-12-07T06:00:00Z")
        );
        // Noon: at once; and good news never waits.
        let noon = at("2026-12-07T11:00:00Z");
        assert_eq!(not_before(night, offline, zurich, noon), noon);
        assert_eq!(
            not_before(night, AlertEvent::ChargerBack, zurich, late),
            late
        );
        assert_eq!(not_before(None, offline, zurich, late), late);
    }

    #[test]
    fn an_end_in_the_spring_gap_moves_an_hour_on() {
        // 29 March 2026: Zurich skips from 02:00 to 03:00.
        let quiet = QuietHours::parse("23:00", "02:30");
        let zurich: Tz = "Europe/Zurich".parse().unwrap();
        let end = not_before(
            quiet,
            AlertEvent::ChargerOffline,
            zurich,
            at("2026-03-28T23:00:00Z"),
        );
        assert_eq!(end, at("2026-03-29T01:30:00Z"));
    }
}
