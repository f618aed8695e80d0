//! The confirmation step of a form that changes a charger, one markup for
//! both paths: without JavaScript (or before the wasm arrives) a required
//! checkbox is the confirmation and the button submits the plain form;
//! once hydrated, a review button shows a summary and asks again.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// Which change is being confirmed: it picks the words and the colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    SetTarget,
    ResetTarget,
    BulkTarget,
}

/// The words of one confirmation: the no-JavaScript checkbox and submit
/// button, the review button, the review group's name, its submit button.
fn words(change: Change) -> [&'static str; 5] {
    match change {
        Change::SetTarget => [
            "I confirm this change to the charger",
            "Set target",
            "Review…",
            "Confirm",
            "Confirm",
        ],
        Change::ResetTarget => [
            "I confirm the reset",
            "Reset target",
            "Reset target…",
            "Confirm reset",
            "Confirm reset",
        ],
        Change::BulkTarget => [
            "I confirm this change to the selected chargers",
            "Set target",
            "Review…",
            "Confirm bulk target",
            "Confirm",
        ],
    }
}

#[component]
pub fn ConfirmSubmit<S>(
    change: Change,
    /// The form's action: its answer closes the review, and while it is in
    /// flight confirming again is disabled.
    action: ServerAction<S>,
    hydrated: ReadSignal<bool>,
    /// What the review asks, e.g. "Set 10 A for 2 h on Bay 1?".
    #[prop(into)]
    summary: Signal<String>,
    /// Disables the review (e.g. nothing selected).
    #[prop(optional, into)]
    disabled: Signal<bool>,
) -> impl IntoView
where
    S: ServerFn + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
{
    let reviewing = RwSignal::new(false);
    Effect::new(move |_| {
        if action.version().get() > 0 {
            reviewing.set(false);
        }
    });
    let class = if change == Change::ResetTarget {
        "danger"
    } else {
        ""
    };
    let [check, submit, review, group, confirm] = words(change);
    view! {
        <Show when=move || !hydrated.get()>
            <label class="confirm-check">
                <input type="checkbox" name="confirmed" value="yes" required />
                {check}
            </label>
            <button type="submit" class=class>{submit}</button>
        </Show>
        <Show when=move || hydrated.get() && !reviewing.get()>
            <button
                type="button"
                class=class
                disabled=move || disabled.get()
                on:click=move |_| reviewing.set(true)
            >
                {review}
            </button>
        </Show>
        <Show when=move || hydrated.get() && reviewing.get()>
            <div class="confirm" role="group" aria-label=group>
                <p>{move || summary.get()}</p>
                <button type="submit" class=class disabled=move || action.pending().get()>
                    {confirm}
                </button>
                <button type="button" class="secondary" on:click=move |_| reviewing.set(false)>
                    "Back"
                </button>
            </div>
        </Show>
    }
}
