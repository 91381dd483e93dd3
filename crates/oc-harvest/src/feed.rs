//! RSS 0.9x/1.0/2.0, Atom and JSON Feed sources, read with feed-rs.
//!
//! Some publishers write dates with French day and month names
//! (`mar., 14 janv. 2025 10:00:00 +0100`): they are rewritten in English
//! before parsing, inside date elements only, so that the date is kept.

use feed_rs::parser;

use oc_library::canonical::canonical_url;
use oc_library::Precision;

/// One entry of a feed, ready to be stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// Canonical URL of the entry's link.
    pub url: String,
    pub title: String,
    /// Summary as published (HTML, not yet sanitised).
    pub summary_html: String,
    /// Publication (or update) date, as a day.
    pub published: Option<(String, Precision)>,
    /// Category terms or labels.
    pub categories: Vec<String>,
    /// An illustration (media thumbnail or image enclosure), http(s) only.
    pub image: Option<String>,
    /// The entry's rights (Atom `rights`), else the Atom feed's.
    pub rights: Option<String>,
}

/// What a feed gave: its items, and the entries that were skipped (why).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parsed {
    pub items: Vec<Item>,
    pub skipped: Vec<String>,
}

const FRENCH: &[(&str, &str)] = &[
    ("janvier", "Jan"),
    ("janv.", "Jan"),
    ("janv", "Jan"),
    ("février", "Feb"),
    ("fevrier", "Feb"),
    ("févr.", "Feb"),
    ("févr", "Feb"),
    ("fevr", "Feb"),
    ("mars", "Mar"),
    ("avril", "Apr"),
    ("avr.", "Apr"),
    ("avr", "Apr"),
    ("mai", "May"),
    ("juin", "Jun"),
    ("juillet", "Jul"),
    ("juil.", "Jul"),
    ("juil", "Jul"),
    ("août", "Aug"),
    ("aout", "Aug"),
    ("septembre", "Sep"),
    ("sept.", "Sep"),
    ("sept", "Sep"),
    ("octobre", "Oct"),
    ("oct.", "Oct"),
    ("novembre", "Nov"),
    ("nov.", "Nov"),
    ("décembre", "Dec"),
    ("decembre", "Dec"),
    ("déc.", "Dec"),
    ("dec.", "Dec"),
    ("lundi", "Mon"),
    ("lun.", "Mon"),
    ("mardi", "Tue"),
    ("mar.", "Tue"),
    ("mercredi", "Wed"),
    ("mer.", "Wed"),
    ("jeudi", "Thu"),
    ("jeu.", "Thu"),
    ("vendredi", "Fri"),
    ("ven.", "Fri"),
    ("samedi", "Sat"),
    ("sam.", "Sat"),
    ("dimanche", "Sun"),
    ("dim.", "Sun"),
];

/// Rewrites French day and month names inside `<pubDate>`, `<dc:date>`,
/// `<published>` and `<updated>` elements.
pub fn english_dates(xml: &str) -> String {
    let mut out = String::with_capacity(xml.len());
    let mut rest = xml;
    'outer: while !rest.is_empty() {
        // Only a '<' can start a date element.
        if !rest.starts_with('<') {
            let first = rest.chars().next().map_or(1, char::len_utf8);
            let next = rest[first..].find('<').map_or(rest.len(), |i| i + first);
            out.push_str(&rest[..next]);
            rest = &rest[next..];
            continue;
        }
        for tag in ["pubDate", "dc:date", "published", "updated", "lastBuildDate"] {
            let open = format!("<{tag}>");
            if rest.starts_with(&open) {
                let close = format!("</{tag}>");
                // A date is short: look for its end nearby only, so that
                // unclosed tags cost nothing.
                let mut cut = rest.len().min(open.len() + 200);
                while !rest.is_char_boundary(cut) {
                    cut -= 1;
                }
                if let Some(end) = rest[..cut].find(&close) {
                    let inner = &rest[open.len()..end];
                    out.push_str(&open);
                    out.push_str(&translate(inner));
                    out.push_str(&close);
                    rest = &rest[end + close.len()..];
                    continue 'outer;
                }
            }
        }
        let c = rest.chars().next().unwrap_or(' ');
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

fn translate(date: &str) -> String {
    date.split_whitespace()
        .map(|w| {
            let lower = w.to_lowercase();
            let (word, comma) = match lower.strip_suffix(',') {
                Some(x) => (x.to_owned(), ","),
                None => (lower, ""),
            };
            match FRENCH.iter().find(|(fr, _)| *fr == word) {
                Some((_, en)) => format!("{en}{comma}"),
                None => w.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Parses a feed document; `what` names it in errors.
pub fn parse(bytes: &[u8], content_type: Option<&str>, what: &str) -> crate::Result<Parsed> {
    read(bytes, content_type, what).map_err(crate::HarvestError::Format)
}

fn read(bytes: &[u8], content_type: Option<&str>, what: &str) -> Result<Parsed, String> {
    let text = crate::charset::decode(bytes, content_type);
    let fixed = english_dates(&text);
    let feed = parser::parse(fixed.as_bytes()).map_err(|e| format!("{what} : flux illisible ({e})"))?;
    let mut out = Parsed::default();
    let plain = |t: Option<feed_rs::model::Text>| t.map(|t| t.content.trim().to_owned()).filter(|t| !t.is_empty());
    // An Atom feed's rights cover its entries; an RSS channel's
    // copyright (« © 2026 … ») is no licence.
    let feed_rights = if matches!(feed.feed_type, feed_rs::model::FeedType::Atom) { plain(feed.rights) } else { None };
    for (i, e) in feed.entries.into_iter().enumerate() {
        let title = e.title.map(|t| t.content.trim().to_owned()).unwrap_or_default();
        let link = e.links.iter().map(|l| l.href.as_str()).find(|h| h.starts_with("http")).map(str::to_owned);
        let Some(link) = link else {
            out.skipped.push(format!("{what}, entrée {} ({title:?}) : sans lien", i + 1));
            continue;
        };
        let url = match canonical_url(&link) {
            Ok(u) => u,
            Err(m) => {
                out.skipped.push(format!("{what}, entrée {} : {m}", i + 1));
                continue;
            }
        };
        if title.is_empty() {
            out.skipped.push(format!("{what}, entrée {} ({url}) : sans titre", i + 1));
            continue;
        }
        let summary_html = e.summary.map(|s| s.content).or_else(|| e.content.and_then(|c| c.body)).unwrap_or_default();
        let date = e.published.or(e.updated).map(|d| (d.format("%Y-%m-%d").to_string(), Precision::Day));
        let categories =
            e.categories.into_iter().map(|c| c.label.unwrap_or(c.term)).filter(|c| !c.trim().is_empty()).collect();
        let image = e
            .media
            .iter()
            .flat_map(|m| {
                m.thumbnails.iter().map(|t| t.image.uri.clone()).chain(
                    m.content
                        .iter()
                        .filter(|c| c.content_type.as_ref().is_some_and(|t| t.ty() == "image"))
                        .filter_map(|c| c.url.as_ref().map(|u| u.to_string())),
                )
            })
            .find(|u| u.starts_with("https://") || u.starts_with("http://"));
        let rights = plain(e.rights).or_else(|| feed_rights.clone());
        out.items.push(Item { url, title, summary_html, published: date, categories, image, rights });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Small feeds in each format, about real publications of the seed
    // catalogue (titles and URLs as published).
    const RSS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>DGCL</title><link>https://www.collectivites-locales.gouv.fr</link><description>x</description>
<item><title>Les collectivités locales en chiffres 2023</title>
<link>https://www.collectivites-locales.gouv.fr/collectivites-locales-chiffres?xtor=RSS-1#top</link>
<description>&lt;p&gt;Annuaire statistique &amp;amp; séries longues&lt;/p&gt;</description>
<pubDate>mar., 14 janv. 2025 10:00:00 +0100</pubDate><category>Finances</category></item>
<item><title>Sans lien</title><description>x</description></item>
</channel></rss>"#;

    const ATOM: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Insee</title><id>urn:x</id><updated>2025-02-03T00:00:00Z</updated>
<entry><title>Les collectivités locales en chiffres 2015</title><id>urn:1</id>
<link href="http://www.collectivites-locales.gouv.fr/collectivites-locales-chiffres-2015"/>
<updated>2015-06-01T00:00:00Z</updated><summary type="html">Vingt-cinquième édition</summary></entry>
</feed>"#;

    const JSON: &str = r#"{"version":"https://jsonfeed.org/version/1.1","title":"OFGL","items":[
{"id":"1","url":"https://www.collectivites-locales.gouv.fr/collectivites-locales-chiffres","title":"Les collectivités locales en chiffres 2023","date_published":"2023-07-01T00:00:00Z","content_html":"<p>Annuaire</p>"}]}"#;

    #[test]
    fn rss_with_french_dates_tracking_and_a_bad_entry() {
        let p = parse(RSS.as_bytes(), None, "dgcl.rss").unwrap();
        assert_eq!(p.items.len(), 1);
        let i = &p.items[0];
        assert_eq!(i.url, "https://www.collectivites-locales.gouv.fr/collectivites-locales-chiffres");
        assert_eq!(i.published, Some(("2025-01-14".into(), Precision::Day)), "French date kept");
        assert_eq!(i.categories, vec!["Finances"]);
        assert!(i.summary_html.contains("Annuaire"));
        assert_eq!(p.skipped.len(), 1);
        assert!(p.skipped[0].contains("sans lien"), "{:?}", p.skipped);
    }

    #[test]
    fn atom_and_json_feed() {
        let a = parse(ATOM.as_bytes(), None, "insee.atom").unwrap();
        assert_eq!(a.items[0].published, Some(("2015-06-01".into(), Precision::Day)));
        let j = parse(JSON.as_bytes(), None, "ofgl.json").unwrap();
        assert_eq!(j.items[0].title, "Les collectivités locales en chiffres 2023");
        assert!(
            parse(b"<rss><channel><item>", None, "broken").is_err()
                || parse(b"<rss><channel><item>", None, "broken").unwrap().items.is_empty()
        );
        assert!(parse(b"not a feed", None, "junk").is_err());
    }

    #[test]
    fn entity_bombs_and_latin1() {
        let bomb = r#"<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;"><!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">]>
<rss version="2.0"><channel><title>x</title><item><title>&g;</title><link>https://a.fr/1</link></item></channel></rss>"#;
        let start = std::time::Instant::now();
        // Either refused or read without expanding: never hours of work or gigabytes.
        if let Ok(p) = parse(bomb.as_bytes(), None, "bomb") {
            assert!(p.items.iter().all(|i| i.title.len() < 10_000));
        }
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
        let latin1 = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss \
            version=\"2.0\"><channel><title>x</title><item><title>Coll\xe9ctivit\xe9s</title><link>https://a.fr/1</link></item></channel></rss>";
        assert_eq!(parse(latin1, None, "latin1").unwrap().items[0].title, "Colléctivités");
    }

    #[test]
    fn rss_1_0_and_images() {
        let rdf = r#"<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://www.insee.fr"><title>Insee</title><link>https://www.insee.fr</link><description>x</description></channel>
<item rdf:about="https://www.insee.fr/fr/statistiques/3694585"><title>Démographie des EPCI</title><link>https://www.insee.fr/fr/statistiques/3694585</link>
<dc:date>2019-01-15</dc:date></item></rdf:RDF>"#;
        let p = parse(rdf.as_bytes(), None, "rss1").unwrap();
        assert_eq!(p.items[0].title, "Démographie des EPCI");
        assert_eq!(p.items[0].published, Some(("2019-01-15".into(), Precision::Day)));
        let rss = r#"<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>x</title><link>https://a.fr</link><description>x</description>
<item><title>T</title><link>https://a.fr/1</link><enclosure url="https://a.fr/i.jpg" type="image/jpeg" length="1"/></item></channel></rss>"#;
        assert_eq!(parse(rss.as_bytes(), None, "img").unwrap().items[0].image.as_deref(), Some("https://a.fr/i.jpg"));
    }

    #[test]
    fn french_date_words() {
        assert_eq!(
            english_dates("été <pubDate>mar., 14 janv. 2025</pubDate> à"),
            "été <pubDate>Tue, 14 Jan 2025</pubDate> à"
        );
        let unclosed = "<updated>".repeat(200_000);
        let t = std::time::Instant::now();
        assert_eq!(english_dates(&unclosed), unclosed);
        assert!(t.elapsed() < std::time::Duration::from_secs(2), "unclosed date tags cost nothing");
        assert_eq!(
            english_dates("<pubDate>lundi, 3 févr. 2025</pubDate><title>mars</title>"),
            "<pubDate>Mon, 3 Feb 2025</pubDate><title>mars</title>"
        );
    }
}
