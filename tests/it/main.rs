//! The root crate's integration tests, in one binary (one link, shared
//! fixtures): the services against a real database and the in-process
//! CLEMAP simulator. The database is a SQLite file, or with
//! `EVSE_TEST_BACKEND=postgres` a fresh PostgreSQL database on the server
//! `EVSE_TEST_POSTGRES_URL` names (`.ci/test` runs the suite both ways).

mod alert_consent;
mod alert_delivery;
mod alert_mail;
mod alert_subscribers;
mod alert_watch;
mod alerts;
mod api_tokens;
mod audit_chain;
mod audit_reads;
mod audit_writer;
mod clemap_contract;
mod clemap_faults;
mod clemap_logs;
mod contention;
mod control;
mod fixtures;
mod history;
mod history_views;
mod live;
mod logins;
mod maintenance;
mod overview;
mod registry;
mod schedule_changes;
mod schedules;
mod sessions;
mod sharing;
mod sql_log;
mod users;
mod vocabulary;
