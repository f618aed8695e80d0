//! Data the server and the browser exchange: plain values, no formatting
//! (the UI words them) and nothing secret (never a token or a hash).

mod actor;
mod alert;
mod api_token;
mod audit;
mod charger;
mod control;
mod history;
mod overview;
mod schedule;
mod secret_text;
mod session;
mod system;
mod user;
mod verdict;

pub use actor::{Who, parse_schedule_key, schedule_key};
pub use alert::{
    AlertChannel, AlertCharger, AlertDelivery, AlertEvent, AlertFacts, AlertMail, AlertSchedule,
    AlertSite, AlertSubscription, DeliveryStatus, LinkPurpose, MailLinkView, QuietHours,
};
pub use api_token::{ApiToken, MAX_TOKEN_DAYS, MAX_TOKEN_NAME_CHARS, TokenState};
pub use audit::{AuditEntry, AuditFilter, AuditPage};
pub use charger::{CURRENT_LIMIT, Charger, ChargerInput, DEFAULT_MAX_CURRENT, DEFAULT_MIN_CURRENT};
pub use control::{
    BulkItem, BulkOutcome, CUSTOM_DURATION, ChargerLive, ControlOutcome, Renewed, TargetLimits,
    estimated_kw,
};
pub use history::{
    ChargerChart, ChartRange, ChartTick, CurrentPoint, SiteChart, SiteDay, SitePhases, SiteShare,
};
pub use overview::{ChargerOverview, ChargerStatus};
pub use schedule::{
    DEFAULT_TIME_ZONE, Schedule, ScheduleHeldBack, ScheduleInput, ScheduleScope, Site,
};
pub use secret_text::SecretText;
pub use session::{
    ChargingSession, Month, Peak, ReportCharger, SessionCursor, SessionDetail, SessionEnd,
    SessionFilter, SessionPage, SiteReport, kwh,
};
pub use system::ServerInfo;
pub use user::{Language, Role, User};
pub use verdict::{Finding, TOLERANCE_A, Verdict, judge};

pub use crate::problem::{ClemapFailure, Field, Invalid, Missing, Problem, Rule};
pub use crate::vocabulary::{AuditAction, Outcome};
