//! The back office for librarians: the current page marked in its menu,
//! an audit log that reads as French, schedules and source kinds named in
//! French, dates in Paris time, agreed counts, the weight explained, the
//! filter of documents useful to all yet tied to one territory.
//!
//! These tests share the back-office app of `admin.rs`; each works on its
//! own documents, sources and accounts.

use axum::http::StatusCode;
use oc_library::accounts::Role;
use scraper::{ElementRef, Html, Selector};

use crate::admin::{fixture, Client, PASSWORD};

fn sel(css: &str) -> Selector {
    Selector::parse(css).expect("selector")
}

/// The text of an element, its white space collapsed.
fn text(e: ElementRef<'_>) -> String {
    e.text().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" ")
}

fn texts(doc: &Html, css: &str) -> Vec<String> {
    doc.select(&sel(css)).map(text).collect()
}

/// The text a reader sees at first: without what is inside `<pre>`,
/// `<code>` (raw data, cron expressions) and form fields.
fn visible_text(doc: &Html) -> String {
    let mut out = String::new();
    for node in doc.root_element().descendants() {
        let Some(t) = node.value().as_text() else { continue };
        let hidden = node
            .ancestors()
            .filter_map(|a| a.value().as_element())
            .any(|e| matches!(e.name(), "pre" | "code" | "script" | "style" | "option" | "textarea" | "title"));
        if !hidden {
            out.push_str(t);
            out.push(' ');
        }
    }
    out
}

/// Does `s` hold a time the way the store writes it (`2026-12-04T05:07:00Z`)?
fn has_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    (0..b.len().saturating_sub(16)).any(|i| {
        let digits = |r: std::ops::Range<usize>| r.into_iter().all(|j| b[j].is_ascii_digit());
        digits(i..i + 4) && b[i + 4] == b'-' && digits(i + 5..i + 7) && b[i + 7] == b'-' && b[i + 10] == b'T'
    })
}

async fn store<T: Send + 'static>(f: impl FnOnce(&mut oc_library::store::Library) -> T + Send + 'static) -> T {
    let lib = fixture().app.library.clone().expect("library");
    tokio::task::spawn_blocking(move || f(&mut lib.lock())).await.expect("join")
}

#[tokio::test]
async fn the_admin_menu_marks_the_current_page() {
    let c = Client::login("admin-test").await;
    for (page, current) in [
        ("/admin", "/admin"),
        ("/admin/documents", "/admin/documents"),
        ("/admin/documents/nouveau", "/admin/documents"),
        ("/admin/documents/1", "/admin/documents"),
        ("/admin/taxonomies", "/admin/taxonomies"),
        ("/admin/sources", "/admin/sources"),
        ("/admin/sources/nouvelle", "/admin/sources"),
        ("/admin/messages", "/admin/messages"),
        ("/admin/utilisateurs", "/admin/utilisateurs"),
        ("/admin/journal", "/admin/journal"),
    ] {
        let r = c.get(page).await;
        assert_eq!(r.status, StatusCode::OK, "{page}: {}", r.body);
        let doc = Html::parse_document(&r.body);
        let marked: Vec<(String, String)> = doc
            .select(&sel("nav.oc-admin-nav a.fr-nav__link[aria-current]"))
            .map(|a| {
                (
                    a.value().attr("href").unwrap_or("").to_owned(),
                    a.value().attr("aria-current").unwrap_or("").to_owned(),
                )
            })
            .collect();
        assert_eq!(marked, vec![(current.to_owned(), "page".to_owned())], "{page}");
    }
    // A librarian's menu has no admin entries, and marks its page too.
    let l = Client::login("biblio-test").await;
    let doc = Html::parse_document(&l.get("/admin/taxonomies").await.body);
    assert_eq!(texts(&doc, "nav.oc-admin-nav a.fr-nav__link"), ["Tableau de bord", "Documents", "Taxonomies"]);
    assert_eq!(texts(&doc, "nav.oc-admin-nav a[aria-current=\"page\"]"), ["Taxonomies"]);
}

/// Adds a document by hand; its number.
async fn add_document(c: &Client, url: &str, title: &str) -> i64 {
    let r = c
        .post(
            "/admin/documents/nouveau",
            &[
                ("url", url),
                ("title", title),
                ("publisher", "Insee"),
                ("resource_type", "Publication statistique"),
                ("status", "published"),
                ("weight", "0"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    r.location().trim_start_matches("/admin/documents/").split('?').next().unwrap().parse().expect("a number")
}

#[tokio::test]
async fn the_audit_log_reads_as_french_with_the_raw_data_behind_a_disclosure() {
    let c = Client::login("admin-test").await;
    let id = add_document(&c, "https://journal.example/budget", "Budget primitif de journal-test").await;
    let r = c
        .post(
            &format!("/admin/documents/{id}"),
            &[
                ("title", "Budget primitif de journal-test"),
                ("publisher", "Insee"),
                ("resource_type", "Publication statistique"),
                ("status", "unpublished"),
                ("weight", "0"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = c.get(&format!("/admin/journal?cible=document:{id}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let doc = Html::parse_document(&r.body);
    let rows: Vec<ElementRef> = doc.select(&sel("table.oc-journal tbody tr")).collect();
    assert_eq!(rows.len(), 2, "added, then edited: {}", r.body);
    let edit = rows[0];
    assert_eq!(edit.value().attr("data-action"), Some("document.edit"));
    let cells: Vec<String> = edit.select(&sel("td")).map(text).collect();
    assert_eq!(cells[2], "Document modifié");
    assert_eq!(cells[3], format!("Document n° {id}"));
    let changes: Vec<String> = edit.select(&sel("ul.oc-journal-changes li")).map(text).collect();
    assert_eq!(changes, ["Statut : publié → non publié"], "only what changed, in French");
    // The raw JSON is still there, behind « Données brutes ».
    let raw = edit.select(&sel("details")).next().expect("a disclosure");
    assert_eq!(raw.select(&sel("summary")).next().map(text).as_deref(), Some("Données brutes"));
    assert!(raw.select(&sel("pre")).any(|p| text(p).contains("\"status\": \"unpublished\"")), "{}", raw.html());
    // Dates in French, Paris time.
    let when = &cells[0];
    assert!(!has_rfc3339(when) && when.contains(" à ") && when.contains(" h "), "{when}");
    let months = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre"];
    let months = [&months[..], &["novembre", "décembre"]].concat();
    assert!(months.iter().any(|m| when.contains(m)), "{when}");
    let add = rows[1];
    assert_eq!(add.select(&sel("td")).nth(2).map(text).as_deref(), Some("Document ajouté à la main"));
    let added: Vec<String> = add.select(&sel("ul.oc-journal-changes li")).map(text).collect();
    assert!(added.contains(&"Titre : Budget primitif de journal-test".to_owned()), "{added:?}");
    assert!(added.contains(&"Statut : publié".to_owned()), "{added:?}");
    // The filter names actions in French.
    let options = texts(&doc, "#j-action option");
    assert!(
        options.contains(&"Document modifié".to_owned()) && options.contains(&"Connexion".to_owned()),
        "{options:?}"
    );
    assert!(!options.iter().any(|o| o == "document.edit" || o == "login"), "{options:?}");
}

#[tokio::test]
async fn the_audit_log_hides_logins_on_request_and_keeps_it_across_pages() {
    store(|s| {
        s.add_user("journal-test", PASSWORD, Role::Admin, "cli").expect("admin");
        s.add_user("journal-cible", PASSWORD, Role::Librarian, "cli").expect("librarian");
    })
    .await;
    // Two logins of this account.
    let _first = Client::login("journal-test").await;
    let c = Client::login("journal-test").await;
    for _ in 0..51 {
        let r = c
            .post(
                "/admin/utilisateurs",
                &[("action", "modifier"), ("username", "journal-cible"), ("role", "librarian")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    let total = |body: &str| texts(&Html::parse_document(body), "#journal-total").join("");
    let actions = |body: &str| -> Vec<String> {
        Html::parse_document(body)
            .select(&sel("table.oc-journal tbody tr"))
            .map(|tr| tr.value().attr("data-action").unwrap_or("").to_owned())
            .collect()
    };
    let all = c.get("/admin/journal?utilisateur=journal-test").await;
    assert_eq!(total(&all.body), "53 entrées", "51 changes and 2 logins");
    let logins = c.get("/admin/journal?utilisateur=journal-test&action=login").await;
    assert_eq!(actions(&logins.body), ["login", "login"]);
    let doc = Html::parse_document(&logins.body);
    assert_eq!(texts(&doc, "table.oc-journal tbody tr td:nth-child(3)"), ["Connexion", "Connexion"]);
    let r = c.get("/admin/journal?utilisateur=journal-test&sans_connexions=1").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(total(&r.body), "51 entrées");
    let first = actions(&r.body);
    assert_eq!(first.len(), 50);
    assert!(first.iter().all(|a| a == "user.edit"), "{first:?}");
    let doc = Html::parse_document(&r.body);
    assert!(doc.select(&sel("#j-no-logins[checked]")).next().is_some(), "the box stays ticked");
    let next: Vec<String> = doc
        .select(&sel("nav.fr-pagination a[href]"))
        .filter_map(|a| a.value().attr("href").map(str::to_owned))
        .filter(|h| h.contains("page=2"))
        .collect();
    assert!(!next.is_empty() && next.iter().all(|h| h.contains("sans_connexions=1")), "{next:?}");
    let second = c.get(&next[0]).await;
    assert_eq!(actions(&second.body), ["user.edit"], "{}", second.body);
    // Only logins asked for, and hidden: nothing, said in French.
    let none = c.get("/admin/journal?utilisateur=journal-test&action=login&sans_connexions=1").await;
    assert_eq!(total(&none.body), "0 entrée");
    assert_eq!(c.get("/admin/journal?sans_connexions=1&page=99999").await.status, StatusCode::OK);
}

#[tokio::test]
async fn schedules_and_kinds_are_shown_and_chosen_in_french() {
    let c = Client::login("admin-test").await;
    let dir = tempfile::tempdir().unwrap();
    let feed = dir.path().join("flux.rss");
    std::fs::copy(crate::common::root().join("tests/data/library/insee.rss"), &feed).unwrap();
    let url = feed.display().to_string();
    let mut source = vec![
        ("id", "horaire-francais"),
        ("name", "Essai — horaire en français"),
        ("publisher", "Insee"),
        ("kind", "feed"),
        ("url", url.as_str()),
        ("enabled", "1"),
        ("frequence", "semaine"),
        ("jour_semaine", "0"),
        ("jour_mois", "1"),
        ("heure", "04:00"),
        ("schedule", "ignorée quand la fréquence est choisie"),
    ];
    // A bad time: a French message, every value kept, nothing saved.
    let mut bad = source.clone();
    bad.retain(|(k, _)| *k != "heure");
    bad.push(("heure", "25:00"));
    let r = c.post("/admin/sources/nouvelle", &bad).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("heure invalide") && r.body.contains("Essai — horaire en français"), "{}", r.body);
    assert_eq!(c.get("/admin/sources/horaire-francais").await.status, StatusCode::NOT_FOUND);
    let r = c.post("/admin/sources/nouvelle", &source).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let saved = store(|s| s.sources().unwrap().into_iter().find(|x| x.source.id == "horaire-francais")).await;
    assert_eq!(saved.expect("saved").source.schedule, "0 0 4 * * Sun", "the French choice makes the cron");

    let list = c.get("/admin/sources").await;
    let doc = Html::parse_document(&list.body);
    let row = doc
        .select(&sel("tbody tr"))
        .find(|tr| tr.select(&sel("a")).any(|a| a.value().attr("href") == Some("/admin/sources/horaire-francais")))
        .expect("the source's row");
    let cells: Vec<ElementRef> = row.select(&sel("td")).collect();
    assert_eq!(text(cells[1]), "Flux RSS, Atom ou JSON Feed", "the kind in French");
    let schedule = cells[3];
    assert_eq!(
        schedule.select(&sel(".oc-schedule-text")).next().map(text).as_deref(),
        Some("chaque dimanche à 4 h 00")
    );
    let cron = schedule.select(&sel("details")).next().expect("the cron behind a disclosure");
    assert_eq!(cron.select(&sel("code")).next().map(text).as_deref(), Some("0 0 4 * * Sun"));
    assert_eq!(text(cells[4]), "jamais");
    assert_eq!(text(cells[6]), "aucun document", "a count agreed in French");
    // No kind anywhere as its code.
    let kinds: Vec<String> =
        doc.select(&sel("tbody tr")).filter_map(|tr| tr.select(&sel("td")).nth(1).map(text)).collect();
    assert!(kinds.iter().all(|k| !["feed", "sru", "ods", "csv"].contains(&k.as_str())), "{kinds:?}");
    assert!(!has_rfc3339(&visible_text(&doc)), "dates in French in the list");

    // The page of the source: the French choice read back from the cron.
    let page = c.get("/admin/sources/horaire-francais").await;
    let doc = Html::parse_document(&page.body);
    let chosen = |css: &str| doc.select(&sel(css)).next().and_then(|o| o.value().attr("value")).map(str::to_owned);
    assert_eq!(chosen("#src-frequence option[selected]").as_deref(), Some("semaine"));
    assert_eq!(chosen("#src-jour-semaine option[selected]").as_deref(), Some("0"));
    assert_eq!(doc.select(&sel("#src-heure")).next().and_then(|i| i.value().attr("value")), Some("04:00"));
    assert_eq!(
        doc.select(&sel("details #src-schedule-cron")).next().and_then(|i| i.value().attr("value")),
        Some("0 0 4 * * Sun")
    );
    assert_eq!(texts(&doc, "#src-kind option[selected]"), ["Flux RSS, Atom ou JSON Feed"]);

    // Experts still type a cron expression, shown as it is when French
    // cannot say it.
    source.retain(|(k, _)| !["frequence", "schedule", "id"].contains(k));
    source.push(("frequence", "avance"));
    source.push(("schedule", "0 */5 * * * *"));
    let r = c.post("/admin/sources/horaire-francais", &source).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let doc = Html::parse_document(&c.get("/admin/sources").await.body);
    let row = doc
        .select(&sel("tbody tr"))
        .find(|tr| tr.select(&sel("a")).any(|a| a.value().attr("href") == Some("/admin/sources/horaire-francais")))
        .expect("the source's row");
    assert_eq!(row.select(&sel(".oc-schedule-text")).next().map(text).as_deref(), Some("0 */5 * * * *"));
    let page = Html::parse_document(&c.get("/admin/sources/horaire-francais").await.body);
    assert_eq!(
        page.select(&sel("#src-frequence option[selected]")).next().and_then(|o| o.value().attr("value")),
        Some("avance")
    );
    assert!(page.select(&sel("details[open] #src-schedule-cron")).next().is_some(), "the expert field open");
}

#[tokio::test]
async fn back_office_dates_are_french_and_the_weight_is_explained() {
    let c = Client::login("admin-test").await;
    let id = add_document(&c, "https://dates.example/rapport", "Rapport daté de dates-test").await;
    for page in [
        "/admin/utilisateurs".to_owned(),
        format!("/admin/documents/{id}"),
        "/admin/sources/catalogue-initial".to_owned(),
    ] {
        let r = c.get(&page).await;
        assert_eq!(r.status, StatusCode::OK, "{page}");
        let doc = Html::parse_document(&r.body);
        let seen = visible_text(&doc);
        assert!(!has_rfc3339(&seen), "{page}: {seen}");
    }
    let r = c.get(&format!("/admin/documents/{id}")).await;
    let doc = Html::parse_document(&r.body);
    let intro = texts(&doc, "p.fr-text--sm").join(" ");
    assert!(intro.contains("vu la première fois le ") && intro.contains(" à "), "{intro}");
    // The weight, in plain words, tied to its field.
    let input = doc.select(&sel("input#weight")).next().expect("the weight field");
    let hint_id = input.value().attr("aria-describedby").expect("described");
    let hint = doc.select(&sel(&format!("label[for=weight] .fr-hint-text#{hint_id}"))).next().map(text).expect("hint");
    assert!(hint.contains("monter") && hint.contains("descendre") && hint.contains("0 par défaut"), "{hint}");
}

#[tokio::test]
async fn documents_useful_to_all_yet_tied_to_one_territory_are_found() {
    let harvested = |n: &str, territories: &[&str], scope: &[&str]| oc_library::document::Harvested {
        url: format!("https://un-territoire.example/{n}"),
        title: format!("Zorglubeur {n}"),
        publisher: "Insee".into(),
        resource_type: "Jeu de données".into(),
        themes: vec!["Géographie & Intercommunalités".into()],
        scope: scope.iter().map(|s| (*s).to_owned()).collect(),
        territories: territories.iter().map(|s| (*s).to_owned()).collect(),
        subjects: vec![oc_library::document::EXAMPLE_SUBJECT.to_owned()],
        ..Default::default()
    };
    let ids = store(move |s| {
        let mut ids = Vec::new();
        for h in [
            harvested("un", &["EPCI-200071074"], &["Communes & EPCI (toutes)"]),
            harvested("deux", &["EPCI-200071074", "REG-11"], &["Communes & EPCI (toutes)"]),
            harvested("aucun-type", &["EPCI-200071074"], &[]),
            harvested("partout", &[], &["Communes & EPCI (toutes)"]),
        ] {
            ids.push(s.upsert(&h, "essai-un-territoire").expect("upsert").0);
        }
        ids
    })
    .await;
    let c = Client::login("biblio-test").await;
    let rows = |body: &str| texts(&Html::parse_document(body), "table tbody tr td:nth-child(3) a");
    let all = c.get("/admin/documents?q=zorglubeur").await;
    assert_eq!(rows(&all.body).len(), 4, "{}", all.body);
    let r = c.get("/admin/documents?q=zorglubeur&utile_a_tous_un_territoire=1").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(rows(&r.body), ["Zorglubeur un"]);
    let doc = Html::parse_document(&r.body);
    assert_eq!(texts(&doc, "#admin-total"), ["1 document"]);
    let box_ = doc.select(&sel("form[role=search] input#admin-one-territory[checked]")).next();
    assert_eq!(box_.and_then(|b| b.value().attr("name")), Some("utile_a_tous_un_territoire"), "in the GET form");
    let label = texts(&doc, "label[for=admin-one-territory]").join(" ");
    assert!(label.starts_with("Documents marqués utiles à tous mais liés à un seul territoire"), "{label}");
    // Facet links keep the filter.
    let facet_links: Vec<String> =
        doc.select(&sel(".oc-admin-facet a")).filter_map(|a| a.value().attr("href").map(str::to_owned)).collect();
    assert!(!facet_links.is_empty() && facet_links.iter().all(|h| h.contains("utile_a_tous_un_territoire=1")));
    let two = c.get(&format!("/admin/documents?q={}&utile_a_tous_un_territoire=1", ids[1])).await;
    assert_eq!(rows(&two.body), Vec::<String>::new(), "two territories: not kept");
    let bad = c.get("/admin/documents?utile_a_tous_un_territoire=oui").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("utile_a_tous_un_territoire") && bad.body.contains("invalide"), "{}", bad.body);
}

#[tokio::test]
async fn territories_are_added_by_name_with_the_public_autocomplete_and_codes_stay_visible() {
    let c = Client::login("biblio-test").await;
    let id = add_document(&c, "https://territoires.example/noms", "Territoires nommés de territoires-test").await;
    let r = c
        .post(
            &format!("/admin/documents/{id}"),
            &[
                ("title", "Territoires nommés de territoires-test"),
                ("publisher", "Insee"),
                ("resource_type", "Publication statistique"),
                ("status", "published"),
                ("weight", "0"),
                ("territories", "COM-34172, DEP-34"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = c.get(&format!("/admin/documents/{id}")).await;
    let doc = Html::parse_document(&r.body);
    // The codes stay in the field, each shown with its name.
    assert_eq!(
        doc.select(&sel("input#territories")).next().and_then(|i| i.value().attr("value")),
        Some("COM-34172, DEP-34")
    );
    let names = texts(&doc, "ul.oc-territory-names li");
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names[0].starts_with("COM-34172 — Montpellier"), "{names:?}");
    assert!(names[1].starts_with("DEP-34 — Hérault"), "{names:?}");
    // The box of the public site's autocomplete, adding to the field.
    let picker = doc.select(&sel("[data-oc-autocomplete-add=territories]")).next().expect("the name search");
    let input = picker.select(&sel("input[role=combobox]")).next().expect("a combobox");
    assert_eq!(input.value().attr("name"), None, "the search itself is not sent with the form");
    let list = input.value().attr("aria-controls").expect("its listbox");
    assert!(picker.select(&sel(&format!("ul#{list}[role=listbox]"))).next().is_some());
    assert!(doc.select(&sel("script[src=\"/assets/app/search.js\"]")).next().is_some(), "the public site's script");
    // What the script reads to make a code: the suggestion endpoint's type and code.
    let api = crate::admin::send(
        axum::http::Request::get("/api/v1/search?limit=8&q=Montpellier").body(axum::body::Body::empty()).unwrap(),
    )
    .await;
    let v: serde_json::Value = serde_json::from_str(&api.body).expect("json");
    let first = &v["results"][0];
    assert_eq!((first["type"].as_str(), first["code"].as_str()), (Some("commune"), Some("34172")), "{v}");
    // The script knows that box.
    let js =
        crate::admin::send(axum::http::Request::get("/assets/app/search.js").body(axum::body::Body::empty()).unwrap())
            .await;
    assert!(js.body.contains("data-oc-autocomplete-add"), "search.js handles the back-office box");
    // An unknown code: a French message, the typed values kept.
    let r = c
        .post(
            &format!("/admin/documents/{id}"),
            &[
                ("title", "Titre gardé de territoires-test"),
                ("status", "published"),
                ("territories", "COM-34172, DEP-999"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let doc = Html::parse_document(&r.body);
    assert!(r.body.contains("territoire inconnu"), "{}", r.body);
    assert_eq!(
        doc.select(&sel("input#territories")).next().and_then(|i| i.value().attr("value")),
        Some("COM-34172, DEP-999")
    );
    assert!(texts(&doc, "ul.oc-territory-names li").iter().any(|t| t.starts_with("DEP-999") && t.contains("inconnu")));
}

#[tokio::test]
async fn counts_in_the_back_office_agree_with_their_noun() {
    let c = Client::login("biblio-test").await;
    let agreed = |t: &str| {
        t == "aucun document"
            || t == "1 document"
            || t.strip_suffix(" documents").is_some_and(|n| {
                let n: String = n.chars().filter(|c| !c.is_whitespace() && *c != '\u{202f}').collect();
                n.parse::<u64>().is_ok_and(|n| n >= 2)
            })
    };
    // The taxonomies: each term's documents.
    let doc = Html::parse_document(&c.get("/admin/taxonomies").await.body);
    let cells: Vec<String> = doc
        .select(&sel("section[id^=tax-]:not(#tax-sigles) table tbody tr"))
        .filter_map(|tr| tr.select(&sel("td")).nth(1).map(text))
        .collect();
    assert!(!cells.is_empty());
    let odd: Vec<&String> = cells.iter().filter(|t| !agreed(t)).collect();
    assert!(odd.is_empty(), "{odd:?}");
    // The dashboard's tiles.
    let doc = Html::parse_document(&c.get("/admin").await.body);
    let tiles = texts(&doc, ".fr-tile__title a");
    assert_eq!(tiles.len(), 4);
    for t in &tiles {
        let (_, count) = t.split_once(" : ").expect("label : count");
        assert!(agreed(count), "{t}");
    }
}
