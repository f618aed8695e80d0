//! Reloads the page every so often while the tab is visible and the person
//! is not in the middle of something (a focused field, a ticked box).

use leptos::prelude::*;

#[cfg(feature = "hydrate")]
fn busy() -> bool {
    let focused = document()
        .active_element()
        .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA"));
    let ticked = document()
        .query_selector("input[type=checkbox]:checked")
        .ok()
        .flatten()
        .is_some();
    focused || ticked
}

#[island]
pub fn AutoRefresh(seconds: u32) -> impl IntoView {
    Effect::new(move |_| {
        let handle = set_interval_with_handle(
            move || {
                #[cfg(feature = "hydrate")]
                if !document().hidden() && !busy() {
                    let _ = window().location().reload();
                }
            },
            std::time::Duration::from_secs(seconds.into()),
        );
        on_cleanup(move || {
            if let Ok(h) = handle {
                h.clear();
            }
        });
    });
}
