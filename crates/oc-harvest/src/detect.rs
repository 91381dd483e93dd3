//! Territory detection in titles and summaries.
//!
//! Names of régions, départements and communes of at least
//! [`MIN_COMMUNE_POPULATION`] inhabitants are matched on whole words of the
//! folded text (case and accents ignored for the comparison), longest name
//! first, so that "Eure-et-Loir" is not read as "Eure", "Seine-Saint-Denis"
//! not as "Saint-Denis", and "Ain" is never found inside "Saint". Names that
//! are also ordinary French words ("Nord", "Somme", "Lot", "Cher",
//! "Tours"…) count only when written with a capital letter and not at the
//! start of a sentence; former région names ("Nord-Pas-de-Calais") are
//! recognised as such and map to their départements, never to one word of
//! them.

use std::collections::HashMap;

use oc_model::text::fold;
use oc_model::{Kind, KindGroup, TerritoryKey};
use oc_store::Geo;

/// Communes smaller than this are not detected (too many homonyms).
pub const MIN_COMMUNE_POPULATION: u32 = 20_000;

/// Single-word names that are also common words, or capitalised words that
/// often mean something else at a sentence start.
const AMBIGUOUS: &[&str] = &[
    "nord", "somme", "lot", "cher", "manche", "var", "orne", "centre", "creuse", "allier", "landes", "vienne", "loire",
    "marne", "tours", "sens", "orange", "grasse", "cannes", "vannes", "lens", "nice", "pau", "agen", "laval", "dole",
    "ain", "aube", "eure", "gers", "oise", "tarn", "aude", "indre", "meuse", "doubs", "jura", "gard",
];

/// Former régions and other compound names that contain a territory name
/// but are not that territory: they map to the codes listed (maybe none).
const COMPOUNDS: &[(&str, &[&str])] = &[
    ("nord pas de calais", &["DEP-59", "DEP-62"]),
    ("languedoc roussillon", &["DEP-11", "DEP-30", "DEP-34", "DEP-48", "DEP-66"]),
    ("midi pyrenees", &["DEP-09", "DEP-12", "DEP-31", "DEP-32", "DEP-46", "DEP-65", "DEP-81", "DEP-82"]),
    ("poitou charentes", &["DEP-16", "DEP-17", "DEP-79", "DEP-86"]),
    ("rhone alpes", &[]),
    ("champagne ardenne", &["DEP-08", "DEP-10", "DEP-51", "DEP-52"]),
    ("basse normandie", &["DEP-14", "DEP-50", "DEP-61"]),
    ("haute normandie", &["DEP-27", "DEP-76"]),
    ("franche comte", &["DEP-25", "DEP-39", "DEP-70", "DEP-90"]),
    ("afrique du nord", &[]),
    ("europe du nord", &[]),
    ("mer du nord", &[]),
    ("pays de la loire", &["REG-52"]),
    ("val de loire", &[]),
];

/// One territory found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// `REG-76`, `DEP-34`, `COM-34172`.
    pub code: String,
    /// The words as written in the text.
    pub text: String,
}

/// A dictionary of territory names, built once from the reference data.
#[derive(Debug)]
pub struct Detector {
    /// Folded name (words joined by spaces) → codes.
    names: HashMap<String, Vec<String>>,
    /// Longest name, in words.
    max_words: usize,
}

impl Detector {
    pub fn new(geo: &Geo) -> Detector {
        let mut names: HashMap<String, Vec<String>> = HashMap::new();
        let mut add = |name: &str, code: String| {
            let key = fold(name);
            let entry = names.entry(key).or_default();
            // One name, one territory: the first level wins (région, then
            // département, then commune).
            if entry.is_empty() {
                entry.push(code);
            }
        };
        for r in &geo.data.regions {
            add(&r.name, TerritoryKey::new(KindGroup::Region, &r.code).to_string());
        }
        for d in &geo.data.departements {
            add(&d.name, TerritoryKey::new(KindGroup::Departement, &d.code).to_string());
        }
        for c in geo
            .data
            .communes
            .iter()
            .filter(|c| c.kind == Kind::Commune && c.population.unwrap_or(0) >= MIN_COMMUNE_POPULATION)
        {
            add(&c.name, TerritoryKey::new(KindGroup::Commune, &c.code).to_string());
        }
        for (name, codes) in COMPOUNDS {
            names.insert((*name).to_owned(), codes.iter().map(|c| (*c).to_owned()).collect());
        }
        let max_words = names.keys().map(|k| k.split(' ').count()).max().unwrap_or(1);
        Detector { names, max_words }
    }

    /// The territories `text` is about, in order of first mention, without
    /// duplicates.
    pub fn detect(&self, text: &str) -> Vec<Found> {
        let words = tokens(text);
        let mut out: Vec<Found> = Vec::new();
        let mut i = 0;
        while i < words.len() {
            let mut matched = 0;
            for n in (1..=self.max_words.min(words.len() - i)).rev() {
                let key: Vec<&str> = words[i..i + n].iter().map(|w| w.folded.as_str()).collect();
                let key = key.join(" ");
                let Some(codes) = self.names.get(&key) else { continue };
                if n == 1 && !self.plausible(&words, i) {
                    continue;
                }
                let text = words[i..i + n].iter().map(|w| w.raw.as_str()).collect::<Vec<_>>().join(" ");
                for code in codes {
                    if !out.iter().any(|f| &f.code == code) {
                        out.push(Found { code: code.clone(), text: text.clone() });
                    }
                }
                matched = n;
                break;
            }
            i += matched.max(1);
        }
        out
    }

    /// A one-word name counts when capitalised, and, for words that are
    /// also common words, not at the start of a sentence.
    fn plausible(&self, words: &[Token], i: usize) -> bool {
        let w = &words[i];
        if !w.capitalised {
            return false;
        }
        if AMBIGUOUS.contains(&w.folded.as_str()) && (i == 0 || w.sentence_start) {
            return false;
        }
        true
    }
}

#[derive(Debug)]
struct Token {
    raw: String,
    folded: String,
    capitalised: bool,
    /// Preceded by `.`, `!`, `?` or `:` (or the start of the text).
    sentence_start: bool,
}

/// Splits `text` into word tokens the way [`fold`] does (apostrophes and
/// hyphens separate words), keeping the original spelling.
fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut sentence_start = true;
    let mut pending_start = true;
    let flush = |cur: &mut String, out: &mut Vec<Token>, start: bool| {
        if cur.is_empty() {
            return;
        }
        let folded = fold(cur);
        for (j, part) in folded.split(' ').filter(|p| !p.is_empty()).enumerate() {
            out.push(Token {
                raw: cur.clone(),
                folded: part.to_owned(),
                capitalised: cur.chars().next().is_some_and(char::is_uppercase),
                sentence_start: start && j == 0,
            });
        }
        cur.clear();
    };
    for c in text.chars() {
        if c.is_alphanumeric() || c == '\u{0301}' {
            if cur.is_empty() {
                sentence_start = pending_start;
                pending_start = false;
            }
            cur.push(c);
        } else {
            flush(&mut cur, &mut out, sentence_start);
            if matches!(c, '.' | '!' | '?' | ':' | '\n') {
                pending_start = true;
            }
        }
    }
    flush(&mut cur, &mut out, sentence_start);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_of_cases() {
        let geo = Geo::embedded();
        let d = Detector::new(&geo);
        let cases: &[(&str, &[&str])] = &[
            // The classic false positives.
            ("Les finances des communes de Saint-Étienne-du-Rouvray", &["COM-76575"]),
            ("Les saints patrons et la variation saisonnière", &[]),
            ("Un lotissement communal en zone rurale", &[]),
            ("La variation de la population", &[]),
            ("Les communes d'Eure-et-Loir", &["DEP-28"]),
            ("Les communes de l'Eure", &["DEP-27"]),
            ("Le Nord-Pas-de-Calais en 2015", &["DEP-59", "DEP-62"]),
            ("Les communes du Nord", &["DEP-59"]),
            ("Nord : une hausse des dépenses", &[]),
            ("la somme des dotations versées", &[]),
            ("Les dotations dans la Somme (80)", &["DEP-80"]),
            ("Le lot de données est publié", &[]),
            ("Les collectivités du Lot", &["DEP-46"]),
            ("Exportations vers l'Afrique du Nord", &[]),
            // Longest match first.
            ("Emploi en Seine-Saint-Denis", &["DEP-93"]),
            ("La ville de Saint-Denis et ses quartiers", &["COM-93066"]),
            ("Les finances de l'Ain et du Rhône", &["DEP-01", "DEP-69"]),
            ("Région Provence-Alpes-Côte d'Azur", &["REG-93"]),
            ("Les Hautes-Alpes et les Alpes-de-Haute-Provence", &["DEP-05", "DEP-04"]),
            ("Côte-d'Or : bilan démographique", &["DEP-21"]),
            // Case and accents.
            ("Observatoire de l'HÉRAULT", &["DEP-34"]),
            ("Communes de l'herault", &[]),
            ("Montpellier et Toulouse comparées", &["COM-34172", "COM-31555"]),
            ("L'Occitanie en chiffres", &["REG-76"]),
            ("Tours de table financiers", &[]),
            ("Le budget de Tours", &["COM-37261"]),
        ];
        for (text, want) in cases {
            let got: Vec<String> = d.detect(text).into_iter().map(|f| f.code).collect();
            assert_eq!(got, want.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>(), "{text}");
        }
    }
}
