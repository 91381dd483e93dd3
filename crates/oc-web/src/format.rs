//! Numbers and text the French way, and URL encoding.

/// Formats an integer the French way (`285 121`, narrow no-break spaces).
pub fn fmt_int(n: u64) -> String {
    oc_model::fr::fmt_int(n)
}

/// A number the French way, with `decimals` decimals.
pub fn fmt_num(v: f64, decimals: usize) -> String {
    if decimals == 0 {
        let r = v.round();
        let s = fmt_int(r.abs() as u64);
        return if r < 0.0 { format!("−{s}") } else { s };
    }
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let int = fmt_int(int.parse::<u64>().unwrap_or(0));
    let sign = if v < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') { "−" } else { "" };
    format!("{sign}{int},{frac}")
}

/// Percent-encodes one query-string value.
pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)]).map(|x| x.trim_start_matches('=').to_owned()).unwrap_or_default()
}

/// Decodes the `%XX` escapes of an address, to show it (invalid escapes
/// and bytes are kept as they are read).
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (b[i], b.get(i + 1).copied().and_then(hex), b.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `2026-03-15` → `15/03/2026`.
pub fn fmt_date(iso: &str) -> String {
    let parts: Vec<&str> = iso.get(..10).unwrap_or(iso).split('-').collect();
    match parts.as_slice() {
        [y, m, d] => format!("{d}/{m}/{y}"),
        _ => iso.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_escapes_are_read() {
        assert_eq!(percent_decode("a/lav%C3%A9rune"), "a/lavérune");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }
}
