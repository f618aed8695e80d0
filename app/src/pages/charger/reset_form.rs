//! Removing the temporary target now.

use evse_dashboard::types::Charger;
use leptos::prelude::*;

use crate::api::control::ResetTarget;
use crate::components::confirm::{Change, ConfirmSubmit};
use crate::components::feedback::Card;

#[component]
pub fn ResetForm(
    charger: Charger,
    reset: ServerAction<ResetTarget>,
    hydrated: ReadSignal<bool>,
) -> impl IntoView {
    view! {
        <Card id="reset-heading" heading="Reset">
            <p class="muted">
                "Removes the temporary target now; the charger returns to its normal limit."
            </p>
            <ActionForm action=reset attr:data-testid="reset-form">
                <input type="hidden" name="charger_id" value=charger.id />
                <ConfirmSubmit change=Change::ResetTarget action=reset hydrated summary="Reset the temporary target of this charger?".to_owned() />
            </ActionForm>
        </Card>
    }
}
