//! What a commune-level entry is called on its fiche.

use oc_model::fr;
use oc_model::Commune;

/// The French label of a commune-level entry: a commune, or what the COG
/// lists as one in a collectivité d'outre-mer (districts of the TAAF,
/// circonscriptions of Wallis-et-Futuna).
pub(crate) fn commune_label(c: &Commune) -> &'static str {
    match (c.zone.as_str(), c.departement.as_str()) {
        ("com", "984") => "District",
        ("com", "986") => "Circonscription territoriale",
        _ => c.kind.label(),
    }
}

/// `Commune d'Annecy`, `Commune du Havre`, `District de …`.
pub(crate) fn commune_title(c: &Commune) -> String {
    format!("{} {}", commune_label(c), fr::de(&c.name, c.type_liaison))
}
