//! The library's taxonomy, from the original portal.

/// Thématiques.
pub const THEMES: [&str; 9] = [
    "Aide & Dotations",
    "Culture & Éducation",
    "Développement durable",
    "Emploi & Fonction publique territoriale",
    "Finances & Fiscalité",
    "Géographie & Intercommunalités",
    "Parité",
    "Santé & Social",
    "Sécurité",
];

/// Types de territoire.
pub const SCOPES: [&str; 6] = [
    "Collectivités locales (toutes)",
    "Communes de littoral",
    "Communes de montagne",
    "Communes & EPCI (toutes)",
    "Départements (tous)",
    "Régions (toutes)",
];

/// The types de territoire a type covers, itself first: « Collectivités
/// locales (toutes) » covers every level, « Communes & EPCI (toutes) » the
/// communes de littoral and de montagne. A document filed for a type is
/// found under each type it covers (a filter on « Communes de montagne »
/// includes what is useful to every commune).
pub fn scopes_covered(scope: &str) -> Vec<&str> {
    match scope {
        "Collectivités locales (toutes)" => SCOPES.to_vec(),
        "Communes & EPCI (toutes)" => vec![scope, "Communes de littoral", "Communes de montagne"],
        other => vec![other],
    }
}

/// The type de territoire of a territory code (`COM-…`, `EPCI-…` →
/// communes and EPCI; `DEP-…`; `REG-…`): what a document about it is
/// filed under when its own type is not given.
pub fn scope_of_territory(code: &str) -> Option<&'static str> {
    let (kind, _) = code.split_once('-')?;
    Some(match kind {
        "COM" | "EPCI" => "Communes & EPCI (toutes)",
        "DEP" => "Départements (tous)",
        "REG" => "Régions (toutes)",
        _ => return None,
    })
}

/// Types de ressource.
pub const RESOURCE_TYPES: [&str; 5] =
    ["Publication statistique", "Jeu de données", "Outil", "Site officiel", "Plateforme open data"];
