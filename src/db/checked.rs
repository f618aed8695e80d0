//! Compile-time-checked queries on both backends.
//!
//! Inside [`on_db!`](crate::on_db) and [`on_tx!`](crate::on_tx) a store
//! writes its SQL once, with `checked!` (no rows back), `checked_as!(Row,
//! …)` or `checked_scalar!`; each backend's arm turns that into sqlx's
//! `query!`, `query_as!` or `query_scalar!` with a comment naming the
//! backend appended to the SQL. The comment is what lets one SQL text be
//! checked twice: sqlx's offline data (`.sqlx/query-HASH.json`, committed)
//! is keyed by the hash of the text and records the one database it was
//! described on. So every such query is checked at compile time against
//! the SQLite schema *and* the PostgreSQL one: its columns, their Rust
//! types and nullability, the number of arguments and, on PostgreSQL,
//! their types.
//!
//! `.ci/sqlx-prepare` writes that data, one backend per `cargo check`, with
//! the feature `prepare-sqlite` or `prepare-postgres`: in such a build the
//! *other* backend's queries are plain runtime queries, because sqlx
//! describes every checked query on the one `DATABASE_URL`. Release and
//! test builds use neither feature, and `.cargo/config.toml` forces
//! `SQLX_OFFLINE=true`, so a `DATABASE_URL` in the environment (the server
//! reads one) never turns the macros online.
//!
//! Row types keep `#[derive(sqlx::FromRow)]` for those preparation builds.
//! The script checks this crate's library only, so checked queries belong
//! in it (the stores), not in `app`, `server` or `#[cfg(test)]` code. The
//! README lists what stays a runtime query and why.

// With both preparation features on (`--all-features`), every query would
// be an unchecked runtime query whose `"id!"`-style aliases no longer match
// the rows' field names: refuse to build instead of failing at run time.
#[cfg(all(feature = "prepare-sqlite", feature = "prepare-postgres"))]
compile_error!(
    "prepare-sqlite and prepare-postgres are for .ci/sqlx-prepare, one at a time; \
     build without them"
);

/// Defines `checked!`, `checked_as!` and `checked_scalar!` for one
/// backend's arm of `on_db!`/`on_tx!`. `$d` is a `$` (a macro cannot write
/// one into a macro it defines). One line each: rustfmt re-indents a
/// multi-line inner macro on every run, and `#[rustfmt::skip]` here would
/// make rustc treat this exported macro as macro-expanded.
#[doc(hidden)]
#[macro_export]
macro_rules! __checked_macros {
    ([$d:tt] $backend:ident) => {
        #[allow(unused_macros)]
        macro_rules! checked { ($d($d t:tt)*) => { $crate::$backend!(plain $d($d t)*) } }
        #[allow(unused_macros)]
        macro_rules! checked_as { ($d($d t:tt)*) => { $crate::$backend!(record $d($d t)*) } }
        #[allow(unused_macros)]
        macro_rules! checked_scalar { ($d($d t:tt)*) => { $crate::$backend!(scalar $d($d t)*) } }
    };
}

/// A backend's queries checked by sqlx against its offline data.
#[doc(hidden)]
#[macro_export]
macro_rules! __checked_on {
    ($mark:literal, plain $sql:literal $(+ $more:literal)* $(, $arg:expr)* $(,)?) => {
        ::sqlx::query!($sql $(+ $more)* + $mark $(, $arg)*)
    };
    ($mark:literal, record $row:path, $sql:literal $(+ $more:literal)* $(, $arg:expr)* $(,)?) => {
        ::sqlx::query_as!($row, $sql $(+ $more)* + $mark $(, $arg)*)
    };
    ($mark:literal, scalar $sql:literal $(+ $more:literal)* $(, $arg:expr)* $(,)?) => {
        ::sqlx::query_scalar!($sql $(+ $more)* + $mark $(, $arg)*)
    };
}

/// The same queries unchecked, for the build that prepares the other
/// backend's data.
#[doc(hidden)]
#[macro_export]
macro_rules! __unchecked_on {
    ($db:ty, $mark:literal, plain $sql:literal $(+ $more:literal)* $(, $arg:expr)* $(,)?) => {
        ::sqlx::query::<$db>(::core::concat!($sql, $($more,)* $mark)) $(.bind(&$arg))*
    };
    ($db:ty, $mark:literal, record $row:path, $sql:literal $(+ $more:literal)* $(, $arg:expr)* $(,)?) => {
        ::sqlx::query_as::<$db, $row>(::core::concat!($sql, $($more,)* $mark)) $(.bind(&$arg))*
    };
    ($db:ty, $mark:literal, scalar $sql:literal $(+ $more:literal)* $(, $arg:expr)* $(,)?) => {
        ::sqlx::query_scalar::<$db, _>(::core::concat!($sql, $($more,)* $mark)) $(.bind(&$arg))*
    };
}

#[cfg(not(feature = "prepare-postgres"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __on_sqlite {
    ($($t:tt)*) => { $crate::__checked_on!(" /* sqlite */", $($t)*) };
}

#[cfg(feature = "prepare-postgres")]
#[doc(hidden)]
#[macro_export]
macro_rules! __on_sqlite {
    ($($t:tt)*) => { $crate::__unchecked_on!(::sqlx::Sqlite, " /* sqlite */", $($t)*) };
}

#[cfg(not(feature = "prepare-sqlite"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __on_postgres {
    ($($t:tt)*) => { $crate::__checked_on!(" /* postgres */", $($t)*) };
}

#[cfg(feature = "prepare-sqlite")]
#[doc(hidden)]
#[macro_export]
macro_rules! __on_postgres {
    ($($t:tt)*) => { $crate::__unchecked_on!(::sqlx::Postgres, " /* postgres */", $($t)*) };
}
