//! The root crate's integration tests, in one binary (one link, shared
//! fixtures): the services against a real SQLite file and the in-process
//! CLEMAP simulator.

mod audit_chain;
mod clemap_contract;
mod clemap_faults;
mod clemap_logs;
mod control;
mod fixtures;
mod overview;
mod registry;
mod schedules;
mod vocabulary;
