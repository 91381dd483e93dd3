//! Names as people write them: the designators of a collectivité
//! ("Communauté de communes", "agglo", "Département de la"…), leading
//! articles, and the acronyms table (`data/acronyms.csv`).
//!
//! A name, entry or query, is reduced to three compact forms:
//! - `full`: every word as written (`CC Coeur de Garonne` → `cccoeurdegaronne`),
//! - `bare`: without its leading article (`Le Puy-en-Velay` → `puyenvelay`;
//!   an intercommunality: without its designator, `CA Le Grand Périgueux` →
//!   `legrandperigueux`),
//! - `core`: without its designator and the article or linking word that
//!   follows it (`CA du Grand Annecy` → `grandannecy`, `Bordeaux Métropole`
//!   → `bordeaux`, `Département de la Loire` → `loire`).
//!
//! A query naming its designator also tells the kind of territory meant
//! (its `hint`), and a long designator has the DGCL short form the COG
//! uses (`communauté de communes` → `cc`).

use oc_model::KindGroup;

/// A designator: its words (folded), its DGCL short form in the COG
/// names, and the kind of territory it names.
struct Designator {
    words: &'static [&'static str],
    short: Option<&'static str>,
    group: KindGroup,
}

const fn d(words: &'static [&'static str], short: Option<&'static str>, group: KindGroup) -> Designator {
    Designator { words, short, group }
}

/// The designators a query may start with, longest first within a word.
const LEADING: &[Designator] = &[
    d(&["communaute", "de", "communes"], Some("cc"), KindGroup::Epci),
    d(&["communaute", "d", "agglomeration"], Some("ca"), KindGroup::Epci),
    d(&["communaute", "agglomeration"], Some("ca"), KindGroup::Epci),
    d(&["communaute", "urbaine"], Some("cu"), KindGroup::Epci),
    d(&["etablissement", "public", "territorial"], None, KindGroup::Epci),
    d(&["cc"], None, KindGroup::Epci),
    d(&["ca"], None, KindGroup::Epci),
    d(&["cu"], None, KindGroup::Epci),
    d(&["ept"], None, KindGroup::Epci),
    d(&["agglomeration"], None, KindGroup::Epci),
    d(&["agglo"], None, KindGroup::Epci),
    d(&["intercommunalite"], None, KindGroup::Epci),
    d(&["interco"], None, KindGroup::Epci),
    d(&["eurometropole"], None, KindGroup::Epci),
    d(&["metropole"], None, KindGroup::Epci),
    d(&["conseil", "departemental"], None, KindGroup::Departement),
    d(&["departement"], None, KindGroup::Departement),
    d(&["conseil", "regional"], None, KindGroup::Region),
    d(&["region"], None, KindGroup::Region),
    d(&["ville"], None, KindGroup::Commune),
    d(&["mairie"], None, KindGroup::Commune),
    d(&["commune"], None, KindGroup::Commune),
];

/// The designators a name may end with (`Lorient Agglomération`,
/// `Bordeaux Métropole`): all of intercommunalities.
const TRAILING: &[&str] = &["metropole", "eurometropole", "agglomeration", "agglo", "interco", "intercommunalite"];

/// The long words of a short designator of the COG's EPCI names (`cc`:
/// `communauté de communes`), added to their indexed words so that a
/// designator being typed completes.
pub(super) fn long_words(first_word: &str) -> &'static [&'static str] {
    LEADING.iter().find(|d| d.short == Some(first_word)).map_or(&[], |d| d.words)
}

const ARTICLES: &[&str] = &["le", "la", "les", "l"];

/// Linking words after a designator (`du`, `de la`, `d'`…).
const LINKS: &[&str] = &["de", "du", "des", "d", "le", "la", "les", "l"];

/// Drops the leading article of `words` when a word follows it.
pub(super) fn without_article<S: AsRef<str>>(words: &[S]) -> &[S] {
    match words {
        [first, rest @ ..] if !rest.is_empty() && ARTICLES.contains(&first.as_ref()) => rest,
        _ => words,
    }
}

fn without_links<S: AsRef<str>>(mut words: &[S]) -> &[S] {
    while let [first, rest @ ..] = words {
        if rest.is_empty() || !LINKS.contains(&first.as_ref()) {
            break;
        }
        words = rest;
    }
    words
}

fn starts_with_words<S: AsRef<str>>(words: &[S], prefix: &[&str]) -> bool {
    words.len() >= prefix.len() && words.iter().zip(prefix).all(|(w, p)| w.as_ref() == *p)
}

/// A query's designator, found at its start or (for intercommunalities)
/// its end, and the words left once it and its linking words are removed.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Reading {
    /// The core words: a range of the query's words.
    pub(super) core: std::ops::Range<usize>,
    pub(super) hint: Option<KindGroup>,
    /// The query with its long designator replaced by the COG's short form.
    pub(super) short: Option<String>,
}

/// Reads the designator of a query's (folded, expanded) words. Nothing is
/// removed when only the designator would remain (`agglo`, `métropole`).
pub(super) fn read_query<S: AsRef<str>>(words: &[S]) -> Reading {
    let n = words.len();
    let tail = |core: &[S]| n - core.len();
    for des in LEADING {
        if starts_with_words(words, des.words) {
            let rest = &words[des.words.len()..];
            let core = without_links(rest);
            if core.is_empty() {
                break;
            }
            let short = des
                .short
                .map(|s| std::iter::once(s).chain(rest.iter().map(AsRef::as_ref)).collect::<Vec<&str>>().concat());
            return Reading { core: tail(core)..n, hint: Some(des.group), short };
        }
    }
    if let [rest @ .., last] = words {
        if !rest.is_empty() && TRAILING.contains(&last.as_ref()) {
            let core = without_article(rest);
            return Reading { core: rest.len() - core.len()..n - 1, hint: Some(KindGroup::Epci), short: None };
        }
    }
    Reading { core: tail(without_article(words))..n, hint: None, short: None }
}

/// An intercommunality's COG name without its leading short designator
/// (`CA Les Sables d'Olonne Agglomération` → `les sables d olonne
/// agglomeration`): its name as people write it after « l'agglo ».
pub(super) fn epci_named<S: AsRef<str>>(words: &[S]) -> &[S] {
    match words {
        [first, rest @ ..]
            if !rest.is_empty() && ["cc", "ca", "cu", "metropole", "eurometropole"].contains(&first.as_ref()) =>
        {
            rest
        }
        _ => words,
    }
}

/// The core words of an intercommunality's COG name: without its leading
/// short designator and linking words, nor its trailing designator.
pub(super) fn epci_core<S: AsRef<str>>(words: &[S]) -> &[S] {
    let named = epci_named(words);
    let mut w = if named.len() < words.len() { without_links(named) } else { named };
    if let [rest @ .., last] = w {
        if !rest.is_empty() && TRAILING.contains(&last.as_ref()) {
            w = rest;
        }
    }
    without_article(w)
}

/// One row of the acronyms table: the acronym (folded) and the territory
/// key it stands for (`REG-11`, `EPCI-200054781`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acronym {
    pub acronym: String,
    pub key: String,
    /// The name of the territory, as the table documents it.
    pub name: String,
}

/// The acronyms table shipped with the binary (`data/acronyms.csv`:
/// `sigle;clé;nom`, `#` comments).
pub fn acronyms() -> Vec<Acronym> {
    include_str!("../../data/acronyms.csv")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .skip(1)
        .filter_map(|l| {
            let mut cols = l.split(';');
            let (a, k, n) = (cols.next()?, cols.next()?, cols.next()?);
            Some(Acronym { acronym: oc_model::text::compact(a), key: k.trim().to_owned(), name: n.trim().to_owned() })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        oc_model::text::words(s)
    }

    #[test]
    fn designators_of_queries() {
        let core = |q: &str| {
            let w = words(q);
            let r = read_query(&w);
            w[r.core].to_vec()
        };
        let w = words("Communauté de communes du Diois");
        let r = read_query(&w);
        assert_eq!(core("Communauté de communes du Diois"), ["diois"]);
        assert_eq!(r.hint, Some(KindGroup::Epci));
        assert_eq!(r.short.as_deref(), Some("ccdudiois"));
        assert_eq!(core("Département de la Loire"), ["loire"]);
        assert_eq!(read_query(&words("Département de la Loire")).hint, Some(KindGroup::Departement));
        assert_eq!(core("Lorient agglo"), ["lorient"]);
        assert_eq!(core("le havre"), ["havre"]);
        assert_eq!(read_query(&words("le havre")).hint, None);
        // A designator alone is a word searched for.
        assert_eq!(core("agglo"), ["agglo"]);
        assert_eq!(read_query(&words("agglo")).hint, None);
    }

    #[test]
    fn long_words_of_short_designators() {
        assert_eq!(long_words("cc"), ["communaute", "de", "communes"]);
        assert_eq!(long_words("ca"), ["communaute", "d", "agglomeration"]);
        assert_eq!(long_words("cu"), ["communaute", "urbaine"]);
        assert!(long_words("metropole").is_empty());
    }

    #[test]
    fn cores_of_epci_names() {
        assert_eq!(epci_core(&words("CA du Grand Annecy")), ["grand", "annecy"]);
        assert_eq!(epci_core(&words("Bordeaux Métropole")), ["bordeaux"]);
        assert_eq!(epci_core(&words("Métropole d'Aix-Marseille-Provence")), ["aix", "marseille", "provence"]);
        assert_eq!(epci_core(&words("CC Les Bords de Veyle")), ["bords", "de", "veyle"]);
        assert_eq!(epci_named(&words("CA Le Grand Périgueux")), ["le", "grand", "perigueux"]);
        assert_eq!(epci_named(&words("Bordeaux Métropole")), ["bordeaux", "metropole"]);
    }

    #[test]
    fn acronyms_table_parses() {
        let t = acronyms();
        assert!(t.len() >= 10);
        assert!(t.iter().any(|a| a.acronym == "idf" && a.key == "REG-11"));
    }
}
