//! Cells of the CSV exports staff open in a spreadsheet.

/// One CSV cell: quoted when it holds a comma, a quote or a line break, and neutralised when a
/// spreadsheet would read it as a formula (it starts with `=`, `+`, `-`, `@`, a tab or a
/// carriage return): a visitor's or staff member's free text (a note, a support need) must not
/// run in the office's spreadsheet. The leading `'` is how spreadsheets mark text.
pub fn cell(s: &str) -> String {
    let neutral = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if neutral.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", neutral.replace('"', "\"\""))
    } else {
        neutral
    }
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn formulas_are_neutralised_and_separators_quoted() {
        assert_eq!(cell("ABCD-EFGH"), "ABCD-EFGH");
        assert_eq!(cell("Siân Evans"), "Siân Evans");
        assert_eq!(
            cell("=HYPERLINK(\"http://x\")"),
            "\"'=HYPERLINK(\"\"http://x\"\")\""
        );
        for formula in ["+1+1", "-2+3", "@SUM(A1)", "\tcmd", "=1"] {
            assert!(
                cell(formula).starts_with('\'') || cell(formula).starts_with("\"'"),
                "{formula}"
            );
        }
        assert_eq!(cell("\rx"), "\"'\rx\"");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("line\nbreak"), "\"line\nbreak\"");
        assert_eq!(cell(""), "");
    }
}
