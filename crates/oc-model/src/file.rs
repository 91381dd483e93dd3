//! Files behind documents' links: their format, told by the address, and
//! their size written the French way.

/// The format of a link to a file, from its address (`….pdf` → PDF);
/// `None` for a web page.
pub fn format_of(url: &str) -> Option<&'static str> {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let last = path.rsplit('/').next().unwrap_or("");
    let ext = last.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase())?;
    Some(match ext.as_str() {
        "pdf" => "PDF",
        "csv" => "CSV",
        "xlsx" => "Excel (XLSX)",
        "xls" => "Excel (XLS)",
        "ods" => "tableur OpenDocument (ODS)",
        "odt" => "texte OpenDocument (ODT)",
        "docx" => "Word (DOCX)",
        "doc" => "Word (DOC)",
        "zip" => "archive ZIP",
        "json" => "JSON",
        "geojson" => "GeoJSON",
        "xml" => "XML",
        "txt" => "texte",
        _ => return None,
    })
}

/// A size in bytes as a French reader expects it: `850 octets`, `12 ko`,
/// `2,6 Mo`, `1,2 Go` (decimal units, one decimal under 10).
pub fn size_text(bytes: u64) -> String {
    if bytes < 1_000 {
        return crate::fr::count(bytes, "octet", "octets");
    }
    // The unit is chosen on the rounded value (999,6 ko is « 1 Mo »).
    let (value, unit) = match bytes {
        b if b < 999_500 => (b as f64 / 1e3, "ko"),
        b if b < 999_500_000 => (b as f64 / 1e6, "Mo"),
        b => (b as f64 / 1e9, "Go"),
    };
    let text = if value < 9.95 { format!("{value:.1}") } else { format!("{value:.0}") };
    format!("{} {unit}", text.replace('.', ",").trim_end_matches(",0"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_sizes() {
        assert_eq!(format_of("https://a.fr/x/Chapitre%204.xlsx?v=2"), Some("Excel (XLSX)"));
        assert_eq!(format_of("https://a.fr/page"), None);
        assert_eq!(size_text(1), "1 octet");
        assert_eq!(size_text(850), "850 octets");
        assert_eq!(size_text(12_345), "12 ko");
        assert_eq!(size_text(2_600_000), "2,6 Mo");
        assert_eq!(size_text(3_000_000), "3 Mo");
        assert_eq!(size_text(1_234_000_000), "1,2 Go");
        assert_eq!(size_text(999_600), "1 Mo");
        assert_eq!(size_text(999_400), "999 ko");
    }
}
