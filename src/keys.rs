//! The server's 32-byte secret keys (the token key, the audit key): where
//! they come from, and the rule that keeps them safe. A key comes from an
//! environment variable or a file in the data directory (mode 0600); a new
//! key is written only when the caller says nothing depends on an old one,
//! so a lost key file is an error, never a silent replacement.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use chacha20poly1305::XChaCha20Poly1305;
use chacha20poly1305::aead::{KeyInit, OsRng};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// 32 secret bytes and their public id (a hash prefix, safe to store and
/// log). `kind` separates the ids of different keys.
#[derive(Clone)]
pub struct KeyBytes {
    bytes: Zeroizing<[u8; 32]>,
    id: String,
}

impl fmt::Debug for KeyBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyBytes {{ id: {}, bytes: [redacted] }}", self.id)
    }
}

impl KeyBytes {
    pub fn generate(kind: &str) -> Self {
        Self::from_bytes(kind, XChaCha20Poly1305::generate_key(&mut OsRng).into())
    }

    fn from_bytes(kind: &str, bytes: [u8; 32]) -> Self {
        let digest = Sha256::new()
            .chain_update(format!("evse-dashboard {kind} id v1\0").as_bytes())
            .chain_update(bytes)
            .finalize();
        let id = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        Self {
            bytes: Zeroizing::new(bytes),
            id,
        }
    }

    /// Parses base64 text holding exactly 32 bytes.
    pub fn from_base64(kind: &str, text: &str) -> Result<Self, KeyError> {
        let decoded = Zeroizing::new(
            BASE64
                .decode(text.trim())
                .map_err(|_| KeyError::Bad("it is not valid base64".into()))?,
        );
        let bytes: [u8; 32] = decoded
            .as_slice()
            .try_into()
            .map_err(|_| KeyError::Bad(format!("it holds {} bytes, not 32", decoded.len())))?;
        Ok(Self::from_bytes(kind, bytes))
    }

    pub fn to_base64(&self) -> Zeroizing<String> {
        Zeroizing::new(BASE64.encode(*self.bytes))
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn expose(&self) -> &[u8; 32] {
        &self.bytes
    }
}

/// Where a key came from, for the log and for `rotate-key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    Environment,
    File(PathBuf),
    CreatedFile(PathBuf),
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("the key is not usable: {0} (expected 32 bytes, base64-encoded)")]
    Bad(String),
    #[error("cannot read or write the key file {path}: {source}")]
    File {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "the key file {path} is missing, but data sealed or signed with its key exists; \
         restore the file from your backup (a new key would make that data unreadable)"
    )]
    Missing { path: PathBuf },
}

/// Whether a missing key file may be created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Creation {
    /// Nothing depends on an earlier key: a new one may be made.
    Allowed,
    /// Stored data needs the existing key: a missing file is an error.
    Forbidden,
}

/// The key from `env_key`, else from the key file, else (only when
/// `creation` allows it) a new key written to a new key file, mode 0600.
pub fn load(
    kind: &str,
    env_key: Option<&str>,
    key_file: &Path,
    creation: Creation,
) -> Result<(KeyBytes, KeySource), KeyError> {
    if let Some(text) = env_key {
        return Ok((KeyBytes::from_base64(kind, text)?, KeySource::Environment));
    }
    match std::fs::read_to_string(key_file) {
        Ok(text) => {
            let text = Zeroizing::new(text);
            let key = KeyBytes::from_base64(kind, &text)?;
            Ok((key, KeySource::File(key_file.to_owned())))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => match creation {
            Creation::Forbidden => Err(KeyError::Missing {
                path: key_file.to_owned(),
            }),
            Creation::Allowed => {
                let key = KeyBytes::generate(kind);
                write_key_file(&key, key_file)?;
                Ok((key, KeySource::CreatedFile(key_file.to_owned())))
            }
        },
        Err(source) => Err(KeyError::File {
            path: key_file.to_owned(),
            source,
        }),
    }
}

/// Writes `key` to `path` (mode 0600, created new: never overwrites).
pub fn write_key_file(key: &KeyBytes, path: &Path) -> Result<(), KeyError> {
    let io = |source| KeyError::File {
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

    #[test]
    fn keys_parse_from_base64_and_refuse_wrong_lengths() {
        let key = KeyBytes::generate("test key");
        let again = KeyBytes::from_base64("test key", &key.to_base64()).unwrap();
        assert_eq!(again.id(), key.id());
        assert_ne!(
            KeyBytes::from_base64("other key", &key.to_base64())
                .unwrap()
                .id(),
            key.id()
        );
        assert!(KeyBytes::from_base64("k", "not base64!").is_err());
        let short = KeyBytes::from_base64("k", &BASE64.encode([0u8; 16])).unwrap_err();
        assert!(short.to_string().contains("16 bytes, not 32"), "{short}");
        assert!(!format!("{key:?}").contains(&*key.to_base64()));
    }

    #[test]
    fn a_key_file_is_created_once_with_mode_0600_and_only_when_allowed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("x.key");
        let missing = load("k", None, &path, Creation::Forbidden).unwrap_err();
        assert!(matches!(missing, KeyError::Missing { .. }), "{missing}");
        assert!(!path.exists(), "a forbidden creation must write nothing");

        let (first, source) = load("k", None, &path, Creation::Allowed).unwrap();
        assert_eq!(source, KeySource::CreatedFile(path.clone()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let (second, source) = load("k", None, &path, Creation::Forbidden).unwrap();
        assert_eq!(source, KeySource::File(path.clone()));
        assert_eq!(first.id(), second.id());

        let env = KeyBytes::generate("k");
        let (from_env, source) =
            load("k", Some(&env.to_base64()), &path, Creation::Allowed).unwrap();
        assert_eq!(source, KeySource::Environment);
        assert_eq!(from_env.id(), env.id());
    }
}
