//! The frame around every page: header with navigation and the logged-in
//! user, main, footer.

use evse_dashboard::types::{Role, User};
use leptos::prelude::*;

use crate::api::auth::{Logout, me};
use crate::words::role_label;

/// The logged-in user, read once per page load and shared by every page.
#[derive(Clone, Copy)]
pub struct CurrentUser(pub Resource<Option<User>>);

impl CurrentUser {
    /// The user's role, once known.
    pub fn role(&self) -> Option<Role> {
        self.0.get().flatten().map(|u| u.role)
    }

    /// Renders `view` for the logged-in user once known (on the server
    /// too: the read is inside a `Transition`, which waits for it).
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
    // A full reload after logout: nothing of the old session stays on screen.
    Effect::new(move |_| {
        if let Some(Ok(())) = logout.value().get() {
            let _ = window().location().set_href("/login");
        }
    });

    view! {
        <header class="site-header">
            <a class="brand" href="/">
                "EVSE dashboard"
            </a>
            <nav aria-label="Main">
                <a href="/">"Overview"</a>
                <a href="/audit">"Audit"</a>
                {current.show(|u| (u.role == Role::Admin).then(|| view! { <a href="/admin">"Admin"</a> }))}
            </nav>
            {current.show(move |u| view! {
                <div class="session" data-testid="session">
                    <a href="/account" title="Your account">{u.username.clone()}</a>
                    <span class="role">{role_label(u.role)}</span>
                    <ActionForm action=logout>
                        <button type="submit" class="link">"Log out"</button>
                    </ActionForm>
                </div>
            })}
        </header>
        <main>{children()}</main>
        <footer class="site-footer">
            <span>"evse-dashboard " {evse_dashboard::VERSION}</span>
            <span>"Controls chargers through CLEMAP's Direct EVSE Control API"</span>
        </footer>
    }
}
