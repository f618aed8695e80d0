//! The frame around every page: header (brand, navigation, the logged-in
//! user, logout, theme), main, footer. All server-rendered; the one island
//! here keeps times current.

use evse_dashboard::types::{Role, User};
use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::api::auth::{Logout, me};
use crate::islands::ticker::TimeTicker;
use crate::prefs::{SetTheme, Theme, request_theme};
use crate::words::role_label;

/// The logged-in user, read once per page and shared by every page.
#[derive(Clone, Copy)]
pub struct CurrentUser(pub Resource<Option<User>>);

impl CurrentUser {
    /// The user's role, once known.
    pub fn role(&self) -> Option<Role> {
        self.0.get().flatten().map(|u| u.role)
    }

    /// Renders `view` for the logged-in user once known (the read is inside
    /// a `Transition`, which the server waits for).
    pub fn show<V: IntoView + 'static>(
        self,
        view: impl Fn(User) -> V + Send + Sync + 'static,
    ) -> impl IntoView {
        view! { <Transition fallback=|| ()>{move || self.0.get().flatten().map(&view)}</Transition> }
    }
}

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let user = Resource::new(|| (), |_| async { me().await.ok().flatten() });
    let current = CurrentUser(user);
    provide_context(current);
    let logout = ServerAction::<Logout>::new();
    view! {
        <header class="site-header">
            <a class="brand" href="/">"EVSE dashboard"</a>
            {current.show(move |u| view! {
                <div class="session" data-testid="session">
                    <a href="/account" title="Your account">{u.username.clone()}</a>
                    <span class="role">{role_label(u.role)}</span>
                    <ActionForm action=logout>
                        <button type="submit" class="link">"Log out"</button>
                    </ActionForm>
                </div>
            })}
            // Only for a logged-in user: for anyone else every link would
            // lead back to the login page.
            {current.show(|u| view! {
                <nav aria-label="Main">
                    <a href="/">"Overview"</a>
                    <a href="/audit">"Audit"</a>
                    {(u.role == Role::Admin).then(|| view! { <a href="/admin">"Admin"</a> })}
                </nav>
            })}
            <ThemeToggle />
        </header>
        <main>{children()}</main>
        <footer class="site-footer">
            <span>"evse-dashboard " {evse_dashboard::VERSION}</span>
            <span>"Controls chargers through CLEMAP's Direct EVSE Control API"</span>
        </footer>
        <TimeTicker />
    }
}

/// One button that switches to the other scheme. The server cannot know
/// the system's scheme, so both labels are rendered and the stylesheet
/// shows the one that fits what is on screen.
#[component]
fn ThemeToggle() -> impl IntoView {
    let set = ServerAction::<SetTheme>::new();
    let here = use_location();
    let next = move || {
        let (path, query) = (here.pathname.get(), here.search.get());
        if query.is_empty() {
            path
        } else {
            format!("{path}?{query}")
        }
    };
    let theme = request_theme();
    let choice = |t: Theme| {
        serde_json::to_value(t)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
    };
    view! {
        <ActionForm action=set attr:class="theme">
            <input type="hidden" name="next" value=next />
            {(theme != Theme::Dark).then(|| view! {
                <button type="submit" name="theme" value=choice(Theme::Dark) class="link when-light">
                    "Dark mode"
                </button>
            })}
            {(theme != Theme::Light).then(|| view! {
                <button type="submit" name="theme" value=choice(Theme::Light) class="link when-dark">
                    "Light mode"
                </button>
            })}
        </ActionForm>
    }
}
