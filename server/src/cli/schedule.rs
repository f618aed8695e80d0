//! `evse-dashboard schedule …`: recurring current limits from the command
//! line, checked by the same rules as the web form.

use clap::{Args, Subcommand};
use evse_dashboard::schedule::Days;

use super::DataArgs;

#[derive(Debug, Subcommand)]
pub enum ScheduleCommand {
    /// Add a schedule for one charger (or, with --site, each charger of a
    /// site). Refused when it would overlap another on a charger.
    Add(ScheduleAddArgs),
    /// List the schedules with their next occurrence.
    List(DataArgs),
    /// Disable a schedule (a target it sent that is in force is withdrawn
    /// by the running server).
    Disable {
        /// The schedule's id, as shown by `schedule list`.
        id: i64,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Delete a schedule.
    Remove {
        /// The schedule's id, as shown by `schedule list`.
        id: i64,
        #[command(flatten)]
        data: DataArgs,
    },
}

#[derive(Debug, Clone, Args)]
#[command(group(clap::ArgGroup::new("scope").required(true).args(["charger", "site"])))]
pub struct ScheduleAddArgs {
    /// The charger's id, as shown by `charger list`.
    #[arg(long, value_name = "ID")]
    pub charger: Option<i64>,
    /// A site's id: the schedule applies to each of its chargers, clamped
    /// to each one's range.
    #[arg(long, value_name = "ID")]
    pub site: Option<i64>,
    /// Weekdays: mon-fri, daily, weekdays, weekend, or a list such as
    /// mon,wed,sat.
    #[arg(long, value_parser = parse_days)]
    pub days: Days,
    /// Local start time, HH:MM.
    #[arg(long, value_name = "HH:MM")]
    pub from: String,
    /// Local end time, HH:MM (before the start: runs past midnight).
    #[arg(long, value_name = "HH:MM")]
    pub to: String,
    /// Ampere.
    #[arg(long, value_name = "A")]
    pub current: u32,
    /// IANA time zone [default: the site's].
    #[arg(long, value_name = "ZONE")]
    pub timezone: Option<String>,
    #[arg(long, default_value = "Schedule")]
    pub name: String,
    /// First day it applies, YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    pub valid_from: Option<String>,
    /// Last day it applies, YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    pub valid_to: Option<String>,
    #[command(flatten)]
    pub data: DataArgs,
}

fn parse_days(text: &str) -> Result<Days, String> {
    Days::parse(text).map_err(|e| e.to_string())
}
