//! The few reads of the server-rendered page that the islands need, in one
//! place. Only the browser has a page; on the server these find nothing.

/// The `<input>`s matching `selector`.
#[cfg(feature = "hydrate")]
pub fn inputs(selector: &str) -> Vec<web_sys::HtmlInputElement> {
    use wasm_bindgen::JsCast;
    let Ok(nodes) = leptos::prelude::document().query_selector_all(selector) else {
        return Vec::new();
    };
    (0..nodes.length())
        .filter_map(|i| nodes.item(i))
        .filter_map(|n| n.dyn_into::<web_sys::HtmlInputElement>().ok())
        .collect()
}

/// The value of the first `<input>` matching `selector`, as it is now: what
/// the person typed or chose before the wasm arrived, which hydration must
/// keep instead of resetting the control to its default.
#[allow(unused_variables)]
pub fn typed(selector: &str) -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        inputs(selector).first().map(|input| input.value())
    }
    #[cfg(not(feature = "hydrate"))]
    None
}

/// Calls `f` with each element that has `attribute`, and its value.
#[cfg(feature = "hydrate")]
pub fn each_with(attribute: &str, mut f: impl FnMut(&web_sys::Element, &str)) {
    use wasm_bindgen::JsCast;
    let Ok(nodes) = leptos::prelude::document().query_selector_all(&format!("[{attribute}]"))
    else {
        return;
    };
    for i in 0..nodes.length() {
        let Some(element) = nodes
            .item(i)
            .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
        else {
            continue;
        };
        if let Some(value) = element.get_attribute(attribute) {
            f(&element, &value);
        }
    }
}
