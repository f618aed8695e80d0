//! Instants as the database stores them: ISO-8601 UTC text with
//! milliseconds ("2026-11-24T12:00:00.000Z"), in both backends. Text
//! because the audit chain hashes exactly what is stored (a `timestamptz`
//! round trip would rewrite it), and this text sorts in time order.

use chrono::{DateTime, SecondsFormat, Utc};
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::{Database, Decode, Encode, Type};

/// An instant read from or written to a text timestamp column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Stamp(pub DateTime<Utc>);

/// The stored text of `at`.
pub fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The stored text of now.
pub fn now_text() -> String {
    stamp(Utc::now())
}

impl<DB: Database> Type<DB> for Stamp
where
    String: Type<DB>,
{
    fn type_info() -> DB::TypeInfo {
        <String as Type<DB>>::type_info()
    }

    fn compatible(ty: &DB::TypeInfo) -> bool {
        <String as Type<DB>>::compatible(ty)
    }
}

impl<'r, DB: Database> Decode<'r, DB> for Stamp
where
    String: Decode<'r, DB>,
{
    fn decode(value: <DB as Database>::ValueRef<'r>) -> Result<Self, BoxDynError> {
        let text = <String as Decode<DB>>::decode(value)?;
        // Older SQLite rows may hold sqlx's own RFC 3339 form (+00:00).
        Ok(Stamp(
            DateTime::parse_from_rfc3339(&text)?.with_timezone(&Utc),
        ))
    }
}

impl<'q, DB: Database> Encode<'q, DB> for Stamp
where
    String: Encode<'q, DB>,
{
    fn encode_by_ref(
        &self,
        buf: &mut <DB as Database>::ArgumentBuffer<'q>,
    ) -> Result<IsNull, BoxDynError> {
        <String as Encode<DB>>::encode(stamp(self.0), buf)
    }
}

impl Stamp {
    /// The instant stored text names. Text that names none (never written
    /// by this code) reads as the Unix epoch: plainly wrong, never "now".
    pub fn parse(stored: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(stored)
            .map(|at| at.with_timezone(&Utc))
            .unwrap_or(DateTime::UNIX_EPOCH)
    }
}

impl From<Stamp> for DateTime<Utc> {
    fn from(s: Stamp) -> Self {
        s.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_has_milliseconds_and_z_and_sorts_in_time_order() {
        let a = DateTime::parse_from_rfc3339("2026-11-24T09:05:03.5+01:00").unwrap();
        let a = a.with_timezone(&Utc);
        assert_eq!(stamp(a), "2026-11-24T08:05:03.500Z");
        let b = a + chrono::TimeDelta::milliseconds(600);
        assert!(stamp(a) < stamp(b));
    }
}
