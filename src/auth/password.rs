//! argon2id hashing with OWASP's parameters (19 MiB, 2 passes, 1 lane), off
//! the async threads because each hash takes tens of milliseconds, and at
//! most as many at once as there are cores: every hash holds 19 MiB, and a
//! burst of logins must not grow memory without bound or starve the pages.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::problem::{Field, Invalid, Rule};
use crate::secret::Password;

pub const MIN_PASSWORD_CHARS: usize = 12;
pub const MAX_PASSWORD_CHARS: usize = 1024;

fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// All hashing slots stayed taken for the whole wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("every password hashing slot is busy")]
pub struct Busy;

/// Hashes and verifies passwords, a bounded number at a time.
#[derive(Clone, Debug)]
pub struct Hasher {
    slots: Arc<Semaphore>,
    wait: Duration,
}

impl Hasher {
    /// `slots` hashes at once; a request waits at most `wait` for one.
    pub fn new(slots: usize, wait: Duration) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(slots.max(1))),
            wait,
        }
    }

    /// One slot per core, and up to five seconds of queueing.
    pub fn for_this_machine() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self::new(cores, Duration::from_secs(5))
    }

    /// Waits (at most the configured time) for a free hashing slot.
    pub async fn slot(&self) -> Result<Slot, Busy> {
        let permit = tokio::time::timeout(self.wait, self.slots.clone().acquire_owned())
            .await
            .map_err(|_| Busy)?
            .map_err(|_| Busy)?;
        Ok(Slot(Arc::new(permit)))
    }

    /// The PHC string of a fresh salted hash.
    pub async fn hash(&self, password: &Password) -> Result<String, Busy> {
        Ok(self.slot().await?.hash(password).await)
    }

    /// See [`Slot::verify`].
    pub async fn verify(&self, password: &Password, stored: Option<String>) -> Result<bool, Busy> {
        Ok(self.slot().await?.verify(password, stored).await)
    }

    /// Takes every slot (tests: "the server is saturated").
    pub async fn saturate(&self) -> OwnedSemaphorePermit {
        let all = u32::try_from(self.slots.available_permits()).unwrap_or(u32::MAX);
        self.slots
            .clone()
            .acquire_many_owned(all)
            .await
            .expect("the semaphore is never closed")
    }
}

/// A held hashing slot: taken before a login attempt is counted, so a busy
/// server never charges an attempt it did not check.
pub struct Slot(Arc<OwnedSemaphorePermit>);

impl Slot {
    pub async fn hash(&self, password: &Password) -> String {
        let (slot, password) = (self.0.clone(), password.clone());
        tokio::task::spawn_blocking(move || {
            // The slot stays taken while the thread works, even if the
            // request that asked is abandoned.
            let _slot = slot;
            hash_blocking(&password)
        })
        .await
        .expect("hashing does not panic")
    }

    /// Checks `password` against a stored PHC string. `None` (unknown
    /// user) verifies against a dummy hash so the answer takes the same
    /// time.
    pub async fn verify(&self, password: &Password, stored: Option<String>) -> bool {
        let (slot, password) = (self.0.clone(), password.clone());
        tokio::task::spawn_blocking(move || {
            let _slot = slot;
            let known = stored.is_some();
            let phc = stored.unwrap_or_else(|| dummy_hash().to_owned());
            let ok = PasswordHash::new(&phc)
                .map(|parsed| {
                    argon2()
                        .verify_password(password.expose().as_bytes(), &parsed)
                        .is_ok()
                })
                .unwrap_or(false);
            ok && known
        })
        .await
        .unwrap_or(false)
    }
}

fn hash_blocking(password: &Password) -> String {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.expose().as_bytes(), &salt)
        .expect("argon2 hashing with valid parameters succeeds")
        .to_string()
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_blocking(&Password::new(uuid::Uuid::new_v4().to_string())))
}

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

    fn hasher() -> Hasher {
        Hasher::new(2, Duration::from_secs(5))
    }

    #[tokio::test]
    async fn hashes_are_argon2id_phc_with_owasp_parameters() {
        let h = hasher();
        let phc = h
            .hash(&Password::new("a long enough passphrase"))
            .await
            .unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        let good = Password::new("a long enough passphrase");
        assert!(h.verify(&good, Some(phc.clone())).await.unwrap());
        let bad = Password::new("a long enough passphrasE");
        assert!(!h.verify(&bad, Some(phc)).await.unwrap());
    }

    #[tokio::test]
    async fn unknown_users_never_verify() {
        assert!(
            !hasher()
                .verify(&Password::new("anything at all"), None)
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn a_saturated_hasher_answers_busy_after_its_wait() {
        let h = Hasher::new(1, Duration::from_millis(50));
        let all = h.saturate().await;
        let started = std::time::Instant::now();
        assert_eq!(h.verify(&Password::new("x"), None).await, Err(Busy));
        assert!(started.elapsed() >= Duration::from_millis(50));
        drop(all);
        assert_eq!(h.verify(&Password::new("x"), None).await, Ok(false));
    }

    #[test]
    fn rules() {
        assert!(check_new("alice", &Password::new("short")).is_err());
        assert!(check_new("alice-the-admin", &Password::new("ALICE-the-admin")).is_err());
        assert!(check_new("alice", &Password::new("twelve chars")).is_ok());
    }
}
