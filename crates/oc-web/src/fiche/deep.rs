//! The deep sections of a fiche, for every level: census counts summed
//! over communes (rates derived from the sums, never averaged), income and
//! poverty (Filosofi, only where Insee publishes them, secrecy kept),
//! zonages and programmes (a commune's own, counts and shares above it),
//! and syndicats (BANATIC).

use std::collections::BTreeSet;

use serde::Serialize;

use oc_model::fr;
use oc_model::income::{Income, Published};
use oc_model::zonage::Programme;
use oc_model::{Commune, InseeCommune, Kind};
use oc_store::Geo;

use crate::fiche::figure::Figure;

/// A syndicat a commune belongs to, or one on a territory.
#[derive(Debug, Clone, Serialize)]
pub struct Syndicat {
    pub siren: String,
    /// Its name where a loaded source carries it.
    #[serde(rename = "nom")]
    pub name: Option<String>,
    /// Source id of the name (`banatic`, `detr-dsil`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_source: Option<String>,
    #[serde(rename = "nature", skip_serializing_if = "Option::is_none")]
    pub legal_form: Option<String>,
    /// Its public record (Annuaire des entreprises).
    pub url: String,
}

fn figure(id: &'static str, label: &'static str, value: Option<f64>, unit: &'static str, decimals: usize) -> Figure {
    Figure {
        id,
        label,
        value,
        unit,
        decimals,
        source: "insee-rp",
        vintage: String::new(),
        note: None,
        text: None,
        secret: false,
        context: None,
    }
}

fn text_figure(id: &'static str, label: &'static str, text: String, source: &'static str, vintage: &str) -> Figure {
    Figure { text: Some(text), source, vintage: vintage.to_owned(), ..figure(id, label, None, "", 0) }
}

// ---------------------------------------------------------------- census

/// Sums of census counts over communes: each count over the communes that
/// have it, each rate over the communes that have both its terms.
#[derive(Default)]
struct Sum {
    n: usize,
    fields: [(u64, usize); 7],
    growth: (u64, u64, usize),
    activity: (u64, u64, usize),
    unemployment: (u64, u64, usize),
}

impl Sum {
    fn add(&mut self, x: &InseeCommune) {
        self.n += 1;
        let vals = [
            x.population_2021,
            x.menages_2021,
            x.naissances_2022,
            x.deces_2022,
            x.pop_15_64_2021,
            x.actifs_15_64_2021,
            x.chomeurs_15_64_2021,
        ];
        for (slot, v) in self.fields.iter_mut().zip(vals) {
            if let Some(v) = v {
                slot.0 += u64::from(v);
                slot.1 += 1;
            }
        }
        let pair = |slot: &mut (u64, u64, usize), a: Option<u32>, b: Option<u32>| {
            if let (Some(a), Some(b)) = (a, b) {
                slot.0 += u64::from(a);
                slot.1 += u64::from(b);
                slot.2 += 1;
            }
        };
        pair(&mut self.growth, x.population_2015, x.population_2021);
        pair(&mut self.activity, x.actifs_15_64_2021, x.pop_15_64_2021);
        pair(&mut self.unemployment, x.chomeurs_15_64_2021, x.actifs_15_64_2021);
    }
}

/// A note when a sum misses some communes.
fn partial(known: usize, total: usize) -> Option<String> {
    (known < total).then(|| format!("hors {} sans donnée", fr::count((total - known) as u64, "commune", "communes")))
}

/// Census figures of a territory, summed over its communes (`insee_of`
/// gives a commune's, arrondissements summed for Paris, Lyon, Marseille).
pub fn census_sum<'a>(
    communes: impl Iterator<Item = &'a Commune>,
    insee_of: impl Fn(&Commune) -> Option<InseeCommune>,
) -> Vec<Figure> {
    let mut s = Sum::default();
    let mut total = 0usize;
    for c in communes {
        total += 1;
        if let Some(x) = insee_of(c) {
            s.add(&x);
        }
    }
    if s.n == 0 {
        return Vec::new();
    }
    let rp = "RP 2021, somme des communes";
    let ec = "2022, somme des communes";
    let count = |i: usize, id, label, unit, vintage: &str| {
        let (v, k) = s.fields[i];
        Figure {
            vintage: vintage.to_owned(),
            note: partial(k, total),
            ..figure(id, label, (k > 0).then_some(v as f64), unit, 0)
        }
    };
    let rate =
        |(num, den, k): (u64, u64, usize), id, label, f: fn(f64, f64) -> f64, decimals, unit, vintage: &str| Figure {
            vintage: vintage.to_owned(),
            note: partial(k, total),
            ..figure(id, label, (den > 0).then(|| f(num as f64, den as f64)), unit, decimals)
        };
    vec![
        count(0, "population_2021", "Population en 2021 (somme des communes)", "hab.", rp),
        rate(
            s.growth,
            "evolution_2015_2021",
            "Variation annuelle moyenne 2015-2021 (somme des communes)",
            |p15, p21| ((p21 / p15).powf(1.0 / 6.0) - 1.0) * 100.0,
            2,
            "%/an",
            "RP 2015-2021, somme des communes",
        ),
        count(1, "menages_2021", "Ménages (somme des communes)", "ménages", rp),
        count(2, "naissances_2022", "Naissances (somme des communes)", "naissances", ec),
        count(3, "deces_2022", "Décès (somme des communes)", "décès", ec),
        count(4, "pop_15_64_2021", "Population de 15 à 64 ans (somme des communes)", "hab.", rp),
        count(5, "actifs_15_64_2021", "Actifs de 15 à 64 ans (somme des communes)", "actifs", rp),
        count(6, "chomeurs_15_64_2021", "Chômeurs de 15 à 64 ans (somme des communes)", "chômeurs", rp),
        rate(
            s.activity,
            "taux_activite_15_64",
            "Taux d'activité des 15-64 ans (calculé sur la somme des communes)",
            |a, p| a / p * 100.0,
            1,
            "%",
            rp,
        ),
        rate(
            s.unemployment,
            "taux_chomage_15_64",
            "Taux de chômage des 15-64 ans (au sens du recensement, calculé sur la somme des communes)",
            |c, a| c / a * 100.0,
            1,
            "%",
            rp,
        ),
    ]
}

// ---------------------------------------------------------------- income

/// The composition of income: Filosofi column, figure id, label.
const COMPOSITION: [(&str, &str, &str); 11] = [
    ("PACT", "revenus_activite", "Part des revenus d'activité"),
    ("PTSA", "revenus_salaires", "dont salaires et traitements"),
    ("PCHO", "revenus_chomage", "dont indemnités de chômage"),
    ("PBEN", "revenus_non_salaries", "dont revenus des activités non salariées"),
    ("PPEN", "revenus_pensions", "Part des pensions, retraites et rentes"),
    ("PPAT", "revenus_patrimoine", "Part des revenus du patrimoine et autres"),
    ("PPSOC", "revenus_prestations", "Part de l'ensemble des prestations sociales"),
    ("PPFAM", "revenus_prestations_familiales", "dont prestations familiales"),
    ("PPMINI", "revenus_minima_sociaux", "dont minima sociaux"),
    ("PPLOGT", "revenus_prestations_logement", "dont prestations logement"),
    ("PIMPOT", "revenus_impots", "Part des impôts"),
];

/// A Filosofi figure: its value, "secret statistique" or not published.
fn published(
    id: &'static str,
    label: &'static str,
    v: Option<Published>,
    unit: &'static str,
    decimals: usize,
    vintage: &str,
) -> Figure {
    let base = Figure { source: "filosofi", vintage: vintage.to_owned(), ..figure(id, label, None, unit, decimals) };
    match v {
        Some(Published::Value(x)) => Figure { value: Some(x), ..base },
        Some(Published::Secret) => Figure { secret: true, note: Some("secret statistique".into()), ..base },
        None => Figure { note: Some("non publié par l'Insee pour cette commune".into()), ..base },
    }
}

/// The Filosofi figures of a commune; with a note when the file has none
/// for it (départements not covered, communes created since).
pub fn income_figures(geo: &Geo, code: &str) -> (Vec<Figure>, Option<String>) {
    let Some(data) = geo.data.income.as_ref() else { return (Vec::new(), None) };
    let vintage = data.source.as_ref().map_or_else(|| format!("revenus {}", data.year), |s| s.vintage.clone());
    let Some(x): Option<&Income> = data.communes.get(code) else {
        return (
            Vec::new(),
            Some(format!(
                "Filosofi ({vintage}) ne publie pas de chiffres pour cette commune : elle n'existait pas sous ce \
                code dans la géographie du fichier, ou son département n'est pas couvert (Guadeloupe, Guyane, \
                Mayotte)."
            )),
        );
    };
    let v = vintage.as_str();
    let mut out = vec![
        published("revenu_median", "Médiane du revenu disponible par unité de consommation", x.median, "€", 0, v),
        published("taux_pauvrete", "Taux de pauvreté (seuil à 60 % du revenu médian)", x.poverty_rate, "%", 1, v),
        published("menages_imposes", "Part des ménages fiscaux imposés", x.taxed_share, "%", 1, v),
        published("d1", "1er décile du revenu disponible par UC", x.d1, "€", 0, v),
        published("d9", "9e décile du revenu disponible par UC", x.d9, "€", 0, v),
        published("rapport_interdecile", "Rapport interdécile (D9/D1)", x.decile_ratio, "", 1, v),
        published("menages_fiscaux", "Ménages fiscaux", x.households, "ménages", 0, v),
    ];
    for (col, id, label) in COMPOSITION {
        out.push(published(id, label, x.composition.get(col).copied(), "%", 1, v));
    }
    (out, None)
}

/// What an aggregate says of income: medians do not add up.
pub fn income_note_above_communes(geo: &Geo) -> Option<String> {
    geo.data.income.as_ref().map(|_| {
        "Les revenus médians et les taux de pauvreté ne s'additionnent pas : l'Insee les publie pour les \
        intercommunalités, départements et régions dans des fichiers propres, qui ne sont pas chargés sur ce portail. \
        Ceux de chaque commune figurent sur sa fiche."
            .to_owned()
    })
}

// ---------------------------------------------------------------- zonages

/// The seven levels of the grille communale de densité, with their ids.
const DENSITY: [(&str, &str, &str); 7] = [
    ("Grands centres urbains", "densite_grands_centres_urbains", "Communes en grand centre urbain"),
    (
        "Centres urbains intermédiaires",
        "densite_centres_urbains_intermediaires",
        "Communes en centre urbain intermédiaire",
    ),
    ("Petites villes", "densite_petites_villes", "Petites villes"),
    ("Ceintures urbaines", "densite_ceintures_urbaines", "Communes en ceinture urbaine"),
    ("Bourgs ruraux", "densite_bourgs_ruraux", "Bourgs ruraux"),
    ("Rural à habitat dispersé", "densite_rural_disperse", "Communes rurales à habitat dispersé"),
    ("Rural à habitat très dispersé", "densite_rural_tres_disperse", "Communes rurales à habitat très dispersé"),
];

/// The classes of the ANCT typology of rural areas counted above the
/// commune (the file's labels; "hors champ" and changed perimeters are
/// not counted).
const RURALITE: [(&str, &str, &str); 8] = [
    (
        "Les ruralités productives agricoles",
        "ruralite_productives_agricoles",
        "Communes en ruralités productives agricoles",
    ),
    (
        "Les ruralités productives ouvrières",
        "ruralite_productives_ouvrieres",
        "Communes en ruralités productives ouvrières",
    ),
    (
        "Les ruralités résidentielles mixtes",
        "ruralite_residentielles_mixtes",
        "Communes en ruralités résidentielles mixtes",
    ),
    (
        "Les ruralités résidentielles aisées",
        "ruralite_residentielles_aisees",
        "Communes en ruralités résidentielles aisées",
    ),
    (
        "Les ruralités touristiques à dominante résidentielle",
        "ruralite_touristiques_residentielles",
        "Communes en ruralités touristiques à dominante résidentielle",
    ),
    (
        "Les ruralités touristiques spécialisées",
        "ruralite_touristiques_specialisees",
        "Communes en ruralités touristiques spécialisées",
    ),
    ("Les petites polarités mixtes", "ruralite_petites_polarites_mixtes", "Petites polarités mixtes"),
    (
        "Les petites polarités industrielles et artisanales",
        "ruralite_petites_polarites_industrielles",
        "Petites polarités industrielles et artisanales",
    ),
];

/// The levels of centrality of equipment and services counted above the
/// commune.
const CENTRALITE: [(&str, &str, &str); 4] = [
    ("Centre majeur d'équipements et de services", "centralite_majeur", "Centres majeurs d'équipements et de services"),
    (
        "Centre structurant d'équipements et de services",
        "centralite_structurant",
        "Centres structurants d'équipements et de services",
    ),
    (
        "Centre intermédiaire d'équipements et de services",
        "centralite_intermediaire",
        "Centres intermédiaires d'équipements et de services",
    ),
    ("Centre local d'équipements et de services", "centralite_local", "Centres locaux d'équipements et de services"),
];

fn vintage_of(s: Option<&oc_model::SourceInfo>) -> String {
    s.map(|s| s.vintage.clone()).unwrap_or_default()
}

/// The zonages and programmes of one commune; a programme it is not part
/// of reads "non", so the absence is stated.
pub fn commune_zonages(geo: &Geo, c: &Commune) -> Vec<Figure> {
    let Some(z) = geo.data.zonages.as_ref() else { return Vec::new() };
    let mut out = Vec::new();
    if z.zonages_source.is_some() {
        let v = vintage_of(z.zonages_source.as_ref());
        let own = z.communes.get(&c.code);
        let label = |x: Option<&String>| x.cloned().unwrap_or_else(|| "non classée".to_owned());
        out.push(text_figure(
            "grille_densite",
            "Grille communale de densité (Insee)",
            label(own.and_then(|o| o.densite.as_ref())),
            "anct-zonages",
            &v,
        ));
        out.push(text_figure(
            "massif",
            "Massif",
            own.and_then(|o| o.massif.clone()).unwrap_or_else(|| "hors massif".to_owned()),
            "anct-zonages",
            &v,
        ));
        out.push(text_figure(
            "typologie_ruralite",
            "Typologie des ruralités (ANCT)",
            label(own.and_then(|o| o.ruralite.as_ref())),
            "anct-zonages",
            &v,
        ));
        out.push(text_figure(
            "centralite",
            "Niveau de centralité des équipements et services",
            label(own.and_then(|o| o.centralite.as_ref())),
            "anct-zonages",
            &v,
        ));
        let qpv = own.map_or(&[][..], |o| o.qpv.as_slice());
        out.push(Figure {
            source: "anct-zonages",
            vintage: v.clone(),
            ..figure("qpv", "Quartiers prioritaires de la politique de la ville", Some(qpv.len() as f64), "QPV", 0)
        });
        if !qpv.is_empty() {
            let names = qpv
                .iter()
                .map(|q| if q.name.is_empty() { q.code.clone() } else { format!("{} ({})", q.name, q.code) })
                .collect::<Vec<_>>()
                .join(" ; ");
            out.push(text_figure("qpv_liste", "Liste des quartiers prioritaires", names, "anct-zonages", &v));
        }
    }
    if z.programmes_source.is_some() {
        let v = vintage_of(z.programmes_source.as_ref());
        let own = z.memberships_of(&c.code);
        for p in Programme::ALL.into_iter().filter(|p| !p.for_epci()) {
            let text = match own.iter().find(|m| m.programme == p) {
                Some(m) => match &m.signed {
                    Some(d) => format!("oui — convention signée le {}", crate::format::fmt_date(d)),
                    None => "oui".to_owned(),
                },
                None => "non".to_owned(),
            };
            out.push(text_figure(p.id(), p.label(), text, "anct-programmes", &v));
        }
    }
    out
}

/// The zonages of an EPCI's own programme (Territoires d'industrie).
pub fn epci_programmes(geo: &Geo, siren: &str) -> Vec<Figure> {
    let Some(z) = geo.data.zonages.as_ref().filter(|z| z.programmes_source.is_some()) else { return Vec::new() };
    let v = vintage_of(z.programmes_source.as_ref());
    let p = Programme::TerritoiresDIndustrie;
    let text = match z.memberships_of(siren).iter().find(|m| m.programme == p) {
        Some(m) => format!("oui — territoire « {} »", m.name),
        None => "non".to_owned(),
    };
    vec![text_figure(p.id(), p.label(), text, "anct-programmes", &v)]
}

/// Counts over the communes of a territory: per density level, per
/// class of rurality and level of centrality, in a massif, with a QPV (and QPV count), per programme; and, for a
/// département or région, its EPCI in Territoires d'industrie.
pub fn zonage_counts(geo: &Geo, communes: &[&Commune], epci: Option<&[&str]>) -> Vec<Figure> {
    let Some(z) = geo.data.zonages.as_ref() else { return Vec::new() };
    let total = communes.len();
    let share = |n: usize| {
        format!(
            "{} sur {} ({} %)",
            n,
            fr::count(total as u64, "commune", "communes"),
            crate::format::fmt_num(n as f64 * 100.0 / total.max(1) as f64, 1)
        )
    };
    let count =
        |id: &'static str, label: &'static str, n: usize, src: &'static str, v: &str, unit: &'static str| Figure {
            source: src,
            vintage: v.to_owned(),
            note: Some(share(n)),
            ..figure(id, label, Some(n as f64), unit, 0)
        };
    let mut out = Vec::new();
    if z.zonages_source.is_some() {
        let v = vintage_of(z.zonages_source.as_ref());
        let own: Vec<_> = communes.iter().map(|c| z.communes.get(&c.code)).collect();
        for (level, id, label) in DENSITY {
            let n = own.iter().filter(|o| o.and_then(|o| o.densite.as_deref()) == Some(level)).count();
            out.push(count(id, label, n, "anct-zonages", &v, "communes"));
        }
        for (class, id, label) in RURALITE {
            let n = own.iter().filter(|o| o.and_then(|o| o.ruralite.as_deref()) == Some(class)).count();
            out.push(count(id, label, n, "anct-zonages", &v, "communes"));
        }
        for (level, id, label) in CENTRALITE {
            let n = own.iter().filter(|o| o.and_then(|o| o.centralite.as_deref()) == Some(level)).count();
            out.push(count(id, label, n, "anct-zonages", &v, "communes"));
        }
        let n = own.iter().filter(|o| o.is_some_and(|o| o.massif.is_some())).count();
        out.push(count("communes_massif", "Communes situées dans un massif", n, "anct-zonages", &v, "communes"));
        let n = own.iter().filter(|o| o.is_some_and(|o| !o.qpv.is_empty())).count();
        out.push(count(
            "communes_qpv",
            "Communes ayant au moins un quartier prioritaire",
            n,
            "anct-zonages",
            &v,
            "communes",
        ));
        let q: BTreeSet<&str> = own.iter().flatten().flat_map(|o| o.qpv.iter().map(|q| q.code.as_str())).collect();
        out.push(Figure {
            source: "anct-zonages",
            vintage: v.clone(),
            ..figure("qpv", "Quartiers prioritaires de la politique de la ville", Some(q.len() as f64), "QPV", 0)
        });
    }
    if z.programmes_source.is_some() {
        let v = vintage_of(z.programmes_source.as_ref());
        for (p, id, label) in [
            (Programme::ActionCoeurDeVille, "communes_action_coeur_de_ville", "Communes en Action cœur de ville"),
            (
                Programme::ActionCoeurDeVille2,
                "communes_action_coeur_de_ville_2",
                "Communes en Action cœur de ville (2e phase)",
            ),
            (
                Programme::PetitesVillesDeDemain,
                "communes_petites_villes_de_demain",
                "Communes en Petites villes de demain",
            ),
            (Programme::VillagesDAvenir, "communes_villages_d_avenir", "Communes en Villages d'avenir"),
        ] {
            let n = communes.iter().filter(|c| z.memberships_of(&c.code).iter().any(|m| m.programme == p)).count();
            out.push(count(id, label, n, "anct-programmes", &v, "communes"));
        }
        if let Some(epci) = epci {
            let p = Programme::TerritoiresDIndustrie;
            let n = epci.iter().filter(|e| z.memberships_of(e).iter().any(|m| m.programme == p)).count();
            out.push(Figure {
                source: "anct-programmes",
                vintage: v.clone(),
                note: Some(format!("sur {}", fr::count(epci.len() as u64, "intercommunalité", "intercommunalités"))),
                ..figure(
                    "epci_territoires_d_industrie",
                    "Intercommunalités en Territoires d'industrie",
                    Some(n as f64),
                    "EPCI",
                    0,
                )
            });
        }
    }
    out
}

// ---------------------------------------------------------------- syndicats

fn syndicat(geo: &Geo, siren: &str) -> Syndicat {
    let g = geo.data.syndicats.as_ref().and_then(|s| s.groupements.get(siren));
    Syndicat {
        siren: siren.to_owned(),
        name: g.and_then(|g| g.name.clone()),
        name_source: g.and_then(|g| g.name_source.clone()),
        legal_form: g.and_then(|g| g.legal_form.clone()),
        url: oc_model::groupement::record_url(siren),
    }
}

/// The syndicats of a commune (of its arrondissements for Paris, Lyon and
/// Marseille: the file names the commune).
pub fn syndicats_of(geo: &Geo, c: &Commune) -> Option<(Figure, Vec<Syndicat>)> {
    let s = geo.data.syndicats.as_ref()?;
    let list: Vec<Syndicat> = s.of_commune(&c.code).iter().map(|x| syndicat(geo, x)).collect();
    let f = Figure {
        source: "banatic",
        vintage: vintage_of(s.source.as_ref()),
        ..figure("syndicats", "Syndicats dont la commune est membre", Some(list.len() as f64), "syndicats", 0)
    };
    Some((f, list))
}

/// The number of syndicats with at least one member commune on a territory.
pub fn syndicat_count<'a>(geo: &Geo, communes: impl Iterator<Item = &'a Commune>) -> Option<Figure> {
    let s = geo.data.syndicats.as_ref()?;
    let set: BTreeSet<&str> = communes
        .filter(|c| c.kind == Kind::Commune)
        .flat_map(|c| s.of_commune(&c.code).iter().map(String::as_str))
        .collect();
    Some(Figure {
        source: "banatic",
        vintage: vintage_of(s.source.as_ref()),
        ..figure(
            "syndicats",
            "Syndicats ayant au moins une commune membre sur le territoire",
            Some(set.len() as f64),
            "syndicats",
            0,
        )
    })
}

/// The DGCL's own figures for an EPCI (its yearly list of EPCI à
/// fiscalité propre), beside the COG's: populations, members, nature and
/// mode de financement, each difference with the COG said in a note.
/// `None` for the figures when the list is not loaded; a note when the
/// EPCI (or EPT) is not on it.
pub(crate) fn dgcl_epci(geo: &Geo, e: &oc_model::Epci) -> (Vec<Figure>, Option<String>) {
    let Some(list) = geo.data.epcicom.as_ref() else { return (Vec::new(), None) };
    let vintage = format!("au 1er janvier {}", list.year);
    let Some(d) = list.epci.get(&e.code) else {
        let why = if e.legal_form == "EPT" {
            "les établissements publics territoriaux n'y figurent pas (ce ne sont pas des EPCI à fiscalité propre)"
                .to_owned()
        } else {
            "cet EPCI n'y figure pas (créé ou modifié depuis)".to_owned()
        };
        return (Vec::new(), Some(format!("Liste DGCL des EPCI à fiscalité propre {vintage} : {why}.")));
    };
    let cog = geo.data.meta.cog_year;
    let fig = |id: &'static str, label: &'static str, value: Option<f64>, unit: &'static str| Figure {
        id,
        label,
        value,
        unit,
        decimals: 0,
        source: "dgcl-epcicom",
        vintage: vintage.clone(),
        note: None,
        text: None,
        secret: false,
        context: None,
    };
    let names = |codes: &[String]| {
        codes
            .iter()
            .map(|c| geo.commune(c).map_or_else(|| c.clone(), |m| format!("{} ({c})", m.name)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut members = fig("dgcl_membres", "Communes membres (liste DGCL)", Some(f64::from(d.members)), "communes");
    let mut diff = Vec::new();
    if !d.only_dgcl.is_empty() {
        diff.push(format!("membres selon la DGCL qui ne le sont plus au COG {cog} : {}", names(&d.only_dgcl)));
    }
    if !d.only_cog.is_empty() {
        diff.push(format!("membres au COG {cog}, absentes de la liste DGCL : {}", names(&d.only_cog)));
    }
    if !diff.is_empty() {
        members.note = Some(format!("composition différente du COG {cog} — {}", diff.join(" ; ")));
    }
    let text = |id: &'static str, label: &'static str, value: String, note: Option<String>| Figure {
        text: Some(value),
        note,
        ..fig(id, label, None, "")
    };
    let nature_note =
        (d.nature != e.legal_form).then(|| format!("le COG {cog} indique {} ({})", e.nature_label(), e.legal_form));
    let nature_label = oc_model::Epci { legal_form: d.nature.clone(), ..e.clone() }.nature_label();
    let fin_note = (!e.tax_regime.is_empty() && d.financing != e.tax_regime)
        .then(|| format!("le COG {cog} indique {}", e.tax_regime));
    let figures = vec![
        fig("dgcl_population_totale", "Population totale (liste DGCL)", d.population_totale.map(|p| p as f64), "hab."),
        fig(
            "dgcl_population_municipale",
            "Population municipale (liste DGCL)",
            d.population_municipale.map(|p| p as f64),
            "hab.",
        ),
        members,
        text("dgcl_nature", "Nature juridique (liste DGCL)", format!("{nature_label} ({})", d.nature), nature_note),
        text("dgcl_financement", "Mode de financement (liste DGCL)", d.financing.clone(), fin_note),
    ];
    (figures, None)
}
