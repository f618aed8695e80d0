//! A secret as it travels in a server function's arguments (a password, an
//! evsetoken): the framework derives `Debug` for argument structs, so the
//! field's own `Debug` must say nothing.

use serde::{Deserialize, Serialize};

#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SecretText(String);

impl SecretText {
    /// The text, for the one place that hands it to `Password`/`EvseToken`.
    pub fn into_inner(self) -> String {
        self.0
    }
}

impl From<String> for SecretText {
    fn from(text: String) -> Self {
        Self(text)
    }
}

impl From<&str> for SecretText {
    fn from(text: &str) -> Self {
        Self(text.to_owned())
    }
}

impl std::fmt::Debug for SecretText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_and_serde_is_the_plain_string() {
        let s = SecretText::from("correct horse");
        assert_eq!(format!("{s:?}"), "[redacted]");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"correct horse\"");
        let back: SecretText = serde_json::from_str("\"x\"").unwrap();
        assert_eq!(back.into_inner(), "x");
    }
}
