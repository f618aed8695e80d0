//! Removing the temporary target now.

use evse_dashboard::types::Charger;
use leptos::prelude::*;

use crate::api::control::ResetTarget;
use crate::components::feedback::Card;
use crate::islands::confirm::{Change, ConfirmStep};

#[component]
pub fn ResetForm(charger: Charger) -> impl IntoView {
    let reset = ServerAction::<ResetTarget>::new();
    view! {
        <Card id="reset-heading" heading="Reset">
            <p class="muted">
                "Removes the temporary target now; the charger returns to its normal limit."
            </p>
            <ActionForm action=reset attr:data-testid="reset-form">
                <input type="hidden" name="charger_id" value=charger.id />
                <ConfirmStep
                    change=Change::ResetTarget
                    summary=format!("Reset the temporary target of {}?", charger.name)
                />
            </ActionForm>
        </Card>
    }
}
