//! Records every SQL statement the tests run, per backend, for the check
//! that every query of the stores runs on both (`tests/sql_coverage.rs`).
//! sqlx logs each statement as a `sqlx::query` event; this layer keeps
//! their text (whitespace folded) in `target/tmp/sql-coverage-BACKEND.txt`.

use std::collections::HashSet;
use std::io::Write;
use std::sync::{Mutex, Once};

use tracing::field::{Field, Visit};
use tracing_subscriber::Layer;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;

struct Recorder {
    seen: Mutex<(HashSet<String>, std::fs::File)>,
}

#[derive(Default)]
struct Statement {
    summary: String,
    full: String,
}

impl Visit for Statement {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "summary" => self.summary = value.to_owned(),
            "db.statement" => self.full = value.to_owned(),
            _ => {}
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.record_str(field, &format!("{value:?}"));
    }
}

impl<S: tracing::Subscriber> Layer<S> for Recorder {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        let mut statement = Statement::default();
        event.record(&mut statement);
        // sqlx leaves `db.statement` empty when the summary is the whole text.
        let text = if statement.full.trim().is_empty() {
            statement.summary
        } else {
            statement.full
        };
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let mut guard = self.seen.lock().unwrap();
        let (seen, file) = &mut *guard;
        if seen.insert(text.clone()) {
            writeln!(file, "{text}").unwrap();
        }
    }
}

/// Starts recording (once per test process; the file starts empty).
pub fn record() {
    static START: Once = Once::new();
    START.call_once(|| {
        let backend = if crate::fixtures::on_postgres() {
            "postgres"
        } else {
            "sqlite"
        };
        let path = format!("{}/sql-coverage-{backend}.txt", env!("CARGO_TARGET_TMPDIR"));
        let file = std::fs::File::create(path).unwrap();
        let recorder = Recorder {
            seen: Mutex::new((HashSet::new(), file)),
        };
        let only_queries = Targets::new().with_target("sqlx::query", tracing::Level::TRACE);
        let subscriber = tracing_subscriber::registry().with(recorder.with_filter(only_queries));
        // A test that sets its own subscriber (clemap_logs) just goes unrecorded.
        let _ = tracing::subscriber::set_global_default(subscriber);
    });
}
