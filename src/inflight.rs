//! "One at a time per person" for the heavy operations (a bulk change, a
//! CSV export): a second one by the same user is refused while the first
//! runs, so one impatient double-click cannot double the load.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

#[derive(Clone, Debug, Default)]
pub struct OnePerUser(Arc<Mutex<HashSet<String>>>);

/// Proof that `who`'s operation runs; dropping it ends it.
#[derive(Debug)]
pub struct Running {
    set: Arc<Mutex<HashSet<String>>>,
    who: String,
}

impl OnePerUser {
    /// `None` while an earlier operation of `who` still runs.
    pub fn try_begin(&self, who: &str) -> Option<Running> {
        let mut set = self.0.lock().unwrap_or_else(|e| e.into_inner());
        set.insert(who.to_owned()).then(|| Running {
            set: self.0.clone(),
            who: who.to_owned(),
        })
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let mut set = self.set.lock().unwrap_or_else(|e| e.into_inner());
        set.remove(&self.who);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_per_user_until_it_ends() {
        let runs = OnePerUser::default();
        let first = runs.try_begin("olga").unwrap();
        assert!(runs.try_begin("olga").is_none());
        assert!(runs.try_begin("ivan").is_some());
        drop(first);
        assert!(runs.try_begin("olga").is_some());
    }
}
