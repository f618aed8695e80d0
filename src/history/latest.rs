//! Each charger's latest reading, as the pages show it: one row per
//! charger, replaced on every reading, so a page reads the database, never
//! CLEMAP.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::Reading;
use crate::clemap::model::{CurrentSettings, PlugStatus};
use crate::db::{Db, Stamp, stamp};
use crate::on_db;
use crate::problem::Problem;
use crate::types::Finding;

/// A charger's latest reading, and the verdict on the target then in force.
#[derive(Debug, Clone, PartialEq)]
pub struct Latest {
    pub read_at: DateTime<Utc>,
    pub result: Result<(Vec<PlugStatus>, CurrentSettings), Problem>,
    pub finding: Option<Finding>,
}

#[derive(sqlx::FromRow)]
struct Row {
    charger_id: i64,
    read_at: Stamp,
    plugs: Option<String>,
    settings: Option<String>,
    problem: Option<String>,
    finding: Option<String>,
}

impl Row {
    fn read(self) -> (i64, Latest) {
        let result = match (parse(self.plugs), parse(self.settings)) {
            (Some(plugs), Some(settings)) => Ok((plugs, settings)),
            _ => Err(self
                .problem
                .as_deref()
                .map_or(Problem::NotReadYet, Problem::from_stored)),
        };
        let latest = Latest {
            read_at: self.read_at.0,
            result,
            finding: parse(self.finding),
        };
        (self.charger_id, latest)
    }
}

/// The `latest_readings` table: each charger's newest reading, which the
/// pages show.
#[derive(Clone, Copy)]
pub struct LatestReadings<'a> {
    db: &'a Db,
}

impl<'a> LatestReadings<'a> {
    pub fn of(db: &'a Db) -> Self {
        Self { db }
    }

    /// Stores a round's readings as each charger's latest, with the verdict on
    /// its target in force (one transaction: a round is written at once). An
    /// older reading never replaces a newer one.
    pub async fn store(
        &self,
        readings: &[Reading],
        findings: &HashMap<i64, Finding>,
    ) -> Result<(), sqlx::Error> {
        let db = self.db;
        let mut tx = db.begin().await?;
        for reading in readings {
            let (plugs, settings, problem) = match &reading.result {
                Ok((plugs, settings)) => (Some(json(plugs)), Some(json(settings)), None),
                Err(problem) => (None, None, Some(problem.to_json())),
            };
            let finding = findings.get(&reading.charger_id).map(json);
            crate::on_tx!(&mut tx, conn => sqlx::query(
                "INSERT INTO latest_readings (charger_id, read_at, plugs, settings, problem, finding) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (charger_id) DO UPDATE SET \
                 read_at = excluded.read_at, plugs = excluded.plugs, settings = excluded.settings, \
                 problem = excluded.problem, finding = excluded.finding \
                 WHERE latest_readings.read_at <= excluded.read_at",
            )
            .bind(reading.charger_id)
            .bind(stamp(reading.at))
            .bind(plugs)
            .bind(settings)
            .bind(problem)
            .bind(finding)
            .execute(&mut *conn)
            .await?
            .rows_affected());
        }
        tx.commit().await
    }

    /// Shows `settings` as a charger's target at once, after a change CLEMAP
    /// received (the next reading confirms it).
    pub async fn set_target(
        &self,
        charger_id: i64,
        settings: &CurrentSettings,
    ) -> Result<(), sqlx::Error> {
        let db = self.db;
        on_db!(db.writes(), pool => sqlx::query(
            "UPDATE latest_readings SET settings = $1 WHERE charger_id = $2 AND settings IS NOT NULL",
        )
        .bind(json(settings))
        .bind(charger_id)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(())
    }

    /// Every charger's latest reading.
    pub async fn all(&self) -> Result<HashMap<i64, Latest>, sqlx::Error> {
        let db = self.db;
        let rows: Vec<Row> = on_db!(db, pool => sqlx::query_as(
            "SELECT charger_id, read_at, plugs, settings, problem, finding FROM latest_readings",
        )
        .fetch_all(pool)
        .await?);
        Ok(rows.into_iter().map(Row::read).collect())
    }

    /// One charger's latest reading.
    pub async fn one(&self, charger_id: i64) -> Result<Option<Latest>, sqlx::Error> {
        let db = self.db;
        let row: Option<Row> = on_db!(db, pool => sqlx::query_as(
            "SELECT charger_id, read_at, plugs, settings, problem, finding FROM latest_readings \
             WHERE charger_id = $1",
        )
        .bind(charger_id)
        .fetch_optional(pool)
        .await?);
        Ok(row.map(|r| r.read().1))
    }
}

/// A stored JSON value (one that no longer reads is not known).
fn parse<T: serde::de::DeserializeOwned>(text: Option<String>) -> Option<T> {
    text.and_then(|t| serde_json::from_str(&t).ok())
}

/// JSON text of a value stored here (each serialises; a failure would be
/// a bug, and the column would then read as not known).
fn json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).unwrap_or_default()
}
