//! Every query of the stores runs on both backends. Queries are checked
//! by running them, not at compile time (see docs/ARCHITECTURE.md), so a
//! query that no test runs on one backend is unchecked there: this test
//! fails on it.
//!
//! It reads every SQL literal passed to `sqlx::query`, `query_as` or
//! `query_scalar` in `src/` (with syn, so the text is exactly what Rust
//! compiles) and compares with what the integration tests ran on each
//! backend (`tests/it/sql_log.rs` writes `target/tmp/sql-coverage-*.txt`).
//! `.ci/test` runs it after the `it` suite has run on SQLite and on
//! PostgreSQL.
//!
//! A query written inside a `Db::Sqlite`/`Db::Postgres` arm, or in a file
//! of one backend (`db/sqlite.rs`, `db/backup.rs`, `db/postgres.rs`,
//! `db/changes.rs`), is
//! required on that backend only. SQL assembled at run time (the audit
//! filter, the chain's insert, the copy to PostgreSQL, the generated
//! vocabulary checks) is not a literal and is checked by its own tests.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use syn::visit::Visit;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Backends {
    Both,
    Sqlite,
    Postgres,
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Query {
    sql: String,
    backends: Backends,
    place: String,
}

fn fold(sql: &str) -> String {
    sql.split_whitespace().collect::<Vec<_>>().join(" ")
}

struct Finder<'a> {
    file: &'a str,
    backends: Backends,
    found: Vec<Query>,
}

impl Finder<'_> {
    fn is_query(call: &syn::ExprCall) -> bool {
        let syn::Expr::Path(path) = &*call.func else {
            return false;
        };
        let segments: Vec<String> = path
            .path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        segments.first().is_some_and(|s| s == "sqlx")
            && segments
                .last()
                .is_some_and(|s| matches!(s.as_str(), "query" | "query_as" | "query_scalar"))
    }
}

impl<'ast> Visit<'ast> for Finder<'_> {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        let test_only = |attrs: &[syn::Attribute]| {
            attrs.iter().any(|a| {
                a.path().is_ident("cfg")
                    && a.meta
                        .require_list()
                        .is_ok_and(|l| l.tokens.to_string().contains("test"))
            })
        };
        let attrs = match item {
            syn::Item::Mod(m) => &m.attrs,
            syn::Item::Fn(f) => &f.attrs,
            _ => return syn::visit::visit_item(self, item),
        };
        if !test_only(attrs) {
            syn::visit::visit_item(self, item);
        }
    }

    fn visit_arm(&mut self, arm: &'ast syn::Arm) {
        let pattern = quote_of(&arm.pat);
        let before = self.backends;
        if pattern.contains("Sqlite") {
            self.backends = Backends::Sqlite;
        } else if pattern.contains("Postgres") {
            self.backends = Backends::Postgres;
        }
        syn::visit::visit_arm(self, arm);
        self.backends = before;
    }

    /// `const SELECT_X: &str = "SELECT …"`: SQL shared by two methods.
    fn visit_item_const(&mut self, item: &'ast syn::ItemConst) {
        if let syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(text),
            ..
        }) = &*item.expr
        {
            let sql = fold(&text.value());
            let first = sql
                .split(' ')
                .next()
                .unwrap_or_default()
                .to_ascii_uppercase();
            if matches!(first.as_str(), "SELECT" | "INSERT" | "UPDATE" | "DELETE") {
                self.found.push(Query {
                    sql,
                    backends: self.backends,
                    place: self.file.to_owned(),
                });
            }
        }
    }

    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        if Self::is_query(call)
            && let Some(syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(sql),
                ..
            })) = call.args.first()
        {
            self.found.push(Query {
                sql: fold(&sql.value()),
                backends: self.backends,
                place: self.file.to_owned(),
            });
        }
        syn::visit::visit_expr_call(self, call);
    }

    /// `on_db!(db, pool => BODY)` and `on_tx!(…)`: the body is code.
    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        let name = mac.path.segments.last().map(|s| s.ident.to_string());
        if matches!(name.as_deref(), Some("on_db" | "on_tx")) {
            let tokens = mac.tokens.to_string();
            if let Some((_, body)) = tokens.split_once("=>")
                && let Ok(body) = syn::parse_str::<syn::Expr>(body)
            {
                self.visit_expr(&body);
            }
        }
    }
}

fn quote_of(pat: &syn::Pat) -> String {
    match pat {
        syn::Pat::TupleStruct(t) => t
            .path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect::<Vec<_>>()
            .join("::"),
        _ => String::new(),
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn queries_in_src() -> Vec<Query> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    let mut found = Vec::new();
    for path in files {
        let file = path.strip_prefix(root).unwrap().display().to_string();
        let backends = match file.as_str() {
            "src/db/sqlite.rs" | "src/db/backup.rs" => Backends::Sqlite,
            // The notifications between instances exist on PostgreSQL only.
            "src/db/postgres.rs" | "src/db/changes.rs" => Backends::Postgres,
            _ => Backends::Both,
        };
        let text = std::fs::read_to_string(&path).unwrap();
        let parsed = syn::parse_file(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
        let mut finder = Finder {
            file: &file,
            backends,
            found: Vec::new(),
        };
        finder.visit_file(&parsed);
        found.extend(finder.found);
    }
    found
}

fn ran_on(backend: &str) -> BTreeSet<String> {
    let path = format!("{}/sql-coverage-{backend}.txt", env!("CARGO_TARGET_TMPDIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{path}: {e}. Run the integration tests on both backends first \
             (.ci/test does: `cargo test --test it`, then with EVSE_TEST_BACKEND=postgres)"
        )
    });
    text.lines().map(str::to_owned).collect()
}

#[test]
fn every_query_of_the_stores_runs_on_both_backends() {
    let queries = queries_in_src();
    assert!(
        queries.len() > 50,
        "the scan found only {} queries",
        queries.len()
    );
    let (sqlite, postgres) = (ran_on("sqlite"), ran_on("postgres"));
    let mut missing = Vec::new();
    for q in &queries {
        let needs = match q.backends {
            Backends::Both => vec![("SQLite", &sqlite), ("PostgreSQL", &postgres)],
            Backends::Sqlite => vec![("SQLite", &sqlite)],
            Backends::Postgres => vec![("PostgreSQL", &postgres)],
        };
        for (name, ran) in needs {
            if !ran.contains(&q.sql) {
                missing.push(format!("{} never ran on {name}: {}", q.place, q.sql));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "queries no test runs (add a test in tests/it that does):\n{}",
        missing.join("\n")
    );
}
