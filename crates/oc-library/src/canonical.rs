//! Canonical URLs: the de-duplication key of documents. Scheme and host
//! lower-cased, default port, fragment and tracking parameters removed.

/// Query parameters that only track a visit.
fn is_tracking(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.starts_with("utm_")
        || n.starts_with("at_")
        || n.starts_with("pk_")
        || n.starts_with("mtm_")
        || n.starts_with("_hs")
        || matches!(
            n.as_str(),
            "xtor"
                | "xts"
                | "fbclid"
                | "gclid"
                | "dclid"
                | "msclkid"
                | "mc_cid"
                | "mc_eid"
                | "yclid"
                | "igshid"
                | "ref_src"
                | "wt.mc_id"
        )
}

/// The canonical form of `raw`, or an error message for an unusable URL.
pub fn canonical_url(raw: &str) -> Result<String, String> {
    let mut u = url::Url::parse(raw.trim()).map_err(|e| format!("URL invalide {raw:?} : {e}"))?;
    if !matches!(u.scheme(), "http" | "https") {
        return Err(format!("URL invalide {raw:?} : seuls http et https sont acceptés"));
    }
    u.set_fragment(None);
    let kept: Vec<(String, String)> =
        u.query_pairs().filter(|(k, _)| !is_tracking(k)).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    if kept.is_empty() {
        u.set_query(None);
    } else {
        u.query_pairs_mut().clear().extend_pairs(kept);
    }
    Ok(u.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_forms() {
        let cases = [
            ("https://www.insee.fr/fr/statistiques/1234#consulter", "https://www.insee.fr/fr/statistiques/1234"),
            (
                "HTTPS://WWW.Insee.FR:443/fr/statistiques/1234?utm_source=rss&utm_medium=x",
                "https://www.insee.fr/fr/statistiques/1234",
            ),
            ("https://a.fr/p?id=3&xtor=RSS-1&fbclid=abc", "https://a.fr/p?id=3"),
            ("http://a.fr:80/x?b=2&a=1", "http://a.fr/x?b=2&a=1"),
            ("  https://a.fr/  ", "https://a.fr/"),
        ];
        for (raw, want) in cases {
            assert_eq!(canonical_url(raw).unwrap(), want, "{raw}");
        }
        assert!(canonical_url("ftp://a.fr/x").is_err());
        assert!(canonical_url("pas une url").is_err());
    }
}
