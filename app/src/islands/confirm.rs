//! The confirmation step of a form that changes something. Before the wasm
//! arrives (or without it) a required checkbox is the confirmation and the
//! button submits the plain form; once hydrated, a review button shows a
//! summary and asks again.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::i18n::td_string;
use crate::islands::hooks::use_hydrated;
use crate::language::{Locale, locale};

/// Which change is being confirmed: it picks the words and the colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Change {
    SetTarget,
    ResetTarget,
    BulkTarget,
    DeleteCharger,
}

/// The words of one confirmation: the no-JavaScript checkbox and submit
/// button, the review button, the review group's name, its submit button.
pub fn words(l: Locale, change: Change) -> [&'static str; 5] {
    match change {
        Change::SetTarget => [
            td_string!(l, confirm_set_check),
            td_string!(l, set_target),
            td_string!(l, review),
            td_string!(l, confirm),
            td_string!(l, confirm),
        ],
        Change::ResetTarget => [
            td_string!(l, confirm_reset_check),
            td_string!(l, reset_target),
            td_string!(l, reset_target_review),
            td_string!(l, confirm_reset),
            td_string!(l, confirm_reset),
        ],
        Change::BulkTarget => [
            td_string!(l, confirm_bulk_check),
            td_string!(l, set_target),
            td_string!(l, review),
            td_string!(l, confirm_bulk),
            td_string!(l, confirm),
        ],
        Change::DeleteCharger => [
            td_string!(l, confirm_delete_check),
            td_string!(l, delete),
            td_string!(l, delete_review),
            td_string!(l, confirm_delete),
            td_string!(l, yes_delete),
        ],
    }
}

/// The button class of a change.
pub fn class(change: Change) -> &'static str {
    match change {
        Change::ResetTarget | Change::DeleteCharger => "danger",
        Change::SetTarget | Change::BulkTarget => "",
    }
}

#[island]
pub fn ConfirmStep(
    change: Change,
    /// What the review asks, e.g. "Reset the temporary target of Bay 1?".
    summary: String,
) -> impl IntoView {
    let reviewing = RwSignal::new(false);
    view! { <ConfirmControls change summary reviewing /> }
}

/// The confirmation of one form, before and after hydration: the checkbox
/// and the plain submit button until the wasm runs, then a review button
/// that opens the review group (with `details` above the summary).
#[component]
pub fn ConfirmControls(
    change: Change,
    /// Follows the form while the review is open.
    #[prop(into)]
    summary: Signal<String>,
    reviewing: RwSignal<bool>,
    /// Runs as the review opens, e.g. to read what the form holds now.
    #[prop(optional)]
    on_review: Option<Callback<()>>,
    /// Shown in the review, above the summary.
    #[prop(optional)]
    details: Option<ChildrenFn>,
) -> impl IntoView {
    let hydrated = use_hydrated();
    let [check, submit, review, group, confirm] = words(locale(), change);
    let class = class(change);
    // No attribute at all for the plain buttons.
    let button_class = (!class.is_empty()).then_some(class);
    let open = move |_| {
        if let Some(on_review) = on_review {
            on_review.run(());
        }
        reviewing.set(true);
    };
    view! {
        <Show when=move || !hydrated.get()>
            <label class="confirm-check">
                <input type="checkbox" name="confirmed" value="yes" required />
                {check}
            </label>
            <button type="submit" class=button_class>{submit}</button>
        </Show>
        <Show when=move || hydrated.get() && !reviewing.get()>
            <button type="button" class=button_class on:click=open>
                {review}
            </button>
        </Show>
        <Show when=move || hydrated.get() && reviewing.get()>
            {details.clone().map(|details| details())}
            <ReviewGroup group summary confirm class reviewing />
        </Show>
    }
}

/// The review: the summary, the submit button, and the way back.
#[component]
pub fn ReviewGroup(
    group: &'static str,
    /// Follows the form while the review is open.
    #[prop(into)]
    summary: Signal<String>,
    confirm: &'static str,
    class: &'static str,
    reviewing: RwSignal<bool>,
) -> impl IntoView {
    let back = td_string!(locale(), back);
    view! {
        <div class="confirm" role="group" aria-label=group>
            <p>{move || summary.get()}</p>
            <button type="submit" class=class>{confirm}</button>
            <button type="button" class="secondary" on:click=move |_| reviewing.set(false)>
                {back}
            </button>
        </div>
    }
}
