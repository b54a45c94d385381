//! Reading the CSV files admins bring (people, the career ladder, the talent pool, and those
//! to come) the same way: a BOM is skipped, every record is located at the line an editor
//! shows (LF, CRLF or bare CR line ends, quoted line breaks), and a row whose cell count
//! differs from the header is refused — a file cut short must never read as blank cells.

/// Counts editor lines up to a byte offset. Records arrive in order, so the counter only
/// moves forward and the whole file is scanned once.
struct LineCounter<'a> {
    bytes: &'a [u8],
    at: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        LineCounter {
            bytes,
            at: 0,
            line: 1,
        }
    }

    /// The line on which the byte at `offset` stands (1-based).
    fn line_at(&mut self, offset: u64) -> u64 {
        let mut target = (offset as usize).min(self.bytes.len());
        // The reader may place a record at the line ends (and blank lines) before it.
        while matches!(self.bytes.get(target), Some(b'\r' | b'\n')) {
            target += 1;
        }
        if self.at < target {
            self.line += line_breaks(self.bytes, self.at, target);
            self.at = target;
        }
        self.line
    }
}

/// Characters that make a spreadsheet read a cell as a formula (`=HYPERLINK(…)`, `@SUM(…)`).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell as written to any CSV file Trellis exports: text a spreadsheet would run as a
/// formula gets a leading `'` (plain numbers such as `-3` stay numbers).
pub fn escape_cell(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(FORMULA_STARTS) && cell.trim().parse::<f64>().is_err() {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// The cell as it was before [`escape_cell`], so that importing an export changes nothing.
pub fn unescape_cell(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) => rest,
        _ => cell,
    }
}

/// A CSV writer that escapes every cell with [`escape_cell`]: every export goes through it.
pub struct SafeWriter<W: std::io::Write>(csv::Writer<W>);

impl<W: std::io::Write> SafeWriter<W> {
    pub fn new(out: W) -> Self {
        SafeWriter(csv::Writer::from_writer(out))
    }

    pub fn write_record<I, T>(&mut self, cells: I) -> csv::Result<()>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<str>,
    {
        self.0.write_record(
            cells
                .into_iter()
                .map(|c| escape_cell(c.as_ref()).into_owned()),
        )
    }

    pub fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// The editor line of a byte offset in a file whose BOM was already skipped.
pub fn line_of(bytes: &[u8], offset: usize) -> u64 {
    1 + line_breaks(bytes, 0, offset.min(bytes.len()))
}

/// Line breaks in `bytes[from..to]`: LF, CRLF and a bare CR each count once.
fn line_breaks(bytes: &[u8], from: usize, to: usize) -> u64 {
    (from..to)
        .filter(|&i| match bytes[i] {
            b'\n' => true,
            b'\r' => bytes.get(i + 1) != Some(&b'\n'),
            _ => false,
        })
        .count() as u64
}

/// A problem found while reading records: the editor line and a sentence.
pub type RecordProblem = (u64, String);

/// Reads a CSV file record by record. The header is read first; each data record comes
/// with its line, or as a problem (unreadable, or the wrong number of cells). Blank rows
/// are skipped.
pub struct Records<'a> {
    reader: csv::Reader<&'a [u8]>,
    lines: LineCounter<'a>,
    header: csv::StringRecord,
    header_line: u64,
    record: csv::StringRecord,
}

impl<'a> Records<'a> {
    /// Starts reading; the error is the header's problem.
    pub fn new(bytes: &'a [u8]) -> Result<Self, RecordProblem> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(bytes);
        let mut lines = LineCounter::new(bytes);
        let header = match reader.headers() {
            Ok(h) => h.clone(),
            Err(e) => {
                let line = e.position().map_or(1, |p| lines.line_at(p.byte()));
                return Err((line, format!("the header row cannot be read: {e}")));
            }
        };
        let header_line = header.position().map_or(1, |p| lines.line_at(p.byte()));
        Ok(Records {
            reader,
            lines,
            header,
            header_line,
            record: csv::StringRecord::new(),
        })
    }

    /// The header row's cells.
    pub fn header(&self) -> &csv::StringRecord {
        &self.header
    }

    /// The line of the header row.
    pub fn header_line(&self) -> u64 {
        self.header_line
    }

    /// The next data record and its line, a problem, or `None` at the end. The record is
    /// borrowed until the next call, so a whole file never sits in memory cell by cell.
    pub fn next_record(&mut self) -> Option<Result<(u64, &csv::StringRecord), RecordProblem>> {
        loop {
            match self.reader.read_record(&mut self.record) {
                Ok(false) => return None,
                Ok(true) => {
                    let line = self
                        .record
                        .position()
                        .map_or(0, |p| self.lines.line_at(p.byte()));
                    if self.record.iter().all(str::is_empty) {
                        continue;
                    }
                    let (cells, expected) = (self.record.len(), self.header.len());
                    let extra_empty =
                        cells > expected && self.record.iter().skip(expected).all(str::is_empty);
                    if cells != expected && !extra_empty {
                        return Some(Err((
                            line,
                            format!(
                                "row has {cells} {}, the header has {expected}",
                                if cells == 1 { "cell" } else { "cells" }
                            ),
                        )));
                    }
                    return Some(Ok((line, &self.record)));
                }
                Err(e) => {
                    let line = e.position().map_or(0, |p| self.lines.line_at(p.byte()));
                    if e.is_io_error() {
                        return None;
                    }
                    return Some(Err((line, format!("the row cannot be read: {e}"))));
                }
            }
        }
    }
}

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
    let mut rows = Vec::new();
    visit(file, content, columns, |line, cells| {
        rows.push(Row {
            line,
            values: cells.iter().map(|c| c.to_string()).collect(),
        });
        true
    })?;
    Ok(rows)
}

/// Hands each row to `visit` — its line, and its cells in the order of the columns asked
/// for (empty where the file lacks an optional column) — without copying them, for files of
/// millions of rows; `visit` answers `false` to stop. Says which columns are missing and
/// which rows cannot be read.
pub fn visit(
    file: &str,
    content: &[u8],
    columns: &[Column],
    mut visit: impl FnMut(u64, &[&str]) -> bool,
) -> Result<(), Vec<String>> {
    let mut records =
        Records::new(content).map_err(|(line, m)| vec![format!("{file}:{line}: {m}")])?;
    let key = |h: &str| -> String {
        h.chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_lowercase()
    };
    let positions: Vec<Option<usize>> = columns
        .iter()
        .map(|c| {
            records
                .header()
                .iter()
                .position(|h| c.headers.contains(&key(h).as_str()))
        })
        .collect();
    let header_line = records.header_line();
    let missing: Vec<String> = columns
        .iter()
        .zip(&positions)
        .filter(|(c, at)| c.required && at.is_none())
        .map(|(c, _)| format!("{file}:{header_line}: {}: this column is missing", c.name))
        .collect();
    if !missing.is_empty() {
        return Err(missing);
    }
    let mut any = false;
    let mut errors = Vec::new();
    while let Some(next) = records.next_record() {
        match next {
            Ok((line, record)) => {
                any = true;
                let cells: Vec<&str> = positions
                    .iter()
                    .map(|at| unescape_cell(at.and_then(|i| record.get(i)).unwrap_or("")))
                    .collect();
                if !visit(line, &cells) {
                    break;
                }
            }
            Err((line, message)) => errors.push(format!("{file}:{line}: {message}")),
        }
    }
    if !any && errors.is_empty() {
        errors.push(format!("{file}: the file has no rows"));
    }
    if errors.is_empty() {
        Ok(())
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

    /// The lines of each record and problem, as an editor shows them.
    fn lines(content: &[u8]) -> Vec<(u64, String)> {
        let mut records = Records::new(content).unwrap();
        let mut seen = Vec::new();
        while let Some(next) = records.next_record() {
            seen.push(match next {
                Ok((line, r)) => (line, r.get(0).unwrap_or("").to_string()),
                Err((line, m)) => (line, m),
            });
        }
        seen
    }

    #[test]
    fn lines_are_the_editors_for_every_line_end_with_or_without_bom() {
        for (end, bom) in [
            ("\n", false),
            ("\r\n", false),
            ("\r", false),
            ("\r\n", true),
            ("\n", true),
        ] {
            let text = ["Code,Note", "a,x", "", "b,\"two", "lines\"", "c,z", ""].join(end);
            let content = if bom {
                [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat()
            } else {
                text.into_bytes()
            };
            assert_eq!(
                lines(&content),
                [
                    (2, "a".to_string()),
                    (4, "b".to_string()),
                    (6, "c".to_string())
                ],
                "line end {end:?}, BOM {bom}"
            );
        }
    }

    #[test]
    fn rows_with_too_few_or_too_many_cells_are_refused_at_their_line() {
        let content = b"Code,Rate,Note\r\nL4,120,ok\r\nL5,95\r\nL6,90,x,y\r\nL7,80,z,,\r\n";
        assert_eq!(
            lines(content),
            [
                (2, "L4".to_string()),
                (3, "row has 2 cells, the header has 3".to_string()),
                (4, "row has 4 cells, the header has 3".to_string()),
                (5, "L7".to_string()),
            ]
        );
        let errors = read("f.csv", content, COLUMNS).err().unwrap();
        assert_eq!(
            errors,
            [
                "f.csv:3: row has 2 cells, the header has 3",
                "f.csv:4: row has 4 cells, the header has 3"
            ]
        );
    }

    #[test]
    fn exported_cells_never_run_as_formulas_and_read_back_unchanged() {
        for cell in [
            "=HYPERLINK(\"http://x\")",
            "@sum(A1)",
            "+1 555",
            "-lol",
            "\tx",
            "\rx",
        ] {
            let escaped = escape_cell(cell);
            assert!(escaped.starts_with('\''), "{cell:?}");
            assert_eq!(unescape_cell(&escaped), cell);
        }
        for cell in ["Ada", "-3", "+4.5", "'quoted", "", "rust:4; sql:3+"] {
            assert_eq!(escape_cell(cell), cell);
            assert_eq!(unescape_cell(cell), cell);
        }
    }
}
