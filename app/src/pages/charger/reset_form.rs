//! Removing the temporary target now.

use evse_dashboard::types::Charger;
use leptos::prelude::*;

use crate::components::feedback::Card;
use crate::i18n::td_string;
use crate::islands::confirm::{Change, ConfirmStep};
use crate::language::locale;
use crate::server_fns::control::ResetTarget;

#[component]
pub fn ResetForm(charger: Charger) -> impl IntoView {
    let l = locale();
    let reset = ServerAction::<ResetTarget>::new();
    view! {
        <Card id="reset-heading" heading=td_string!(l, reset_heading)>
            <p class="muted">{td_string!(l, reset_hint)}</p>
            <ActionForm action=reset attr:data-testid="reset-form">
                <input type="hidden" name="charger_id" value=charger.id />
                <ConfirmStep
                    change=Change::ResetTarget
                    summary=td_string!(l, reset_summary, charger = &charger.name).to_string()
                />
            </ActionForm>
        </Card>
    }
}
