//! One bound on what a signed-in person or an API token can make the
//! trail hold by repeating an action (#37). The trail is append-only, so
//! a loop of refused input, or of adding and removing a subscription,
//! would otherwise stay in it for ever.
//!
//! Per actor and action, each minute:
//! - the first [`REFUSALS_WRITTEN`] refusals are written as rows of their
//!   own; the rest are counted and written as one summary row when the
//!   minute ends (the refusal is still answered with its reason);
//! - changes are admitted up to the action's allowance ([`Repeats::allowance`]);
//!   past it the change is refused as too fast, and that refusal is
//!   counted like any other.
//!
//! The login throttle (`auth::throttle`) does the same for logins, in the
//! database. This one is in memory: each instance bounds what it writes,
//! and a stop writes the counts of the minute it ends in
//! (`AuditLog::flush_repeats`).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

use super::Actor;
use crate::types::Who;
use crate::vocabulary::AuditAction;

/// How long one window lasts.
pub const WINDOW: Duration = Duration::from_secs(60);

/// Refusals per actor, action and window written as rows of their own.
pub const REFUSALS_WRITTEN: u32 = 5;

/// Sets and resets per actor in a window by default
/// (`--changes-per-minute`): generous for a person at a form, far below
/// what a loop does. A token's writes are also bounded by
/// `--api-writes-per-minute`.
pub const CHANGES_PER_MINUTE: u32 = 600;

/// Other changes (users, chargers, tokens, settings) per actor and action
/// in a window.
const OTHER_CHANGES_PER_MINUTE: u32 = 20;

/// Whose repeats are bounded: people signed in and API tokens. The CLI,
/// the schedules and the sampler write what they must.
pub fn bounded(who: &Who) -> bool {
    matches!(who, Who::User { .. } | Who::Token { .. })
}

/// What to do with a refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Write it as a row of its own.
    Write,
    /// Counted; the window's summary row (written by the task that
    /// [`Repeats::refusal`]'s caller starts when `summary_due` is set)
    /// carries it.
    Folded { summary_due: Option<Instant> },
}

#[derive(Debug)]
struct Window {
    started: Instant,
    refusals: u32,
    folded: u32,
    changes: u32,
    /// The actor of the first folded refusal, for the summary row.
    folded_actor: Option<Actor>,
}

impl Window {
    fn new(started: Instant) -> Self {
        Self {
            started,
            refusals: 0,
            folded: 0,
            changes: 0,
            folded_actor: None,
        }
    }
}

/// A window's folded refusals, to be written as one row.
#[derive(Debug)]
pub struct Summary {
    pub actor: Actor,
    pub action: AuditAction,
    pub attempts: u32,
}

type Key = (String, AuditAction);

/// The windows of this process, and its sets' and resets' allowance;
/// cheap to clone (clones share both).
#[derive(Debug, Clone)]
pub struct Repeats {
    windows: Arc<Mutex<HashMap<Key, Window>>>,
    changes_per_minute: Arc<AtomicU32>,
}

impl Default for Repeats {
    fn default() -> Self {
        Self {
            windows: Arc::default(),
            changes_per_minute: Arc::new(AtomicU32::new(CHANGES_PER_MINUTE)),
        }
    }
}

/// The most windows kept: past it, ended windows are forgotten first.
const MOST_WINDOWS: usize = 10_000;

impl Repeats {
    /// Changes of `action` admitted per actor in a window.
    pub fn allowance(&self, action: AuditAction) -> u32 {
        match action {
            AuditAction::SetTarget | AuditAction::ResetTarget => {
                self.changes_per_minute.load(Ordering::Relaxed)
            }
            _ => OTHER_CHANGES_PER_MINUTE,
        }
    }

    /// Sets the sets' and resets' allowance of every clone.
    pub fn set_changes_per_minute(&self, changes: u32) {
        self.changes_per_minute
            .store(changes.max(1), Ordering::Relaxed);
    }

    fn key(actor: &Actor, action: AuditAction) -> Key {
        (actor.who.stored_name(), action)
    }

    /// The window of `key` at `now`; one that ended is replaced, and its
    /// folded refusals are handed back to be summarised.
    fn window<'a>(
        windows: &'a mut HashMap<Key, Window>,
        key: Key,
        now: Instant,
        ended: &mut Option<Summary>,
    ) -> &'a mut Window {
        if windows.len() >= MOST_WINDOWS {
            windows.retain(|_, w| now.duration_since(w.started) < WINDOW || w.folded > 0);
        }
        let action = key.1;
        let window = windows.entry(key).or_insert_with(|| Window::new(now));
        if now.duration_since(window.started) >= WINDOW {
            let old = std::mem::replace(window, Window::new(now));
            *ended = summary(old, action);
        }
        window
    }

    /// Counts a refusal of `action` by `actor` at `now`. `ended` receives
    /// the summary of a window this call closed, if its task has not
    /// written it yet.
    pub fn refusal(
        &self,
        actor: &Actor,
        action: AuditAction,
        now: Instant,
        ended: &mut Option<Summary>,
    ) -> Refusal {
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        let window = Self::window(&mut windows, Self::key(actor, action), now, ended);
        if window.refusals < REFUSALS_WRITTEN {
            window.refusals += 1;
            return Refusal::Write;
        }
        window.folded += 1;
        let first = window.folded_actor.is_none();
        if first {
            window.folded_actor = Some(actor.clone());
        }
        Refusal::Folded {
            summary_due: first.then_some(window.started + WINDOW),
        }
    }

    /// Takes the folded refusals of the window of `actor` and `action`
    /// that started at `started`, if that window is still current (a later
    /// call that replaced it handed them on already).
    pub fn take_summary(
        &self,
        actor: &Actor,
        action: AuditAction,
        started: Instant,
    ) -> Option<Summary> {
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        let window = windows.get_mut(&Self::key(actor, action))?;
        if window.started != started {
            return None;
        }
        let taken = Window {
            changes: window.changes,
            refusals: window.refusals,
            ..Window::new(started)
        };
        summary(std::mem::replace(window, taken), action)
    }

    /// Takes every window's folded refusals now (a stop writes them
    /// rather than lose them).
    pub fn take_all(&self) -> Vec<Summary> {
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        windows
            .iter_mut()
            .filter_map(|((_, action), window)| {
                let taken = Window {
                    changes: window.changes,
                    refusals: window.refusals,
                    ..Window::new(window.started)
                };
                summary(std::mem::replace(window, taken), *action)
            })
            .collect()
    }

    /// Admits one change of `action` by `actor`, or says in how many
    /// seconds the next one will be.
    pub fn admit(
        &self,
        actor: &Actor,
        action: AuditAction,
        now: Instant,
        ended: &mut Option<Summary>,
    ) -> Result<(), u64> {
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        let window = Self::window(&mut windows, Self::key(actor, action), now, ended);
        if window.changes < self.allowance(action) {
            window.changes += 1;
            Ok(())
        } else {
            let left = (window.started + WINDOW).saturating_duration_since(now);
            Err(left.as_secs() + u64::from(left.subsec_nanos() > 0))
        }
    }
}

fn summary(window: Window, action: AuditAction) -> Option<Summary> {
    Some(Summary {
        actor: window.folded_actor?,
        action,
        attempts: window.folded,
    })
    .filter(|s| s.attempts > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn viewer() -> Actor {
        Actor::of(Who::User {
            id: 7,
            name: "vera".into(),
        })
    }

    #[test]
    fn refusals_past_the_first_few_are_folded_into_one_summary() {
        let repeats = Repeats::default();
        let start = Instant::now();
        let (actor, action) = (viewer(), AuditAction::AlertSubscriptionAdded);
        let mut ended = None;
        let outcomes: Vec<Refusal> = (0..300)
            .map(|_| repeats.refusal(&actor, action, start, &mut ended))
            .collect();
        let written = outcomes.iter().filter(|r| **r == Refusal::Write).count();
        assert_eq!(written, REFUSALS_WRITTEN as usize);
        let due: Vec<_> = outcomes
            .iter()
            .filter_map(|r| match r {
                Refusal::Folded { summary_due } => *summary_due,
                Refusal::Write => None,
            })
            .collect();
        assert_eq!(due, vec![start + WINDOW], "one summary per window");
        let summary = repeats.take_summary(&actor, action, start).unwrap();
        assert_eq!(summary.attempts, 300 - REFUSALS_WRITTEN);
        assert!(repeats.take_summary(&actor, action, start).is_none());
        assert!(ended.is_none());
        // Another action of the same person has its own window.
        let other = AuditAction::AlertSubscriptionRemoved;
        assert_eq!(
            repeats.refusal(&actor, other, start, &mut ended),
            Refusal::Write
        );
    }

    #[test]
    fn a_new_window_hands_on_the_last_ones_count() {
        let repeats = Repeats::default();
        let start = Instant::now();
        let (actor, action) = (viewer(), AuditAction::SetTarget);
        let mut ended = None;
        for _ in 0..(REFUSALS_WRITTEN + 3) {
            repeats.refusal(&actor, action, start, &mut ended);
        }
        let later = start + WINDOW + Duration::from_secs(1);
        assert_eq!(
            repeats.refusal(&actor, action, later, &mut ended),
            Refusal::Write
        );
        assert_eq!(ended.map(|s| s.attempts), Some(3));
        // The old window's task finds nothing left to write.
        assert!(repeats.take_summary(&actor, action, start).is_none());
    }

    #[test]
    fn the_sets_allowance_is_the_configured_one_for_every_clone() {
        let repeats = Repeats::default();
        assert_eq!(
            repeats.allowance(AuditAction::SetTarget),
            CHANGES_PER_MINUTE
        );
        let clone = repeats.clone();
        repeats.set_changes_per_minute(2);
        let (start, actor, mut ended) = (Instant::now(), viewer(), None);
        for action in [AuditAction::SetTarget, AuditAction::ResetTarget] {
            assert_eq!(clone.admit(&actor, action, start, &mut ended), Ok(()));
        }
        assert_eq!(
            clone.admit(&actor, AuditAction::SetTarget, start, &mut ended),
            Ok(())
        );
        assert!(
            clone
                .admit(&actor, AuditAction::SetTarget, start, &mut ended)
                .is_err()
        );
        // Other changes keep their own allowance.
        assert_eq!(clone.allowance(AuditAction::ApiTokenCreated), 20);
    }

    #[test]
    fn changes_past_the_allowance_wait_for_the_next_window() {
        let repeats = Repeats::default();
        let start = Instant::now();
        let (actor, action) = (viewer(), AuditAction::ApiTokenCreated);
        let mut ended = None;
        for _ in 0..repeats.allowance(action) {
            assert_eq!(repeats.admit(&actor, action, start, &mut ended), Ok(()));
        }
        let soon = start + Duration::from_millis(10_500);
        assert_eq!(repeats.admit(&actor, action, soon, &mut ended), Err(50));
        let later = start + WINDOW;
        assert_eq!(repeats.admit(&actor, action, later, &mut ended), Ok(()));
    }

    #[test]
    fn only_people_and_tokens_are_bounded() {
        assert!(bounded(&viewer().who));
        assert!(!bounded(&Who::Sampler));
        assert!(!bounded(&Who::Cli {
            os_user: "root".into()
        }));
    }
}
