//! The JSON of `/api/v1`: a contract of its own, made from the domain's
//! types here, so an internal change never silently changes what an
//! integration reads. Currents are amperes, durations seconds, instants
//! RFC 3339 UTC. An unknown reading is `null`, never 0.

use chrono::{DateTime, Utc};
use evse_dashboard::clemap::model::{CurrentSettings, PlugStatus};
use evse_dashboard::types::{AuditAction, Outcome};
use evse_dashboard::types::{AuditEntry, ChargerOverview};
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{
    AnyOfBuilder, KnownFormat, Object, ObjectBuilder, Schema, SchemaFormat, Type,
};
use utoipa::{IntoParams, ToSchema};

/// A charger with its latest reading and target, when known.
#[derive(Debug, Serialize, ToSchema)]
pub struct Charger {
    pub id: i64,
    pub name: String,
    pub site: SiteRef,
    /// The lowest current a target may ask for, A.
    pub min_current: u32,
    /// The highest current a target may ask for, A.
    pub max_current: u32,
    /// The sampler's latest reading; `null` before the first one.
    pub reading: Option<Reading>,
    /// The target at the latest reading: `null` when not read yet; both
    /// fields `null` when none is in force.
    pub target: Option<Target>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SiteRef {
    pub id: i64,
    pub name: String,
}

/// What the charger reported at its latest reading.
#[derive(Debug, Serialize, ToSchema)]
pub struct Reading {
    pub read_at: Option<DateTime<Utc>>,
    /// `charging`, `idle`, `offline` or `unreadable`.
    pub status: String,
    pub plugs: Vec<Plug>,
    /// Why the charger could not be read (`status` is then `unreadable`).
    pub problem: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Plug {
    pub label: Option<String>,
    /// CLEMAP's plug state (`charging`, `connected`, `offline`, …).
    pub status: String,
    pub current_l1: Option<f64>,
    pub current_l2: Option<f64>,
    pub current_l3: Option<f64>,
    /// Watts.
    pub power: Option<f64>,
    /// The limit CLEMAP applies to the plug, A.
    pub limit: Option<f64>,
}

/// A temporary current target as CLEMAP reports it: both `null` when none
/// is in force.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Target {
    pub current: Option<u32>,
    pub valid_until: Option<DateTime<Utc>>,
}

/// The body of a set: whole amperes within the charger's range, seconds
/// within the server's limits (`--max-target-hours`, 24 by default). A
/// value within the bounds here but outside those is refused (422) and
/// audited.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetTarget {
    #[schema(example = 6, minimum = 0, maximum = 80)]
    pub current: i64,
    #[schema(example = 1800, minimum = 60, maximum = 604800)]
    pub duration: i64,
}

/// What CLEMAP answered to a set.
#[derive(Debug, Serialize, ToSchema)]
pub struct SetAnswer {
    /// `received` (CLEMAP took it) or `rejected` (CLEMAP refused it, e.g.
    /// its device is disconnected).
    pub outcome: String,
    pub current: Option<u32>,
    pub duration: Option<u32>,
    /// When the target ends if CLEMAP applies it.
    pub valid_until: Option<DateTime<Utc>>,
    /// The audit event of this attempt.
    pub audit_id: i64,
}

/// What a reset removed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResetAnswer {
    pub previous: Target,
    pub audit_id: i64,
}

/// A site-wide set: each charger's own outcome (one failing never hides
/// the others). The current is clamped to each charger's range.
#[derive(Debug, Serialize, ToSchema)]
pub struct SiteAnswer {
    /// Shared by the chargers' audit events.
    pub batch_id: String,
    pub chargers: Vec<SiteItem>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SiteItem {
    pub charger_id: i64,
    pub charger_name: String,
    /// What was sent after clamping to the charger's range, A.
    pub sent: u32,
    /// `received`, `rejected`, `refused` or `error`.
    pub outcome: String,
    pub valid_until: Option<DateTime<Utc>>,
    pub audit_id: Option<i64>,
    /// Why it was refused or failed.
    pub detail: Option<String>,
}

/// One page of the audit trail, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    pub events: Vec<AuditEvent>,
    /// Pass as `cursor` for the next (older) page; `null` on the last.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEvent {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// A username, `token:NAME`, `schedule:ID (NAME)`, `cli:USER` or
    /// `system:status-check`.
    pub actor: String,
    pub action: String,
    pub outcome: String,
    pub charger_id: Option<i64>,
    pub charger_name: Option<String>,
    /// What the event is about when it is not a charger (a username, a
    /// token name).
    pub subject: Option<String>,
    pub requested_current: Option<u32>,
    pub requested_duration: Option<u32>,
    pub upstream_status: Option<u16>,
    /// Why it was refused or failed, as the dashboard says it.
    pub detail: Option<String>,
    /// A verdict event: the set it judges.
    pub refers_to: Option<i64>,
    pub verdict: Option<String>,
}

/// A day as the query takes it: a calendar date (`format: date`) in the
/// years the dashboard accepts (`evse_dashboard::calendar`), or empty,
/// which is the same as leaving it out.
fn day() -> Schema {
    let date = ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
        .pattern(Some(r"^(20[0-9]{2}|2100)-"));
    let empty = ObjectBuilder::new()
        .schema_type(Type::String)
        .max_length(Some(0));
    AnyOfBuilder::new().item(date).item(empty).into()
}

/// One of a closed set's names, from its one definition, or empty (the
/// same as leaving the filter out).
fn one_of<T>() -> Object
where
    T: strum::IntoEnumIterator + Into<&'static str>,
{
    let names = T::iter().map(Into::<&'static str>::into);
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(std::iter::once("").chain(names)))
        .build()
}

/// The audit page's filters and the cursor.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    pub charger: Option<i64>,
    pub site: Option<i64>,
    /// Exact actor: a username, or `token:NAME`, or `schedule:ID`.
    pub user: Option<String>,
    /// An audit action, e.g. `set_target`.
    #[param(schema_with = one_of::<AuditAction>)]
    pub action: Option<String>,
    /// An outcome, e.g. `received`.
    #[param(schema_with = one_of::<Outcome>)]
    pub outcome: Option<String>,
    /// First day, `YYYY-MM-DD` (UTC), inclusive (years 2000 to 2100).
    #[param(schema_with = day)]
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD` (UTC), inclusive (years 2000 to 2100).
    #[param(schema_with = day)]
    pub to: Option<String>,
    /// `next_cursor` of the previous page.
    #[param(pattern = r"^([0-9]{1,18})?$")]
    pub cursor: Option<String>,
}

/// The days of a history, in the site's time zone.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DaysQuery {
    /// First day, `YYYY-MM-DD`; today when left out (years 2000 to 2100).
    #[param(schema_with = day)]
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD`, inclusive; today when left out (years 2000 to 2100).
    #[param(schema_with = day)]
    pub to: Option<String>,
}

/// A report's month on the site's clock.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MonthQuery {
    /// `YYYY-MM`; the month so far when left out or empty (years 2000 to
    /// 2100; a month not begun or over before the history kept is 422).
    #[param(pattern = r"^((20[0-9]{2}|2100)-(0[1-9]|1[0-2]))?$")]
    pub month: Option<String>,
}

/// A site's month. Energy is kWh from the 15-minute buckets (a session
/// across a month's end counts where its energy was used).
#[derive(Debug, Serialize, ToSchema)]
pub struct Report {
    pub site_id: i64,
    pub site_name: String,
    pub time_zone: String,
    /// `YYYY-MM`.
    pub month: String,
    /// The month's first instant on the site's clock.
    pub from: DateTime<Utc>,
    /// Its end, or now while the month runs.
    pub to: DateTime<Utc>,
    /// The month is over: the numbers no longer change.
    pub complete: bool,
    pub energy_kwh: f64,
    /// Of it, used while a target was in force.
    pub under_limit_kwh: f64,
    /// `under_limit_kwh / energy_kwh`, 0 to 1; `null` with no energy.
    pub under_limit_share: Option<f64>,
    /// Sessions that started in the month.
    pub sessions: u32,
    /// The highest 15-minute average power; `null` with no energy.
    pub peak: Option<ReportPeak>,
    /// A, per phase.
    pub supply_limit: Option<u32>,
    /// Hours of quarter hours whose average draw on some phase reached
    /// 95 % of the supply limit; `null` without a limit.
    pub hours_at_supply_limit: Option<f64>,
    pub chargers: Vec<ReportCharger>,
}

/// The month's peak quarter hour.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportPeak {
    pub start: DateTime<Utc>,
    /// Its start on the site's clock, RFC 3339 with the offset.
    pub start_local: String,
    /// The average power over it.
    pub kw: f64,
}

/// One charger's month.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportCharger {
    pub charger_id: i64,
    pub charger_name: String,
    pub energy_kwh: f64,
    pub under_limit_kwh: f64,
    pub sessions: u32,
    /// Quarter hours of the month with a reading: 0 means nothing is known
    /// of this charger's month (never read), not that it used nothing.
    pub quarters_read: u32,
}

/// A charger's 15-minute history.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChargerHistory {
    pub charger_id: i64,
    pub charger_name: String,
    pub buckets: Vec<Bucket>,
}

/// Every charger of a site, each with its 15-minute history.
#[derive(Debug, Serialize, ToSchema)]
pub struct SiteHistory {
    pub site_id: i64,
    pub time_zone: String,
    pub chargers: Vec<ChargerHistory>,
}

/// Fifteen minutes of one charger. Currents are A (the highest phase),
/// `null` where nothing was read.
#[derive(Debug, Serialize, ToSchema)]
pub struct Bucket {
    pub start: DateTime<Utc>,
    pub samples: i64,
    pub avg_current: Option<f64>,
    pub max_current: Option<f64>,
    /// Watts.
    pub avg_power: Option<i64>,
    pub energy_wh: i64,
    pub charging_seconds: i64,
    /// The target in force, A.
    pub target: Option<i64>,
    /// The limit CLEMAP applied, A.
    pub limit: Option<f64>,
}

impl From<&CurrentSettings> for Target {
    fn from(s: &CurrentSettings) -> Self {
        Self {
            current: s.current,
            valid_until: s.valid_until,
        }
    }
}

impl From<&PlugStatus> for Plug {
    fn from(p: &PlugStatus) -> Self {
        Self {
            label: p.plug_label.clone(),
            status: snake(&p.status),
            current_l1: p.current_l1,
            current_l2: p.current_l2,
            current_l3: p.current_l3,
            power: p.power,
            limit: p.dyn_current_limit,
        }
    }
}

/// A closed-set value as its JSON string (`"charging"`).
pub fn snake(value: &impl Serialize) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// The UI's English sentence for a problem.
pub fn sentence(problem: &evse_dashboard::types::Problem) -> String {
    app::words::problem_sentence(app::language::Locale::en, problem)
}

impl From<&ChargerOverview> for Charger {
    fn from(o: &ChargerOverview) -> Self {
        let c = &o.charger;
        let read = o.read_at.is_some() || o.problem.is_some();
        Self {
            id: c.id,
            name: c.name.clone(),
            site: SiteRef {
                id: c.site_id,
                name: c.site_name.clone(),
            },
            min_current: c.min_current,
            max_current: c.max_current,
            reading: read.then(|| Reading {
                read_at: o.read_at,
                status: snake(&o.status()),
                plugs: o.plugs.iter().map(Plug::from).collect(),
                problem: o.problem.as_ref().map(sentence),
            }),
            target: o.settings.as_ref().map(Target::from),
        }
    }
}

impl From<AuditEntry> for AuditEvent {
    fn from(e: AuditEntry) -> Self {
        Self {
            id: e.id,
            at: e.at,
            actor: e.actor,
            action: e.action.to_string(),
            outcome: e.outcome.to_string(),
            charger_id: e.charger_id,
            charger_name: e.charger_name,
            subject: e.subject,
            requested_current: e.requested_current,
            requested_duration: e.requested_duration,
            upstream_status: e.upstream_status,
            detail: e.problem.as_ref().map(sentence),
            refers_to: e.refers_to,
            verdict: e.verdict.as_ref().map(snake),
        }
    }
}
