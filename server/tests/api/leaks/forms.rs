//! Every form in which a token could slip out: as is, percent-encoded,
//! JSON-escaped, hex, and base64 in both alphabets, found even inside a
//! longer base64 text (where it starts at any of three byte offsets).

use base64::Engine;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};

/// A fresh token: 30 random bytes in standard base64 (40 characters), so
/// it holds `+` and `/`, which percent-encoding and JSON may rewrite.
pub fn fresh_token() -> String {
    let bytes: Vec<u8> = (0..30).map(|_| fastrand::u8(..)).collect();
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// (name of the form, the bytes to look for).
pub fn forms(token: &str) -> Vec<(String, Vec<u8>)> {
    let mut out = vec![
        ("plain".to_owned(), token.as_bytes().to_vec()),
        (
            "url-encoded".into(),
            urlencoding::encode(token).into_owned().into_bytes(),
        ),
        (
            "url-encoded, lower-case".into(),
            lower_percent(&urlencoding::encode(token)).into_bytes(),
        ),
        (
            "json-escaped".into(),
            token.replace('/', "\\/").into_bytes(),
        ),
        ("hex".into(), hex(token.as_bytes()).into_bytes()),
        (
            "HEX".into(),
            hex(token.as_bytes()).to_uppercase().into_bytes(),
        ),
    ];
    for (alphabet, engine) in [
        ("base64", &STANDARD_NO_PAD),
        ("base64url", &URL_SAFE_NO_PAD),
    ] {
        for offset in 0..3 {
            out.push((
                format!("{alphabet} at offset {offset}"),
                base64_core(engine, token, offset),
            ));
        }
    }
    out
}

/// The characters of `token`'s base64 that do not depend on its
/// neighbours when it starts `offset` bytes into a longer text.
fn base64_core(engine: &base64::engine::GeneralPurpose, token: &str, offset: usize) -> Vec<u8> {
    let mut padded = vec![0u8; offset];
    padded.extend_from_slice(token.as_bytes());
    let text = engine.encode(&padded);
    // Leading characters mix in the `offset` unknown bytes, the last
    // four may mix in what follows.
    let skip = (offset * 4).div_ceil(3);
    text.as_bytes()[skip..text.len() - 4].to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn lower_percent(encoded: &str) -> String {
    let mut out = String::with_capacity(encoded.len());
    let mut rest = encoded;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        out.push_str(&rest[at..at + 3].to_lowercase());
        rest = &rest[at + 3..];
    }
    out.push_str(rest);
    out
}

#[test]
fn a_token_inside_longer_base64_is_found_at_every_offset() {
    let token = fresh_token();
    for offset in 0..3 {
        let mut blob = b"xy".repeat(offset + 5);
        blob.extend_from_slice(token.as_bytes());
        blob.extend_from_slice(b"tail");
        let text = STANDARD_NO_PAD.encode(&blob);
        assert!(
            forms(&token)
                .iter()
                .any(|(_, f)| memchr::memmem::find(text.as_bytes(), f).is_some()),
            "offset {offset}"
        );
    }
}
