//! The charger page: live status and the active target with its
//! countdown, a gauge, the set and reset forms, and the latest audit
//! events. The forms are plain forms; after a post the server shows this
//! page again with the outcome (`?outcome=AUDIT_ID`) or the error.

mod history;
mod live;
mod reset_form;
mod schedules;
mod target_form;
mod usage;

use evse_dashboard::types::{Charger, ControlOutcome, Role};
use leptos::prelude::*;
use leptos_router::hooks::use_query;
use leptos_router::params::Params;

use crate::components::feedback::{Card, EventBanner, Loaded, action_error, error_fallback};
use crate::components::layout::CurrentUser;
use crate::components::page::one_thing;
use crate::i18n::td_string;
use crate::islands::live::LiveState;
use crate::language::locale;
use crate::pages::schedules::SharedLine;
use crate::pages::sessions::ChargerSessions;
use crate::server_fns::chargers::get_charger;
use crate::server_fns::control::{
    ResetTarget, SetTarget, charger_history, charger_live, control_outcome, target_limits,
};
use crate::words::outcome_sentence;
pub use history::History;
pub use live::LiveReading;
use reset_form::ResetForm;
use schedules::ChargerSchedules;
use target_form::TargetForm;
pub use usage::CsvForm;
use usage::Usage;

/// The live regions of a charger's page (#41): what CLEMAP says now, and
/// the latest changes.
pub const LIVE_READING: &str = "charger-live";
pub const LIVE_HISTORY: &str = "charger-history";

/// `?outcome=AUDIT_ID`: where a plain form post lands.
#[derive(Params, Clone, PartialEq)]
struct OutcomeQuery {
    outcome: Option<i64>,
}

#[component]
pub fn ChargerPage() -> impl IntoView {
    let l = locale();
    let (heading, loading) = (td_string!(l, col_charger), td_string!(l, loading_charger));
    one_thing(heading, loading, get_charger, |charger| {
        view! { <ChargerView charger /> }
    })
}

#[component]
fn ChargerView(charger: Charger) -> impl IntoView {
    let l = locale();
    let id = charger.id;
    // Created for the errors a plain post brings back in the URL.
    let set = ServerAction::<SetTarget>::new();
    let reset = ServerAction::<ResetTarget>::new();
    let live = Resource::new(|| (), move |_| charger_live(id));
    let history = Resource::new(|| (), move |_| charger_history(id));
    let limits = Resource::new(|| (), |_| target_limits());
    let query = use_query::<OutcomeQuery>();
    let earlier = Resource::new(
        move || query.get().ok().and_then(|q| q.outcome),
        |audit_id| async move {
            match audit_id {
                Some(audit_id) => control_outcome(audit_id).await.ok(),
                None => None,
            }
        },
    );
    let user = expect_context::<CurrentUser>();
    let can_control = move || user.role().is_some_and(|r| r >= Role::Operator);
    let for_forms = StoredValue::new(charger.clone());

    view! {
        <p class="crumbs">
            <a href="/">{td_string!(l, nav_overview)}</a> " › "
            <a href=format!("/sites/{}", charger.site_id)>{charger.site_name.clone()}</a>
        </p>
        <h1>{charger.name.clone()}</h1>
        <LiveState />
        <p class="muted meta">
            {td_string!(
                l,
                charger_meta,
                site = &charger.site_name,
                edge = &charger.edge_device_id,
                evse = &charger.evse_uuid,
                min = charger.min_current,
                max = charger.max_current
            )}
        </p>
        <EventBanner />
        <div data-testid="outcome" aria-live="polite">
            {action_error(set)}
            {action_error(reset)}
            <Transition fallback=|| ()>
                {move || earlier.get().flatten().map(outcome_banner)}
            </Transition>
        </div>
        <Card id="live-heading" heading=td_string!(l, now_heading)>
            <Loaded waiting=td_string!(l, reading_clemap)>
                {move || Suspend::new(async move {
                    live.await.map(|live| {
                        let charger = for_forms.get_value();
                        view! {
                            <div data-live=LIVE_READING><LiveReading live charger /></div>
                        }
                    })
                })}
            </Loaded>
            <SharedLine charger_id=id />
            <Transition fallback=|| ()>
                {move || can_control().then(|| view! { <live::RefreshForm charger_id=id /> })}
            </Transition>
        </Card>
        <Transition fallback=|| ()>
            <Show
                when=can_control
                fallback=move || view! {
                    <p class="muted" data-testid="read-only">
                        {td_string!(l, read_only)}
                    </p>
                }
            >
                <ErrorBoundary fallback=error_fallback>
                    {move || Suspend::new(async move {
                        limits.await.map(|limits| {
                            let charger = for_forms.get_value();
                            view! {
                                <TargetForm charger=charger.clone() limits />
                                <ResetForm charger />
                            }
                        })
                    })}
                </ErrorBoundary>
            </Show>
        </Transition>
        <Usage charger_id=id can_export=Signal::derive(can_control) />
        <ChargerSessions charger_id=id />
        <ChargerSchedules charger=for_forms.get_value() can_edit=Signal::derive(can_control) />
        <Card id="history-heading" heading=td_string!(l, latest_changes)>
            <Loaded>
                {move || Suspend::new(async move {
                    history.await.map(|rows| view! {
                        <div data-live=LIVE_HISTORY><History rows /></div>
                    })
                })}
            </Loaded>
            <p><a href=format!("/audit?charger={id}")>{td_string!(l, full_history)}</a></p>
        </Card>
    }
}

fn outcome_banner(outcome: ControlOutcome) -> AnyView {
    let class = if outcome.succeeded() {
        "banner ok"
    } else {
        "banner error"
    };
    let outcome_name: &'static str = outcome.outcome.into();
    view! {
        <p class=class role="status" data-outcome=outcome_name>
            {outcome_sentence(locale(), &outcome)}
        </p>
    }
    .into_any()
}
