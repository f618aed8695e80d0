//! The web layer's part of alerts (#31): the dispatcher gets its words
//! here (`app::words`, which owns every sentence).

use std::sync::Arc;

use app::language::Locale;
use evse_dashboard::alerts::Alerts;
use evse_dashboard::alerts::dispatch::Dispatcher;

/// A dispatcher wording webhooks' `detail` in English: the server's, and
/// the one `alert test` sends with.
pub fn dispatcher(alerts: Alerts, public_url: &str) -> Result<Dispatcher, reqwest::Error> {
    let detail = Arc::new(|facts: &evse_dashboard::types::AlertFacts| {
        app::words::alert_sentence(Locale::en, facts)
    });
    Dispatcher::new(alerts, detail, public_url)
}
