//! The frame around every page: header (brand, navigation, the logged-in
//! user, logout, theme), main, footer. All server-rendered; the one island
//! here keeps times current.

use evse_dashboard::types::{Role, User};
use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::i18n::td_string;
use crate::islands::ticker::TimeTicker;
use crate::language::{Locale, locale};
use crate::prefs::{Theme, request_theme};
use crate::server_fns::auth::{Logout, me};
use crate::server_fns::prefs::{SetLanguage, SetTheme};
use crate::words::role_label;
use leptos_i18n::Locale as _;

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
    let l = locale();
    view! {
        <header class="site-header">
            <a class="brand" href="/">{td_string!(l, brand)}</a>
            {current.show(move |u| view! {
                <div class="session" data-testid="session">
                    <a href="/account" title=td_string!(l, your_account)>{u.username.clone()}</a>
                    <span class="role">{role_label(l, u.role)}</span>
                    <ActionForm action=logout>
                        <button type="submit" class="link">{td_string!(l, log_out)}</button>
                    </ActionForm>
                </div>
            })}
            // Only for a logged-in user: for anyone else every link would
            // lead back to the login page.
            {current.show(move |u| view! {
                <nav aria-label=td_string!(l, nav_main)>
                    <a href="/">{td_string!(l, nav_overview)}</a>
                    <a href="/sessions">{td_string!(l, nav_sessions)}</a>
                    <a href="/audit">{td_string!(l, nav_audit)}</a>
                    {(u.role == Role::Admin).then(|| view! { <a href="/admin">{td_string!(l, nav_admin)}</a> })}
                </nav>
            })}
            <ThemeToggle />
            <LanguageSwitch />
        </header>
        <main>{children()}</main>
        <footer class="site-footer">
            <span>"evse-dashboard " {evse_dashboard::VERSION}</span>
            <span>{td_string!(l, footer_about)}</span>
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
    let next = here();
    let theme = request_theme();
    let l = locale();
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
                    {td_string!(l, dark_mode)}
                </button>
            })}
            {(theme != Theme::Light).then(|| view! {
                <button type="submit" name="theme" value=choice(Theme::Light) class="link when-dark">
                    {td_string!(l, light_mode)}
                </button>
            })}
        </ActionForm>
    }
}

/// Where a header form sends the browser back to: this page.
fn here() -> impl Fn() -> String + Clone + Send + Sync + 'static {
    let location = use_location();
    move || {
        let (path, query) = (location.pathname.get(), location.search.get());
        if query.is_empty() {
            path
        } else {
            format!("{path}?{query}")
        }
    }
}

/// One button per language, each named in its own language; the current
/// one is marked. A plain form: it works before and without the wasm.
#[component]
fn LanguageSwitch() -> impl IntoView {
    let set = ServerAction::<SetLanguage>::new();
    let next = here();
    let current = locale();
    let buttons = Locale::get_all()
        .iter()
        .map(|&option| {
            let native = td_string!(option, language_name);
            let pressed = (option == current).to_string();
            view! {
                <button
                    type="submit"
                    name="language"
                    value=crate::language::to_language(option).as_str()
                    class="link"
                    lang=option.as_str()
                    aria-label=native
                    aria-pressed=pressed
                >
                    {option.as_str().to_uppercase()}
                </button>
            }
        })
        .collect_view();
    view! {
        <ActionForm action=set attr:class="languages" attr:aria-label=td_string!(current, language)>
            <input type="hidden" name="next" value=next />
            {buttons}
        </ActionForm>
    }
}
