//! The open-data platforms a fiche lists (OpenDataFrance's observatory,
//! source `odater`): the collectivité's own, then those of the
//! collectivités it belongs to (whose platforms cover it), then those of
//! the collectivités on its territory, and always data.gouv.fr. A platform
//! covers its own collectivité's territory, never its neighbours': nothing
//! here is chosen by distance or by a catalogue's wording.

use maud::{html, Markup};
use serde::Serialize;

use oc_model::opendata::{kind_label, Publisher, NATIONAL_NAME, NATIONAL_URL};
use oc_model::{KindGroup, TerritoryKey};
use oc_store::Geo;

/// How many publishers on a département's or région's territory a fiche
/// shows before sending to `/plateformes`.
const ON_TERRITORY_SHOWN: usize = 12;

/// What a group of publishers is to the fiche's collectivité (`role` in
/// the JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// The collectivité itself.
    Collectivite,
    /// The commune of an arrondissement municipal.
    Commune,
    Epci,
    Departement,
    Region,
    /// Collectivités on its territory (members of an EPCI, communes and
    /// EPCI of a département…): their platforms cover part of it only.
    SurLeTerritoire,
}

/// One publisher as a fiche shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// The official name when the publisher is a collectivité, else the
    /// observatory's.
    pub libelle: String,
    /// Its type, in French.
    #[serde(rename = "type_organisme")]
    pub kind_label: &'static str,
    /// Its fiche, when it is a collectivité.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fiche: Option<String>,
    #[serde(flatten)]
    pub publisher: Publisher,
}

/// A labelled group of publishers.
#[derive(Debug, Clone, Serialize)]
pub struct Group {
    pub role: Role,
    pub label: String,
    #[serde(rename = "organismes")]
    pub entries: Vec<Entry>,
    /// All the publishers of the group when `entries` shows only the
    /// first ones.
    pub total: usize,
    /// `/plateformes` filtered on the territory, when the group is cut.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voir_tout: Option<String>,
}

/// The national platform.
#[derive(Debug, Clone, Serialize)]
pub struct National {
    pub nom: &'static str,
    pub url: &'static str,
}

/// The fiche's open-data section (`donnees_ouvertes` in the JSON).
#[derive(Debug, Clone, Serialize)]
pub struct OpenData {
    /// Whether the observatory is loaded on this server.
    #[serde(rename = "observatoire_charge")]
    pub loaded: bool,
    #[serde(rename = "groupes")]
    pub groups: Vec<Group>,
    #[serde(rename = "plateforme_nationale")]
    pub national: National,
}

impl Default for OpenData {
    fn default() -> OpenData {
        OpenData { loaded: false, groups: Vec::new(), national: National { nom: NATIONAL_NAME, url: NATIONAL_URL } }
    }
}

/// The official name and fiche of a collectivité's key.
pub fn territory_name(geo: &Geo, key: &TerritoryKey) -> Option<(String, String)> {
    let c = key.code();
    let name = match key.group() {
        KindGroup::Commune => geo.commune(c)?.name.clone(),
        KindGroup::Epci => geo.epci(c)?.name.clone(),
        KindGroup::Departement => geo.departement(c)?.name.clone(),
        KindGroup::Region => geo.region(c)?.name.clone(),
    };
    let url = oc_model::fiche_url(key.group(), &name, c);
    Some((name, url))
}

/// How a publisher is shown: its official name and fiche when it is a
/// collectivité.
pub fn entry(geo: &Geo, p: &Publisher) -> Entry {
    let named = p.territory.as_ref().and_then(|k| territory_name(geo, k));
    let (libelle, fiche) = match named {
        Some((n, u)) => (n, Some(u)),
        None => (p.name.clone(), None),
    };
    Entry { libelle, kind_label: kind_label(p.kind.as_deref()), fiche, publisher: p.clone() }
}

/// The publisher that is this collectivité. The Ville de Paris is both
/// the commune and the département of Paris under one SIREN.
fn own<'a>(data: &'a oc_model::opendata::OpenDataData, key: &TerritoryKey) -> Option<&'a Publisher> {
    data.of_territory(key).or_else(|| {
        (key.group() == KindGroup::Departement && key.code() == "75")
            .then(|| data.of_territory(&TerritoryKey::new(KindGroup::Commune, "75056")))
            .flatten()
    })
}

/// Whether a publisher's collectivité lies on the territory of `area`
/// (and is not `area` itself).
pub fn covers(geo: &Geo, area: &TerritoryKey, k: &TerritoryKey) -> bool {
    if k == area {
        return false;
    }
    let code = area.code();
    match (area.group(), k.group()) {
        (KindGroup::Epci, KindGroup::Commune) => {
            geo.epci(code).is_some_and(|e| e.membres.iter().any(|m| m == k.code()))
        }
        (KindGroup::Departement, KindGroup::Commune) => geo.commune(k.code()).is_some_and(|c| c.departement == code),
        (KindGroup::Departement, KindGroup::Epci) => geo.epci_of_departement(code).any(|e| e.code == k.code()),
        (KindGroup::Region, KindGroup::Commune) => geo.commune(k.code()).is_some_and(|c| c.region == code),
        (KindGroup::Region, KindGroup::Epci) => geo.epci_of_region(code).any(|e| e.code == k.code()),
        (KindGroup::Region, KindGroup::Departement) => geo.departement(k.code()).is_some_and(|d| d.region == code),
        _ => false,
    }
}

/// `/plateformes` on the publishers of a territory.
pub fn list_url(area: &TerritoryKey) -> String {
    format!("/plateformes?territoire={}", area)
}

/// The section of the fiche of `area`, which belongs to `belongs` (the
/// commune of an arrondissement, EPCI and EPT, département, région, in
/// that order).
pub fn section(geo: &Geo, area: &TerritoryKey, belongs: &[TerritoryKey]) -> OpenData {
    let Some(data) = geo.data.opendata.as_ref() else { return OpenData::default() };
    let mut groups = Vec::new();
    let mut push = |role: Role, label: String, entries: Vec<Entry>, total: usize, voir_tout: Option<String>| {
        if !entries.is_empty() {
            groups.push(Group { role, label, entries, total, voir_tout });
        }
    };
    let mine = own(data, area);
    let mine_siren = mine.map(|p| p.siren.clone());
    let e: Vec<Entry> = mine.map(|p| entry(geo, p)).into_iter().collect();
    push(Role::Collectivite, "Cette collectivité".to_owned(), e, usize::from(mine.is_some()), None);
    for k in belongs {
        let Some(p) = own(data, k).filter(|p| Some(&p.siren) != mine_siren.as_ref()) else { continue };
        let name = territory_name(geo, k).map_or_else(|| k.code().to_owned(), |(n, _)| n);
        let (role, label) = match k.group() {
            KindGroup::Commune => (Role::Commune, format!("Sa commune : {name}")),
            KindGroup::Epci => (Role::Epci, format!("Son intercommunalité : {name}")),
            KindGroup::Departement => (Role::Departement, format!("Son département : {name}")),
            KindGroup::Region => (Role::Region, format!("Sa région : {name}")),
        };
        push(role, label, vec![entry(geo, p)], 1, None);
    }
    if area.group() != KindGroup::Commune {
        let mut inside: Vec<&Publisher> = data
            .publishers
            .values()
            .filter(|p| Some(&p.siren) != mine_siren.as_ref())
            .filter(|p| p.territory.as_ref().is_some_and(|k| covers(geo, area, k)))
            .collect();
        // The largest catalogues first, then by name.
        inside.sort_by(|a, b| {
            let n = |p: &Publisher| p.platform_datasets.unwrap_or(0) + p.datagouv_datasets.unwrap_or(0);
            n(b).cmp(&n(a)).then_with(|| a.name.cmp(&b.name))
        });
        let total = inside.len();
        let label = match area.group() {
            KindGroup::Epci => "Ses communes membres",
            _ => "Collectivités de son territoire",
        };
        let cut = total > ON_TERRITORY_SHOWN;
        let entries = inside.into_iter().take(ON_TERRITORY_SHOWN).map(|p| entry(geo, p)).collect();
        push(Role::SurLeTerritoire, label.to_owned(), entries, total, cut.then(|| list_url(area)));
    }
    OpenData { loaded: true, groups, ..OpenData::default() }
}

fn count(n: u32) -> String {
    oc_model::fr::count(u64::from(n), "jeu de données", "jeux de données")
}

/// One publisher's line: its platform, its data.gouv.fr organisation,
/// their counts and the edition they come from.
pub fn entry_details(p: &Publisher) -> Markup {
    let counted = p.counts_vintage.as_deref().unwrap_or(&p.vintage);
    html! {
        @if let Some(url) = &p.platform {
            span class="oc-od-platform" {
                "Plateforme : "
                a class="fr-link" href=(url) rel="noopener" { (short_url(url)) }
                @if !p.techno.is_empty() { " (" (p.techno.join(", ")) ")" }
                @if let Some(n) = p.platform_datasets { ", " (count(n)) " au " (counted) }
                "."
            }
            " "
        }
        @if p.on_datagouv {
            span class="oc-od-datagouv" {
                "Sur "
                @if let Some(u) = p.datagouv_url() { a class="fr-link" href=(u) rel="noopener" { "data.gouv.fr" } } @else { "data.gouv.fr" }
                @if let Some(n) = p.datagouv_datasets { " : " (count(n)) " au " (counted) }
                "."
            }
        }
        @if p.platform.is_none() && !p.on_datagouv {
            "Plateforme non précisée par l'observatoire."
        }
    }
}

/// An address without its scheme, query and trailing slash, its
/// percent-escapes decoded, to read.
pub fn short_url(url: &str) -> String {
    let s = url.split_once("://").map_or(url, |(_, r)| r);
    let s = s.split(['?', '#']).next().unwrap_or(s);
    crate::format::percent_decode(s.trim_end_matches('/'))
}

/// The fiche's section.
pub fn render(geo: &Geo, od: &OpenData) -> Markup {
    let vintage = geo.data.opendata.as_ref().and_then(|d| d.source.as_ref()).map(|s| s.vintage.clone());
    html! {
        section class="fr-mt-4w" aria-labelledby="oc-opendata" {
            h2 id="oc-opendata" class="fr-h4" { "Plateformes de données ouvertes" }
            @if !od.loaded {
                p class="fr-text--sm" { "Le recensement des plateformes locales n'est pas chargé sur ce serveur." }
            } @else if od.groups.is_empty() {
                p class="fr-text--sm" { "L'observatoire d'OpenDataFrance ne recense aucune plateforme pour cette collectivité \
                    ni pour celles dont elle fait partie." }
            }
            @for (i, g) in od.groups.iter().enumerate() {
                @let id = format!("oc-opendata-{i}");
                // Groups, not landmarks: their labels repeat the library's.
                div class="fr-mt-2w" {
                    h3 id=(id) class="fr-h6" { (g.label) }
                    ul class="oc-od-list" {
                        @for e in &g.entries {
                            li {
                                @if g.role == Role::SurLeTerritoire || g.role == Role::Collectivite {
                                    strong { @if let (Some(u), false) = (&e.fiche, g.role == Role::Collectivite) { a href=(u) { (e.libelle) } } @else { (e.libelle) } }
                                    " (" (e.kind_label.to_lowercase()) ") — "
                                }
                                (entry_details(&e.publisher))
                            }
                        }
                    }
                    @if let Some(u) = &g.voir_tout {
                        p { a class="fr-link fr-icon-arrow-right-line fr-link--icon-right" href=(u) {
                            "Voir les " (g.total) " organismes"
                            span class="fr-sr-only" { " : " (g.label) }
                        } }
                    }
                }
            }
            div class="fr-mt-2w" {
                h3 id="oc-opendata-national" class="fr-h6" { "Plateforme nationale" }
                p { a class="fr-link" href=(od.national.url) rel="noopener" { (od.national.nom) }
                    " : la plateforme ouverte des données publiques françaises, où publient l'État, les collectivités \
                    et les organismes qui n'ont pas de portail propre." }
            }
            p class="fr-text--xs" {
                "Source : OpenDataFrance, Observatoire open data des territoires"
                @if let Some(v) = vintage { ", " (v) }
                ". Une plateforme couvre le territoire de la collectivité qui l'édite (et de ses communes membres pour \
                une intercommunalité), jamais celui de ses voisines. "
                a class="fr-link fr-text--xs" href="/plateformes" { "Toutes les plateformes recensées" }
            }
        }
    }
}
