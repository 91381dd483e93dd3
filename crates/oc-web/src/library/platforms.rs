//! `GET /plateformes`: the register of local open-data platforms, from
//! OpenDataFrance's observatory (reference data `odater`), with
//! data.gouv.fr first as the national platform.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};

use oc_model::opendata::Publisher;
use oc_model::{KindGroup, TerritoryKey};
use oc_store::Geo;

use crate::error::{WebError, WebResult};
use crate::extract::{param, FromQuery, Query};
use crate::fiche::opendata::{covers, entry_details};
use crate::format::{fmt_int, urlencode};
use crate::ui::components::{breadcrumb, page_window, pagination, table_head, Pager};
use crate::ui::{layout_with, Head};
use crate::AppState;

const PER_PAGE: usize = 50;

/// The kinds of organisation the page filters on (`type=`).
const KINDS: &[(&str, &str)] = &[
    ("commune", "Communes"),
    ("epci", "Intercommunalités"),
    ("departement", "Départements"),
    ("region", "Régions"),
    ("autre", "Autres organismes publics"),
];

fn kind_of(p: &Publisher) -> &'static str {
    match p.territory.as_ref().map(TerritoryKey::group) {
        Some(KindGroup::Commune) => "commune",
        Some(KindGroup::Epci) => "epci",
        Some(KindGroup::Departement) => "departement",
        Some(KindGroup::Region) => "region",
        None => match p.kind.as_deref() {
            Some("COM") => "commune",
            Some("CC" | "CA" | "CU" | "MET" | "EPT") => "epci",
            Some("DEP") => "departement",
            Some("REG") => "region",
            _ => "autre",
        },
    }
}

/// The page's query: `q` (name), `type`, `territoire` (a territory key:
/// the publishers on it), `page`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct PlatformQuery {
    q: String,
    kind: Option<&'static str>,
    territory: Option<TerritoryKey>,
    page: usize,
}

impl FromQuery for PlatformQuery {
    fn from_query(p: &[(String, String)], state: &AppState) -> WebResult<PlatformQuery> {
        let q = param(p, "q").unwrap_or("").trim().to_owned();
        if q.chars().count() > 200 {
            return Err(WebError::BadRequest("paramètre « q » trop long (au plus 200 caractères)".into()));
        }
        let kind = match param(p, "type").map(str::trim).filter(|t| !t.is_empty()) {
            None => None,
            Some(t) => Some(KINDS.iter().find(|(k, _)| *k == t).map(|(k, _)| *k).ok_or_else(|| {
                WebError::BadRequest(format!(
                    "paramètre « type » invalide ({t:?}) : valeurs possibles {}",
                    KINDS.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", ")
                ))
            })?),
        };
        let territory = match param(p, "territoire").map(str::trim).filter(|t| !t.is_empty()) {
            None => None,
            Some(t) => {
                let geo = state.geo();
                let known = t.parse::<TerritoryKey>().ok().filter(|k| {
                    let c = k.code();
                    match k.group() {
                        KindGroup::Commune => geo.commune(c).is_some(),
                        KindGroup::Epci => geo.epci(c).is_some(),
                        KindGroup::Departement => geo.departement(c).is_some(),
                        KindGroup::Region => geo.region(c).is_some(),
                    }
                });
                Some(known.ok_or_else(|| {
                    WebError::BadRequest(format!(
                        "paramètre « territoire » invalide ({t:?}) : une région (REG-76), un département \
                         (DEP-34), une intercommunalité (EPCI-243400017) ou une commune (COM-34172)"
                    ))
                })?)
            }
        };
        let page = crate::extract::page(p, 10_000).map_err(WebError::BadRequest)?;
        Ok(PlatformQuery { q, kind, territory, page })
    }
}

impl PlatformQuery {
    fn href(&self, page: usize) -> String {
        let mut parts = Vec::new();
        if !self.q.is_empty() {
            parts.push(format!("q={}", urlencode(&self.q)));
        }
        if let Some(k) = self.kind {
            parts.push(format!("type={k}"));
        }
        if let Some(t) = &self.territory {
            parts.push(format!("territoire={t}"));
        }
        if page > 1 {
            parts.push(format!("page={page}"));
        }
        if parts.is_empty() {
            "/plateformes".to_owned()
        } else {
            format!("/plateformes?{}", parts.join("&"))
        }
    }
}

/// The display name and fiche of a publisher.
fn label(geo: &Geo, p: &Publisher) -> (String, Option<String>) {
    let e = crate::fiche::opendata::entry(geo, p);
    (e.libelle, e.fiche)
}

fn territory_name(geo: &Geo, k: &TerritoryKey) -> String {
    match (k.group(), geo.departement(k.code())) {
        (KindGroup::Departement, Some(d)) => format!("{} ({})", d.name, d.code),
        _ => crate::fiche::opendata::territory_name(geo, k).map_or_else(|| k.code().to_owned(), |(n, _)| n),
    }
}

/// The département (or région) a publisher's collectivité is in, to tell
/// homonyms apart.
fn located(geo: &Geo, p: &Publisher) -> String {
    let Some(k) = &p.territory else { return String::new() };
    match k.group() {
        KindGroup::Commune => geo
            .commune(k.code())
            .and_then(|c| geo.departement(&c.departement))
            .map(|d| format!("{} ({})", d.name, d.code))
            .unwrap_or_default(),
        KindGroup::Departement => {
            geo.departement(k.code()).and_then(|d| geo.region(&d.region)).map(|r| r.name.clone()).unwrap_or_default()
        }
        _ => String::new(),
    }
}

fn filters(geo: &Geo, q: &PlatformQuery) -> Markup {
    html! {
        form method="get" action="/plateformes" class="fr-mb-3w" {
            div class="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom" {
                div class="fr-col-12 fr-col-md-4" { div class="fr-input-group" {
                    label class="fr-label" for="od-q" { "Nom de l'organisme" }
                    input class="fr-input" type="search" id="od-q" name="q" value=(q.q) maxlength="200";
                } }
                div class="fr-col-12 fr-col-md-3" { div class="fr-select-group" {
                    label class="fr-label" for="od-type" { "Type" }
                    select class="fr-select" id="od-type" name="type" {
                        option value="" selected[q.kind.is_none()] { "Tous" }
                        @for (k, l) in KINDS { option value=(k) selected[q.kind == Some(*k)] { (l) } }
                    }
                } }
                div class="fr-col-12 fr-col-md-3" { div class="fr-select-group" {
                    label class="fr-label" for="od-territoire" { "Territoire" }
                    select class="fr-select" id="od-territoire" name="territoire" {
                        option value="" selected[q.territory.is_none()] { "France entière" }
                        // A territory reached from a fiche (an EPCI, a
                        // département) stays selectable.
                        @if let Some(t) = q.territory.as_ref().filter(|t| t.group() != KindGroup::Region) {
                            option value=(t) selected { (territory_name(geo, t)) }
                        }
                        @for r in &geo.data.regions {
                            @let k = TerritoryKey::new(KindGroup::Region, r.code.clone());
                            option value=(k) selected[q.territory.as_ref() == Some(&k)] { (r.name) }
                        }
                    }
                } }
                div class="fr-col-12 fr-col-md-2" {
                    button class="fr-btn" type="submit" { "Filtrer" }
                }
            }
        }
    }
}

/// `GET /plateformes`: the open-data platforms of collectivités.
pub(crate) async fn platforms_page(
    State(state): State<AppState>,
    Query(q): Query<PlatformQuery>,
) -> WebResult<Response> {
    let geo = state.geo();
    let body = crate::blocking::spawn(move || render(&geo, &q)).await.map_err(WebError::from)?;
    Ok(layout_with(
        &Head {
            title: "Plateformes de données ouvertes des collectivités".into(),
            description: "Les plateformes open data des collectivités locales recensées par l'observatoire \
                d'OpenDataFrance, et data.gouv.fr, la plateforme nationale."
                .into(),
            canonical: Some("/plateformes".into()),
            section: Some(crate::ui::Section::Plateformes),
            ..Default::default()
        },
        body,
    )
    .into_response())
}

fn render(geo: &Geo, q: &PlatformQuery) -> Markup {
    let national = crate::fiche::opendata::OpenData::default().national;
    let data = geo.data.opendata.as_ref();
    let folded = oc_model::text::fold(&q.q);
    let mut rows: Vec<(String, Option<String>, &Publisher)> = data
        .into_iter()
        .flat_map(|d| d.publishers.values())
        .filter(|p| q.kind.is_none_or(|k| kind_of(p) == k))
        .filter(|p| {
            q.territory
                .as_ref()
                .is_none_or(|area| p.territory.as_ref().is_some_and(|k| k == area || covers(geo, area, k)))
        })
        .map(|p| {
            let (l, f) = label(geo, p);
            (l, f, p)
        })
        .filter(|(l, _, p)| {
            folded.is_empty()
                || oc_model::text::fold(l).contains(&folded)
                || oc_model::text::fold(&p.name).contains(&folded)
        })
        .collect();
    rows.sort_by_cached_key(|(l, _, p)| (oc_model::text::fold(l), p.siren.clone()));
    let total = rows.len();
    let pages = total.div_ceil(PER_PAGE);
    let shown: Vec<_> = rows.iter().skip((q.page - 1) * PER_PAGE).take(PER_PAGE).collect();
    let all = data.map_or(0, |d| d.publishers.len());
    let with_platform = data.map_or(0, |d| d.publishers.values().filter(|p| p.platform.is_some()).count());
    let on_datagouv = data.map_or(0, |d| d.publishers.values().filter(|p| p.on_datagouv).count());
    let vintage = data.and_then(|d| d.source.as_ref()).map(|s| s.vintage.clone());
    let filtered = q.kind.is_some() || q.territory.is_some() || !q.q.is_empty();
    html! {
        (breadcrumb(&[("Accueil".into(), "/".into())], "Plateformes de données ouvertes"))
        h1 { "Plateformes de données ouvertes des collectivités" }
        p class="fr-text--lead" { "Où chaque collectivité publie ses données : sa plateforme (propre ou partagée) \
            et son organisation sur data.gouv.fr, d'après l'observatoire d'OpenDataFrance. Chaque fiche de \
            collectivité reprend les plateformes qui couvrent son territoire." }
        div class="fr-callout fr-mb-3w" {
            h2 class="fr-callout__title fr-h5" { "Plateforme nationale : " (national.nom) }
            p class="fr-callout__text fr-text--md" {
                "La plateforme ouverte des données publiques françaises, où publient l'État, les collectivités et les \
                organismes qui n'ont pas de portail propre. "
                a class="fr-link" href=(national.url) rel="noopener" { "Ouvrir data.gouv.fr" }
            }
        }
        @if data.is_none() {
            p { "Le recensement des plateformes locales n'est pas chargé sur ce serveur." }
        } @else {
            p {
                (fmt_int(all as u64)) " organismes recensés"
                @if let Some(v) = &vintage { " au " (v) }
                " : " (fmt_int(with_platform as u64)) " avec une plateforme, "
                (fmt_int(on_datagouv as u64)) " publiant sur data.gouv.fr."
            }
            (filters(geo, q))
            h2 class="fr-h5" aria-live="polite" {
                @if filtered { (oc_model::fr::count(total as u64, "organisme trouvé", "organismes trouvés")) }
                @else { (oc_model::fr::count(total as u64, "organisme", "organismes")) }
                @if let Some(t) = &q.territory { " sur le territoire : " (territory_name(geo, t)) }
            }
            @if shown.is_empty() && total > 0 {
                div class="fr-callout" {
                    p class="fr-callout__title" { "Cette page n'existe pas." }
                    p { "La liste compte " (oc_model::fr::count(pages as u64, "page", "pages")) ". "
                        a href=(q.href(pages)) { "Aller à la dernière page" } }
                }
            } @else if total == 0 {
                p { "Aucun organisme ne correspond. " a href="/plateformes" { "Voir tous les organismes" } }
            } @else {
                div class="fr-table fr-table--no-caption oc-table-scroll" { table {
                    caption { "Organismes publiant des données ouvertes" }
                    (table_head(&["Organisme", "Type", "Plateformes et jeux de données", "Recensé au"]))
                    tbody {
                        @for (l, fiche, p) in &shown {
                            tr {
                                td {
                                    @if let Some(u) = fiche { a href=(u) { (l) } } @else { (l) }
                                    @let loc = located(geo, p);
                                    @if !loc.is_empty() { br; span class="fr-text--xs" { (loc) } }
                                }
                                td { (oc_model::opendata::kind_label(p.kind.as_deref())) }
                                td { (entry_details(p)) }
                                td { (p.vintage) }
                            }
                        }
                    }
                } }
                (pagination("Pages des organismes", q.page, pages, Pager::Numbers(page_window(q.page, pages)), |n| q.href(n)))
            }
            p class="fr-text--xs fr-mt-2w" {
                "Source : OpenDataFrance, Observatoire open data des territoires (éditions 2021 et 2022), Licence \
                Ouverte 2.0. Les nombres de jeux de données sont ceux de l'édition indiquée. Une plateforme couvre le \
                territoire de la collectivité qui l'édite, et de ses communes membres pour une intercommunalité."
            }
        }
    }
}
