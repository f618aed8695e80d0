//! argon2id hashing with OWASP's parameters (19 MiB, 2 passes, 1 lane), run
//! off the async threads because each hash takes tens of milliseconds.

use std::sync::OnceLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::problem::{Field, Invalid, Rule};
use crate::secret::Password;

pub const MIN_PASSWORD_CHARS: usize = 12;

fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// The PHC string of a fresh salted hash.
pub async fn hash(password: &Password) -> String {
    let password = password.clone();
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .expect("hashing does not panic")
}

fn hash_blocking(password: &Password) -> String {
    let salt = SaltString::generate(&mut OsRng);
    hasher()
        .hash_password(password.expose().as_bytes(), &salt)
        .expect("argon2 hashing with valid parameters succeeds")
        .to_string()
}

/// Checks `password` against a stored PHC string. `None` (unknown user)
/// verifies against a dummy hash so the answer takes the same time.
pub async fn verify(password: &Password, stored: Option<String>) -> bool {
    let password = password.clone();
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let phc = stored.unwrap_or_else(|| dummy_hash().to_owned());
        let ok = PasswordHash::new(&phc)
            .map(|parsed| {
                hasher()
                    .verify_password(password.expose().as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false);
        ok && known
    })
    .await
    .unwrap_or(false)
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_blocking(&Password::new(uuid::Uuid::new_v4().to_string())))
}

pub const MAX_PASSWORD_CHARS: usize = 1024;

/// The password rules; the error names the one broken.
pub fn check_new(username: &str, password: &Password) -> Result<(), Invalid> {
    let p = password.expose();
    let rule = if p.chars().count() < MIN_PASSWORD_CHARS {
        Rule::TooShort {
            min: MIN_PASSWORD_CHARS as u32,
        }
    } else if p.trim().eq_ignore_ascii_case(username.trim()) {
        Rule::SameAsUsername
    } else if p.chars().count() > MAX_PASSWORD_CHARS {
        Rule::TooLong {
            max: MAX_PASSWORD_CHARS as u32,
        }
    } else {
        return Ok(());
    };
    Err(Invalid::new(Field::Password, rule))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_phc_with_owasp_parameters() {
        let phc = hash(&Password::new("a long enough passphrase")).await;
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(
            verify(
                &Password::new("a long enough passphrase"),
                Some(phc.clone())
            )
            .await
        );
        assert!(!verify(&Password::new("a long enough passphrasE"), Some(phc)).await);
    }

    #[tokio::test]
    async fn unknown_users_never_verify() {
        assert!(!verify(&Password::new("anything at all"), None).await);
    }

    #[test]
    fn rules() {
        assert!(check_new("alice", &Password::new("short")).is_err());
        assert!(check_new("alice-the-admin", &Password::new("ALICE-the-admin")).is_err());
        assert!(check_new("alice", &Password::new("twelve chars")).is_ok());
    }
}
