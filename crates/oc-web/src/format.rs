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

/// `2026-03-15` → `15/03/2026`.
pub fn fmt_date(iso: &str) -> String {
    let parts: Vec<&str> = iso.get(..10).unwrap_or(iso).split('-').collect();
    match parts.as_slice() {
        [y, m, d] => format!("{d}/{m}/{y}"),
        _ => iso.to_owned(),
    }
}
