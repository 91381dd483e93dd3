//! The XLSX twin of the CSV exports, written with `rust_xlsxwriter`.
//!
//! Sheet « Données »: the rows of the CSV, with codes written as text
//! (Excel keeps `01053` and `2A004`), numbers as numbers with their
//! decimals (`# ##0,0` in a French Excel), "secret statistique" and
//! zonage classes as text, the header row frozen and filtered. Sheet
//! « Sources »: one line per column with producer, dataset, vintage,
//! licence and address.
//!
//! The data sheet is written in constant-memory mode (rows go to a
//! temporary file as they are written), so a file of every commune needs
//! about its compressed size in memory. A workbook is made whole in one
//! blocking task, when the exports' turn comes
//! ([`crate::streaming::build`]), and kept for the reference version: the
//! answer is bytes, so a slow client holds no thread. The temporary file
//! is made in the system's temporary directory (`TMPDIR`), which must be
//! writable.

use std::sync::Arc;

use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use rust_xlsxwriter::{Format, FormatAlign, Workbook, XlsxError};

use oc_model::KindGroup;
use oc_store::Geo;

use super::{attachment, cells, code_headers, header_cells, sample_columns, Cell, Column};
use crate::fiche::data::Fiche;

/// The media type of an XLSX file.
pub(crate) const CONTENT_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Decimals given a number format of their own (more are rounded to this).
const MAX_DECIMALS: usize = 4;

/// The Excel number format for `decimals` (thousands grouped; Excel shows
/// the separators of the reader's locale).
fn number_format(decimals: usize) -> String {
    if decimals == 0 {
        "#,##0".to_owned()
    } else {
        format!("#,##0.{}", "0".repeat(decimals.min(MAX_DECIMALS)))
    }
}

/// Excel's column index (`u16`) of the `i`-th column.
fn col(i: usize) -> Result<u16, XlsxError> {
    u16::try_from(i).map_err(|_| XlsxError::ParameterError(format!("column {i} out of range")))
}

/// Writes one row of cells: text as text (codes keep their zeros),
/// numbers with their format, nothing for an unknown value.
fn write_row(ws: &mut rust_xlsxwriter::Worksheet, r: u32, row: Vec<Cell>, numbers: &[Format]) -> Result<(), XlsxError> {
    for (i, c) in row.into_iter().enumerate() {
        match c {
            Cell::Text(t) if t.is_empty() => {}
            Cell::Text(t) => {
                ws.write_string(r, col(i)?, &t)?;
            }
            Cell::Number(Some(v), d) => {
                ws.write_number_with_format(r, col(i)?, v, &numbers[d.min(MAX_DECIMALS)])?;
            }
            Cell::Number(None, _) => {}
        }
    }
    Ok(())
}

/// The « Données » sheet, written in constant memory: `headers` (bold,
/// wrapped, frozen with the first `frozen_cols` columns, filtered), then
/// `rows`; returns the number of rows written.
fn data_sheet<H: AsRef<str>>(
    wb: &mut Workbook,
    headers: &[H],
    widths: &[f64],
    frozen_cols: u16,
    header_height: Option<f64>,
    rows: impl Iterator<Item = Vec<Cell>>,
) -> Result<u32, XlsxError> {
    let header = Format::new().set_bold().set_text_wrap().set_align(FormatAlign::Top);
    let numbers: Vec<Format> = (0..=MAX_DECIMALS).map(|d| Format::new().set_num_format(number_format(d))).collect();
    let last_col = col(headers.len().saturating_sub(1))?;
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name("Données")?;
    // Widths before any row: constant-memory sheets write their columns
    // first.
    for (i, w) in widths.iter().enumerate() {
        ws.set_column_width(col(i)?, *w)?;
    }
    ws.set_freeze_panes(1, frozen_cols)?;
    if let Some(h) = header_height {
        ws.set_row_height(0, h)?;
    }
    for (i, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, col(i)?, h.as_ref(), &header)?;
    }
    let mut r: u32 = 1;
    for row in rows {
        write_row(ws, r, row, &numbers)?;
        r += 1;
    }
    ws.autofilter(0, 0, r.saturating_sub(1).max(1), last_col)?;
    Ok(r - 1)
}

/// A whole workbook: the rows of `fiches` under `cols`, then the sources.
pub(crate) fn workbook(
    geo: &Geo,
    group: KindGroup,
    cols: &[Column],
    fiches: impl Iterator<Item = Fiche>,
    title: &str,
) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let headers = header_cells(cols, group);
    // Name, indicators, codes.
    let widths: Vec<f64> = (0..headers.len())
        .map(|i| match i {
            0 => 32.0,
            i if i <= cols.len() => 18.0,
            _ => 16.0,
        })
        .collect();
    let rows = data_sheet(&mut wb, &headers, &widths, 1, Some(90.0), fiches.map(|f| cells(geo, &f, cols)))?;
    sources_sheet(&mut wb, geo, group, cols, title, rows)?;
    wb.save_to_buffer()
}

/// The « Sources » sheet: what each column is and where it comes from.
fn sources_sheet(
    wb: &mut Workbook,
    geo: &Geo,
    group: KindGroup,
    cols: &[Column],
    title: &str,
    rows: u32,
) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    let head = Format::new().set_bold().set_text_wrap().set_align(FormatAlign::Top);
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let ws = wb.add_worksheet();
    ws.set_name("Sources")?;
    for (i, w) in [40.0, 30.0, 50.0, 22.0, 28.0, 50.0].into_iter().enumerate() {
        ws.set_column_width(col(i)?, w)?;
    }
    ws.write_string_with_format(0, 0, title, &bold)?;
    let made = chrono::Utc::now().format("%d/%m/%Y").to_string();
    ws.write_string(
        1,
        0,
        format!(
            "Open Collectivités — {rows} ligne{} — fichier produit le {made} sur le COG {}.",
            if rows > 1 { "s" } else { "" },
            geo.data.meta.cog_year
        ),
    )?;
    ws.write_string(
        2,
        0,
        "Les codes (INSEE, SIREN, départements, régions) sont des textes : leurs zéros initiaux sont gardés. \
         « secret statistique » : valeur que le producteur ne diffuse pas. Une cellule vide : pas de donnée.",
    )?;
    let mut r = 4;
    for (i, h) in ["Colonne", "Producteur", "Jeu de données", "Millésime", "Licence", "Adresse"].iter().enumerate() {
        ws.write_string_with_format(r, col(i)?, *h, &head)?;
    }
    r += 1;
    let mut line = |ws: &mut rust_xlsxwriter::Worksheet, what: &str, source: &str, vintage: Option<String>| {
        let credit = crate::fiche::credits::source_info(geo, source);
        let d = oc_model::sources::dataset(source);
        let cells = [
            what.to_owned(),
            credit.as_ref().map(|c| c.producer).or(d.map(|d| d.producer)).unwrap_or("").to_owned(),
            credit.as_ref().map(|c| c.title).or(d.map(|d| d.title)).unwrap_or("").to_owned(),
            vintage.or_else(|| credit.as_ref().map(|c| c.vintage.clone())).unwrap_or_default(),
            credit.as_ref().map(|c| c.licence).or(d.map(|d| d.licence)).unwrap_or("").to_owned(),
            credit.as_ref().map(|c| c.url).or(d.map(|d| d.url)).unwrap_or("").to_owned(),
        ];
        for (i, v) in cells.iter().enumerate() {
            ws.write_string_with_format(r, col(i)?, v, &wrap)?;
        }
        r += 1;
        Ok::<(), XlsxError>(())
    };
    line(ws, &format!("Nom, {}", code_headers(group).join(", ")), "cog", None)?;
    for c in cols.iter().filter(|c| c.part == super::Part::Value) {
        let what = if c.unit.is_empty() { c.label.to_owned() } else { format!("{} ({})", c.label, c.unit) };
        line(ws, &what, c.source, Some(c.vintages.join(", ")))?;
    }
    Ok(())
}

/// A workbook of plain rows (`headers`, then `rows`), with a « Sources »
/// sheet of `notes` lines: the XLSX twin of exports that are not fiches
/// (`/publications.xlsx`).
pub(crate) fn rows_workbook(
    headers: &[&str],
    widths: &[f64],
    rows: impl Iterator<Item = Vec<Cell>>,
    notes: &[String],
) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let n = data_sheet(&mut wb, headers, widths, 0, None, rows)?;
    let ws = wb.add_worksheet();
    ws.set_name("Sources")?;
    ws.set_column_width(0, 120)?;
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    ws.write_string(0, 0, format!("Open Collectivités — {n} ligne{}", if n > 1 { "s" } else { "" }))?;
    for (r, l) in (2u32..).zip(notes) {
        ws.write_string_with_format(r, 0, l, &wrap)?;
    }
    wb.save_to_buffer()
}

/// `…/communes.xlsx`, `…/epci.xlsx`, `/communes.xlsx`: a list as one
/// workbook, made once per reference version.
pub(crate) async fn list(
    state: &crate::AppState,
    reference: Arc<crate::Reference>,
    group: KindGroup,
    codes: Arc<[String]>,
    filename: String,
) -> Response {
    let key = format!("{filename} xlsx");
    let body = match reference.small_exports.get(&key) {
        Some(b) => b,
        None => {
            // Counted with the streamed exports (503 past the bound) while
            // this request waits for its workbook.
            let _permit = match state.exports.try_acquire() {
                Ok(p) => p,
                Err(busy) => return busy.into_response(),
            };
            let r = reference.clone();
            let title = filename.trim_end_matches(".xlsx").to_owned();
            let made = crate::streaming::build(move || {
                // A request that waited for another's build reads its result.
                if let Some(b) = r.small_exports.get(&key) {
                    return Ok(b);
                }
                let geo = r.geo.clone();
                let (cols, sample) = sample_columns(&geo, group, &codes);
                let rest = codes
                    .iter()
                    .skip(codes.len().min(super::SAMPLE))
                    .filter_map(|c| crate::fiche::fiche_for_code(&geo, group, c));
                let bytes = workbook(&geo, group, &cols, sample.into_iter().chain(rest), &format!("Export {title}"))?;
                Ok::<_, XlsxError>(r.small_exports.put_large(key, axum::body::Bytes::from(bytes)))
            })
            .await;
            match made {
                Ok(Ok(b)) => b,
                Ok(Err(e)) => return crate::error::WebError::internal(e).into_response(),
                Err(e) => return crate::error::WebError::internal(e).into_response(),
            }
        }
    };
    let large = body.len() > crate::cache::MAX_BUFFER;
    let mut res = Response::new(axum::body::Body::from(body));
    attachment(&mut res, &filename, CONTENT_TYPE);
    if large {
        res.headers_mut().insert(crate::cache::STREAMING, HeaderValue::from_static("1"));
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_formats() {
        assert_eq!(number_format(0), "#,##0");
        assert_eq!(number_format(1), "#,##0.0");
        assert_eq!(number_format(9), "#,##0.0000");
    }
}
