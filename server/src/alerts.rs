//! The web layer's part of alerts (#31): the dispatcher gets its words
//! here (`app::words`, which owns every sentence).

use std::sync::Arc;

use app::language::Locale;
use evse_dashboard::alerts::dispatch::Dispatcher;
use evse_dashboard::services::Services;

/// The dispatcher of this instance, wording webhooks' `detail` in English.
pub fn dispatcher(services: &Services, public_url: &str) -> Result<Dispatcher, reqwest::Error> {
    let detail = Arc::new(|facts: &evse_dashboard::types::AlertFacts| {
        app::words::alert_sentence(Locale::en, facts)
    });
    Dispatcher::new(services.alerts.clone(), detail, public_url)
}
