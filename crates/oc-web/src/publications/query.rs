//! Library search queries: from the URL's parameters, and back.

use oc_index::publication_search::{Facet, PubQuery, Sort, MAX_PAGE};
use oc_model::KindGroup;
use oc_store::Geo;

use crate::error::{WebError, WebResult};
use crate::extract::param;

/// `YYYY-MM-DD`, `YYYY-MM` or `YYYY` as a `YYYYMMDD` bound: the first day
/// of the period for a start, its last day for an end (a real date, so
/// that links can write it back).
fn date_bound(v: &str, end: bool) -> Option<u64> {
    let (d, p) = oc_library::parse_date(v)?;
    let parts: Vec<u32> = d.split('-').filter_map(|x| x.parse().ok()).collect();
    let y = i32::try_from(*parts.first()?).ok()?;
    let date = match (p, end) {
        (oc_library::Precision::Day, _) => chrono::NaiveDate::from_ymd_opt(y, parts[1], parts[2])?,
        (oc_library::Precision::Month, false) => chrono::NaiveDate::from_ymd_opt(y, parts[1], 1)?,
        (oc_library::Precision::Month, true) => {
            let next = if parts[1] == 12 {
                chrono::NaiveDate::from_ymd_opt(y + 1, 1, 1)?
            } else {
                chrono::NaiveDate::from_ymd_opt(y, parts[1] + 1, 1)?
            };
            next.pred_opt()?
        }
        (oc_library::Precision::Year, false) => chrono::NaiveDate::from_ymd_opt(y, 1, 1)?,
        (oc_library::Precision::Year, true) => chrono::NaiveDate::from_ymd_opt(y, 12, 31)?,
    };
    date.format("%Y%m%d").to_string().parse().ok()
}

/// Validates the parameters of a library search; unknown parameters are
/// ignored, invalid ones get a message in French.
impl crate::extract::FromQuery for PubQuery {
    fn from_query(p: &[(String, String)], state: &crate::AppState) -> WebResult<PubQuery> {
        parse_query(p, &state.geo(), &crate::publications::taxonomy(state))
    }
}

pub(crate) fn parse_query(p: &[(String, String)], geo: &Geo, taxonomy: &crate::Taxonomy) -> WebResult<PubQuery> {
    use oc_library::curation::TermKind;
    let bad = |m: String| WebError::BadRequest(m);
    let mut q = PubQuery { q: param(p, "q").unwrap_or("").trim().to_owned(), ..PubQuery::default() };
    if q.q.chars().count() > oc_index::publication_search::MAX_QUERY_CHARS {
        return Err(bad(format!(
            "paramètre « q » trop long (au plus {} caractères)",
            oc_index::publication_search::MAX_QUERY_CHARS
        )));
    }
    for facet in Facet::ALL {
        let mut values: Vec<String> = Vec::new();
        for (_, v) in p.iter().filter(|(k, _)| k == facet.param()) {
            let v = v.trim();
            if v.is_empty() || values.iter().any(|x| x == v) {
                continue;
            }
            let known: Option<(&[String], &[String])> = match facet {
                Facet::Theme => Some((taxonomy.known(TermKind::Theme), taxonomy.offered(TermKind::Theme))),
                Facet::Scope => Some((taxonomy.known(TermKind::Scope), taxonomy.offered(TermKind::Scope))),
                Facet::Type => Some((taxonomy.known(TermKind::ResourceType), taxonomy.offered(TermKind::ResourceType))),
                _ => None,
            };
            // A renamed term's old name still finds its documents.
            let renamed = match facet {
                Facet::Theme => taxonomy.aliases.get(&(TermKind::Theme, v.to_owned())),
                Facet::Scope => taxonomy.aliases.get(&(TermKind::Scope, v.to_owned())),
                Facet::Type => taxonomy.aliases.get(&(TermKind::ResourceType, v.to_owned())),
                _ => None,
            };
            let v = renamed.map_or(v, String::as_str);
            if values.iter().any(|x| x == v) {
                continue;
            }
            // Typed by hand, a value matches whatever its case and accents
            // (`finances & fiscalite`); codes are upper case (`dep-34`).
            let typed;
            let v = match known {
                Some((k, offered)) => {
                    let folded = oc_model::text::fold(v);
                    match k.iter().find(|x| *x == v || oc_model::text::fold(x) == folded) {
                        Some(x) => x.as_str(),
                        None => {
                            return Err(bad(format!(
                                "paramètre « {} » invalide ({v:?}) : valeurs possibles {}",
                                facet.param(),
                                offered.join(", ")
                            )))
                        }
                    }
                }
                None if facet == Facet::Territory => {
                    typed = v.to_ascii_uppercase();
                    typed.as_str()
                }
                None => v,
            };
            if values.iter().any(|x| x == v) {
                continue;
            }
            match facet {
                Facet::Year if !(v.len() == 4 && v.parse::<u32>().is_ok_and(|y| (1800..=2100).contains(&y))) => {
                    return Err(bad(format!("paramètre « year » invalide ({v:?}) : une année sur quatre chiffres")));
                }
                Facet::Territory if territory_label(geo, v).is_none() => {
                    return Err(bad(format!(
                        "paramètre « territory » invalide ({v:?}) : REG-76, DEP-34, COM-34172 ou \
                        EPCI-243400017 par exemple"
                    )));
                }
                Facet::Publisher if v.chars().count() > 200 => {
                    return Err(bad("paramètre « publisher » trop long".into()))
                }
                _ => {}
            }
            values.push(v.to_owned());
            if values.len() > 30 {
                return Err(bad(format!("trop de valeurs pour « {} » (au plus 30)", facet.param())));
            }
        }
        if !values.is_empty() {
            q.filters.insert(facet, values);
        }
    }
    let bound = |name: &str, end: bool| -> Result<Option<u64>, WebError> {
        match param(p, name).map(str::trim) {
            None | Some("") => Ok(None),
            Some(v) => date_bound(v, end).map(Some).ok_or_else(|| {
                bad(format!("paramètre « {name} » invalide ({v:?}) : une date AAAA-MM-JJ ou une année"))
            }),
        }
    };
    q.from = bound("from", false)?;
    q.to = bound("to", true)?;
    if let (Some(f), Some(t)) = (q.from, q.to) {
        if f > t {
            return Err(bad("la date de début est après la date de fin".into()));
        }
    }
    q.sort = match param(p, "sort").map(str::trim) {
        None | Some("") => None,
        Some("pertinence" | "relevance") => Some(Sort::Relevance),
        Some("date") => Some(Sort::Date),
        Some(o) => {
            return Err(bad(format!("paramètre « sort » invalide ({o:?}) : valeurs possibles pertinence, date")))
        }
    };
    q.page = crate::extract::page(p, MAX_PAGE).map_err(bad)?;
    Ok(q)
}

/// A `YYYYMMDD` bound as `YYYY-MM-DD` (links and date inputs).
pub(crate) fn day_text(d: u64) -> String {
    format!("{:04}-{:02}-{:02}", d / 10_000, d / 100 % 100, d % 100)
}

/// The GET parameters of a search (for links), in a stable order.
pub(crate) fn query_pairs(q: &PubQuery) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if !q.q.is_empty() {
        out.push(("q".to_owned(), q.q.clone()));
    }
    for (f, vs) in &q.filters {
        for v in vs {
            out.push((f.param().to_owned(), v.clone()));
        }
    }
    if let Some(f) = q.from {
        out.push(("from".into(), day_text(f)));
    }
    if let Some(t) = q.to {
        out.push(("to".into(), day_text(t)));
    }
    if let Some(s) = q.sort {
        out.push(("sort".into(), if s == Sort::Date { "date" } else { "pertinence" }.into()));
    }
    if q.page > 1 {
        out.push(("page".into(), q.page.to_string()));
    }
    out
}

/// `path?query` of a search.
pub(crate) fn href(path: &str, q: &PubQuery) -> String {
    let pairs = query_pairs(q);
    if pairs.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", serde_urlencoded::to_string(&pairs).unwrap_or_default())
    }
}

/// The name of a territory code, if it exists.
pub(crate) fn territory_label(geo: &Geo, code: &str) -> Option<String> {
    let key = code.parse::<oc_model::TerritoryKey>().ok()?;
    let c = key.code();
    match key.group() {
        KindGroup::Region => geo.region(c).map(|r| r.name.clone()),
        KindGroup::Departement => geo.departement(c).map(|d| format!("{} ({})", d.name, d.code)),
        KindGroup::Commune => geo.commune(c).map(|x| format!("{} ({})", x.name, x.departement)),
        KindGroup::Epci => geo.epci(c).map(|e| e.name.clone()),
    }
}

/// The territories of a document in words, each once and with its level:
/// `Montpellier (commune, 34)`, `Hérault (département, 34)`, `Occitanie
/// (région)`, `Métropole de Lyon (intercommunalité)`; a commune and a
/// département of one name and number (Paris) read `Paris (commune et
/// département, 75)`. Unknown codes are shown as they are.
pub(crate) fn territory_labels(geo: &Geo, codes: &[String]) -> Vec<String> {
    // (name, level, département number) per code, in order.
    let mut parts: Vec<(String, Vec<&'static str>, Option<String>)> = Vec::new();
    for code in codes {
        let Ok(key) = code.parse::<oc_model::TerritoryKey>() else {
            parts.push((code.clone(), Vec::new(), None));
            continue;
        };
        let c = key.code();
        let part = match key.group() {
            KindGroup::Region => geo.region(c).map(|r| (r.name.clone(), "région", None)),
            KindGroup::Departement => geo.departement(c).map(|d| (d.name.clone(), "département", Some(d.code.clone()))),
            KindGroup::Commune => geo.commune(c).map(|x| (x.name.clone(), "commune", Some(x.departement.clone()))),
            KindGroup::Epci => geo.epci(c).map(|e| (e.name.clone(), "intercommunalité", None)),
        };
        let Some((name, level, dep)) = part else {
            parts.push((code.clone(), Vec::new(), None));
            continue;
        };
        match parts.iter_mut().find(|p| p.0 == name && p.2 == dep) {
            Some(p) => {
                if !p.1.contains(&level) {
                    p.1.push(level);
                }
            }
            None => parts.push((name, vec![level], dep)),
        }
    }
    parts
        .into_iter()
        .map(|(name, levels, dep)| {
            if levels.is_empty() {
                return name;
            }
            let levels = match levels.as_slice() {
                [one] => (*one).to_owned(),
                [init @ .., last] => format!("{} et {last}", init.join(", ")),
                [] => String::new(),
            };
            match dep {
                Some(d) => format!("{name} ({levels}, {d})"),
                None => format!("{name} ({levels})"),
            }
        })
        .collect()
}
