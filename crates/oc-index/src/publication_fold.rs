//! The publications analyser's first filter: each word folded by the one
//! fold of the project (`oc_model::text::fold`: lower case, accents and
//! ligatures, `Œ` → `oe`), before stop words and stems; and the French
//! stop words, folded the same way.

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// Folds each token.
#[derive(Clone)]
pub struct Fold;

impl TokenFilter for Fold {
    type Tokenizer<T: Tokenizer> = FoldFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> FoldFilter<T> {
        FoldFilter { tokenizer }
    }
}

#[derive(Clone)]
pub struct FoldFilter<T> {
    tokenizer: T,
}

impl<T: Tokenizer> Tokenizer for FoldFilter<T> {
    type TokenStream<'a> = FoldStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        FoldStream { tail: self.tokenizer.token_stream(text) }
    }
}

pub struct FoldStream<T> {
    tail: T,
}

impl<T: TokenStream> TokenStream for FoldStream<T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let t = self.tail.token_mut();
        if t.text.is_ascii() {
            t.text.make_ascii_lowercase();
        } else {
            // A word folds to one word (the tokenizer split on everything
            // else); a compatibility form may bring a separator: dropped.
            t.text = oc_model::text::fold(&t.text).replace(' ', "");
        }
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// Snowball's French stop words (as tantivy lists them), folded.
const FRENCH_STOP_WORDS: &[&str] = &[
    "au", "aux", "avec", "ce", "ces", "dans", "de", "des", "du", "elle", "en", "et", "eux", "il", "je", "la", "le",
    "leur", "lui", "ma", "mais", "me", "même", "mes", "moi", "mon", "ne", "nos", "notre", "nous", "on", "ou", "par",
    "pas", "pour", "qu", "que", "qui", "sa", "se", "ses", "sur", "ta", "te", "tes", "toi", "ton", "tu", "un", "une",
    "vos", "votre", "vous", "c", "d", "j", "l", "à", "m", "n", "s", "t", "y", "étée", "étées", "étant", "suis", "es",
    "êtes", "sont", "serai", "seras", "sera", "serons", "serez", "seront", "serais", "serait", "serions", "seriez",
    "seraient", "étais", "était", "étions", "étiez", "étaient", "fus", "fut", "fûmes", "fûtes", "furent", "sois",
    "soit", "soyons", "soyez", "soient", "fusse", "fusses", "fussions", "fussiez", "fussent", "ayant", "eu", "eue",
    "eues", "eus", "ai", "avons", "avez", "ont", "aurai", "aurons", "aurez", "auront", "aurais", "aurait", "aurions",
    "auriez", "auraient", "avais", "avait", "aviez", "avaient", "eut", "eûmes", "eûtes", "eurent", "aie", "aies",
    "ait", "ayons", "ayez", "aient", "eusse", "eusses", "eût", "eussions", "eussiez", "eussent", "ceci", "cela",
    "celà", "cet", "cette", "ici", "ils", "les", "leurs", "quel", "quels", "quelle", "quelles", "sans", "soi",
];

/// The stop words, folded as the tokens are when they meet them.
pub fn stop_words() -> Vec<String> {
    let mut v: Vec<String> = FRENCH_STOP_WORDS.iter().map(|w| oc_model::text::fold(w)).collect();
    v.sort();
    v.dedup();
    v
}

#[cfg(test)]
mod tests {
    use crate::publications::french_analyzer;

    fn tokens(text: &str) -> Vec<String> {
        let mut a = french_analyzer();
        let mut s = a.token_stream(text);
        let mut out = Vec::new();
        while s.advance() {
            out.push(s.token().text.clone());
        }
        out
    }

    #[test]
    fn every_accented_letter_and_ligature_is_its_plain_letter() {
        // Each letter of French (and the ligatures), lower and upper case,
        // inside a word: the word with the letter folded is the same token.
        let letters = [
            ("à", "a"),
            ("â", "a"),
            ("ä", "a"),
            ("ç", "c"),
            ("é", "e"),
            ("è", "e"),
            ("ê", "e"),
            ("ë", "e"),
            ("î", "i"),
            ("ï", "i"),
            ("ô", "o"),
            ("ö", "o"),
            ("ù", "u"),
            ("û", "u"),
            ("ü", "u"),
            ("ÿ", "y"),
            ("ñ", "n"),
            ("œ", "oe"),
            ("æ", "ae"),
        ];
        for (accented, plain) in letters {
            for (a, p) in [(accented.to_owned(), plain.to_owned()), (accented.to_uppercase(), plain.to_uppercase())] {
                let word = format!("territ{a}rialit{a}s");
                let folded = format!("territ{p}rialit{p}s");
                assert_eq!(tokens(&word), tokens(&folded), "{word} / {folded}");
                assert_eq!(tokens(&word), tokens(&folded.to_lowercase()), "{word}: case");
            }
        }
        assert_eq!(tokens("fiscalité"), tokens("fiscalite"));
        assert_eq!(tokens("Intercommunalité"), tokens("intercommunalite"));
        assert_eq!(tokens("ŒUVRES"), tokens("oeuvres"));
    }

    #[test]
    fn stop_words_go_with_or_without_their_accents() {
        assert_eq!(tokens("à la fiscalité"), tokens("fiscalite"));
        assert_eq!(tokens("A LA fiscalite"), tokens("fiscalite"));
        assert!(tokens("où est-ce").iter().all(|t| t != "ou"));
    }
}
