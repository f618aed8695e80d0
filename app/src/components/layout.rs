//! The frame around every page: header with navigation, main, footer.

use leptos::prelude::*;

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    view! {
        <header class="site-header">
            <a class="brand" href="/">
                "EVSE dashboard"
            </a>
            <nav aria-label="Main">
                <a href="/">"Overview"</a>
                <a href="/audit">"Audit"</a>
                <a href="/admin">"Admin"</a>
            </nav>
        </header>
        <main>{children()}</main>
        <footer class="site-footer">
            <span>"evse-dashboard " {evse_dashboard::VERSION}</span>
            <span>"Controls chargers through CLEMAP's Direct EVSE Control API"</span>
        </footer>
    }
}
