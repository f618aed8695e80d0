//! The audit chain's key. Row hashes are HMACs under it, so someone with
//! write access to the database but not to this key cannot rewrite the
//! trail and recompute a chain that verifies.

use std::path::Path;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::keys::{self, Creation, KeyBytes, KeyError, KeySource};

/// The key file's name in the data directory.
pub const KEY_FILE: &str = "audit.key";
/// The environment variable that may hold it (base64, 32 bytes).
pub const KEY_ENV: &str = "EVSE_AUDIT_KEY";

const KIND: &str = "audit key";

#[derive(Clone, Debug)]
pub struct AuditKey(KeyBytes);

impl AuditKey {
    pub fn generate() -> Self {
        Self(KeyBytes::generate(KIND))
    }

    pub fn id(&self) -> &str {
        self.0.id()
    }

    /// HMAC-SHA256 over the parts, hex.
    pub(crate) fn mac(&self, parts: &[&[u8]]) -> String {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(self.0.expose()).expect("HMAC takes a 32-byte key");
        for part in parts {
            mac.update(part);
        }
        hex(mac.finalize().into_bytes())
    }

    /// A stable stand-in for text that must not be stored as typed (an
    /// unknown username may be a password typed in the wrong field).
    pub fn pseudonym(&self, text: &str) -> String {
        let digest = self.mac(&[b"pseudonym\0", text.trim().to_lowercase().as_bytes()]);
        digest[..12].to_owned()
    }
}

impl AuditKey {
    /// The keyed MAC that marks a browser as having logged in to
    /// `username` (see `auth::device`), ready to finalise or verify.
    pub(crate) fn device_mac(&self, username: &str, nonce: &str) -> Hmac<Sha256> {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(self.0.expose()).expect("HMAC takes a 32-byte key");
        for part in [
            b"device\0".as_slice(),
            username.as_bytes(),
            b"\0",
            nonce.as_bytes(),
        ] {
            mac.update(part);
        }
        mac
    }
}

pub(crate) fn hex(digest: impl AsRef<[u8]>) -> String {
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// The audit key from `EVSE_AUDIT_KEY`, else the key file, else (when
/// `creation` allows: no keyed row exists yet) a new key file.
pub fn load_key(
    env_key: Option<&str>,
    key_file: &Path,
    creation: Creation,
) -> Result<(AuditKey, KeySource), KeyError> {
    let (bytes, source) = keys::load(KIND, env_key, key_file, creation)?;
    Ok((AuditKey(bytes), source))
}
