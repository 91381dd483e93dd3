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

/// Types de ressource.
pub const RESOURCE_TYPES: [&str; 5] =
    ["Publication statistique", "Jeu de données", "Outil", "Site officiel", "Plateforme open data"];
