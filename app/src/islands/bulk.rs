//! One target for several chargers. The server renders a plain form whose
//! checkboxes sit in the fleet's rows (`form="bulk"`); these islands add
//! "select all of a site" and a review that shows, before anything is
//! sent, what each charger gets after clamping to its own range.

use leptos::prelude::*;

use super::confirm::{Change, ConfirmControls};
#[cfg(feature = "hydrate")]
use super::dom::inputs;
use crate::i18n::td_string;
use crate::islands::duration::chosen_seconds;
use crate::islands::hooks::use_hydrated;
use crate::language::locale;
use crate::words::human_duration;

/// The form the fleet's checkboxes belong to.
pub const FORM_ID: &str = "bulk";

/// A ticked charger as its checkbox describes it.
#[derive(Clone, Debug, PartialEq)]
struct Ticked {
    name: String,
    min: i64,
    max: i64,
}

/// The chargers ticked now, and the amps and duration typed.
fn read_form() -> (Vec<Ticked>, i64, String) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let ticked = inputs(&format!("input[form='{FORM_ID}'][type=checkbox]:checked"))
            .into_iter()
            .map(|el| {
                let attr = |k: &str| el.get_attribute(k).unwrap_or_default();
                Ticked {
                    name: attr("data-name"),
                    min: attr("data-min").parse().unwrap_or(0),
                    max: attr("data-max").parse().unwrap_or(0),
                }
            })
            .collect();
        let value = |id: &str| {
            document()
                .get_element_by_id(id)
                .and_then(|el| {
                    el.clone()
                        .dyn_into::<web_sys::HtmlInputElement>()
                        .map(|i| i.value())
                        .or_else(|el| {
                            el.dyn_into::<web_sys::HtmlSelectElement>()
                                .map(|s| s.value())
                        })
                        .ok()
                })
                .unwrap_or_default()
        };
        (
            ticked,
            value("bulk-amps").trim().parse().unwrap_or(0),
            value("bulk-duration"),
        )
    }
    #[cfg(not(feature = "hydrate"))]
    (Vec::new(), 0, String::new())
}

#[island]
pub fn BulkReview() -> impl IntoView {
    let l = locale();
    let reviewing = RwSignal::new(false);
    let form = RwSignal::new((Vec::<Ticked>::new(), 0_i64, String::new()));
    let summary = Signal::derive(move || {
        let (ticked, amps, duration) = form.get();
        td_string!(
            l,
            bulk_summary,
            amps = amps,
            duration =
                chosen_seconds(&duration, "").map_or_else(|| "?".into(), |s| human_duration(l, s)),
            count = ticked.len()
        )
        .to_string()
    });
    let preview = move || {
        let (ticked, amps, _) = form.get();
        ticked
            .into_iter()
            .map(|t| {
                let sent = amps.clamp(t.min, t.max.max(t.min));
                let line = if sent != amps {
                    td_string!(
                        l,
                        bulk_clamped,
                        name = &t.name,
                        amps = sent,
                        min = t.min,
                        max = t.max
                    )
                    .to_string()
                } else {
                    td_string!(l, bulk_sent, name = &t.name, amps = sent).to_string()
                };
                view! { <li>{line}</li> }
            })
            .collect_view()
    };
    view! {
        <ConfirmControls
            change=Change::BulkTarget
            summary
            reviewing
            on_review=Callback::new(move |()| form.set(read_form()))
            details=std::sync::Arc::new(move || view! {
                <ul class="preview" data-testid="bulk-preview">{preview}</ul>
            }.into_any())
        />
    }
}

/// Ticks every charger of one site.
#[island]
pub fn SelectSite(index: usize) -> impl IntoView {
    let l = locale();
    let hydrated = use_hydrated();
    #[cfg(not(feature = "hydrate"))]
    let _ = index;
    let select = move |_| {
        #[cfg(feature = "hydrate")]
        for input in inputs(&format!(
            "input[form='{FORM_ID}'][data-site-index='{index}']"
        )) {
            input.set_checked(true);
        }
    };
    view! {
        <Show when=move || hydrated.get()>
            <button type="button" class="secondary" on:click=select>
                {td_string!(l, select_site)}
            </button>
        </Show>
    }
}
