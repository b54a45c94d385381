//! Small CSV files that admins keep in spreadsheets (the talent pool, the career ladder):
//! columns found by their header in any case and spacing ("Hourly rate", "hourly_rate"),
//! blank rows skipped, and every problem written `FILE:LINE: column: message`.

/// A column a file may have: its name in messages, the header spellings it answers to
/// (letters and digits only, lower case), and whether a file without it is refused.
pub struct Column {
    pub name: &'static str,
    pub headers: &'static [&'static str],
    pub required: bool,
}

/// A data row: its line in the file and its values in the order of the columns asked for
/// (empty where the file lacks an optional column).
pub struct Row {
    pub line: u64,
    values: Vec<String>,
}

impl Row {
    pub fn get(&self, column: usize) -> &str {
        self.values.get(column).map_or("", String::as_str)
    }
}

pub fn row_error(file: &str, line: u64, column: &str, message: &str) -> String {
    format!("{file}:{line}: {column}: {message}")
}

/// A file refused for these lines, as the error every import returns.
pub fn refused(lines: Vec<String>) -> crate::error::CoreError {
    crate::error::CoreError::Invalid(
        lines
            .into_iter()
            .map(|l| crate::error::FieldError::new("file", l))
            .collect(),
    )
}

/// Reads the rows, or says which columns are missing and which rows cannot be read.
pub fn read(file: &str, content: &[u8], columns: &[Column]) -> Result<Vec<Row>, Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(content);
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(vec![format!("{file}:1: the header cannot be read: {e}")]),
    };
    let key = |h: &str| -> String {
        h.chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_lowercase()
    };
    let positions: Vec<Option<usize>> = columns
        .iter()
        .map(|c| {
            headers
                .iter()
                .position(|h| c.headers.contains(&key(h).as_str()))
        })
        .collect();
    let missing: Vec<String> = columns
        .iter()
        .zip(&positions)
        .filter(|(c, at)| c.required && at.is_none())
        .map(|(c, _)| format!("{file}:1: {}: this column is missing", c.name))
        .collect();
    if !missing.is_empty() {
        return Err(missing);
    }
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for record in reader.records() {
        match record {
            Ok(record) => {
                if record.iter().all(|v| v.trim().is_empty()) {
                    continue;
                }
                rows.push(Row {
                    line: record.position().map_or(0, |p| p.line()),
                    values: positions
                        .iter()
                        .map(|at| at.and_then(|i| record.get(i)).unwrap_or("").to_string())
                        .collect(),
                });
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                errors.push(format!("{file}:{line}: the row cannot be read: {e}"));
            }
        }
    }
    if rows.is_empty() && errors.is_empty() {
        errors.push(format!("{file}: the file has no rows"));
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLUMNS: &[Column] = &[
        Column {
            name: "Code",
            headers: &["code"],
            required: true,
        },
        Column {
            name: "Hourly Rate",
            headers: &["hourlyrate", "rate"],
            required: true,
        },
        Column {
            name: "Note",
            headers: &["note"],
            required: false,
        },
    ];

    #[test]
    fn headers_match_in_any_spelling_and_blank_rows_are_skipped() {
        let rows = read("f.csv", b"hourly_rate , CODE\n120,L4\n,\n95,L5\n", COLUMNS).unwrap();
        let seen: Vec<(u64, &str, &str, &str)> = rows
            .iter()
            .map(|r| (r.line, r.get(0), r.get(1), r.get(2)))
            .collect();
        assert_eq!(seen, [(2, "L4", "120", ""), (4, "L5", "95", "")]);
    }

    #[test]
    fn missing_columns_and_empty_files_are_named() {
        let errors = read("f.csv", b"Note\nhello\n", COLUMNS).err().unwrap();
        assert_eq!(
            errors,
            [
                "f.csv:1: Code: this column is missing",
                "f.csv:1: Hourly Rate: this column is missing"
            ]
        );
        let errors = read("f.csv", b"Code,Rate\n", COLUMNS).err().unwrap();
        assert_eq!(errors, ["f.csv: the file has no rows"]);
    }
}
