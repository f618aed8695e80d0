//! `report --site ID [--month YYYY-MM] [--csv]`: a site's monthly report
//! on the command line, the same numbers as its page (#42), in English
//! (the command line has no language preference to go by).

use evse_dashboard::history::History;
use evse_dashboard::history::sessions::month;
use evse_dashboard::sites::Sites;
use evse_dashboard::types::{Missing, Problem, SiteReport};
use futures::StreamExt;

use super::{CommandResult, said};
use crate::cli::ReportArgs;

pub async fn run(args: ReportArgs) -> CommandResult {
    let (db, _, _) = crate::data_dir::open(&args.data).await?;
    let site = Sites::new(db.clone())
        .find(args.site)
        .await?
        .ok_or_else(|| said(Problem::NotFound(Missing::Site(args.site))))?;
    let now = chrono::Utc::now();
    let asked = month::asked(args.month.as_deref(), &site.time_zone, now)
        .map_err(|e| said(Problem::Invalid(e)))?;
    let keep = std::time::Duration::from_secs(args.keep_history * 24 * 3600);
    let report = History::new(db)
        .keeping(keep)
        .site_report(&site, asked, now)
        .await
        .map_err(|e| said(e.problem()))?;
    if args.csv {
        // The download's own writer, so both are one format.
        let mut stream = Box::pin(evse_dashboard::history::sessions::csv::report(
            report,
            std::time::Duration::from_secs(60),
            (),
        ));
        while let Some(chunk) = stream.next().await {
            use std::io::Write;
            std::io::stdout().write_all(&chunk?)?;
        }
    } else {
        print!("{}", table(&report));
    }
    Ok(())
}

/// The report as the page lays it out, in English.
fn table(r: &SiteReport) -> String {
    let l = app::language::Locale::en;
    let w = |t: &str| t.to_owned();
    let mut out = String::new();
    out += &format!(
        "{} — {}\n",
        r.site_name,
        app::words::month_label(l, r.month)
    );
    out += &format!(
        "{} {} to {} ({})\n\n",
        if r.complete {
            "From"
        } else {
            "The month so far: from"
        },
        app::words::wall_clock(l, r.local_from),
        app::words::wall_clock(l, r.local_to),
        r.time_zone
    );
    let peak = r.peak.as_ref().map_or_else(
        || w("no energy used yet"),
        |p| {
            format!(
                "{} at {}",
                app::words::peak_power(l, p),
                app::words::peak_time(l, p)
            )
        },
    );
    let lines = [
        ("Energy", app::words::kwh(l, r.energy_wh)),
        ("Sessions", r.sessions.to_string()),
        ("Peak (15-minute average)", peak),
        (
            "Supply limit",
            r.supply_limit
                .map_or_else(|| w("none set"), |a| format!("{a} A per phase")),
        ),
        (
            "Time at the supply limit",
            r.hours_at_limit
                .map_or_else(|| w("–"), |h| app::words::hours(l, h)),
        ),
        (
            "Energy under a limit",
            r.limited_share()
                .map_or_else(|| w("–"), |s| app::words::percent(l, s)),
        ),
    ];
    for (k, v) in lines {
        out += &format!("{k:<26} {v}\n");
    }
    out += &format!(
        "\n{:<28} {:>14} {:>14} {:>9}\n",
        "charger", "energy", "under a limit", "sessions"
    );
    for c in &r.chargers {
        // Never read this month: unknown, not 0 kWh.
        let energy = |wh| {
            if c.quarters_read > 0 {
                app::words::kwh(l, wh)
            } else {
                w("no readings")
            }
        };
        out += &format!(
            "{:<28} {:>14} {:>14} {:>9}\n",
            c.name,
            energy(c.energy_wh),
            energy(c.limited_wh),
            c.sessions
        );
    }
    out
}
