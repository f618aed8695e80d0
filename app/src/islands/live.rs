//! Keeps a page current without reloading it (#41). The server renders
//! the page whole; this island opens its live stream (Server-Sent Events)
//! and puts each region the server sends in place of the element of the
//! same `data-live` name. The person's scroll position, focus and what
//! they are typing stay: no region holds a control, and a region that
//! holds the focus or an opened row is left until the next change.
//!
//! Without JavaScript (or before the wasm arrives) the page says it is not
//! live; `EventSource` reconnects by itself, and when the server refused
//! or is gone this island tries again every few seconds.

use leptos::prelude::*;

use crate::i18n::td_string;
use crate::language::locale;

/// Where the stream is served; the page comes as `?page=`.
pub const STREAM_PATH: &str = "/live";
/// The event that carries what changed: a [`Pushed`] as JSON.
pub const REGIONS_EVENT: &str = "regions";

/// What one event carries (the server writes it, the island reads it).
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Pushed {
    /// Regions: their `data-live` name and inner HTML.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub html: Vec<(String, String)>,
    /// When chargers were read, to the second, with the chargers read
    /// then: the overview's "updated" cells, which change every round for
    /// every charger, as a time and a list of ids rather than as HTML.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub read: Vec<(String, Vec<i64>)>,
}

/// The `data-live` name of a charger's "updated" cell on the overview.
pub fn read_key(charger_id: i64) -> String {
    format!("c{charger_id}-updated")
}

/// What the page knows of its stream (the server renders it `Off`; the
/// other states come from the browser).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
enum Link {
    /// Rendered by the server, or without JavaScript.
    Off,
    Connecting,
    Live,
    Lost,
}

impl Link {
    fn name(self) -> &'static str {
        match self {
            Link::Off => "off",
            Link::Connecting => "connecting",
            Link::Live => "live",
            Link::Lost => "lost",
        }
    }
}

/// Percent-encodes `text` for a query value (the page's own path and
/// query, and the server's place in its changes).
pub fn query_value(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The page's live state, with the server's place in its changes now.
#[component]
pub fn LiveState() -> impl IntoView {
    #[cfg(feature = "ssr")]
    let since = use_context::<evse_dashboard::services::Services>()
        .map(|services| services.changes().position())
        .unwrap_or_default();
    #[cfg(not(feature = "ssr"))]
    let since = String::new();
    view! { <LiveUpdates since /> }
}

#[island]
pub fn LiveUpdates(
    /// The server's place in its changes when it rendered the page: the
    /// stream sends what changed since, or everything when it cannot tell.
    since: String,
) -> impl IntoView {
    let l = locale();
    let link = RwSignal::new(Link::Off);
    let heard_at = RwSignal::new(String::new());
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| stream::open(since.clone(), link, heard_at));
    #[cfg(not(feature = "hydrate"))]
    let _ = since;
    view! {
        <p class="live-state" data-testid="live-state" data-state=move || link.get().name()>
            <span role="status">
                {move || match link.get() {
                    Link::Off => td_string!(l, live_off),
                    Link::Connecting => td_string!(l, live_connecting),
                    Link::Live => td_string!(l, live_on),
                    Link::Lost => td_string!(l, live_lost),
                }}
            </span>
            " "
            <span class="muted">
                {move || (link.get() == Link::Live && !heard_at.get().is_empty())
                    .then(|| td_string!(l, live_updated_at, time = heard_at.get()).to_string())}
            </span>
        </p>
    }
}

#[cfg(feature = "hydrate")]
mod stream {
    use leptos::prelude::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    use web_sys::{Element, EventSource, MessageEvent};

    use super::{Link, Pushed, REGIONS_EVENT, STREAM_PATH, query_value, read_key};

    /// How long to wait before opening a stream the browser gave up on (it
    /// was refused: the server is busy, or the session is over), doubling
    /// up to [`LONGEST_RETRY`].
    const RETRY: std::time::Duration = std::time::Duration::from_secs(5);
    const LONGEST_RETRY: std::time::Duration = std::time::Duration::from_secs(120);

    fn now() -> String {
        crate::words::clock_seconds(chrono::Utc::now())
    }

    thread_local! {
        /// Regions held back because the person was in them, by name: put
        /// in place once the focus leaves them or the row is closed.
        static HELD: std::cell::RefCell<std::collections::HashMap<String, String>> =
            Default::default();
    }

    pub(super) fn open(since: String, link: RwSignal<Link>, heard_at: RwSignal<String>) {
        release_held_when_free();
        open_after(since, link, heard_at, RETRY);
    }

    /// When the focus moves or a row opens or closes, the held regions
    /// that are free now go in place.
    fn release_held_when_free() {
        let release = Closure::<dyn Fn()>::new(|| {
            // After the focus has moved.
            set_timeout(
                || {
                    let held = HELD.with(|held| std::mem::take(&mut *held.borrow_mut()));
                    if !held.is_empty() {
                        place(held.into_iter().collect());
                        crate::islands::ticker::refresh_times(chrono::Utc::now());
                    }
                },
                std::time::Duration::ZERO,
            );
        });
        let document = document();
        let callback = release.as_ref().unchecked_ref();
        let _ = document.add_event_listener_with_callback("focusout", callback);
        // `toggle` does not bubble: heard while it goes down the tree.
        let _ = document.add_event_listener_with_callback_and_bool("toggle", callback, true);
        release.forget();
    }

    fn open_after(
        since: String,
        link: RwSignal<Link>,
        heard_at: RwSignal<String>,
        retry: std::time::Duration,
    ) {
        let location = window().location();
        let page = format!(
            "{}{}",
            location.pathname().unwrap_or_default(),
            location.search().unwrap_or_default()
        );
        let url = format!(
            "{STREAM_PATH}?page={}&since={}",
            query_value(&page),
            query_value(&since)
        );
        link.set(Link::Connecting);
        let Ok(source) = EventSource::new(&url) else {
            link.set(Link::Lost);
            return;
        };
        let on_open = Closure::<dyn Fn()>::new(move || {
            link.set(Link::Live);
            heard_at.set(now());
        });
        source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        on_open.forget();

        let on_regions = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
            if let Some(text) = event.data().as_string() {
                apply(&text);
            }
            link.set(Link::Live);
            heard_at.set(now());
        });
        let _ = source
            .add_event_listener_with_callback(REGIONS_EVENT, on_regions.as_ref().unchecked_ref());
        on_regions.forget();

        let watched = source.clone();
        let on_error = Closure::<dyn Fn()>::new(move || {
            link.set(Link::Lost);
            // CONNECTING: the browser retries by itself. CLOSED: it gave up
            // (the server refused, or answered something else): a new one.
            if watched.ready_state() == EventSource::CLOSED {
                let next = (retry * 2).min(LONGEST_RETRY);
                set_timeout(
                    move || open_after(String::new(), link, heard_at, next),
                    retry,
                );
            }
        });
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        on_error.forget();
    }

    /// Puts each region in its place, unless the person is in it; moves
    /// each "updated" time; then shows the times at once.
    fn apply(text: &str) {
        let Ok(pushed) = serde_json::from_str::<Pushed>(text) else {
            return;
        };
        place(pushed.html);
        let marked = marked();
        let document = document();
        for (at, chargers) in pushed.read {
            for id in chargers {
                let Some(cell) = marked.get(&read_key(id)) else {
                    continue;
                };
                match cell.query_selector("[data-since]").ok().flatten() {
                    Some(time) => {
                        let _ = time.set_attribute("data-since", &at);
                    }
                    // Never read before: the same mark `Since` makes.
                    None => {
                        if let Ok(time) = document.create_element("span") {
                            let _ = time.set_attribute("data-since", &at);
                            let _ = cell.append_child(&time);
                        }
                    }
                }
            }
        }
        crate::islands::ticker::refresh_times(chrono::Utc::now());
    }

    /// The page's marked elements by name, in one pass (an overview of 500
    /// chargers has thousands: not a search per region).
    fn marked() -> std::collections::HashMap<String, Element> {
        let mut marked = std::collections::HashMap::new();
        if let Ok(nodes) = document().query_selector_all("[data-live]") {
            for i in 0..nodes.length() {
                if let Some(element) = nodes.item(i).and_then(|n| n.dyn_into::<Element>().ok())
                    && let Some(name) = element.get_attribute("data-live")
                {
                    marked.insert(name, element);
                }
            }
        }
        marked
    }

    /// Puts regions in place; one the person is in is held until they
    /// leave it (the newest of each is kept).
    fn place(regions: Vec<(String, String)>) {
        let marked = marked();
        let focused = document().active_element();
        for (name, html) in regions {
            let Some(element) = marked.get(&name) else {
                continue;
            };
            if in_use(element, focused.as_ref()) {
                HELD.with(|held| held.borrow_mut().insert(name, html));
            } else {
                HELD.with(|held| held.borrow_mut().remove(&name));
                element.set_inner_html(&html);
            }
        }
    }

    /// The focus is inside, or a row was opened to read it.
    fn in_use(element: &Element, focused: Option<&Element>) -> bool {
        let has_focus = focused.is_some_and(|f| element.contains(Some(f.as_ref())));
        let opened = element
            .query_selector("details[open]")
            .ok()
            .flatten()
            .is_some();
        has_focus || opened
    }
}

#[cfg(test)]
mod tests {
    use super::query_value;

    #[test]
    fn a_page_and_a_place_survive_as_query_values() {
        assert_eq!(query_value("/chargers/12"), "/chargers/12");
        assert_eq!(
            query_value("/audit?charger=3&action=set target"),
            "/audit%3Fcharger%3D3%26action%3Dset%20target"
        );
        assert_eq!(query_value("ab12-7"), "ab12-7");
        assert_eq!(query_value("ü"), "%C3%BC");
    }
}
