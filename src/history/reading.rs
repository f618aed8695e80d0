//! One reading of a charger: its plugs and the target in force, or why it
//! could not be read.

use chrono::{DateTime, Utc};

use crate::clemap::model::{CurrentSettings, PlugStatus};
use crate::problem::Problem;

#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    pub charger_id: i64,
    pub at: DateTime<Utc>,
    pub result: Result<(Vec<PlugStatus>, CurrentSettings), Problem>,
}

impl Reading {
    pub fn plugs(&self) -> Option<&[PlugStatus]> {
        self.result.as_ref().ok().map(|(plugs, _)| plugs.as_slice())
    }

    /// The target in force when read (`None`: none, or not read).
    pub fn target(&self) -> Option<u32> {
        let (_, settings) = self.result.as_ref().ok()?;
        settings.active_at(self.at).map(|(amps, _)| amps)
    }
}
