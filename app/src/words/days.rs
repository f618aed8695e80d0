//! Weekday sets in words: "Mon–Fri", "Mo, Mi, Sa", "every day".

use chrono::Weekday;

use crate::i18n::td_string;
use crate::language::Locale;

/// A weekday's short name ("Mon", "Mo", "lun.").
pub fn day_name(l: Locale, day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => td_string!(l, day_mon),
        Weekday::Tue => td_string!(l, day_tue),
        Weekday::Wed => td_string!(l, day_wed),
        Weekday::Thu => td_string!(l, day_thu),
        Weekday::Fri => td_string!(l, day_fri),
        Weekday::Sat => td_string!(l, day_sat),
        Weekday::Sun => td_string!(l, day_sun),
    }
}

/// Weekday bits (Monday = 1) in words: runs of three or more days as a
/// range, the rest listed.
pub fn days_label(l: Locale, bits: u8) -> String {
    if bits & 0x7f == 0x7f {
        return td_string!(l, days_daily).to_owned();
    }
    let on = |i: u8| bits & (1 << i) != 0;
    let name = |i: u8| day_name(l, Weekday::try_from(i).unwrap_or(Weekday::Mon));
    let mut parts = Vec::new();
    let mut i = 0;
    while i < 7 {
        if !on(i) {
            i += 1;
            continue;
        }
        let first = i;
        while i + 1 < 7 && on(i + 1) {
            i += 1;
        }
        match i - first {
            0 => parts.push(name(first).to_owned()),
            1 => parts.extend([name(first).to_owned(), name(i).to_owned()]),
            _ => parts.push(format!("{}–{}", name(first), name(i))),
        }
        i += 1;
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_become_ranges_in_each_language() {
        assert_eq!(days_label(Locale::en, 0b001_1111), "Mon–Fri");
        assert_eq!(days_label(Locale::de, 0b010_0101), "Mo, Mi, Sa");
        assert_eq!(days_label(Locale::fr, 0b110_0000), "sam., dim.");
        assert_eq!(days_label(Locale::en, 0b111_1111), "every day");
        assert_eq!(
            days_label(Locale::en, 0b101_1011),
            "Mon, Tue, Thu, Fri, Sun"
        );
    }
}
