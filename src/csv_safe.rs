//! CSV that a spreadsheet opens as data, never as formulas (OWASP, "CSV
//! injection"). Every CSV this server writes goes through here, so the
//! rule has one definition:
//!
//! * a cell holding a `,`, a quote or a line break is quoted (RFC 4180),
//!   so it stays one cell where the spreadsheet reads `,` as separator;
//! * where a spreadsheet reads `;` as the separator (de-CH, fr-CH: our
//!   users), it splits lines at every `;` *before* it looks at quotes, so
//!   no quoting can keep `Night;=1+1;` whole: the piece after the `;`
//!   would be a formula. So each place where a cell could start (the
//!   cell's own start, and after a `,` `;` tab or line break inside it)
//!   that begins with `= + - @` (after spaces or quotes) gets a `'`, which
//!   spreadsheets read as "this is text": `Night;'=1+1;`.
//!
//! Other cells stay as they were (scripts read the header and the
//! vocabulary words as plain text).

/// Writer settings for every CSV: RFC 4180 quoting and line ends.
pub fn writer_builder() -> csv::WriterBuilder {
    let mut builder = csv::WriterBuilder::new();
    builder.terminator(csv::Terminator::CRLF);
    builder
}

/// Where a spreadsheet might start a new cell.
fn splits_after(c: char) -> bool {
    matches!(c, ',' | ';' | '\t' | '\r' | '\n')
}

/// What makes a spreadsheet read a cell as a formula (a leading tab or CR
/// too, at the start of the whole cell).
fn starts_formula(rest: &str) -> bool {
    rest.trim_start_matches([' ', '"'])
        .starts_with(['=', '+', '-', '@'])
}

/// `text` as a cell that cannot run as a formula, whichever separator the
/// spreadsheet splits it at.
pub fn cell(text: String) -> String {
    let needs_work =
        text.starts_with(['\t', '\r']) || starts_formula(&text) || text.contains(splits_after);
    if !needs_work {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 4);
    if text.starts_with(['\t', '\r']) || starts_formula(&text) {
        out.push('\'');
    }
    for (i, c) in text.char_indices() {
        out.push(c);
        if splits_after(c) && starts_formula(&text[i + c.len_utf8()..]) {
            out.push('\'');
        }
    }
    out
}

/// serde's `serialize_with` for a text field of a CSV row.
pub fn text<S: serde::Serializer>(value: &str, out: S) -> Result<S::Ok, S::Error> {
    out.serialize_str(&cell(value.to_owned()))
}

/// serde's `serialize_with` for an optional text field of a CSV row.
pub fn optional_text<S: serde::Serializer>(
    value: &Option<String>,
    out: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => text(value, out),
        None => out.serialize_none(),
    }
}

/// serde's `serialize_with` for a verdict: its fixed English words.
pub fn verdict<S: serde::Serializer>(
    value: &Option<crate::types::Verdict>,
    out: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(v) => out.serialize_str(v.english()),
        None => out.serialize_none(),
    }
}

/// serde's `serialize_with` for a stored timestamp: ISO 8601 UTC with
/// milliseconds, also for rows stored in an older form (`+00:00`).
pub fn utc<S: serde::Serializer>(stored: &str, out: S) -> Result<S::Ok, S::Error> {
    match chrono::DateTime::parse_from_rfc3339(stored) {
        Ok(at) => out.serialize_str(
            &at.with_timezone(&chrono::Utc)
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        ),
        Err(_) => text(stored, out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(cells: &[&str]) -> String {
        let mut out = writer_builder().from_writer(Vec::new());
        out.write_record(cells.iter().map(|c| cell((*c).to_owned())))
            .unwrap();
        String::from_utf8(out.into_inner().unwrap()).unwrap()
    }

    #[test]
    fn a_formula_after_a_separator_is_neutralised_where_it_could_start_a_cell() {
        assert_eq!(line(&["Night;=1+1;"]), "Night;'=1+1;\r\n");
        assert_eq!(line(&["a,=1+1"]), "\"a,'=1+1\"\r\n");
        assert_eq!(line(&["a\t=1"]), "a\t'=1\r\n");
        assert_eq!(line(&["a\n@x"]), "\"a\n'@x\"\r\n");
        assert_eq!(line(&["a; \"=1"]), "\"a;' \"\"=1\"\r\n");
        // A separator before harmless text changes nothing.
        assert_eq!(line(&["Bay 1, north"]), "\"Bay 1, north\"\r\n");
        assert_eq!(line(&["Bay 1; north"]), "Bay 1; north\r\n");
    }

    #[test]
    fn leading_formula_characters_are_neutralised() {
        for text in [
            "=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", " =1", "\"=1",
        ] {
            let written = line(&[text]);
            let cell = written.trim_start_matches('"');
            assert!(cell.starts_with('\''), "{text:?} → {written:?}");
        }
    }

    #[test]
    fn plain_text_and_numbers_stay_as_they_are() {
        assert_eq!(line(&["Garage north"]), "Garage north\r\n");
        let mut out = writer_builder().from_writer(Vec::new());
        out.serialize((7_i64, 10_u32, "Bay \"3\"".to_owned()))
            .unwrap();
        let text = String::from_utf8(out.into_inner().unwrap()).unwrap();
        assert_eq!(text, "7,10,\"Bay \"\"3\"\"\"\r\n");
    }
}
