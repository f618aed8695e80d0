//! Which language a page is rendered in.
//!
//! The server decides, once per request, before the first byte: the
//! logged-in user's choice, else this browser's `lang` cookie, else its
//! `Accept-Language`, else English. Pages read the result with
//! [`locale`] and translate with `td!`/`td_string!` (leptos_i18n, keys
//! checked at compile time). Islands run in the browser without that
//! context and read the same decision back from `<html lang>`.

use evse_dashboard::types::Language;
use leptos::prelude::*;

pub use crate::i18n::Locale;

/// The locale of the page being rendered: the server's decision, or in
/// the browser the `lang` the server wrote on `<html>` (so an island
/// hydrates with the words it was rendered with).
pub fn locale() -> Locale {
    if let Some(locale) = use_context::<Locale>() {
        return locale;
    }
    #[cfg(feature = "hydrate")]
    if let Some(lang) = document()
        .document_element()
        .and_then(|html| html.get_attribute("lang"))
    {
        return lang.parse().unwrap_or_default();
    }
    Locale::default()
}

pub fn from_language(language: Language) -> Locale {
    match language {
        Language::En => Locale::en,
        Language::De => Locale::de,
        Language::Fr => Locale::fr,
    }
}

pub fn to_language(locale: Locale) -> Language {
    match locale {
        Locale::en => Language::En,
        Locale::de => Language::De,
        Locale::fr => Language::Fr,
    }
}

#[cfg(feature = "ssr")]
pub const COOKIE: &str = "lang";

/// The request's locale, in the order described above.
#[cfg(feature = "ssr")]
pub fn negotiate(parts: &http::request::Parts) -> Locale {
    let user = parts
        .extensions
        .get::<crate::session::RequestUser>()
        .and_then(|user| user.0.language);
    negotiate_headers(user, &parts.headers)
}

/// The locale for the user's own choice (when known) and the request's
/// headers, for handlers outside the Leptos renderer.
#[cfg(feature = "ssr")]
pub fn negotiate_headers(user: Option<Language>, headers: &http::HeaderMap) -> Locale {
    let chosen = user.or_else(|| {
        crate::request::cookie(headers, COOKIE).and_then(|v| v.parse::<Language>().ok())
    });
    if let Some(language) = chosen {
        return from_language(language);
    }
    let accepted = headers
        .get(http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(accepted_languages)
        .unwrap_or_default();
    <Locale as leptos_i18n::Locale>::find_locale(&accepted)
}

/// The tags of an `Accept-Language` header, most wanted first (equal
/// weights keep the browser's order). q=0 means "not this one", and an
/// unreadable weight reads as 0: both are dropped, as is `*`.
#[cfg(feature = "ssr")]
fn accepted_languages(header: &str) -> Vec<String> {
    accept_language::parse_with_quality(header)
        .into_iter()
        .filter(|(tag, q)| *q > 0.0 && tag != "*")
        .map(|(tag, _)| tag)
        .collect()
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn accept_language_is_ordered_by_weight_and_drops_refusals() {
        assert_eq!(
            accepted_languages("fr-CH;q=0.8, de-CH, en;q=0.5, it;q=0"),
            ["de-CH", "fr-CH", "en"]
        );
        assert_eq!(accepted_languages("*"), Vec::<String>::new());
        assert_eq!(accepted_languages("en;q=oops, fr"), ["fr"]);
    }

    #[test]
    fn a_swiss_browser_gets_its_language_and_others_english() {
        let pick = |header: &str| {
            <Locale as leptos_i18n::Locale>::find_locale(&accepted_languages(header))
        };
        assert_eq!(pick("de-CH,de;q=0.9"), Locale::de);
        assert_eq!(pick("fr-CH, fr;q=0.9, en;q=0.8"), Locale::fr);
        assert_eq!(pick("it-CH, en;q=0.5"), Locale::en);
        assert_eq!(pick("ja"), Locale::en);
        assert_eq!(pick(""), Locale::en);
    }

    /// leptos_i18n falls back to English for a key missing in another
    /// locale (a warning, not an error): this makes a missing key, or a
    /// translation that drops or invents a `{{ value }}`, fail.
    #[test]
    fn every_key_is_translated_with_the_same_values_in_every_locale() {
        use std::collections::{BTreeMap, BTreeSet};
        type Catalog = BTreeMap<String, String>;
        let parse = |text: &str| serde_json::from_str::<Catalog>(text).expect("valid JSON");
        let values = |text: &str| -> BTreeSet<String> {
            text.split("{{")
                .skip(1)
                .filter_map(|rest| rest.split_once("}}"))
                .map(|(name, _)| name.trim().to_owned())
                .collect()
        };
        let english = parse(include_str!("../locales/en.json"));
        for (name, text) in [
            ("de", include_str!("../locales/de.json")),
            ("fr", include_str!("../locales/fr.json")),
        ] {
            let other = parse(text);
            let missing: Vec<_> = english.keys().filter(|k| !other.contains_key(*k)).collect();
            let extra: Vec<_> = other.keys().filter(|k| !english.contains_key(*k)).collect();
            assert!(missing.is_empty(), "{name} lacks {missing:?}");
            assert!(extra.is_empty(), "{name} has keys English lacks: {extra:?}");
            for (key, sentence) in &english {
                assert_eq!(values(sentence), values(&other[key]), "{name}: {key}");
                assert!(!other[key].trim().is_empty(), "{name}: {key} is empty");
            }
        }
    }

    #[test]
    fn every_language_has_a_locale_and_back() {
        use strum::IntoEnumIterator;
        for language in Language::iter() {
            assert_eq!(to_language(from_language(language)), language);
        }
    }
}
