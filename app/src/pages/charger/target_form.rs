//! Setting a temporary current target: a plain form, refined by the
//! `TargetControls` island.

use evse_dashboard::types::{Charger, TargetLimits};
use leptos::prelude::*;

use crate::components::feedback::Card;
use crate::i18n::td_string;
use crate::islands::duration::DEFAULT_PRESET;
use crate::islands::target::TargetControls;
use crate::language::locale;
use crate::server_fns::control::SetTarget;

/// Where the number starts: a common 16 A, within the charger's range.
const START_AMPS: u32 = 16;

#[component]
pub fn TargetForm(charger: Charger, limits: TargetLimits) -> impl IntoView {
    let set = ServerAction::<SetTarget>::new();
    let (min, max) = (charger.min_current, charger.max_current);
    view! {
        <Card id="set-heading" heading=td_string!(locale(), set_heading)>
            <ActionForm action=set attr:class="target-form" attr:data-testid="target-form">
                <input type="hidden" name="charger_id" value=charger.id />
                <TargetControls
                    charger=charger.name.clone()
                    min
                    max
                    start=START_AMPS.clamp(min, max)
                    default_duration=DEFAULT_PRESET
                    max_minutes=limits.max_duration / 60
                />
            </ActionForm>
        </Card>
    }
}
