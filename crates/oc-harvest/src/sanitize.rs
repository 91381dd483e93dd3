//! Harvested text made safe: summaries keep a small set of formatting tags
//! (ammonia), everything else becomes plain text. Whatever a source sends —
//! scripts, event handlers, `javascript:` links, style, tracking images — is
//! removed before anything is stored.

use std::collections::HashSet;

/// Longest summary kept, in characters (before sanitising).
pub const MAX_SUMMARY_CHARS: usize = 20_000;
/// Longest title kept, in characters.
pub const MAX_TITLE_CHARS: usize = 500;

const BLOCK_TAGS: &[&str] = &[
    "p",
    "br",
    "div",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "td",
    "th",
    "table",
    "blockquote",
    "section",
    "article",
    "dd",
    "dt",
    "hr",
    "figcaption",
];

fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// Sanitised HTML: paragraphs, lists, emphasis and links (http, https,
/// mailto; relative ones resolved against `base`) only.
pub fn clean_html(html: &str, base: Option<&str>) -> String {
    let tags: HashSet<&str> =
        ["p", "br", "ul", "ol", "li", "em", "strong", "b", "i", "a", "blockquote", "sub", "sup", "abbr", "q", "cite"]
            .into();
    let mut b = ammonia::Builder::default();
    b.tags(tags).clean_content_tags(["script", "style", "title", "noscript", "iframe", "object", "svg", "math"].into());
    match base.and_then(|u| ammonia::Url::parse(u).ok()) {
        Some(u) => b.url_relative(ammonia::UrlRelative::RewriteWithBase(u)),
        None => b.url_relative(ammonia::UrlRelative::Deny),
    };
    b.clean(truncate(html, MAX_SUMMARY_CHARS)).to_string().trim().to_owned()
}

/// Plain text of an HTML fragment: tags removed (with the content of
/// scripts and styles), entities decoded, blocks separated by a space,
/// white space collapsed.
pub fn plain_text(html: &str) -> String {
    let html = truncate(html, MAX_SUMMARY_CHARS);
    // Plain text already: nothing to parse.
    if !html.contains(['<', '&']) {
        return collapse(html);
    }
    // A space before each block tag, so that paragraphs do not run together.
    let mut spaced = String::with_capacity(html.len() + 16);
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        spaced.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if is_block_tag(after) {
            spaced.push(' ');
        }
        spaced.push('<');
        rest = after;
    }
    spaced.push_str(rest);
    let text = ammonia::Builder::empty()
        .clean_content_tags(["script", "style", "title", "noscript", "iframe", "object", "svg", "math"].into())
        .clean(&spaced)
        .to_string();
    // The serialiser escapes only these.
    let text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&nbsp;", "\u{a0}").replace("&amp;", "&");
    collapse(&text)
}

/// Whether the tag starting `after` (the text after its `<`, closing
/// slash included) is a block tag, after which words must not run on.
fn is_block_tag(after: &str) -> bool {
    let name: String =
        after.trim_start_matches('/').chars().take_while(char::is_ascii_alphanumeric).collect::<String>();
    BLOCK_TAGS.contains(&name.to_ascii_lowercase().as_str())
}

/// Plain text of HTML that [`clean_html`] produced: well-formed, without
/// scripts or styles, so a simple scan is enough (no second parse).
pub fn text_of_clean(clean: &str) -> String {
    let mut out = String::with_capacity(clean.len());
    let mut rest = clean;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if is_block_tag(after) {
            out.push(' ');
        }
        match after.find('>') {
            Some(j) => rest = &after[j + 1..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    let out = out
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", "\u{a0}")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    collapse(&out)
}

/// One line of plain text (titles, names): [`plain_text`], at most
/// [`MAX_TITLE_CHARS`] characters.
pub fn clean_line(s: &str) -> String {
    let t = plain_text(s);
    match t.char_indices().nth(MAX_TITLE_CHARS) {
        Some((i, _)) => format!("{}…", t[..i].trim_end()),
        None => t,
    }
}

fn collapse(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c.is_control()).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_and_handlers_never_survive() {
        let evil = r#"<p onclick="alert(1)">Bonjour <script>alert(2)</script><a href="javascript:alert(3)">x</a>
            <img src=x onerror=alert(4)><style>p{}</style><a href="/rel">rel</a> <iframe src="https://e.vil"></iframe></p>"#;
        let html = clean_html(evil, Some("https://www.insee.fr/fr/statistiques/1"));
        for bad in ["script", "onclick", "javascript", "onerror", "<img", "style", "iframe", "alert(2)"] {
            assert!(!html.contains(bad), "{bad} in {html}");
        }
        assert!(html.contains(r#"href="https://www.insee.fr/rel""#), "{html}");
        assert!(html.contains("rel=\"noopener noreferrer\""), "{html}");
        let text = plain_text(evil);
        assert_eq!(text, "Bonjour x rel");
        assert_eq!(text_of_clean(&html), "Bonjour x rel");
        let clean = clean_html("<p>Dépenses &amp; recettes</p><p>3 &lt; 4</p>", None);
        assert_eq!(text_of_clean(&clean), plain_text("<p>Dépenses &amp; recettes</p><p>3 &lt; 4</p>"));
    }

    #[test]
    fn text_keeps_entities_and_separates_blocks() {
        assert_eq!(
            plain_text("<p>Dépenses &amp; recettes</p><p>2024&nbsp;: 3 &lt; 4</p>"),
            "Dépenses & recettes 2024 : 3 < 4"
        );
        assert_eq!(plain_text("l'<strong>État</strong> local"), "l'État local");
        assert_eq!(plain_text("a <b>1</b><br/>b"), "a 1 b");
        assert_eq!(clean_line("  Titre\n sur   deux lignes <i>en italique</i> "), "Titre sur deux lignes en italique");
        let long = "x".repeat(2 * MAX_TITLE_CHARS);
        assert_eq!(clean_line(&long).chars().count(), MAX_TITLE_CHARS + 1);
        // A "<" in plain text is not a tag.
        assert_eq!(plain_text("taux < 5 % et > 2 %"), "taux < 5 % et > 2 %");
    }
}
