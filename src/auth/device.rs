//! Device cookies (OWASP, "Slow down online guessing attacks with device
//! cookies"): after a successful login the browser gets a cookie that
//! names the account and a random nonce, signed under the audit key. A
//! later attempt that brings a valid one is counted in that device's own
//! throttle row, so guessing from elsewhere never locks the owner out.
//! Stateless: nothing is stored; a new key invalidates every cookie.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use hmac::Mac;

use crate::audit::AuditKey;

/// The cookie's name over plain HTTP on loopback.
pub const COOKIE: &str = "evse_device";
/// Its name when cookies are `Secure` (the prefix makes browsers insist).
pub const SECURE_COOKIE: &str = "__Secure-evse_device";
/// The one path the browser sends it to: the login.
pub const COOKIE_PATH: &str = "/api/login";
/// How long a browser stays known.
pub const MAX_AGE_SECS: i64 = 365 * 24 * 3600;

/// A new cookie value for a browser that just logged in as `username`.
pub fn mint(key: &AuditKey, username: &str) -> String {
    let nonce = B64.encode(rand_bytes());
    let mark = key.device_mac(&username.to_lowercase(), &nonce).finalize();
    format!("{nonce}.{}", B64.encode(mark.into_bytes()))
}

/// The device's id when `value` is a cookie this server made for
/// `username`; `None` for anything else (another account, forged, old key).
pub fn verify(key: &AuditKey, username: &str, value: &str) -> Option<String> {
    let (nonce, mark) = value.split_once('.')?;
    let mark = B64.decode(mark).ok()?;
    key.device_mac(&username.to_lowercase(), nonce)
        .verify_slice(&mark)
        .ok()?;
    Some(nonce.to_owned())
}

fn rand_bytes() -> [u8; 16] {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    let mut bytes = [0; 16];
    OsRng.fill_bytes(&mut bytes);
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cookie_is_good_for_its_account_and_key_only() {
        let key = AuditKey::generate();
        let cookie = mint(&key, "Olga");
        let id = verify(&key, "olga", &cookie).expect("its own account, any case");
        assert_eq!(Some(id.as_str()), cookie.split('.').next());
        assert_eq!(verify(&key, "admin", &cookie), None, "another account");
        assert_eq!(verify(&AuditKey::generate(), "olga", &cookie), None);
        let (nonce, _) = cookie.split_once('.').unwrap();
        assert_eq!(verify(&key, "olga", &format!("{nonce}.AAAA")), None);
        assert_eq!(verify(&key, "olga", "garbage"), None);
        assert_ne!(mint(&key, "olga"), cookie, "each login a new nonce");
    }
}
