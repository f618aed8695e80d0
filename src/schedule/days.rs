//! A set of weekdays, as a schedule names them: `mon-fri`, `daily`,
//! `weekend`, `mon,wed,sat`.

use chrono::Weekday;

/// Weekdays as bits, Monday first (bit 0). Stored as this number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Days(u8);

const NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Why a day list was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadDays(pub String);

impl std::fmt::Display for BadDays {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "not a day list: {:?} (use e.g. mon-fri, daily, weekend or mon,wed,sat)",
            self.0
        )
    }
}

impl std::error::Error for BadDays {}

impl Days {
    pub const EVERY_DAY: Days = Days(0b111_1111);

    pub fn from_bits(bits: u8) -> Option<Days> {
        (bits != 0 && bits <= Self::EVERY_DAY.0).then_some(Days(bits))
    }

    pub fn bits(self) -> u8 {
        self.0
    }

    pub fn contains(self, day: Weekday) -> bool {
        self.0 & (1 << day.num_days_from_monday()) != 0
    }

    pub fn with(self, day: Weekday) -> Days {
        Days(self.0 | 1 << day.num_days_from_monday())
    }

    /// The days in the set, Monday first.
    pub fn iter(self) -> impl Iterator<Item = Weekday> {
        (0..7u8)
            .filter(move |i| self.0 & (1 << i) != 0)
            .map(|i| Weekday::try_from(i).expect("0..7 is a weekday"))
    }

    /// `mon-fri`, `daily`, `weekend`, or a comma list of days and ranges.
    pub fn parse(text: &str) -> Result<Days, BadDays> {
        let bad = || BadDays(text.to_owned());
        let text = text.trim().to_ascii_lowercase();
        match text.as_str() {
            "daily" => return Ok(Self::EVERY_DAY),
            "weekdays" => return Ok(Days(0b001_1111)),
            "weekend" => return Ok(Days(0b110_0000)),
            _ => {}
        }
        let index = |name: &str| NAMES.iter().position(|n| *n == name.trim());
        let mut days = Days(0);
        for part in text.split(',') {
            let (first, last) = match part.split_once('-') {
                Some((a, b)) => (index(a).ok_or_else(bad)?, index(b).ok_or_else(bad)?),
                None => {
                    let day = index(part).ok_or_else(bad)?;
                    (day, day)
                }
            };
            // A range may wrap past Sunday: fri-mon.
            let mut day = first;
            loop {
                days.0 |= 1 << day;
                if day == last {
                    break;
                }
                day = (day + 1) % 7;
            }
        }
        Days::from_bits(days.0).ok_or_else(bad)
    }
}

impl std::fmt::Display for Days {
    /// The short form people type: `daily`, `mon-fri`, `mon,wed,sat`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if *self == Self::EVERY_DAY {
            return f.write_str("daily");
        }
        let bits: Vec<usize> = (0..7).filter(|i| self.0 & (1 << i) != 0).collect();
        let contiguous = bits.len() > 2 && bits.windows(2).all(|w| w[1] == w[0] + 1);
        if contiguous {
            return write!(f, "{}-{}", NAMES[bits[0]], NAMES[bits[bits.len() - 1]]);
        }
        let names: Vec<&str> = bits.iter().map(|&i| NAMES[i]).collect();
        f.write_str(&names.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_lists_parse_as_people_write_them() {
        let parse = |t: &str| Days::parse(t).map(|d| d.to_string());
        assert_eq!(parse("mon-fri").unwrap(), "mon-fri");
        assert_eq!(parse("Daily").unwrap(), "daily");
        assert_eq!(parse("weekend").unwrap(), "sat,sun");
        assert_eq!(parse("mon,wed,sat").unwrap(), "mon,wed,sat");
        assert_eq!(parse("fri-mon").unwrap(), "mon,fri,sat,sun");
        assert_eq!(parse(" mon , tue ").unwrap(), "mon,tue");
        for bad in ["", "monday", "mon-", "mon;tue", "xyz"] {
            assert!(Days::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn bits_round_trip_and_zero_is_refused() {
        let days = Days::parse("tue,thu").unwrap();
        assert_eq!(Days::from_bits(days.bits()), Some(days));
        assert!(days.contains(Weekday::Thu) && !days.contains(Weekday::Mon));
        assert_eq!(Days::from_bits(0), None);
        assert_eq!(Days::from_bits(128), None);
    }
}
