//! The pages every public State site owes: the accessibility statement
//! (`/accessibilite`, summarising the checklist kept in
//! `docs/ACCESSIBILITY.md`), the legal notices (`/mentions-legales`), what
//! is done with personal data (`/donnees-personnelles`) and the site map
//! (`/plan-du-site`). What only the operator of a server knows (its host,
//! its contact) comes from [`crate::Site`]; unset, the page says so.

use axum::extract::State;
use axum::routing::get;
use maud::{html, Markup};

#[cfg(test)]
use crate::ui::rgaa::Criterion;
use crate::ui::rgaa::{
    audit_date, audited_pages, checklist, conformity, Outcome, CHECKLIST, RGAA_CRITERIA, RGAA_VERSION,
};
use crate::ui::{layout_with, Head};
use crate::AppState;

/// What stands in for a detail only the operator can give.
const TO_BE_GIVEN: &str = "à indiquer par l'exploitant de ce serveur";

/// The checklist's Markdown `code` spans as `<code>`, the rest as text.
fn with_code(text: &str) -> Markup {
    html! {
        @for (i, part) in text.split('`').enumerate() {
            @if i % 2 == 1 { code { (part) } } @else { (part) }
        }
    }
}

/// `contact`, as a link when it is an address.
fn contact(state: &AppState) -> Markup {
    match state.site.contact.as_deref() {
        Some(c) if c.starts_with("https://") => html! { a href=(c) rel="noopener" { (c) } },
        Some(c) if c.contains('@') => html! { a href=(format!("mailto:{c}")) { (c) } },
        Some(c) => html! { (c) },
        None => html! { "(adresse de contact " (TO_BE_GIVEN) ")" },
    }
}

fn head(title: &str, path: &str, description: &str) -> Head {
    Head { canonical: Some(path.to_owned()), description: description.to_owned(), ..Head::new(title, None) }
}

/// `GET /accessibilite`: the accessibility statement, on the RGAA model.
async fn accessibility(State(state): State<AppState>) -> Markup {
    let rows = checklist(CHECKLIST);
    let of = |o: Outcome| rows.iter().filter(|c| c.outcome == o).count();
    let (c, nc, na) = (of(Outcome::Conforme), of(Outcome::NonConforme), of(Outcome::NonApplicable));
    let count = |n: usize, one: &str, many: &str| oc_model::fr::count(n as u64, one, many);
    let rate = (c * 100).checked_div(c + nc).unwrap_or(0);
    let date = audit_date(CHECKLIST).unwrap_or("non datée");
    let status = conformity(&rows);
    layout_with(
        &head(
            "Déclaration d'accessibilité",
            "/accessibilite",
            "La déclaration d'accessibilité d'Open Collectivités (RGAA).",
        ),
        html! {
            h1 { "Déclaration d'accessibilité" }
            p { "La Direction générale des collectivités locales (DGCL) s'engage à rendre son service Open Collectivités \
                accessible, conformément à l'article 47 de la loi n° 2005-102 du 11 février 2005." }
            p { "Cette déclaration d'accessibilité s'applique à Open Collectivités (" (state.public_url) ")." }
            h2 { "État de conformité" }
            p { "Open Collectivités est " strong { (status) } " avec le référentiel général d'amélioration de \
                l'accessibilité (RGAA), version " (RGAA_VERSION) ", "
                @if rows.len() < RGAA_CRITERIA {
                    "faute d'un audit complet de ses " (RGAA_CRITERIA) " critères (voir les résultats ci-dessous)."
                } @else {
                    "en raison des non-conformités énumérées ci-dessous."
                }
            }
            h2 { "Résultats des tests" }
            p { "L'audit interne réalisé le " (date) " a vérifié " (rows.len()) " des " (RGAA_CRITERIA)
                " critères du RGAA :" }
            ul {
                li { (count(c, "critère conforme", "critères conformes")) " ;" }
                li { (count(nc, "critère non conforme", "critères non conformes")) " ;" }
                li { (count(na, "critère non applicable", "critères non applicables")) "." }
            }
            p { "Sur les critères vérifiés et applicables, " (rate) " % sont respectés. Les autres critères n'ont pas \
                encore été évalués. Un audit complet par un organisme indépendant reste à mener." }
            h2 { "Contenus non accessibles" }
            h3 { "Non-conformités" }
            ul {
                @for r in rows.iter().filter(|r| r.outcome == Outcome::NonConforme) {
                    li { "Critère " (r.number) " (" (r.title) ") : " (with_code(r.remark)) }
                }
            }
            h3 { "Dérogations pour charge disproportionnée" }
            p { "Aucune." }
            h3 { "Contenus non soumis à l'obligation d'accessibilité" }
            ul {
                li { "Les publications, jeux de données et outils de la bibliothèque sont ceux d'autres services de la \
                    statistique publique : Open Collectivités en décrit la notice et renvoie vers leur source, qui en \
                    est responsable." }
                li { "Les plateformes de données ouvertes recensées sont des sites tiers." }
            }
            h2 { "Établissement de cette déclaration" }
            p { "Cette déclaration a été établie le " (date) "." }
            h3 { "Technologies utilisées" }
            ul { li { "HTML5" } li { "CSS (Système de design de l'État, DSFR)" } li { "JavaScript" } li { "SVG" } }
            h3 { "Environnement de test" }
            p { "Chromium (sans interface) avec axe-core 4, en largeur de bureau (1 280 px) et de téléphone (390 px) ; \
                parcours au clavier seul (Tab, Entrée, Espace, flèches) ; vérification manuelle des critères." }
            h3 { "Pages de l'échantillon" }
            ul { @for p in audited_pages(CHECKLIST) { li { (p) } } }
            h2 { "Retour d'information et contact" }
            p { "Si vous n'arrivez pas à accéder à un contenu ou à un service, contactez-nous pour être orienté vers \
                une alternative accessible ou obtenir le contenu sous une autre forme : " (contact(&state)) "." }
            h2 { "Voies de recours" }
            p { "Si vous constatez un défaut d'accessibilité vous empêchant d'accéder à un contenu ou à une \
                fonctionnalité du site, que vous nous le signalez et que vous ne parvenez pas à obtenir une réponse \
                de notre part, vous êtes en droit de faire parvenir vos doléances ou une demande de saisine au \
                Défenseur des droits. Plusieurs moyens sont à votre disposition :" }
            ul {
                li { "écrire un message au Défenseur des droits (formulaire en ligne sur "
                    a href="https://formulaire.defenseurdesdroits.fr/" rel="noopener" { "formulaire.defenseurdesdroits.fr" } ") ;" }
                li { "contacter le délégué du Défenseur des droits dans votre région ("
                    a href="https://www.defenseurdesdroits.fr/carte-des-delegues" rel="noopener" { "carte des délégués" } ") ;" }
                li { "envoyer un courrier par la poste (gratuit, ne pas mettre de timbre) : Défenseur des droits, Libre \
                    réponse 71120, 75342 Paris CEDEX 07." }
            }
        },
    )
}

/// `GET /mentions-legales`
async fn legal(State(state): State<AppState>) -> Markup {
    layout_with(
        &head("Mentions légales", "/mentions-legales", "Les mentions légales d'Open Collectivités."),
        html! {
            h1 { "Mentions légales" }
            h2 { "Éditeur" }
            p { "Open Collectivités est un service de la Direction générale des collectivités locales (DGCL), \
                ministère de l'Intérieur, 2 place des Saussaies, 75800 Paris Cedex 08." }
            h2 { "Directeur de la publication" }
            p { "Le directeur général des collectivités locales." }
            h2 { "Hébergement" }
            p { (state.site.host.as_deref().unwrap_or("Hébergeur (nom, adresse, téléphone) : à indiquer par l'exploitant \
                de ce serveur.")) }
            h2 { "Contact" }
            p { (contact(&state)) }
            h2 { "Réutilisation des contenus" }
            p { "Sauf mention contraire, les textes de ce site sont proposés sous "
                a href="https://www.etalab.gouv.fr/licence-ouverte-open-licence/" rel="noopener" { "Licence Ouverte 2.0" }
                ". Les données affichées restent sous la licence de leur producteur, indiquée à côté de chaque chiffre \
                et sur la page " a href="/sources" { "Sources des données" } ". La marque de l'État (bloc-marque, \
                Marianne) et le Système de design de l'État ne sont pas réutilisables hors des sites de l'État." }
            h2 { "Code source" }
            p { "Le logiciel qui fait fonctionner ce site est publié sous licence MIT." }
            h2 { "Liens vers d'autres sites" }
            p { "Les liens vers d'autres sites (producteurs des données, publications de la bibliothèque, plateformes \
                de données ouvertes) ne valent pas approbation de leur contenu ; ces sites en sont seuls \
                responsables. Tout site public ou privé peut faire un lien vers Open Collectivités sans autorisation \
                préalable." }
            h2 { "Accessibilité" }
            p { "Voir la " a href="/accessibilite" { "déclaration d'accessibilité" } "." }
            h2 { "Données personnelles" }
            p { "Voir la page " a href="/donnees-personnelles" { "Données personnelles" } "." }
        },
    )
}

/// `GET /donnees-personnelles`
async fn personal_data(State(state): State<AppState>) -> Markup {
    let session_hours = oc_library::accounts::SESSION_HOURS;
    let idle = oc_library::accounts::SESSION_IDLE_MINUTES;
    layout_with(
        &head(
            "Données personnelles",
            "/donnees-personnelles",
            "Ce qu'Open Collectivités conserve comme données personnelles, et pourquoi.",
        ),
        html! {
            h1 { "Données personnelles" }
            p class="fr-text--lead" { "Consulter Open Collectivités ne demande aucun compte et ne dépose aucun cookie. \
                Le site ne fait ni mesure d'audience ni suivi, et ne charge rien depuis un autre site." }
            h2 { "Les fiches publiques" }
            p { "Les fiches nomment les exécutifs des collectivités (maire, président) tels que les publie le \
                Répertoire national des élus du ministère de l'Intérieur : nom, fonction et date de début de mandat, \
                rien d'autre." }
            h2 { "Le back-office" }
            p { "Seuls les bibliothécaires et administrateurs de la bibliothèque ont un compte. Pour eux, le site \
                conserve :" }
            ul {
                li { strong { "le compte" } " : identifiant, rôle, date de création et mot de passe sous forme \
                    d'empreinte (Argon2 ; le mot de passe lui-même n'est jamais conservé), jusqu'à la suppression du \
                    compte ;" }
                li { strong { "la session" } " : deux cookies strictement nécessaires, limités aux adresses du \
                    back-office (" code { "/admin" } ") : celui du formulaire de connexion, qui le protège contre la \
                    falsification de requêtes, valable une heure ; celui de la session, valable " (session_hours)
                    " heures au plus et expirant après " (idle) " minutes d'inactivité, dont le serveur ne garde \
                    qu'une empreinte ;" }
                li { strong { "le journal des modifications" } " : qui a changé quoi et quand, avec les valeurs avant \
                    et après, pour pouvoir corriger une erreur ; les connexions, réussies ou refusées, y sont notées \
                    avec l'identifiant saisi et l'adresse IP d'origine, pour protéger les comptes. Le logiciel ne \
                    l'efface pas de lui-même ; durée de conservation fixée par l'exploitant : "
                    (state.site.journal_retention.as_deref().unwrap_or(TO_BE_GIVEN)) " ;" }
                li { strong { "la limitation des tentatives" } " : le nombre d'échecs récents par adresse IP et par \
                    identifiant, oublié après une connexion réussie." }
            }
            h2 { "Les journaux du serveur" }
            p { "Le serveur note ses erreurs et ses collectes de sources ; il ne note pas les pages consultées. \
                L'adresse d'un visiteur n'y figure que si la liaison réseau avec son navigateur échoue, et seulement \
                au niveau de détail « débogage », désactivé par défaut. L'hébergeur peut tenir ses propres journaux techniques (voir les "
                a href="/mentions-legales" { "mentions légales" } ")." }
            h2 { "Vos droits" }
            p { "Conformément au règlement général sur la protection des données (RGPD) et à la loi Informatique et \
                libertés, vous pouvez accéder aux données qui vous concernent, les faire rectifier ou effacer, et \
                vous opposer à leur traitement : " (contact(&state)) ". Si vous estimez, après nous avoir contactés, \
                que vos droits ne sont pas respectés, vous pouvez adresser une réclamation à la "
                a href="https://www.cnil.fr/fr/plaintes" rel="noopener" { "CNIL" } "." }
        },
    )
}

/// `GET /plan-du-site`
async fn site_map() -> Markup {
    let sections: [(&str, Vec<(&str, &str)>); 6] = [
        (
            "Collectivités",
            vec![
                ("Rechercher une collectivité, régions et départements", "/recherche"),
                ("La France en chiffres", crate::fiche::data::FRANCE_URL),
                ("Classements et cartes", "/classements"),
            ],
        ),
        ("Comparer", vec![("Comparer jusqu'à 4 collectivités", "/comparer")]),
        (
            "Bibliothèque",
            vec![
                ("Publications, jeux de données et outils", "/publications"),
                ("Flux Atom des dernières publications", "/publications.atom"),
            ],
        ),
        ("Plateformes", vec![("Plateformes de données ouvertes des collectivités", "/plateformes")]),
        ("API", vec![("Documentation de l'API", "/api"), ("Description OpenAPI (JSON)", "/api/v1/openapi.json")]),
        (
            "À propos",
            vec![
                ("Sources des données", "/sources"),
                ("Déclaration d'accessibilité", "/accessibilite"),
                ("Mentions légales", "/mentions-legales"),
                ("Données personnelles", "/donnees-personnelles"),
                ("Back-office (bibliothécaires)", "/admin/connexion"),
            ],
        ),
    ];
    layout_with(
        &head("Plan du site", "/plan-du-site", "Toutes les rubriques d'Open Collectivités."),
        html! {
            h1 { "Plan du site" }
            ul {
                li { a href="/" { "Accueil" } }
                @for (title, links) in &sections {
                    li {
                        (title)
                        ul { @for (name, href) in links { li { a href=(href) { (name) } } } }
                    }
                }
            }
        },
    )
}

/// The routes of these pages.
pub(crate) fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/accessibilite", get(accessibility))
        .route("/mentions-legales", get(legal))
        .route("/donnees-personnelles", get(personal_data))
        .route("/plan-du-site", get(site_map))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checklist_is_read_from_its_tables() {
        let text = "Audit date: 4 décembre 2026\n\n## Pages audited\n- Accueil (/)\n- Fiche\n\n## Criteria\n\
            | Critère | Intitulé | Résultat | Remarque |\n|---|---|---|---|\n\
            | 1.1 | Images | C | titres |\n| 8.7 | Langue | NC | titres anglais |\n| 4.1 | Médias | NA | aucun |\n\
            | x.1 | pas un critère | C | |\n";
        let rows = checklist(text);
        assert_eq!(rows.len(), 3, "{rows:?}");
        assert_eq!(
            rows[1],
            Criterion { number: "8.7", title: "Langue", outcome: Outcome::NonConforme, remark: "titres anglais" }
        );
        assert_eq!(audit_date(text), Some("4 décembre 2026"));
        assert_eq!(audited_pages(text), vec!["Accueil (/)", "Fiche"]);
    }

    #[test]
    fn the_repository_checklist_has_criteria_and_non_conformities() {
        let rows = checklist(CHECKLIST);
        assert!(rows.len() >= 30, "only {} criteria read from docs/ACCESSIBILITY.md", rows.len());
        assert!(rows.iter().any(|r| r.outcome == Outcome::NonConforme), "a partial conformity names its failures");
        assert!(audit_date(CHECKLIST).is_some());
        assert!(!audited_pages(CHECKLIST).is_empty());
        let mut numbers: Vec<&str> = rows.iter().map(|r| r.number).collect();
        numbers.sort_unstable();
        numbers.dedup();
        assert_eq!(numbers.len(), rows.len(), "a criterion is listed twice");
    }
}
