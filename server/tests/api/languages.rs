//! The dashboard speaks English, German and French: the user's saved
//! choice, then the `lang` cookie, then `Accept-Language`, then English,
//! decided on the server for the first paint.

use evse_dashboard::types::Role;

use crate::helpers::{TestApp, client, spawn_app};

/// The `<html lang>` of a page.
fn html_lang(html: &str) -> &str {
    let start = html.find("<html lang=\"").expect("<html lang>") + "<html lang=\"".len();
    &html[start..start + html[start..].find('"').unwrap()]
}

/// `path` as `client` sees it from a browser that asks for `accept`.
async fn page_for(app: &TestApp, client: &reqwest::Client, path: &str, accept: &str) -> String {
    let res = client
        .get(app.url(path))
        .header("accept-language", accept)
        .send()
        .await
        .unwrap();
    res.text().await.unwrap()
}

async fn login_page(app: &TestApp, accept: &str) -> String {
    page_for(app, &client(), "/login", accept).await
}

#[tokio::test]
async fn a_swiss_browser_gets_the_login_page_in_its_language() {
    let app = spawn_app().await;
    let german = login_page(&app, "de-CH").await;
    assert_eq!(html_lang(&german), "de");
    assert!(german.contains(">Benutzername<") || german.contains("Benutzername"));
    assert!(german.contains("Anmelden"));
    assert!(!german.contains("Username"));

    let french = login_page(&app, "fr-CH, fr;q=0.9, en;q=0.8").await;
    assert_eq!(html_lang(&french), "fr");
    assert!(french.contains("Mot de passe"));

    let italian = login_page(&app, "it-CH, it;q=0.9").await;
    assert_eq!(html_lang(&italian), "en");
    assert!(italian.contains("Password"));
}

/// Posts the header's language switch as a browser would (a plain form).
async fn switch(app: &TestApp, client: &reqwest::Client, language: &str) -> reqwest::Response {
    client
        .post(app.url("/api/set_language"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "text/html,application/xhtml+xml")
        .header("referer", app.url("/login"))
        .body(format!("language={language}&next=/login"))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_switch_sets_a_cookie_that_beats_the_browser_language() {
    let app = spawn_app().await;
    let browser = client();
    let res = switch(&app, &browser, "fr").await;
    assert!(res.status().is_redirection(), "{}", res.status());
    assert_eq!(res.headers()["location"], "/login");
    let cookie = res.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("lang=fr;"), "{cookie}");

    let html = page_for(&app, &browser, "/login", "de-CH").await;
    assert_eq!(html_lang(&html), "fr");
}

#[tokio::test]
async fn a_user_s_choice_follows_them_to_another_browser() {
    let app = spawn_app().await;
    app.create_user("maria", Role::Operator).await;
    let laptop = app.login("maria").await;
    assert!(switch(&app, &laptop, "de").await.status().is_redirection());

    // A phone with a French browser and no cookie: after login, German.
    let phone = app.login("maria").await;
    let html = page_for(&app, &phone, "/", "fr-CH").await;
    assert_eq!(html_lang(&html), "de");
    assert!(html.contains("Übersicht"));
    let saved: Option<String> =
        sqlx::query_scalar("SELECT language FROM users WHERE username = 'maria'")
            .fetch_one(app.sqlite())
            .await
            .unwrap();
    assert_eq!(saved.as_deref(), Some("de"));
}

#[tokio::test]
async fn an_unknown_language_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let browser = client();
    let res = switch(&app, &browser, "klingon").await;
    assert!(res.headers().get("set-cookie").is_none());
    let html = page_for(&app, &browser, "/login", "").await;
    assert_eq!(html_lang(&html), "en");
}

#[tokio::test]
async fn one_audit_row_reads_in_each_language_and_the_csv_stays_english() {
    let app = spawn_app().await;
    app.create_user("op", Role::Operator).await;
    let op = app.login("op").await;
    for (language, label) in [
        ("de", "Angemeldet"),
        ("fr", "Connexion"),
        ("en", "Logged in"),
    ] {
        let html = page_for(&app, &op, "/audit?action=login", language).await;
        assert_eq!(html_lang(&html), language);
        assert!(html.contains(label), "{language}: no {label}");
    }
    let csv = page_for(&app, &op, "/audit/export.csv", "de-CH").await;
    assert!(csv.starts_with("id,at_utc,actor,action"), "{csv}");
    assert!(csv.contains(",login,"));
}
