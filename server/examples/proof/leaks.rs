//! Looks for evsetokens where they must never be: in bytes the server sent
//! (pages, JSON, the CSV export), its log, and every file of its data
//! directory (the database, its WAL and shared memory). The tokens are
//! random 64-hex strings, so a match is a leak, never a coincidence.

use std::path::Path;
use std::sync::Mutex;

/// Where a token turned up: the place and which charger's token.
#[derive(Default)]
pub struct Leaks {
    tokens: Vec<(String, String)>,
    found: Mutex<Vec<String>>,
    scanned_bytes: Mutex<u64>,
}

impl Leaks {
    /// `tokens`: (charger label, token).
    pub fn new(tokens: Vec<(String, String)>) -> Self {
        Self {
            tokens,
            ..Self::default()
        }
    }

    /// Checks `bytes` that came from `place`.
    pub fn scan(&self, place: &str, bytes: &[u8]) {
        *self.scanned_bytes.lock().expect("poisoned") += bytes.len() as u64;
        for (label, token) in &self.tokens {
            if contains(bytes, token.as_bytes()) {
                let mut found = self.found.lock().expect("poisoned");
                if found.len() < 20 {
                    found.push(format!("{label}'s token in {place}"));
                }
            }
        }
    }

    /// Checks a file, if it exists.
    pub fn scan_file(&self, path: &Path) -> Result<(), String> {
        match std::fs::read(path) {
            Ok(bytes) => {
                self.scan(&path.display().to_string(), &bytes);
                Ok(())
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    }

    /// Checks every file directly in `dir` except the key files (which
    /// hold keys, not tokens); returns the names scanned.
    pub fn scan_dir(&self, dir: &Path) -> Result<Vec<String>, String> {
        let mut names = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(|e| e.to_string())? {
            let path = entry.map_err(|e| e.to_string())?.path();
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if path.is_file() && !name.ends_with(".key") {
                self.scan_file(&path)?;
                names.push(name);
            }
        }
        names.sort();
        Ok(names)
    }

    pub fn found(&self) -> Vec<String> {
        self.found.lock().expect("poisoned").clone()
    }

    pub fn scanned_bytes(&self) -> u64 {
        *self.scanned_bytes.lock().expect("poisoned")
    }
}

/// Whether `needle` occurs in `haystack`: candidates are the positions of
/// its first byte, so a page or a WAL of megabytes is cheap to search for
/// a few dozen tokens.
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    let Some((&first, _)) = needle.split_first() else {
        return false;
    };
    haystack
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == first)
        .any(|(i, _)| haystack[i..].starts_with(needle))
}
