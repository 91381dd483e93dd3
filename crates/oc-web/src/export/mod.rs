//! CSV, XLSX and JSON exports of fiches, comparisons and lists.
//!
//! CSV for French spreadsheets by default (`;`, UTF-8 with BOM, decimal
//! comma, CRLF); `?dialect=standard` gives comma, decimal point, no BOM.
//! One row per collectivité: name, one column per indicator (header with
//! unit and vintage), then codes. Text cells starting with `=`, `+`, `-`,
//! `@`, tab or carriage return are prefixed with `'` so that no spreadsheet
//! runs them as formulas; the value stays readable. Lists stream row by row
//! from a blocking producer, so memory stays flat whatever their length.
//!
//! The XLSX twin ([`xlsx`]) has the same rows, with codes as text (Excel
//! keeps `01053`), numbers as numbers with their format, and a second
//! sheet listing the sources; it is made whole, in constant memory, once
//! per reference version.

pub(crate) mod xlsx;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use oc_model::KindGroup;
use oc_store::Geo;

use crate::fiche::data::{Fiche, LinkRole};
use crate::fiche::figure::{RefLevel, Scope};

/// CSV flavour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// `;`, BOM, decimal comma, CRLF.
    French,
    /// `,`, no BOM, decimal point, CRLF.
    Standard,
}

impl Dialect {
    /// From `?dialect=`: absent or `fr` → French, `standard` → Standard.
    pub fn parse(v: Option<&str>) -> Result<Dialect, String> {
        match v {
            None | Some("") | Some("fr") | Some("excel") => Ok(Dialect::French),
            Some("standard") => Ok(Dialect::Standard),
            Some(other) => Err(format!("paramètre « dialect » invalide ({other:?}) : valeurs possibles fr, standard")),
        }
    }

    fn sep(self) -> char {
        match self {
            Dialect::French => ';',
            Dialect::Standard => ',',
        }
    }
}

/// A text cell, quoted when needed and neutralised against formulas.
pub(crate) fn text_cell(s: &str, d: Dialect) -> String {
    let mut v = String::with_capacity(s.len() + 2);
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        v.push('\'');
    }
    v.push_str(s);
    if v.contains([d.sep(), '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v
    }
}

/// A number cell (empty when unknown).
pub(crate) fn num_cell(v: Option<f64>, decimals: usize, d: Dialect) -> String {
    match v {
        None => String::new(),
        Some(x) => {
            let s = format!("{:.*}", decimals, x);
            let s = if s.starts_with('-') && s.trim_start_matches('-').chars().all(|c| c == '0' || c == '.') {
                s[1..].to_owned()
            } else {
                s
            };
            match d {
                Dialect::French => s.replace('.', ","),
                Dialect::Standard => s,
            }
        }
    }
}

/// One indicator column.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Column {
    pub id: &'static str,
    pub header: String,
    #[serde(skip)]
    pub decimals: usize,
    /// The figure's label and unit, without producer nor vintage.
    #[serde(skip)]
    pub label: &'static str,
    #[serde(skip)]
    pub unit: &'static str,
    /// Source id of the figure.
    #[serde(skip)]
    pub source: &'static str,
    /// The vintages seen in the column, first seen first.
    #[serde(skip)]
    pub vintages: Vec<String>,
    /// What of the figure the column holds.
    #[serde(skip)]
    pub part: Part,
}

/// What of a figure a column holds: its value, or its context (the same
/// figure above, its rank in a scope and the size of that group, its
/// national centile).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Part {
    #[default]
    Value,
    Reference(RefLevel),
    Rank(Scope),
    Ranked(Scope),
    Centile,
}

fn scope_words(s: Scope) -> &'static str {
    match s {
        Scope::Departement => "dans le département",
        Scope::Region => "dans la région",
        Scope::Strate => "dans la strate de population",
        Scope::France => "en France",
    }
}

/// The columns of fiches with their context: after each value column,
/// one column per reference level and per rank any of them has, and the
/// national centile (fiche and comparison exports).
pub(crate) fn with_context(cols: Vec<Column>, fiches: &[&Fiche]) -> Vec<Column> {
    let mut out = Vec::new();
    for c in cols {
        let contexts: Vec<&crate::fiche::figure::FigureContext> = fiches
            .iter()
            .filter_map(|f| f.figures.iter().find(|x| x.id == c.id))
            .filter_map(|x| x.context.as_deref())
            .collect();
        let mut parts: Vec<Part> = Vec::new();
        for l in [RefLevel::Epci, RefLevel::Departement, RefLevel::Region, RefLevel::France] {
            if contexts.iter().any(|x| x.references.iter().any(|r| r.level == l)) {
                parts.push(Part::Reference(l));
            }
        }
        for s in [Scope::Departement, Scope::Region, Scope::Strate, Scope::France] {
            if contexts.iter().any(|x| x.ranks.iter().any(|r| r.scope == s)) {
                parts.push(Part::Rank(s));
                parts.push(Part::Ranked(s));
            }
        }
        if contexts.iter().any(|x| x.centile.is_some()) {
            parts.push(Part::Centile);
        }
        let unit = if c.unit.is_empty() { String::new() } else { format!(" ({})", c.unit) };
        let extra: Vec<Column> = parts
            .into_iter()
            .map(|part| {
                let header = match part {
                    Part::Reference(l) => format!(
                        "{}{unit} — valeur {}",
                        c.label,
                        match l {
                            RefLevel::Epci => "de l'intercommunalité",
                            RefLevel::Departement => "du département",
                            RefLevel::Region => "de la région",
                            RefLevel::France => "de la France",
                        }
                    ),
                    Part::Rank(s) => format!("{} — rang {}", c.label, scope_words(s)),
                    Part::Ranked(s) => format!("{} — collectivités classées {}", c.label, scope_words(s)),
                    Part::Centile => format!("{} — centile national", c.label),
                    Part::Value => String::new(),
                };
                let decimals = if matches!(part, Part::Reference(_)) { c.decimals } else { 0 };
                Column { header, decimals, part, ..c.clone() }
            })
            .collect();
        out.push(c);
        out.extend(extra);
    }
    out
}

/// The indicator columns of a level, in the order of the fiches: the union
/// of the figures of `sample` fiches, first seen first.
pub(crate) fn columns(fiches: &[&Fiche]) -> Vec<Column> {
    let mut out: Vec<Column> = Vec::new();
    let mut vintages: Vec<Vec<&str>> = Vec::new();
    for f in fiches {
        for fig in &f.figures {
            match out.iter().position(|c| c.id == fig.id) {
                Some(i) => {
                    if !vintages[i].contains(&fig.vintage.as_str()) {
                        vintages[i].push(&fig.vintage);
                    }
                }
                None => {
                    out.push(Column {
                        id: fig.id,
                        header: String::new(),
                        decimals: fig.decimals,
                        label: fig.label,
                        unit: fig.unit,
                        source: fig.source,
                        vintages: Vec::new(),
                        part: Part::Value,
                    });
                    vintages.push(vec![&fig.vintage]);
                }
            }
        }
    }
    // The header names the producer and the vintage when the column has
    // one; a column whose vintages differ (finance exercices) has its own
    // exercice column beside it and says so.
    for (c, m) in out.iter_mut().zip(&vintages) {
        let fig =
            fiches.iter().find_map(|f| f.figures.iter().find(|x| x.id == c.id)).expect("a column comes from a figure");
        let producer = oc_model::sources::dataset(fig.source).map_or("", |d| d.short);
        let unit = if fig.unit.is_empty() { String::new() } else { format!("{}, ", fig.unit) };
        c.header = if matches!(fig.source, "ofgl" | "detr-dsil" | "dgf-criteres") || m.len() > 1 {
            format!("{} ({unit}{producer}, millésime par ligne)", fig.label)
        } else {
            format!("{} ({unit}{producer}, {})", fig.label, fig.vintage)
        };
        c.vintages = m.iter().map(|v| (*v).to_owned()).collect();
    }
    out
}

/// The columns of a long list, from its first fiches (every fiche of a
/// level has the same figures, up to data availability).
pub(crate) fn sample_columns(geo: &Geo, group: KindGroup, codes: &[String]) -> (Vec<Column>, Vec<Fiche>) {
    let sample: Vec<Fiche> =
        codes.iter().take(SAMPLE).filter_map(|c| crate::fiche::fiche_for_code(geo, group, c)).collect();
    let refs: Vec<&Fiche> = sample.iter().collect();
    (columns(&refs), sample)
}

/// Fiches read for the columns of a long list.
const SAMPLE: usize = 50;

/// The header cells: name, indicators, codes.
pub(crate) fn header_cells(cols: &[Column], group: KindGroup) -> Vec<String> {
    let mut cells = vec!["Nom".to_owned()];
    cells.extend(cols.iter().map(|c| c.header.clone()));
    cells.extend(code_headers(group).iter().map(|h| (*h).to_owned()));
    cells
}

/// The header row.
pub(crate) fn header_row(cols: &[Column], group: KindGroup, d: Dialect) -> String {
    let cells: Vec<String> = header_cells(cols, group).iter().map(|h| text_cell(h, d)).collect();
    let mut line = cells.join(&d.sep().to_string());
    line.push_str("\r\n");
    line
}

/// Code columns of a level (after the indicators).
pub(crate) fn code_headers(group: KindGroup) -> &'static [&'static str] {
    match group {
        KindGroup::Commune => {
            &["Type", "Code INSEE", "SIREN", "Codes postaux", "Code département", "Code région", "SIREN EPCI"]
        }
        KindGroup::Epci => {
            &["Type", "SIREN", "Nature juridique", "Mode de financement", "Codes départements", "Codes régions"]
        }
        KindGroup::Departement => &["Type", "Code département", "Code région"],
        KindGroup::Region => &["Type", "Code région"],
    }
}

fn code_cells(geo: &Geo, f: &Fiche) -> Vec<String> {
    let parent = |role: LinkRole| {
        f.parents.iter().filter(|l| l.role == role).map(|l| l.code.clone()).collect::<Vec<_>>().join(" ")
    };
    match f.group {
        KindGroup::Commune => {
            let c = geo.commune(&f.code);
            vec![
                f.kind.as_str().to_owned(),
                f.code.clone(),
                f.siren.clone().unwrap_or_default(),
                f.codes_postaux.join(" "),
                c.map(|c| c.departement.clone()).unwrap_or_default(),
                c.map(|c| c.region.clone()).unwrap_or_default(),
                parent(LinkRole::Epci),
            ]
        }
        KindGroup::Epci => {
            let e = geo.epci(&f.code);
            vec![
                f.kind.as_str().to_owned(),
                f.code.clone(),
                e.map(|e| e.nature_label().to_owned()).unwrap_or_default(),
                e.map(|e| e.tax_regime.clone()).unwrap_or_default(),
                parent(LinkRole::Departement),
                parent(LinkRole::Region),
            ]
        }
        KindGroup::Departement => vec![f.kind.as_str().to_owned(), f.code.clone(), parent(LinkRole::Region)],
        KindGroup::Region => vec![f.kind.as_str().to_owned(), f.code.clone()],
    }
}

/// One cell of a data row, before it is written as CSV or XLSX.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    /// Words: a name, a code, a zonage class, "secret statistique".
    Text(String),
    /// A number with its decimals (empty when unknown).
    Number(Option<f64>, usize),
}

/// The cells of one row: name, indicators, codes.
pub(crate) fn cells(geo: &Geo, f: &Fiche, cols: &[Column]) -> Vec<Cell> {
    let mut cells = vec![Cell::Text(f.name.clone())];
    for c in cols {
        let x = f.figures.iter().find(|x| x.id == c.id);
        if c.part != Part::Value {
            cells.push(context_cell(x.and_then(|x| x.context.as_deref()), c));
            continue;
        }
        cells.push(match x {
            Some(x) if x.text.is_some() => Cell::Text(x.text.clone().unwrap_or_default()),
            Some(x) if x.secret => Cell::Text(SECRET.to_owned()),
            _ => Cell::Number(x.and_then(|x| x.value), c.decimals),
        });
    }
    cells.extend(code_cells(geo, f).into_iter().map(Cell::Text));
    cells
}

/// A context cell of a figure.
fn context_cell(ctx: Option<&crate::fiche::figure::FigureContext>, c: &Column) -> Cell {
    let Some(ctx) = ctx else { return Cell::Number(None, 0) };
    let rank = |s: Scope| ctx.ranks.iter().find(|r| r.scope == s);
    match c.part {
        Part::Reference(l) => match ctx.references.iter().find(|r| r.level == l) {
            Some(r) if r.secret => Cell::Text(SECRET.to_owned()),
            Some(r) => Cell::Number(r.value, c.decimals),
            None => Cell::Number(None, 0),
        },
        Part::Rank(s) => Cell::Number(rank(s).map(|r| f64::from(r.rank)), 0),
        Part::Ranked(s) => Cell::Number(rank(s).map(|r| f64::from(r.of)), 0),
        Part::Centile => Cell::Number(ctx.centile.map(f64::from), 0),
        Part::Value => Cell::Number(None, 0),
    }
}

/// What a withheld value reads in an export.
pub(crate) const SECRET: &str = "secret statistique";

/// One data row.
pub(crate) fn row(geo: &Geo, f: &Fiche, cols: &[Column], d: Dialect) -> String {
    let cells: Vec<String> = cells(geo, f, cols)
        .into_iter()
        .map(|c| match c {
            Cell::Text(t) => text_cell(&t, d),
            Cell::Number(v, decimals) => num_cell(v, decimals, d),
        })
        .collect();
    let mut line = cells.join(&d.sep().to_string());
    line.push_str("\r\n");
    line
}

/// A whole CSV document for a few fiches, in these columns.
pub(crate) fn csv(geo: &Geo, group: KindGroup, fiches: &[Fiche], cols: &[Column], d: Dialect) -> String {
    let mut out = String::new();
    if d == Dialect::French {
        out.push('\u{feff}');
    }
    out.push_str(&header_row(cols, group, d));
    for f in fiches {
        out.push_str(&row(geo, f, cols, d));
    }
    out
}

/// The JSON document for fiches: the same content plus sources.
#[derive(Serialize)]
pub(crate) struct JsonExport<'a> {
    pub title: String,
    pub columns: Vec<Column>,
    pub items: &'a [Fiche],
}

/// `Content-Disposition` with a file name.
pub(crate) fn attachment(res: &mut Response, filename: &str, ctype: &'static str) {
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
}

/// A CSV or JSON download of a few fiches.
pub(crate) fn download(
    geo: &Geo,
    group: KindGroup,
    fiches: Vec<Fiche>,
    base: &str,
    ext: &str,
    d: Dialect,
    title: String,
) -> Response {
    let year = geo.data.meta.cog_year;
    let refs: Vec<&Fiche> = fiches.iter().collect();
    let cols = with_context(columns(&refs), &refs);
    if ext == "xlsx" {
        return match xlsx::workbook(geo, group, &cols, fiches.iter().cloned(), &title) {
            Ok(bytes) => {
                let mut res = Response::new(axum::body::Body::from(bytes));
                attachment(&mut res, &format!("{base}-{year}.xlsx"), xlsx::CONTENT_TYPE);
                res
            }
            Err(e) => crate::error::WebError::internal(e).into_response(),
        };
    }
    if ext == "csv" {
        let mut res = (StatusCode::OK, csv(geo, group, &fiches, &cols, d)).into_response();
        attachment(&mut res, &format!("{base}-{year}.csv"), "text/csv; charset=utf-8");
        res
    } else {
        let body = JsonExport { title, columns: cols, items: &fiches };
        let mut res = axum::Json(body).into_response();
        attachment(&mut res, &format!("{base}-{year}.json"), "application/json");
        res
    }
}

/// The size in bytes of the file [`download`] serves for these fiches,
/// for the link that offers it ("CSV – 4,2 ko"). Made by building the
/// file, so the size is the one served: a few fiches take well under a
/// millisecond in CSV and JSON, a few in XLSX.
pub(crate) fn download_size(
    geo: &Geo,
    group: KindGroup,
    fiches: &[Fiche],
    ext: &str,
    d: Dialect,
    title: &str,
) -> Option<u64> {
    use axum::body::HttpBody;
    let res = download(geo, group, fiches.to_vec(), "taille", ext, d, title.to_owned());
    res.status().is_success().then(|| res.body().size_hint().exact()).flatten()
}

/// Exports of at most this many fiches (a département's communes, an
/// EPCI's members…) are made whole once per reference version and kept
/// ([`SmallExports`]); longer ones stream.
pub(crate) const SMALL_EXPORT_FICHES: usize = 1_000;

/// Streams the export of many fiches (`/communes.csv`, list exports) as a
/// pulled body ([`crate::streaming`]): no thread is held for a client that
/// stops reading; at most [`crate::streaming::ExportLimit`] stream at once.
/// A short list is answered from [`SmallExports`], made on first request.
pub(crate) async fn stream(
    state: &crate::AppState,
    reference: std::sync::Arc<crate::Reference>,
    group: KindGroup,
    codes: impl Into<std::sync::Arc<[String]>>,
    filename: String,
    ext: &'static str,
    d: Dialect,
) -> Response {
    let codes = codes.into();
    let geo = reference.geo.clone();
    if ext == "xlsx" {
        return xlsx::list(state, reference, group, codes, filename).await;
    }
    let producer = FichesProducer {
        geo,
        group,
        codes,
        next: 0,
        cols: None,
        sample: Vec::new(),
        written: 0,
        ext,
        dialect: d,
        done: false,
    };
    let ctype = if ext == "csv" { "text/csv; charset=utf-8" } else { "application/json" };
    if producer.codes.len() <= SMALL_EXPORT_FICHES {
        let key = format!("{filename} {d:?}");
        let body = match reference.small_exports.get(&key) {
            Some(b) => b,
            None => match crate::streaming::whole(producer).await {
                Ok(b) => reference.small_exports.put(key, b),
                Err(e) => return crate::error::WebError::internal(e).into_response(),
            },
        };
        let large = body.len() > crate::cache::MAX_BUFFER;
        let mut res = Response::new(axum::body::Body::from(body));
        attachment(&mut res, &filename, ctype);
        if large {
            // Too large to buffer again for an ETag: sent as it is.
            res.headers_mut().insert(crate::cache::STREAMING, HeaderValue::from_static("1"));
        }
        return res;
    }
    let permit = match state.exports.try_acquire() {
        Ok(p) => p,
        Err(busy) => return busy.into_response(),
    };
    let mut res = Response::new(crate::streaming::body(producer, permit));
    attachment(&mut res, &filename, ctype);
    res.headers_mut().insert(crate::cache::STREAMING, HeaderValue::from_static("1"));
    res
}

/// Short exports made whole, for one reference version: at most
/// [`SmallExports::BUDGET`] bytes, the oldest dropped first; besides, in
/// a slot of its own, the workbook of every commune (`/communes.xlsx`),
/// up to [`SmallExports::LARGE`] bytes.
#[derive(Debug, Default)]
pub struct SmallExports {
    small: std::sync::Mutex<ExportMap>,
    large: std::sync::Mutex<Option<(String, axum::body::Bytes)>>,
}

/// Bodies by key, their order of arrival, the bytes they use.
type ExportMap = (std::collections::HashMap<String, axum::body::Bytes>, std::collections::VecDeque<String>, usize);

impl SmallExports {
    /// Bytes kept at most.
    pub const BUDGET: usize = 32 * 1024 * 1024;
    /// The largest single body kept (in its own slot).
    pub const LARGE: usize = 64 * 1024 * 1024;

    pub(crate) fn get(&self, key: &str) -> Option<axum::body::Bytes> {
        if let Some(b) = self.small.lock().unwrap_or_else(std::sync::PoisonError::into_inner).0.get(key) {
            return Some(b.clone());
        }
        let large = self.large.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        large.as_ref().filter(|(k, _)| k == key).map(|(_, b)| b.clone())
    }

    /// Keeps `body` under `key` (unless larger than a quarter of the
    /// budget) and gives it back.
    pub(crate) fn put(&self, key: String, body: axum::body::Bytes) -> axum::body::Bytes {
        if body.len() > Self::BUDGET / 4 {
            return body;
        }
        let mut g = self.small.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (map, order, used) = &mut *g;
        if map.contains_key(&key) {
            return body;
        }
        while *used + body.len() > Self::BUDGET {
            let Some(old) = order.pop_front() else { break };
            if let Some(b) = map.remove(&old) {
                *used -= b.len();
            }
        }
        *used += body.len();
        order.push_back(key.clone());
        map.insert(key, body.clone());
        body
    }

    /// Keeps `body` in the large slot (the national workbook, made at
    /// most once per reference version), if it is at most [`Self::LARGE`]
    /// bytes; smaller bodies go to [`Self::put`].
    pub(crate) fn put_large(&self, key: String, body: axum::body::Bytes) -> axum::body::Bytes {
        if body.len() <= Self::BUDGET / 4 {
            return self.put(key, body);
        }
        if body.len() <= Self::LARGE {
            *self.large.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some((key, body.clone()));
        }
        body
    }
}

/// The rows of a fiche export, a chunk at a time.
struct FichesProducer {
    geo: std::sync::Arc<Geo>,
    group: KindGroup,
    codes: std::sync::Arc<[String]>,
    /// The next code to write.
    next: usize,
    /// Columns, from the first fiches (every fiche of a level has the same
    /// figures, up to data availability); `None` before the first chunk.
    cols: Option<Vec<Column>>,
    /// The fiches built for the columns, written as they are.
    sample: Vec<Fiche>,
    /// Fiches written so far.
    written: usize,
    ext: &'static str,
    dialect: Dialect,
    done: bool,
}

impl crate::streaming::Producer for FichesProducer {
    fn next_chunk(&mut self) -> Option<Result<String, std::io::Error>> {
        if self.done {
            return None;
        }
        let mut buf = String::with_capacity(crate::streaming::CHUNK_BYTES + 8192);
        let group = self.group;
        let build = move |geo: &Geo, code: &str| crate::fiche::fiche_for_code(geo, group, code);
        if self.cols.is_none() {
            let (cols, sample) = sample_columns(&self.geo, group, &self.codes);
            self.sample = sample;
            if self.ext == "csv" {
                if self.dialect == Dialect::French {
                    buf.push('\u{feff}');
                }
                buf.push_str(&header_row(&cols, self.group, self.dialect));
            } else {
                buf.push_str("{\"columns\":");
                buf.push_str(&serde_json::to_string(&cols).unwrap_or_else(|_| "[]".into()));
                buf.push_str(",\"items\":[");
            }
            self.cols = Some(cols);
            self.next = self.codes.len().min(SAMPLE);
            self.sample.reverse(); // popped in order below
        }
        let cols = self.cols.clone().unwrap_or_default();
        let cols = cols.as_slice();
        while buf.len() < crate::streaming::CHUNK_BYTES {
            let f = match self.sample.pop() {
                Some(f) => f,
                None => {
                    let Some(code) = self.codes.get(self.next) else { break };
                    self.next += 1;
                    match build(&self.geo, code) {
                        Some(f) => f,
                        None => continue,
                    }
                }
            };
            let first = self.written == 0;
            self.written += 1;
            if self.ext == "csv" {
                buf.push_str(&row(&self.geo, &f, cols, self.dialect));
            } else {
                if !first {
                    buf.push(',');
                }
                buf.push_str(&serde_json::to_string(&f).unwrap_or_else(|_| "null".into()));
            }
        }
        if self.sample.is_empty() && self.next >= self.codes.len() {
            if self.ext != "csv" {
                buf.push_str("]}");
            }
            self.done = true;
        }
        Some(Ok(buf))
    }
}

/// The file name of a list export: `communes-departement-34-herault-2026.csv`.
pub(crate) fn list_filename(what: &str, level: &str, code: &str, name: &str, year: u16, ext: &str) -> String {
    if code.is_empty() {
        format!("{what}-{level}-{year}.{ext}")
    } else {
        format!("{what}-{level}-{code}-{}-{year}.{ext}", oc_model::text::slug(name)).to_lowercase()
    }
}

/// The fiches (data only) of a list, for tests and small exports.
pub(crate) fn fiches(geo: &Geo, group: KindGroup, codes: &[String]) -> Vec<Fiche> {
    codes.iter().filter_map(|c| crate::fiche::fiche_for_code(geo, group, c)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_injection_is_neutralised_and_readable() {
        for (raw, want) in
            [("=1+1", "'=1+1"), ("+33", "'+33"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx")]
        {
            assert_eq!(text_cell(raw, Dialect::Standard), want, "{raw:?}");
        }
        assert_eq!(text_cell("\rx", Dialect::Standard), "\"'\rx\"");
        assert_eq!(text_cell("a;b", Dialect::French), "\"a;b\"");
        assert_eq!(text_cell("a;b", Dialect::Standard), "a;b");
        assert_eq!(text_cell("dit \"x\"", Dialect::Standard), "\"dit \"\"x\"\"\"");
        assert_eq!(text_cell("Saint-Denis", Dialect::French), "Saint-Denis");
    }

    #[test]
    fn numbers_follow_the_dialect() {
        assert_eq!(num_cell(Some(1234.5), 1, Dialect::French), "1234,5");
        assert_eq!(num_cell(Some(1234.5), 1, Dialect::Standard), "1234.5");
        assert_eq!(num_cell(Some(-0.25), 2, Dialect::French), "-0,25");
        assert_eq!(num_cell(Some(-0.001), 2, Dialect::French), "0,00");
        assert_eq!(num_cell(None, 2, Dialect::French), "");
    }

    #[test]
    fn dialects() {
        assert_eq!(Dialect::parse(None), Ok(Dialect::French));
        assert_eq!(Dialect::parse(Some("standard")), Ok(Dialect::Standard));
        assert!(Dialect::parse(Some("tsv")).is_err());
    }

    #[test]
    fn filenames() {
        assert_eq!(
            list_filename("communes", "departement", "34", "Hérault", 2026, "csv"),
            "communes-departement-34-herault-2026.csv"
        );
        assert_eq!(list_filename("communes", "france", "", "", 2026, "json"), "communes-france-2026.json");
    }
}
