//! What changed, told to whoever shows it (#41): open pages, and the
//! caches that must forget a user at once.
//!
//! Every [`Db`](super::Db) carries one [`Changes`]. A store or service
//! publishes after its change committed; subscribers in this process hear
//! it at once (a `tokio` broadcast). On PostgreSQL the change also goes to
//! every other instance as a `NOTIFY` on [`CHANNEL`], and [`Changes::listen`]
//! hears theirs and repeats them here, so each instance pushes to its own
//! browsers. On SQLite there is one instance, and the broadcast is all.
//!
//! A change names *what* changed (chargers, the audit trail, a user), never
//! the data: a page reads what it shows itself, with its viewer's rights.
//! Nothing secret goes into a notification (no session ids, no names).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use sqlx::postgres::PgListener;
use tokio::sync::{broadcast, mpsc, watch};

/// The PostgreSQL channel every instance listens on.
pub const CHANNEL: &str = "evse_changes";

/// Changes a slow subscriber may fall behind by before it is told it
/// lagged (and reads everything again).
const CAPACITY: usize = 1024;

/// Notifications waiting to be sent; past it a change is dropped, and the
/// others are told [`Change::Resync`] once there is room.
const OUTBOX: usize = 1024;

/// PostgreSQL refuses a payload of 8,000 bytes or more; a longer list of
/// chargers is sent as [`Change::Fleet`].
const MAX_PAYLOAD: usize = 7_000;

/// How long to wait before listening again after the connection broke.
const RELISTEN_AFTER: Duration = Duration::from_secs(1);

/// What changed. Closed set, one definition; its JSON is the notification.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    /// What a page shows of these chargers changed: a reading, a target
    /// set, reset or ended, a verdict.
    Chargers { ids: Vec<i64> },
    /// Possibly every charger (a list too long for one notification).
    Fleet,
    /// Audit rows were written or completed, about these chargers (empty:
    /// about no charger).
    Audit { chargers: Vec<i64> },
    /// An alert delivery changed its state.
    Deliveries,
    /// Who a user is or may do changed (role, password, disabled,
    /// language): what is cached of them is dropped.
    User { id: i64 },
    /// A session of this user ended (logout).
    SessionEnded { user_id: i64 },
    /// Changes may have been missed here (the notification connection
    /// broke, or a subscriber lagged): read everything again.
    Resync,
}

impl Change {
    /// Whether a page about `charger` shows something this changed.
    pub fn touches_charger(&self, charger: i64) -> bool {
        match self {
            Change::Chargers { ids } => ids.contains(&charger),
            Change::Audit { chargers } => chargers.contains(&charger),
            Change::Fleet | Change::Resync => true,
            Change::Deliveries | Change::User { .. } | Change::SessionEnded { .. } => false,
        }
    }

    /// Whether it is about chargers at all (a reading, a target, a verdict).
    pub fn touches_chargers(&self) -> bool {
        match self {
            Change::Chargers { .. } | Change::Fleet | Change::Resync => true,
            Change::Audit { chargers } => !chargers.is_empty(),
            Change::Deliveries | Change::User { .. } | Change::SessionEnded { .. } => false,
        }
    }

    /// Whether the sessions of `user_id` must be checked again.
    pub fn ends_sessions_of(&self, user_id: i64) -> bool {
        match self {
            Change::User { id } | Change::SessionEnded { user_id: id } => *id == user_id,
            Change::Resync => true,
            _ => false,
        }
    }
}

/// A change as this instance heard it: its place in what this instance
/// heard (a page asks for what came after the place it was rendered at).
#[derive(Clone, Debug)]
pub struct Heard {
    pub seq: u64,
    pub change: Arc<Change>,
}

/// One notification between instances.
#[derive(Serialize, Deserialize)]
struct Note {
    /// The instance that sent it: it has told its own subscribers.
    from: u64,
    change: Change,
}

/// The hub; cheap to clone (one per database handle and its clones).
#[derive(Clone)]
pub struct Changes(Arc<Inner>);

struct Inner {
    instance: u64,
    seq: AtomicU64,
    local: broadcast::Sender<Heard>,
    /// The write lane of a PostgreSQL database, which notifies the others.
    postgres: Option<PgPool>,
    /// Started by the first change, on the runtime that publishes it.
    outbox: OnceLock<mpsc::Sender<Change>>,
    /// A change could not be queued for the others: they read everything
    /// again once the queue has room.
    dropped: Arc<std::sync::atomic::AtomicBool>,
    /// Whether this instance hears the others now (always, on SQLite).
    hearing: watch::Sender<bool>,
}

impl std::fmt::Debug for Changes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Changes")
            .field("instance", &format_args!("{:x}", self.0.instance))
            .field("seq", &self.0.seq.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl Changes {
    /// The hub of a SQLite database (`None`) or of a PostgreSQL one, whose
    /// pool sends the notifications.
    pub(super) fn new(postgres: Option<PgPool>) -> Self {
        let (local, _) = broadcast::channel(CAPACITY);
        Self(Arc::new(Inner {
            instance: fastrand::u64(..),
            seq: AtomicU64::new(0),
            local,
            // Alone, an instance hears everything; with others, only once
            // it listens.
            hearing: watch::Sender::new(postgres.is_none()),
            postgres,
            outbox: OnceLock::new(),
            dropped: Arc::default(),
        }))
    }

    /// Tells this instance's subscribers, and on PostgreSQL every other
    /// instance, that `change` happened. Call it after the change
    /// committed. Never waits and never fails: a notification that cannot
    /// be sent is logged, and the others catch up at their next change.
    pub fn publish(&self, change: Change) {
        if let Some(outbox) = self.outbox() {
            match outbox.try_send(change.clone()) {
                Ok(()) => {}
                Err(mpsc::error::TrySendError::Full(_)) => {
                    tracing::warn!("too many changes waiting to be told to other instances");
                    self.0.dropped.store(true, Ordering::Release);
                }
                Err(mpsc::error::TrySendError::Closed(_)) => {}
            }
        }
        self.tell_here(change);
    }

    fn tell_here(&self, change: Change) {
        let seq = self.0.seq.fetch_add(1, Ordering::AcqRel) + 1;
        // No subscriber is not an error.
        let _ = self.0.local.send(Heard {
            seq,
            change: Arc::new(change),
        });
    }

    /// Every change from now on (in this process and, while listening,
    /// from the others).
    pub fn subscribe(&self) -> broadcast::Receiver<Heard> {
        self.0.local.subscribe()
    }

    /// Where this instance is in what it heard: a page rendered now names
    /// it, and its stream compares (another instance's place, or an older
    /// one, means something may have been missed).
    pub fn position(&self) -> String {
        self.position_at(self.seq())
    }

    /// How many changes this instance has heard.
    pub fn seq(&self) -> u64 {
        self.0.seq.load(Ordering::Acquire)
    }

    /// The place of `seq` in this instance's changes.
    pub fn position_at(&self, seq: u64) -> String {
        format!("{:x}-{seq}", self.0.instance)
    }

    /// Whether this instance hears the others now (true on SQLite).
    pub fn hearing(&self) -> watch::Receiver<bool> {
        self.0.hearing.subscribe()
    }

    fn outbox(&self) -> Option<&mpsc::Sender<Change>> {
        let pool = self.0.postgres.as_ref()?;
        // Outside a runtime (a synchronous test) nothing can send.
        let runtime = tokio::runtime::Handle::try_current().ok()?;
        Some(self.0.outbox.get_or_init(|| {
            let (outbox, changes) = mpsc::channel(OUTBOX);
            let dropped = Arc::clone(&self.0.dropped);
            runtime.spawn(notify_all(pool.clone(), self.0.instance, changes, dropped));
            outbox
        }))
    }

    /// On PostgreSQL, hears the other instances until the process stops:
    /// their changes are repeated to this instance's subscribers. When the
    /// connection breaks it listens again, and tells its subscribers to
    /// read everything again ([`Change::Resync`]), since notifications
    /// sent meanwhile are lost. Returns at once on SQLite.
    pub async fn listen(self) {
        let Some(pool) = self.0.postgres.clone() else {
            return;
        };
        loop {
            match hear(&self, &pool).await {
                Ok(()) => {}
                Err(e) => tracing::warn!(error = %e, "not hearing other instances; trying again"),
            }
            self.0.hearing.send_replace(false);
            tokio::time::sleep(RELISTEN_AFTER).await;
        }
    }
}

/// Listens on one connection until it breaks.
async fn hear(changes: &Changes, pool: &PgPool) -> Result<(), sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.ignore_pool_close_event(true);
    listener.listen(CHANNEL).await?;
    changes.0.hearing.send_replace(true);
    // What was sent while this instance was not listening is lost.
    changes.tell_here(Change::Resync);
    tracing::info!("hearing other instances' changes");
    // `None`: the connection broke.
    while let Some(notification) = listener.try_recv().await? {
        match serde_json::from_str::<Note>(notification.payload()) {
            Ok(note) if note.from == changes.0.instance => {}
            Ok(note) => changes.tell_here(note.change),
            Err(e) => tracing::warn!(error = %e, "an unreadable change notification"),
        }
    }
    Ok(())
}

/// Sends this instance's changes to the others, one `NOTIFY` each; after
/// a change had to be dropped, a [`Change::Resync`].
async fn notify_all(
    pool: PgPool,
    instance: u64,
    mut changes: mpsc::Receiver<Change>,
    dropped: Arc<std::sync::atomic::AtomicBool>,
) {
    while let Some(change) = changes.recv().await {
        notify(&pool, instance, change).await;
        if dropped.swap(false, Ordering::AcqRel) {
            notify(&pool, instance, Change::Resync).await;
        }
    }
}

async fn notify(pool: &PgPool, instance: u64, change: Change) {
    let payload = payload(instance, change);
    let sent = sqlx::query("SELECT pg_notify($1, $2)")
        .bind(CHANNEL)
        .bind(&payload)
        .execute(pool)
        .await;
    if let Err(e) = sent {
        // The others miss this one; their 5 s bounds still hold.
        tracing::warn!(error = %e, "could not tell other instances of a change");
    }
}

/// The notification's text, within PostgreSQL's limit: a list of chargers
/// too long becomes "possibly every charger" (or, for audit rows, "rows
/// about no charger in particular": their chargers' pages hear the
/// changes themselves).
fn payload(from: u64, change: Change) -> String {
    let text = serde_json::to_string(&Note {
        from,
        change: change.clone(),
    })
    .unwrap_or_default();
    if text.len() <= MAX_PAYLOAD {
        return text;
    }
    let change = match change {
        Change::Audit { .. } => Change::Audit {
            chargers: Vec::new(),
        },
        _ => Change::Fleet,
    };
    serde_json::to_string(&Note { from, change }).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn subscribers_hear_changes_in_order_with_their_place() {
        let changes = Changes::new(None);
        let mut heard = changes.subscribe();
        let before = changes.position();
        changes.publish(Change::Chargers { ids: vec![3] });
        changes.publish(Change::Deliveries);
        let first = heard.recv().await.unwrap();
        let second = heard.recv().await.unwrap();
        assert_eq!(*first.change, Change::Chargers { ids: vec![3] });
        assert_eq!(*second.change, Change::Deliveries);
        assert_eq!(second.seq, first.seq + 1);
        assert_ne!(changes.position(), before);
        assert_eq!(changes.position(), changes.position_at(second.seq));
        assert!(*changes.hearing().borrow(), "alone, an instance hears all");
    }

    #[test]
    fn a_list_too_long_for_postgres_becomes_the_fleet() {
        let short = payload(1, Change::Chargers { ids: vec![1, 2] });
        assert!(short.contains("\"ids\":[1,2]"), "{short}");
        let long = payload(
            1,
            Change::Chargers {
                ids: (0..5_000).collect(),
            },
        );
        assert!(long.len() < MAX_PAYLOAD);
        let note: Note = serde_json::from_str(&long).unwrap();
        assert_eq!(note.change, Change::Fleet);
        let rows = payload(
            1,
            Change::Audit {
                chargers: (0..5_000).collect(),
            },
        );
        let note: Note = serde_json::from_str(&rows).unwrap();
        assert_eq!(note.change, Change::Audit { chargers: vec![] });
    }

    #[test]
    fn which_pages_a_change_touches() {
        let set = Change::Audit { chargers: vec![7] };
        assert!(set.touches_charger(7) && !set.touches_charger(8));
        assert!(set.touches_chargers());
        assert!(!Change::Audit { chargers: vec![] }.touches_chargers());
        assert!(Change::Fleet.touches_charger(8));
        assert!(Change::User { id: 4 }.ends_sessions_of(4));
        assert!(!Change::User { id: 4 }.ends_sessions_of(5));
        assert!(Change::SessionEnded { user_id: 5 }.ends_sessions_of(5));
        assert!(!Change::Deliveries.ends_sessions_of(5));
    }
}
