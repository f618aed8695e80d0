//! The links a mail carries to its own subscription: confirm an address
//! (double opt-in) and unsubscribe (RFC 8058's one-click and a page).
//! Each holds the subscription's id and a MAC of it under a key derived
//! from the audit key, so nothing is stored and only the mailbox that got
//! the link can follow it. Rotating the audit key ends the old links.

use crate::audit::AuditKey;
pub use crate::types::LinkPurpose;

fn label(purpose: LinkPurpose) -> &'static str {
    purpose.into()
}

/// Hex characters of the MAC a link carries (128 bits).
const TOKEN_CHARS: usize = 32;

/// The token of `purpose` for subscription `id`.
pub fn token(key: &AuditKey, purpose: LinkPurpose, id: i64) -> String {
    let mac = key.mac(&[
        b"alert-link\0",
        label(purpose).as_bytes(),
        b"\0",
        id.to_string().as_bytes(),
    ]);
    mac[..TOKEN_CHARS].to_owned()
}

/// Whether `token` is the one of `purpose` for `id` (compared in
/// constant time).
pub fn verify(key: &AuditKey, purpose: LinkPurpose, id: i64, token: &str) -> bool {
    let expected = self::token(key, purpose, id);
    expected.len() == token.len()
        && expected
            .bytes()
            .zip(token.bytes())
            .fold(0u8, |diff, (a, b)| diff | (a ^ b))
            == 0
}

/// The page a person opens: `/alerts/confirm/ID/TOKEN`,
/// `/alerts/unsubscribe/ID/TOKEN`.
pub fn path(key: &AuditKey, purpose: LinkPurpose, id: i64) -> String {
    format!(
        "/alerts/{}/{id}/{}",
        label(purpose),
        token(key, purpose, id)
    )
}

/// Where a mail program posts `List-Unsubscribe=One-Click` (RFC 8058).
pub fn one_click_path(key: &AuditKey, id: i64) -> String {
    format!("{}/one-click", path(key, LinkPurpose::Unsubscribe, id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_opens_only_its_purpose_and_subscription() {
        let key = AuditKey::generate();
        let t = token(&key, LinkPurpose::Confirm, 7);
        assert_eq!(t.len(), TOKEN_CHARS);
        assert!(verify(&key, LinkPurpose::Confirm, 7, &t));
        assert!(!verify(&key, LinkPurpose::Unsubscribe, 7, &t));
        assert!(!verify(&key, LinkPurpose::Confirm, 8, &t));
        assert!(!verify(&AuditKey::generate(), LinkPurpose::Confirm, 7, &t));
        assert!(!verify(&key, LinkPurpose::Confirm, 7, &t[..31]));
        assert_eq!(
            path(&key, LinkPurpose::Unsubscribe, 7),
            format!(
                "/alerts/unsubscribe/7/{}",
                token(&key, LinkPurpose::Unsubscribe, 7)
            )
        );
    }
}
