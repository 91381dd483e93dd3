//! French-aware text folding shared by indexing and querying.
//!
//! Everything that compares names goes through [`fold`]: lower case,
//! accents removed (NFKD then combining marks dropped), ligatures expanded
//! (œ→oe, æ→ae, ß→ss), and every character that is neither a letter nor a
//! digit turned into a single separator. Hyphens, apostrophes (straight or
//! typographic) and spaces are therefore the same thing.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Folds `input` to lower-case ASCII-ish words separated by single spaces.
///
/// ```
/// use oc_model::text::fold;
/// assert_eq!(fold("L'Haÿ-les-Roses"), "l hay les roses");
/// assert_eq!(fold("  Œuvre  ÆSOP "), "oeuvre aesop");
/// ```
pub fn fold(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut pending_sep = false;
    for c in input.nfkd() {
        if is_combining_mark(c) {
            continue;
        }
        let expanded: &str = match c {
            'œ' | 'Œ' => "oe",
            'æ' | 'Æ' => "ae",
            'ß' => "ss",
            'ø' | 'Ø' => "o",
            'ð' | 'Ð' => "d",
            'þ' | 'Þ' => "th",
            'ł' | 'Ł' => "l",
            'đ' | 'Đ' => "d",
            _ => "",
        };
        if !expanded.is_empty() {
            if pending_sep && !out.is_empty() {
                out.push(' ');
            }
            pending_sep = false;
            out.push_str(expanded);
            continue;
        }
        if c.is_alphanumeric() {
            if pending_sep && !out.is_empty() {
                out.push(' ');
            }
            pending_sep = false;
            for l in c.to_lowercase() {
                out.push(l);
            }
        } else {
            pending_sep = true;
        }
    }
    out
}

/// The words of [`fold`]ed text.
pub fn words(input: &str) -> Vec<String> {
    fold(input).split(' ').filter(|w| !w.is_empty()).map(str::to_owned).collect()
}

/// The folded text with every separator removed: `L'Haÿ-les-Roses` →
/// `lhaylesroses`. Two names are "the same" when their compact forms are.
pub fn compact(input: &str) -> String {
    fold(input).replace(' ', "")
}

/// Expands the usual abbreviations of place names: `st` → `saint`,
/// `ste` → `sainte`, `sts` → `saints`, `stes` → `saintes`.
pub fn expand_abbreviation(word: &str) -> Option<&'static str> {
    match word {
        "st" => Some("saint"),
        "ste" => Some("sainte"),
        "sts" => Some("saints"),
        "stes" => Some("saintes"),
        _ => None,
    }
}

/// Words of a user query, with abbreviations expanded.
pub fn query_words(input: &str) -> Vec<String> {
    words(input).into_iter().map(|w| expand_abbreviation(&w).map(str::to_owned).unwrap_or(w)).collect()
}

/// URL slug: folded words joined by hyphens (`Saint-Étienne` → `saint-etienne`).
pub fn slug(input: &str) -> String {
    fold(input).replace(' ', "-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_accents_and_ligatures() {
        assert_eq!(fold("ÉÈÊËéèêë"), "eeeeeeee");
        assert_eq!(fold("Cœur"), "coeur");
        assert_eq!(fold("Lætitia"), "laetitia");
        assert_eq!(fold("L'Haÿ-les-Roses"), "l hay les roses");
        assert_eq!(fold("Ça"), "ca");
        assert_eq!(fold("Straße"), "strasse");
    }

    #[test]
    fn hyphens_apostrophes_and_spaces_are_alike() {
        let forms = ["l'hay-les-roses", "l hay les roses", "L’Haÿ—les Roses", "l-hay--les_roses"];
        for f in forms {
            assert_eq!(fold(f), "l hay les roses", "{f}");
        }
        assert_eq!(compact("lhay les roses"), compact("L'Haÿ-les-Roses"));
    }

    #[test]
    fn superscript_abbreviation_folds_to_st() {
        // "Sᵗ" (modifier letter small t) is how old documents write "St".
        assert_eq!(fold("Sᵗ-Étienne"), "st etienne");
        assert_eq!(query_words("Sᵗ-Étienne"), vec!["saint", "etienne"]);
        assert_eq!(query_words("ste foy"), vec!["sainte", "foy"]);
        assert_eq!(query_words("stains"), vec!["stains"]);
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("Saint-Étienne"), "saint-etienne");
        assert_eq!(slug("L'Abergement-Clémenciat"), "l-abergement-clemenciat");
        assert_eq!(slug("Paris 1er Arrondissement"), "paris-1er-arrondissement");
        assert_eq!(slug("CC Faucigny - Glières"), "cc-faucigny-glieres");
    }

    #[test]
    fn empty_and_symbol_only_inputs() {
        assert_eq!(fold(""), "");
        assert_eq!(fold(" '-- ; "), "");
        assert!(words("'-").is_empty());
    }
}
