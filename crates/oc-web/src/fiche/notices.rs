//! Plain-French explanations of special statuses, shown at the top of the
//! fiches concerned.

use oc_model::{Commune, Departement, Epci, Kind, Region};
use oc_store::Geo;

const PARIS: &str = "Paris est à la fois une commune et un département : depuis 2019, la Ville de Paris, collectivité \
    à statut particulier, exerce les compétences communales et départementales. Elle est divisée en 20 \
    arrondissements municipaux.";
const LYON_METRO: &str = "La Métropole de Lyon est une collectivité territoriale à statut particulier, et non un EPCI \
    : depuis 2015, elle exerce sur son territoire les compétences d'un département en plus de celles d'une métropole. \
    Son territoire fait partie de la circonscription départementale du Rhône (celle de l'État : préfecture, services \
    déconcentrés), mais pas du Département du Rhône, la collectivité.";
const RHONE: &str = "Depuis 2015, le département du Rhône ne couvre plus le territoire de la Métropole de Lyon, \
    collectivité à statut particulier qui y exerce les compétences départementales.";
const CORSE: &str = "Depuis 2018, la Collectivité de Corse, collectivité territoriale à statut particulier, exerce \
    les compétences de la région et des deux départements (Corse-du-Sud et Haute-Corse), qui demeurent des \
    circonscriptions administratives de l'État.";
const ALSACE: &str = "Depuis 2021, la Collectivité européenne d'Alsace exerce les compétences départementales du \
    Bas-Rhin et du Haut-Rhin, qui restent deux départements et deux circonscriptions de l'État.";
const MAYOTTE: &str = "Mayotte est un département et une région d'outre-mer dont une collectivité unique, le \
    Département de Mayotte, exerce les compétences départementales et régionales.";
const EPT: &str = "Établissement public territorial de la Métropole du Grand Paris : sans fiscalité propre sur les \
    entreprises, il regroupe des communes qui sont aussi membres de la Métropole du Grand Paris.";

fn ctu(name: &str) -> String {
    format!(
        "La {name} est une collectivité territoriale unique : depuis 2015, une seule assemblée exerce les \
        compétences du département et de la région."
    )
}

const COM: &str = "Collectivité d'outre-mer régie par l'article 74 de la Constitution : ce n'est ni une région ni un \
    département, même si le Code officiel géographique lui attribue un code à chacun de ces niveaux ; elle a ici une \
    seule fiche.";
const NC: &str = "La Nouvelle-Calédonie est une collectivité à statut particulier (titre XIII de la Constitution) : \
    ce n'est ni une région ni un département, même si le Code officiel géographique lui attribue un code à chacun de \
    ces niveaux ; elle a ici une seule fiche.";
const TAAF: &str = "Les Terres australes et antarctiques françaises sont un territoire d'outre-mer sans population \
    permanente (seul y séjourne du personnel scientifique et militaire) : le Code officiel géographique y recense des \
    districts, sans population légale.";
const CLIPPERTON: &str = "L'île de Clipperton est une possession française du Pacifique sans population permanente, \
    administrée directement par l'État : elle n'a pas de population légale.";
const LYON_COMMUNE: &str = "Cette commune est membre de la Métropole de Lyon, collectivité à statut particulier qui \
    exerce sur son territoire les compétences d'une métropole et celles d'un département : elle est située dans la \
    circonscription départementale du Rhône, mais ne relève pas du Département du Rhône.";

/// Notices for a commune or arrondissement municipal.
pub fn commune(geo: &Geo, c: &Commune, in_lyon_metropole: bool) -> Vec<String> {
    let mut out = Vec::new();
    match c.code.as_str() {
        "75056" => out.push(PARIS.to_owned()),
        "69123" => out.push(
            "Lyon est membre de la Métropole de Lyon, collectivité à statut particulier qui exerce \
            sur son territoire les compétences d'une métropole et celles d'un département : elle est située dans la \
            circonscription départementale du Rhône, mais ne relève pas du Département du Rhône. Elle est divisée en \
            9 arrondissements municipaux."
                .to_owned(),
        ),
        "13055" => out.push(
            "Marseille est divisée en 16 arrondissements municipaux, regroupés en 8 secteurs ; elle \
            est membre de la Métropole d'Aix-Marseille-Provence."
                .to_owned(),
        ),
        _ => {}
    }
    if c.kind == Kind::ArrondissementMunicipal {
        let parent = c.parent.as_deref().and_then(|p| geo.commune(p)).map_or("", |p| p.name.as_str());
        out.push(format!(
            "Un arrondissement municipal n'est pas une commune : c'est une subdivision de la commune de {parent}, \
                dotée d'un maire et d'un conseil d'arrondissement."
        ));
    }
    if in_lyon_metropole && c.code != "69123" {
        out.push(LYON_COMMUNE.to_owned());
    }
    if c.zone == "com" {
        if let Some(r) = geo.region(&c.region) {
            out.push(format!(
                "Cette {} est située dans la collectivité d'outre-mer {}.",
                crate::fiche::naming::commune_label(c).to_lowercase(),
                r.name
            ));
        }
    }
    if c.epci.is_none() && c.kind == Kind::Commune && c.zone != "com" && c.code != "75056" {
        out.push(
            "Cette commune n'est membre d'aucun EPCI à fiscalité propre (commune isolée ou île mono-communale)."
                .to_owned(),
        );
    }
    out
}

/// Notices for an EPCI or EPT.
pub(crate) fn epci(e: &Epci) -> Vec<String> {
    match (e.kind, e.legal_form.as_str()) {
        (Kind::Ept, _) => vec![EPT.to_owned()],
        (_, "MET69") => vec![LYON_METRO.to_owned()],
        _ => Vec::new(),
    }
}

/// Notices for a département.
pub fn departement(d: &Departement) -> Vec<String> {
    match d.code.as_str() {
        "75" => vec![PARIS.to_owned()],
        "69" => vec![RHONE.to_owned()],
        "2A" | "2B" => vec![CORSE.to_owned()],
        "67" | "68" => vec![ALSACE.to_owned()],
        "972" => vec![ctu("collectivité territoriale de Martinique")],
        "973" => vec![ctu("collectivité territoriale de Guyane")],
        "976" => vec![MAYOTTE.to_owned()],
        _ if d.zone == "com" => vec![COM.to_owned()],
        _ => Vec::new(),
    }
}

/// Notices for a région.
pub(crate) fn region(r: &Region) -> Vec<String> {
    match r.code.as_str() {
        "94" => vec![CORSE.to_owned()],
        "02" => vec![ctu("collectivité territoriale de Martinique")],
        "03" => vec![ctu("collectivité territoriale de Guyane")],
        "06" => vec![MAYOTTE.to_owned()],
        "984" => vec![TAAF.to_owned()],
        "989" => vec![CLIPPERTON.to_owned()],
        "988" => vec![NC.to_owned()],
        _ if r.zone == "com" => vec![COM.to_owned()],
        _ => Vec::new(),
    }
}
