//! Every sentence and label the UI shows, made from typed values: the
//! domain and the server speak in kinds (`Problem`, `Outcome`,
//! `AuditAction`…), and only this module turns them into words.

mod alert;
mod days;
mod event;
mod format;
mod invalid;
mod labels;
mod outcome;
mod problem;
mod session;
mod sharing;
mod verdict;

pub use alert::{
    MailWords, alert_event_label, alert_mail_words, alert_sentence, channel_label,
    confirm_mail_words, delivery_label, test_mail_words,
};
pub use days::{day_name, days_label};
pub use event::event_sentence;
pub use format::{
    amps, calendar_day, clock_seconds, clock_time, date_time, decimal, human_duration, kilowatts,
    requested, seconds_ago, time_left, until_time, utc_minute, wall_clock,
};
pub use labels::{action_label, charger_status_label, outcome_label, plug_label, role_label};
pub use outcome::outcome_sentence;
pub use problem::{error_sentence, problem_sentence};
pub use session::{
    hours, kwh, month_label, peak_power, peak_time, percent, plug_number, session_duration,
    session_state,
};
pub use sharing::{SiteFacts, priority_label, share_sentence};
pub use verdict::{verdict_detail, verdict_label, verdict_time};
