//! Encryption at rest for evsetokens: XChaCha20-Poly1305 with a fresh
//! random 24-byte nonce per encryption, associated data that binds each
//! ciphertext to its charger row (a ciphertext copied into another row does
//! not decrypt), and the id of the key stored beside it (so a wrong key is
//! reported as such, never turned into garbage sent upstream).

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::secret::EvseToken;

/// The key file's name in the data directory.
pub const KEY_FILE: &str = "token.key";

/// A 32-byte key and its public id (a hash prefix, safe to store and log).
#[derive(Clone)]
pub struct TokenKey {
    bytes: Zeroizing<[u8; 32]>,
    id: String,
}

impl fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TokenKey {{ id: {}, bytes: [redacted] }}", self.id)
    }
}

impl TokenKey {
    pub fn generate() -> Self {
        Self::from_bytes(XChaCha20Poly1305::generate_key(&mut OsRng).into())
    }

    fn from_bytes(bytes: [u8; 32]) -> Self {
        let digest = Sha256::new()
            .chain_update(b"evse-dashboard token key id v1\0")
            .chain_update(bytes)
            .finalize();
        let id = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        Self {
            bytes: Zeroizing::new(bytes),
            id,
        }
    }

    /// Parses base64 text holding exactly 32 bytes.
    pub fn from_base64(text: &str) -> Result<Self, VaultError> {
        let decoded = Zeroizing::new(
            BASE64
                .decode(text.trim())
                .map_err(|_| VaultError::BadKey("it is not valid base64".into()))?,
        );
        let bytes: [u8; 32] = decoded
            .as_slice()
            .try_into()
            .map_err(|_| VaultError::BadKey(format!("it holds {} bytes, not 32", decoded.len())))?;
        Ok(Self::from_bytes(bytes))
    }

    fn to_base64(&self) -> Zeroizing<String> {
        Zeroizing::new(BASE64.encode(*self.bytes))
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn into_vault(self) -> Vault {
        Vault::new(self)
    }
}

/// Where the key came from, for the log and for `rotate-key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    Environment,
    File(PathBuf),
    CreatedFile(PathBuf),
}

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("the token key is not usable: {0} (expected 32 bytes, base64-encoded)")]
    BadKey(String),
    #[error("cannot read or write the token key file {path}: {source}")]
    KeyFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
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
            Self::BadKey(_) | Self::KeyFile { .. } => Problem::Internal,
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
        write!(f, "Vault {{ key_id: {} }}", self.key.id)
    }
}

/// Binds a ciphertext to one charger row.
fn associated_data(charger_id: i64) -> Vec<u8> {
    format!("evse-dashboard/evsetoken/v1/charger/{charger_id}").into_bytes()
}

impl Vault {
    pub fn new(key: TokenKey) -> Self {
        let cipher = XChaCha20Poly1305::new((&*key.bytes).into());
        Self { key, cipher }
    }

    pub fn key_id(&self) -> &str {
        &self.key.id
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
            key_id: self.key.id.clone(),
        }
    }

    pub fn open(&self, charger_id: i64, sealed: &SealedToken) -> Result<EvseToken, VaultError> {
        if sealed.key_id != self.key.id {
            return Err(VaultError::WrongKey {
                charger_id,
                stored_key_id: sealed.key_id.clone(),
                current_key_id: self.key.id.clone(),
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
/// key file, else a new key written to a new key file with mode 0600.
pub fn load_or_create_key(
    env_key: Option<&str>,
    key_file: &Path,
) -> Result<(TokenKey, KeySource), VaultError> {
    if let Some(text) = env_key {
        return Ok((TokenKey::from_base64(text)?, KeySource::Environment));
    }
    match std::fs::read_to_string(key_file) {
        Ok(text) => {
            let text = Zeroizing::new(text);
            Ok((
                TokenKey::from_base64(&text)?,
                KeySource::File(key_file.to_owned()),
            ))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = TokenKey::generate();
            write_key_file(&key, key_file)?;
            Ok((key, KeySource::CreatedFile(key_file.to_owned())))
        }
        Err(source) => Err(VaultError::KeyFile {
            path: key_file.to_owned(),
            source,
        }),
    }
}

/// Writes `key` to `path` (mode 0600, created new: never overwrites).
pub fn write_key_file(key: &TokenKey, path: &Path) -> Result<(), VaultError> {
    let io = |source| VaultError::KeyFile {
        path: path.to_owned(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(io)?;
    file.write_all(key.to_base64().as_bytes()).map_err(io)?;
    file.write_all(b"\n").map_err(io)?;
    file.sync_all().map_err(io)
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
    fn keys_parse_from_base64_and_refuse_wrong_lengths() {
        let key = TokenKey::generate();
        let again = TokenKey::from_base64(&key.to_base64()).unwrap();
        assert_eq!(again.id(), key.id());
        assert!(TokenKey::from_base64("not base64!").is_err());
        let short = TokenKey::from_base64(&BASE64.encode([0u8; 16])).unwrap_err();
        assert!(short.to_string().contains("16 bytes, not 32"), "{short}");
        assert!(!format!("{key:?}").contains(&*key.to_base64()));
    }

    #[test]
    fn the_key_file_is_created_once_with_mode_0600() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join(KEY_FILE);
        let (first, source) = load_or_create_key(None, &path).unwrap();
        assert_eq!(source, KeySource::CreatedFile(path.clone()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let (second, source) = load_or_create_key(None, &path).unwrap();
        assert_eq!(source, KeySource::File(path.clone()));
        assert_eq!(first.id(), second.id());

        let env = TokenKey::generate();
        let (from_env, source) = load_or_create_key(Some(&env.to_base64()), &path).unwrap();
        assert_eq!(source, KeySource::Environment);
        assert_eq!(from_env.id(), env.id());
    }
}
