//! CSV tables read by column name, with file and line in every error;
//! the text of an XLSX cell ([`xlsx_text`]), for the workbooks read.

use std::collections::HashMap;

use crate::IngestError;

/// A parsed CSV table with its header, and the line of each record.
pub struct Table {
    file: String,
    columns: HashMap<String, usize>,
    rows: Vec<(u64, csv::StringRecord)>,
}

/// The first bytes of an XZ stream.
pub const XZ_MAGIC: &[u8] = &[0xFD, b'7', b'z', b'X', b'Z', 0x00];

/// Decompresses XZ when the bytes start with its magic number.
pub fn decompress(file: &str, bytes: &[u8]) -> Result<Vec<u8>, IngestError> {
    if bytes.starts_with(XZ_MAGIC) {
        let mut out = Vec::with_capacity(bytes.len() * 4);
        lzma_rs::xz_decompress(&mut std::io::BufReader::new(bytes), &mut out).map_err(|e| IngestError::Invalid {
            file: file.to_owned(),
            message: format!("corrupt or truncated XZ data: {e}"),
        })?;
        Ok(out)
    } else {
        Ok(bytes.to_vec())
    }
}

impl Table {
    /// Parses CSV `bytes` (decompressing XZ), checking the `required` columns.
    pub fn parse(file: &str, bytes: &[u8], required: &[&str]) -> Result<Table, IngestError> {
        Table::parse_with(file, bytes, b',', required)
    }

    /// [`Table::parse`] with another delimiter (`;` for the French files).
    pub fn parse_with(file: &str, bytes: &[u8], delimiter: u8, required: &[&str]) -> Result<Table, IngestError> {
        let data = decompress(file, bytes)?;
        let mut rdr =
            csv::ReaderBuilder::new().has_headers(true).delimiter(delimiter).flexible(false).from_reader(&data[..]);
        let headers = rdr.headers().map_err(|e| csv_error(file, &e))?.clone();
        let columns: HashMap<String, usize> =
            headers.iter().enumerate().map(|(i, h)| (h.trim_start_matches('\u{feff}').to_owned(), i)).collect();
        for r in required {
            if !columns.contains_key(*r) {
                let found: Vec<&str> = headers.iter().collect();
                return Err(IngestError::Parse {
                    file: file.to_owned(),
                    line: 1,
                    message: format!("missing column {r:?} (header has {found:?})"),
                });
            }
        }
        let mut rows = Vec::new();
        for rec in rdr.records() {
            let rec = rec.map_err(|e| csv_error(file, &e))?;
            let line = rec.position().map_or(0, |p| p.line());
            rows.push((line, rec));
        }
        if rows.is_empty() {
            return Err(IngestError::Invalid { file: file.to_owned(), message: "no data rows".into() });
        }
        Ok(Table { file: file.to_owned(), columns, rows })
    }

    /// The file name, as used in messages.
    pub fn file(&self) -> &str {
        &self.file
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Iterates rows as [`Row`]s.
    pub fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.rows.iter().map(move |(line, rec)| Row { table: self, line: *line, rec })
    }
}

fn csv_error(file: &str, e: &csv::Error) -> IngestError {
    let line = e.position().map_or(0, |p| p.line());
    IngestError::Parse { file: file.to_owned(), line, message: e.to_string() }
}

/// One CSV record, read by column name.
pub struct Row<'a> {
    table: &'a Table,
    pub line: u64,
    rec: &'a csv::StringRecord,
}

impl<'a> Row<'a> {
    /// The value of `col`, `None` for `\N` or empty.
    pub fn get(&self, col: &str) -> Option<&'a str> {
        let i = *self.table.columns.get(col)?;
        match self.rec.get(i) {
            None | Some("\\N") | Some("") => None,
            Some(v) => Some(v),
        }
    }

    /// The value of a required column.
    pub fn req(&self, col: &str) -> Result<&'a str, IngestError> {
        self.get(col).ok_or_else(|| self.error(format!("empty value in column {col:?}")))
    }

    pub fn error(&self, message: String) -> IngestError {
        IngestError::Parse { file: self.table.file.clone(), line: self.line, message }
    }

    pub fn warning(&self, message: &str) -> String {
        format!("{}, line {}: {message}", self.table.file, self.line)
    }
}

/// The text of an XLSX cell as its producer typed it: whole numbers
/// without `.0` (SIREN, codes and years are often number cells), text
/// trimmed, empty for an empty cell.
pub fn xlsx_text(c: &calamine::Data) -> String {
    match c {
        calamine::Data::Empty => String::new(),
        calamine::Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        other => other.to_string().trim().to_owned(),
    }
}
