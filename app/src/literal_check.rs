//! Fails when `app/src` holds a user-facing English literal: every word a
//! person reads comes from `locales/*.json`. A string literal counts as
//! user-facing when it
//! - reads like prose (a capitalised word, or an English function word
//!   such as "the" or "of"),
//! - is text inside markup (after `>` or `}` in a `view!`),
//! - is the value of an attribute people read or hear (`aria-label`,
//!   `title`, `placeholder`, `alt`, or one of our components' text props),
//! - or becomes a view on its own (`"none".into_any()`).
//!
//! Test modules, comments and log or developer messages (`tracing`,
//! `#[error]`: the logs are English on purpose) are not scanned. Names
//! that are the same in every language (CLEMAP, evsetoken, L1…) are
//! allowed below.

use std::path::{Path, PathBuf};

/// Same in every language: product and protocol names, phase names.
const ALLOWED: &[&str] = &[
    "CLEMAP",
    "evsetoken",
    "L1",
    "L2",
    "L3",
    "L1 / L2 / L3",
    "evse-dashboard ",
];

/// Where a literal is for developers and logs, not for people using the
/// dashboard.
const DEVELOPER_CONTEXTS: &[&str] = &["tracing::", "#[error(", "expect(", "panic!("];

/// Cookie attributes are protocol text.
const PROTOCOL_TEXT: &[&str] = &["; Path=/;"];

/// Attributes and props whose value is read or heard by people.
const READ_ATTRIBUTES: &[&str] = &[
    "aria-label=",
    "title=",
    "placeholder=",
    "alt=",
    "heading=",
    "label=",
    "waiting=",
    "summary=",
    "text=",
];

/// English words that code identifiers and CSS classes do not contain.
const FUNCTION_WORDS: &[&str] = &[
    "the", "a", "an", "of", "to", "is", "are", "was", "not", "no", "and", "or", "for", "in", "on",
    "at", "by", "with", "your", "you", "this", "it", "be", "has", "been", "yet",
];

struct Literal {
    line: usize,
    text: String,
    before: String,
    after: String,
}

/// The string literals of Rust source, with what precedes them on their
/// line and the few characters after; comments skipped.
fn literals(source: &str) -> Vec<Literal> {
    let chars: Vec<char> = source.chars().collect();
    let (mut i, mut line, mut line_start) = (0, 1, 0);
    let mut found = Vec::new();
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match c {
            '\n' => {
                line += 1;
                line_start = i + 1;
                i += 1;
            }
            '/' if next == Some('/') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '/' if next == Some('*') => {
                while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                    if chars[i] == '\n' {
                        line += 1;
                        line_start = i + 1;
                    }
                    i += 1;
                }
                i += 2;
            }
            '\'' => {
                // A char literal ('x', '\n'); otherwise a lifetime.
                if next == Some('\\') {
                    i += 2;
                    while i < chars.len() && chars[i] != '\'' {
                        i += 1;
                    }
                    i += 1;
                } else if chars.get(i + 2) == Some(&'\'') {
                    i += 3;
                } else {
                    i += 1;
                }
            }
            '"' => {
                let (start_line, before): (usize, String) =
                    (line, chars[line_start..i].iter().collect());
                let raw = i > 0 && chars[i - 1] == 'r';
                let mut text = String::new();
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' && !raw {
                        i += 1;
                    }
                    if chars[i] == '\n' {
                        line += 1;
                        line_start = i + 1;
                    }
                    text.push(chars[i]);
                    i += 1;
                }
                i += 1;
                let after: String = chars[i.min(chars.len())..(i + 14).min(chars.len())]
                    .iter()
                    .collect();
                found.push(Literal {
                    line: start_line,
                    text,
                    before,
                    after,
                });
            }
            _ => i += 1,
        }
    }
    found
}

/// `text` without its `format!` placeholders (`{}`, `{name}`).
fn without_placeholders(text: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in text.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth = (depth - 1).max(0),
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

fn reads_like_prose(text: &str) -> bool {
    let text = without_placeholders(text);
    // Words as people write them: identifiers like `logged_in_at` are one.
    let words: Vec<&str> = text
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
        .collect();
    let capitalised = words.iter().any(|w| {
        let mut chars = w.chars();
        w.chars().count() >= 2
            && chars.next().is_some_and(char::is_uppercase)
            && chars.all(char::is_lowercase)
    });
    let function_word = words.len() >= 2
        && words
            .iter()
            .any(|w| FUNCTION_WORDS.contains(&w.to_lowercase().as_str()));
    capitalised || function_word
}

/// Why `literal` is user-facing English, if it is.
fn finding(literal: &Literal) -> Option<&'static str> {
    let text = literal.text.trim();
    let before = literal.before.trim_end();
    if !text.chars().any(char::is_alphabetic)
        || ALLOWED.contains(&literal.text.as_str())
        || DEVELOPER_CONTEXTS.iter().any(|c| before.contains(c))
        || PROTOCOL_TEXT.iter().any(|p| text.contains(p))
    {
        return None;
    }
    if reads_like_prose(text) {
        return Some("reads like prose");
    }
    if READ_ATTRIBUTES.iter().any(|a| before.ends_with(a)) {
        return Some("is a label people read");
    }
    // After a tag or a block, not after a match arm's `=>`.
    if (before.ends_with('>') && !before.ends_with("=>")) || before.ends_with('}') {
        return Some("is text in markup");
    }
    if literal.after.starts_with(".into_any()") || literal.after.starts_with(".into_view()") {
        return Some("becomes a view");
    }
    None
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable source dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The part of a file that ships: tests sit in a module at the end.
fn shipped(source: &str) -> &str {
    ["#[cfg(test)]", "#[cfg(all(test"]
        .iter()
        .filter_map(|marker| source.find(marker))
        .min()
        .map_or(source, |end| &source[..end])
}

#[test]
fn no_user_facing_english_literal_outside_the_translations() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(files.len() > 40, "found only {} source files", files.len());
    let this_file = Path::new(file!()).file_name();
    let mut findings = Vec::new();
    for path in files.iter().filter(|p| p.file_name() != this_file) {
        let source = std::fs::read_to_string(path).expect("readable source");
        for literal in literals(shipped(&source)) {
            if let Some(why) = finding(&literal) {
                findings.push(format!(
                    "{}:{}: {:?} {why}",
                    path.strip_prefix(&src).unwrap_or(path).display(),
                    literal.line,
                    literal.text
                ));
            }
        }
    }
    assert!(
        findings.is_empty(),
        "move these to locales/*.json and use td_string!:\n{}",
        findings.join("\n")
    );
}

/// The check itself: it must catch each kind of literal it claims to.
#[test]
fn the_check_finds_what_it_should_and_spares_code() {
    let source = r##"
        view! { <p>"Saved."</p> <span>{x} "left"</span> <input placeholder="name" /> }
        let v = "none".into_any();
        let label = "The current";
        // "Commented out."
        let class = "banner error"; let id = "set-heading"; let life: &'static str = "";
        let c = '"'; let url = "/audit?before=1"; let key = "logged_in_at";
        let class = match x { A => "badge idle", _ => "" }; let amps = format!("{a} A");
        tracing::error!("could not start a session");
    "##;
    let found: Vec<(String, Option<&str>)> = literals(source)
        .iter()
        .map(|l| (l.text.clone(), finding(l)))
        .collect();
    let flagged = |t: &str| found.iter().any(|(text, why)| text == t && why.is_some());
    for text in ["Saved.", "left", "name", "none", "The current"] {
        assert!(flagged(text), "{text} should be flagged: {found:?}");
    }
    for text in [
        "banner error",
        "set-heading",
        "",
        "/audit?before=1",
        "logged_in_at",
        "badge idle",
        "{a} A",
        "could not start a session",
    ] {
        assert!(!flagged(text), "{text} should pass: {found:?}");
    }
    assert!(!found.iter().any(|(t, _)| t == "Commented out."));
}
