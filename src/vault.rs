//! Encryption at rest for evsetokens: XChaCha20-Poly1305 with a fresh
//! random 24-byte nonce per encryption, associated data that binds each
//! ciphertext to its charger row (a ciphertext copied into another row does
//! not decrypt), and the id of the key stored beside it (so a wrong key is
//! reported as such, never turned into garbage sent upstream).

use std::fmt;
use std::path::Path;

use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use zeroize::Zeroizing;

use crate::keys::{self, KeyBytes, KeyError};
pub use crate::keys::{Creation, KeySource};
use crate::secret::EvseToken;

/// The key file's name in the data directory.
pub const KEY_FILE: &str = "token.key";

/// The key that seals evsetokens.
#[derive(Clone, Debug)]
pub struct TokenKey(KeyBytes);

/// Separates the token key's id from other keys'.
const KIND: &str = "token key";

impl TokenKey {
    pub fn generate() -> Self {
        Self(KeyBytes::generate(KIND))
    }

    /// Parses base64 text holding exactly 32 bytes.
    pub fn from_base64(text: &str) -> Result<Self, VaultError> {
        Ok(Self(KeyBytes::from_base64(KIND, text)?))
    }

    pub fn id(&self) -> &str {
        self.0.id()
    }

    pub fn into_vault(self) -> Vault {
        Vault::new(self)
    }

    /// Writes the key to `path` (mode 0600, created new: never overwrites).
    pub fn write_to(&self, path: &Path) -> Result<(), VaultError> {
        Ok(keys::write_key_file(&self.0, path)?)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("token key: {0}")]
    Key(#[from] KeyError),
    #[error(
        "the token key does not match the one used to encrypt charger {charger_id} \
         (stored under key {stored_key_id}, current key is {current_key_id}); \
         start with the right EVSE_TOKEN_KEY or key file"
    )]
    WrongKey {
        charger_id: i64,
        stored_key_id: String,
        current_key_id: String,
    },
    #[error(
        "the stored token of charger {charger_id} does not decrypt: it was altered or copied \
         from another charger; set the token again"
    )]
    Tampered { charger_id: i64 },
}

impl VaultError {
    /// What the UI and the audit trail say about it (the key's bytes and
    /// paths stay in the server's log).
    pub fn problem(&self) -> crate::problem::Problem {
        use crate::problem::Problem;
        match self {
            Self::WrongKey { .. } => Problem::TokenKeyMismatch,
            Self::Tampered { .. } => Problem::TokenTampered,
            Self::Key(_) => Problem::Internal,
        }
    }
}

/// A sealed token as stored in the `chargers` row.
#[derive(Clone, PartialEq, Eq)]
pub struct SealedToken {
    pub ciphertext: Vec<u8>,
    pub nonce: Vec<u8>,
    pub key_id: String,
}

impl fmt::Debug for SealedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SealedToken {{ key_id: {}, .. }}", self.key_id)
    }
}

#[derive(Clone)]
pub struct Vault {
    key: TokenKey,
    cipher: XChaCha20Poly1305,
}

impl fmt::Debug for Vault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Vault {{ key_id: {} }}", self.key.id())
    }
}

/// Binds a ciphertext to one charger row.
fn associated_data(charger_id: i64) -> Vec<u8> {
    format!("evse-dashboard/evsetoken/v1/charger/{charger_id}").into_bytes()
}

impl Vault {
    pub fn new(key: TokenKey) -> Self {
        let cipher = XChaCha20Poly1305::new(key.0.expose().into());
        Self { key, cipher }
    }

    pub fn key_id(&self) -> &str {
        self.key.id()
    }

    pub fn seal(&self, charger_id: i64, token: &EvseToken) -> SealedToken {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let ciphertext = self
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: token.expose().as_bytes(),
                    aad: &associated_data(charger_id),
                },
            )
            .expect("XChaCha20-Poly1305 encryption cannot fail for small inputs");
        SealedToken {
            ciphertext,
            nonce: nonce.to_vec(),
            key_id: self.key.id().to_owned(),
        }
    }

    /// Seals another short secret under the token key, bound to `binding`
    /// (what it belongs to, e.g. `api-token-handoff/user/3`): it opens
    /// only with the same key and the same binding.
    pub fn seal_bound(&self, binding: &str, secret: &str) -> SealedToken {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let aad = format!("evse-dashboard/{binding}/v1");
        let ciphertext = self
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: secret.as_bytes(),
                    aad: aad.as_bytes(),
                },
            )
            .expect("XChaCha20-Poly1305 encryption cannot fail for small inputs");
        SealedToken {
            ciphertext,
            nonce: nonce.to_vec(),
            key_id: self.key.id().to_owned(),
        }
    }

    /// Opens what [`Vault::seal_bound`] sealed; `None` under another key,
    /// binding or after any change.
    pub fn open_bound(&self, binding: &str, sealed: &SealedToken) -> Option<Zeroizing<String>> {
        if sealed.key_id != self.key.id() || sealed.nonce.len() != 24 {
            return None;
        }
        let aad = format!("evse-dashboard/{binding}/v1");
        let plain = self
            .cipher
            .decrypt(
                XNonce::from_slice(&sealed.nonce),
                Payload {
                    msg: &sealed.ciphertext,
                    aad: aad.as_bytes(),
                },
            )
            .ok()?;
        String::from_utf8(plain).ok().map(Zeroizing::new)
    }

    pub fn open(&self, charger_id: i64, sealed: &SealedToken) -> Result<EvseToken, VaultError> {
        if sealed.key_id != self.key.id() {
            return Err(VaultError::WrongKey {
                charger_id,
                stored_key_id: sealed.key_id.clone(),
                current_key_id: self.key.id().to_owned(),
            });
        }
        if sealed.nonce.len() != 24 {
            return Err(VaultError::Tampered { charger_id });
        }
        let plain = Zeroizing::new(
            self.cipher
                .decrypt(
                    XNonce::from_slice(&sealed.nonce),
                    Payload {
                        msg: &sealed.ciphertext,
                        aad: &associated_data(charger_id),
                    },
                )
                .map_err(|_| VaultError::Tampered { charger_id })?,
        );
        let text = std::str::from_utf8(&plain).map_err(|_| VaultError::Tampered { charger_id })?;
        Ok(EvseToken::new(text))
    }
}

/// The key from `EVSE_TOKEN_KEY` (passed in as `env_key`), else from the
/// key file, else (when `creation` allows) a new key in a new file.
pub fn load_key(
    env_key: Option<&str>,
    key_file: &Path,
    creation: Creation,
) -> Result<(TokenKey, KeySource), VaultError> {
    let (bytes, source) = keys::load(KIND, env_key, key_file, creation)?;
    Ok((TokenKey(bytes), source))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vault() -> Vault {
        Vault::new(TokenKey::generate())
    }

    #[test]
    fn round_trip() {
        let v = vault();
        let sealed = v.seal(7, &EvseToken::new("tok-abc"));
        assert_eq!(sealed.key_id, v.key_id());
        assert_eq!(sealed.nonce.len(), 24);
        assert!(!sealed.ciphertext.windows(7).any(|w| w == b"tok-abc"));
        assert_eq!(v.open(7, &sealed).unwrap().expose(), "tok-abc");
    }

    #[test]
    fn every_seal_uses_a_fresh_nonce() {
        let v = vault();
        let token = EvseToken::new("same");
        let a = v.seal(1, &token);
        let b = v.seal(1, &token);
        assert_ne!(a.nonce, b.nonce);
        assert_ne!(a.ciphertext, b.ciphertext);
    }

    #[test]
    fn a_ciphertext_moved_to_another_row_fails() {
        let v = vault();
        let sealed = v.seal(1, &EvseToken::new("tok"));
        assert!(matches!(
            v.open(2, &sealed),
            Err(VaultError::Tampered { charger_id: 2 })
        ));
    }

    #[test]
    fn a_tampered_ciphertext_fails() {
        let v = vault();
        let mut sealed = v.seal(1, &EvseToken::new("tok"));
        sealed.ciphertext[0] ^= 1;
        assert!(matches!(
            v.open(1, &sealed),
            Err(VaultError::Tampered { .. })
        ));
        let mut sealed = v.seal(1, &EvseToken::new("tok"));
        sealed.nonce[3] ^= 1;
        assert!(matches!(
            v.open(1, &sealed),
            Err(VaultError::Tampered { .. })
        ));
    }

    #[test]
    fn a_wrong_key_is_named_as_such() {
        let sealed = vault().seal(5, &EvseToken::new("tok"));
        let err = vault().open(5, &sealed).unwrap_err();
        assert!(matches!(err, VaultError::WrongKey { charger_id: 5, .. }));
        assert!(
            err.to_string()
                .starts_with("the token key does not match the one used to encrypt charger 5")
        );
    }

    #[test]
    fn a_bound_secret_opens_only_under_its_binding_and_key() {
        let v = vault();
        let sealed = v.seal_bound("api-token-handoff/user/3", "evse_secret");
        assert_eq!(
            v.open_bound("api-token-handoff/user/3", &sealed)
                .as_deref()
                .map(String::as_str),
            Some("evse_secret")
        );
        assert!(v.open_bound("api-token-handoff/user/4", &sealed).is_none());
        assert!(
            vault()
                .open_bound("api-token-handoff/user/3", &sealed)
                .is_none()
        );
        let mut changed = sealed.clone();
        changed.ciphertext[0] ^= 1;
        assert!(v.open_bound("api-token-handoff/user/3", &changed).is_none());
    }
}
