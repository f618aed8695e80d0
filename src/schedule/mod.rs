//! Recurring current limits: "weekdays 08:00–18:00, 10 A". Pure
//! computation (no I/O): which days (`days`), when each window is in force
//! in real time across DST (`occurrence`), and whether two windows would
//! meet (`overlap`).

pub mod days;
pub mod occurrence;
pub mod overlap;
#[cfg(test)]
mod properties;

pub use days::{BadDays, Days};
pub use occurrence::{Occurrence, Weekly, resolve};
pub use overlap::{Overlap, overlap};
