//! Text made safe for markup written by hand: the Atom feed
//! (`/publications.atom`), the sitemap and the SVG maps of the web server,
//! and the HTML summaries the harvester makes of plain text. Every such
//! string goes through [`escape`], the one function for it.
//!
//! Markup built with maud is HTML, not XML: maud escapes it, and the code
//! points dropped here are only parse errors there, never a broken page.

/// Escapes `s` for an XML 1.0 text node or attribute value (quoted with
/// `"` or `'`), and drops every code point a well-formed document may not
/// hold or that XML 1.0 discourages.
///
/// Escaped: `&` `<` `>` `"` `'`.
///
/// Dropped (not replaced with U+FFFD: what remains reads as the text
/// meant, and a query or a title never needs these):
/// - outside the `Char` production of XML 1.0: the C0 controls
///   U+0000–U+001F except TAB, LF and CR, and U+FFFE and U+FFFF. The
///   surrogates U+D800–U+DFFF are outside it too, but a Rust `str` cannot
///   hold them.
/// - inside `Char` but discouraged (XML 1.0 §2.2): DEL and the C1 controls
///   U+007F–U+009F, and the noncharacters U+FDD0–U+FDEF and the last two
///   code points of each astral plane (U+1FFFE, U+1FFFF, …, U+10FFFF).
///   Controls are invisible and never meant in our data (a C1 control is
///   mostly Windows-1252 read as Latin-1); XML 1.1 processors would refuse
///   them unescaped and turn NEL (U+0085) into a line break; feed readers
///   differ on them. Dropping them gives the same text everywhere.
///
/// Every other character, astral ones included (U+1F600), is kept as is.
///
/// ```
/// assert_eq!(oc_model::markup::escape("R&D <Hérault>"), "R&amp;D &lt;Hérault&gt;");
/// ```
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if allowed(c) => out.push(c),
            _ => {}
        }
    }
    out
}

/// Whether [`escape`] keeps `c` (see there).
fn allowed(c: char) -> bool {
    match u32::from(c) {
        0x09 | 0x0A | 0x0D => true,
        0x00..=0x1F | 0x7F..=0x9F => false,
        0xFDD0..=0xFDEF => false,
        // U+FFFE, U+FFFF and the same two at the end of every astral plane.
        n if n & 0xFFFE == 0xFFFE => false,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_the_five_markup_characters() {
        assert_eq!(escape(r#"a & b < c > d "e" 'f'"#), "a &amp; b &lt; c &gt; d &quot;e&quot; &#39;f&#39;");
        assert_eq!(escape("&amp;"), "&amp;amp;", "already escaped text is text");
        assert_eq!(escape(""), "");
    }

    #[test]
    fn drops_every_c0_control_but_tab_lf_cr() {
        for n in 0u32..0x20 {
            let c = char::from_u32(n).unwrap();
            let got = escape(&format!("a{c}b"));
            if matches!(n, 0x09 | 0x0A | 0x0D) {
                assert_eq!(got, format!("a{c}b"), "U+{n:04X} is allowed in XML 1.0");
            } else {
                assert_eq!(got, "ab", "U+{n:04X} is not an XML 1.0 Char");
            }
        }
    }

    #[test]
    fn drops_the_non_characters_fffe_and_ffff() {
        assert_eq!(escape("a\u{FFFE}b\u{FFFF}c"), "abc");
        assert_eq!(escape("\u{FFFE}\u{FFFF}"), "");
        // The neighbours are ordinary characters.
        assert_eq!(escape("\u{FFFD}\u{FFFC}"), "\u{FFFD}\u{FFFC}");
    }

    #[test]
    fn drops_del_c1_controls_and_other_discouraged_noncharacters() {
        for n in 0x7Fu32..=0x9F {
            let c = char::from_u32(n).unwrap();
            assert_eq!(escape(&format!("a{c}b")), "ab", "U+{n:04X} is discouraged");
        }
        for n in [0xFDD0u32, 0xFDEF, 0x1FFFE, 0x1FFFF, 0x10FFFE, 0x10FFFF] {
            let c = char::from_u32(n).unwrap();
            assert_eq!(escape(&format!("a{c}b")), "ab", "U+{n:04X} is a noncharacter");
        }
    }

    #[test]
    fn keeps_ordinary_and_astral_characters() {
        let s = "Bibliothèque « Île-de-France » — 10\u{202F}000\u{A0}€ \u{1F600} \u{10000} \u{1FFFD} \u{10FFFD} \
            \u{FDCF}\u{FDF0} \u{A0}\u{D7FF}\u{E000}";
        assert_eq!(escape(s), s);
        assert_eq!(escape("tab\tlf\ncr\r"), "tab\tlf\ncr\r");
    }

    #[test]
    fn every_code_point_kept_is_an_xml_char() {
        // The Char production of XML 1.0 (fifth edition), as written there.
        let is_char = |n: u32| matches!(n, 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF);
        for n in 0..=0x10FFFFu32 {
            if let Some(c) = char::from_u32(n) {
                if allowed(c) {
                    assert!(is_char(n), "U+{n:04X} kept but not an XML Char");
                } else {
                    assert!(
                        !is_char(n) || matches!(n, 0x7F..=0x9F | 0xFDD0..=0xFDEF) || n & 0xFFFE == 0xFFFE,
                        "U+{n:04X} dropped without reason"
                    );
                }
            }
        }
    }
}
