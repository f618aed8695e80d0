//! The charger page: live status and the active target with a countdown,
//! the set and reset forms, and the latest audit events. Without
//! JavaScript the forms post normally and the server renders the outcome.

mod history;
mod live;
mod reset_form;
mod target_form;

use evse_dashboard::types::{Charger, ControlOutcome, Role};
use leptos::prelude::*;
use leptos_router::hooks::{use_params, use_query};
use leptos_router::params::Params;

use crate::api::chargers::get_charger;
use crate::api::control::{
    ResetTarget, SetTarget, charger_history, charger_live, control_outcome, target_limits,
};
use crate::components::feedback::{Card, ErrorBanner, Loaded, error_fallback};
use crate::components::layout::CurrentUser;
use crate::components::time::{use_hydrated, use_now};
use crate::words::outcome_sentence;
use history::History;
use live::LiveReading;
use reset_form::ResetForm;
use target_form::TargetForm;

#[derive(Params, Clone, PartialEq)]
struct ChargerParams {
    id: Option<i64>,
}

/// `?outcome=AUDIT_ID`: where a plain form post lands.
#[derive(Params, Clone, PartialEq)]
struct OutcomeQuery {
    outcome: Option<i64>,
}

#[component]
pub fn ChargerPage() -> impl IntoView {
    let params = use_params::<ChargerParams>();
    let id = move || params.get().ok().and_then(|p| p.id).unwrap_or(0);
    let charger = Resource::new(id, get_charger);
    let failed = |errors| {
        view! {
            <h1>"Charger"</h1>
            {error_fallback(errors)}
            <p><a href="/">"Back to the overview"</a></p>
        }
    };
    view! {
        <Transition fallback=|| view! { <p>"Loading charger…"</p> }>
            <ErrorBoundary fallback=failed>
                {move || Suspend::new(async move {
                    charger.await.map(|charger| view! { <ChargerView charger /> })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn ChargerView(charger: Charger) -> impl IntoView {
    let id = charger.id;
    let set = ServerAction::<SetTarget>::new();
    let reset = ServerAction::<ResetTarget>::new();
    let refresh = move || (set.version().get(), reset.version().get());
    let live = Resource::new(refresh, move |_| charger_live(id));
    let history = Resource::new(refresh, move |_| charger_history(id));
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
    let hydrated = use_hydrated();
    let now = use_now();
    let max = charger.max_current;
    let for_forms = StoredValue::new(charger.clone());

    // The newest answer of this page's set or reset. A plain form post
    // that failed comes back with its error in the URL, which the actions
    // already hold when the server renders.
    let latest = RwSignal::new(
        set.value()
            .get_untracked()
            .or_else(|| reset.value().get_untracked()),
    );
    for action_value in [set.value(), reset.value()] {
        Effect::new(move |_| {
            if let Some(answer) = action_value.get() {
                latest.set(Some(answer));
            }
        });
    }
    let banner = move || match latest.get() {
        Some(Ok(outcome)) => Some(outcome_banner(outcome)),
        Some(Err(error)) => Some(view! { <ErrorBanner error /> }.into_any()),
        None => earlier.get().flatten().map(outcome_banner),
    };

    view! {
        <p class="crumbs"><a href="/">"Overview"</a> " › " {charger.site_name.clone()}</p>
        <h1>{charger.name.clone()}</h1>
        <p class="muted">
            {format!(
                "{} · edge device {} · EVSE {} · {}–{} A",
                charger.site_name,
                charger.edge_device_id,
                charger.evse_uuid,
                charger.min_current,
                charger.max_current,
            )}
        </p>
        <div data-testid="outcome" aria-live="polite">
            <Transition fallback=|| ()>{banner}</Transition>
        </div>
        <Card id="live-heading" heading="Now">
            <Loaded waiting="Reading from CLEMAP…">
                    {move || Suspend::new(async move {
                        live.await.map(|live| view! { <LiveReading live max now hydrated /> })
                    })}
                </Loaded>
        </Card>
        <Transition fallback=|| ()>
            <Show
                when=can_control
                fallback=|| view! {
                    <p class="muted" data-testid="read-only">
                        "Your role can view this charger but not change it."
                    </p>
                }
            >
                <ErrorBoundary fallback=error_fallback>
                    {move || Suspend::new(async move {
                        limits.await.map(|limits| {
                            let charger = for_forms.get_value();
                            view! {
                                <TargetForm charger=charger.clone() set hydrated now limits />
                                <ResetForm charger reset hydrated />
                            }
                        })
                    })}
                </ErrorBoundary>
            </Show>
        </Transition>
        <Card id="history-heading" heading="Latest changes">
            <Loaded>
                    {move || Suspend::new(async move {
                        history.await.map(|rows| view! { <History rows hydrated /> })
                    })}
                </Loaded>
            <p><a href=format!("/audit?charger={id}")>"Full history of this charger"</a></p>
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
            {outcome_sentence(&outcome)}
        </p>
    }
    .into_any()
}
