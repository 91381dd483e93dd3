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

/// The French month names (the one list of the crate).
pub(crate) const MONTHS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

/// The last Sunday of a month, at 01:00 UTC: when European summer time
/// starts (March) and ends (October).
fn last_sunday_1h_utc(year: i32, month: u32) -> Option<chrono::DateTime<chrono::Utc>> {
    use chrono::{Datelike, NaiveDate, TimeZone};
    let first_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    let last = first_next.pred_opt()?;
    let back = last.weekday().num_days_from_sunday();
    let sunday = last - chrono::Duration::days(i64::from(back));
    chrono::Utc.from_local_datetime(&sunday.and_hms_opt(1, 0, 0)?).single()
}

/// A UTC instant in metropolitan France's legal time (UTC+1, UTC+2 in
/// summer from the last Sunday of March to the last Sunday of October, at
/// 01:00 UTC), as the back office and `/sources` show dates.
pub fn paris_time(t: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDateTime {
    use chrono::Datelike;
    let y = t.year();
    let summer = matches!((last_sunday_1h_utc(y, 3), last_sunday_1h_utc(y, 10)), (Some(a), Some(b)) if t >= a && t < b);
    (t + chrono::Duration::hours(if summer { 2 } else { 1 })).naive_utc()
}

/// `4 décembre 2026 à 6 h 07`, in Paris time.
pub fn fmt_datetime(t: chrono::DateTime<chrono::Utc>) -> String {
    use chrono::{Datelike, Timelike};
    let l = paris_time(t);
    let day = if l.day() == 1 { "1er".to_owned() } else { l.day().to_string() };
    format!("{day} {} {} à {} h {:02}", MONTHS[l.month0() as usize], l.year(), l.hour(), l.minute())
}

/// [`fmt_datetime`] of an RFC 3339 text (as the library store writes its
/// times); the text itself when it is not one.
pub fn fmt_stored_time(rfc3339: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(rfc3339) {
        Ok(t) => fmt_datetime(t.with_timezone(&chrono::Utc)),
        Err(_) => rfc3339.to_owned(),
    }
}

/// The label of a download link: its format, and its size when known
/// ("CSV – 4,2 ko").
pub fn download_label(format: &str, size: Option<u64>) -> String {
    match size {
        Some(n) => format!("{format} – {}", oc_model::file::size_text(n)),
        None => format.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_shown_in_paris_time_with_summer_time() {
        let t = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&chrono::Utc);
        // Winter: UTC+1.
        assert_eq!(fmt_datetime(t("2026-12-04T05:07:00Z")), "4 décembre 2026 à 6 h 07");
        // Summer: UTC+2; 2026's summer time starts on 29 March at 01:00 UTC
        // and ends on 25 October at 01:00 UTC.
        assert_eq!(fmt_datetime(t("2026-07-01T22:30:00Z")), "2 juillet 2026 à 0 h 30");
        assert_eq!(fmt_datetime(t("2026-03-29T00:59:00Z")), "29 mars 2026 à 1 h 59");
        assert_eq!(fmt_datetime(t("2026-03-29T01:00:00Z")), "29 mars 2026 à 3 h 00");
        assert_eq!(fmt_datetime(t("2026-10-25T00:59:00Z")), "25 octobre 2026 à 2 h 59");
        assert_eq!(fmt_datetime(t("2026-10-25T01:00:00Z")), "25 octobre 2026 à 2 h 00");
        assert_eq!(fmt_datetime(t("2027-01-01T10:00:00Z")), "1er janvier 2027 à 11 h 00");
        assert_eq!(fmt_stored_time("pas une date"), "pas une date");
    }

    #[test]
    fn percent_escapes_are_read() {
        assert_eq!(percent_decode("a/lav%C3%A9rune"), "a/lavérune");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }
}
