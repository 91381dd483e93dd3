//! `GET /api/v1/openapi.json`: the OpenAPI 3.1 description of the API
//! (territory search, fiches, publications, sources); `GET /api`: the same
//! description as a page to read.

use axum::response::{IntoResponse, Response};
use axum::Json;
use maud::{html, Markup};
use serde_json::{json, Value};

use crate::ui::{components::table_head, layout_with, Head, Section};

fn param(name: &str, desc: &str, schema: Value, required: bool) -> Value {
    json!({ "name": name, "in": "query", "required": required, "description": desc, "schema": schema })
}

fn error() -> Value {
    json!({ "description": "Paramètre invalide", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } })
}

fn fiche(path: &str, what: &str, code: &str) -> Value {
    json!({ "get": {
        "summary": format!("Fiche d'un(e) {what} (mêmes chiffres, sources et millésimes que la page)"),
        "parameters": [{ "name": "code", "in": "path", "required": true, "description": code, "schema": { "type": "string" } }],
        "responses": { "200": { "description": "La fiche", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Fiche" } } } },
                        "404": { "description": "Code inconnu", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } } },
        "x-path": path
    }})
}

/// The description.
pub(crate) fn document() -> Value {
    let list = |desc: &str| json!({ "type": "array", "items": { "type": "string" }, "description": desc });
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Open Collectivités API",
            "version": "1",
            "description": "Les statistiques des collectivités locales : recherche de territoires, fiches, \
                bibliothèque de publications."
        },
        "paths": {
            "/api/v1/search": { "get": {
                "summary": "Rechercher une commune, un EPCI, un département ou une région (nom, code INSEE, SIREN, \
                    code postal)",
                "parameters": [
                    param("q", "Nom (fautes tolérées), code INSEE, SIREN, code postal ou code de département (1 à 200 \
                        caractères)", json!({ "type": "string" }), true),
                    param("type", "Niveau", json!({ "type": "string", "enum": ["commune", "epci", "departement", "region"] }), false),
                    param("limit", "Nombre de résultats par page (1 à 50, 10 par défaut)", json!({ "type": "integer", "minimum": 1, "maximum": 50 }), false),
                    param("page", "Page de résultats (à partir de 1 ; les 10 000 premiers résultats sont accessibles)", json!({ "type": "integer", "minimum": 1 }), false)
                ],
                "responses": { "200": { "description": "Résultats", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/TerritorySearch" } } } }, "400": error() }
            }},
            "/api/v1/communes/{code}": fiche("/api/v1/communes/{code}", "commune", "Code INSEE (ex. 34172)"),
            "/api/v1/epci/{code}": fiche("/api/v1/epci/{code}", "EPCI", "SIREN (ex. 243400017)"),
            "/api/v1/departements/{code}": fiche("/api/v1/departements/{code}", "département", "Code (ex. 34, 2A, 974)"),
            "/api/v1/regions/{code}": fiche("/api/v1/regions/{code}", "région", "Code (ex. 76)"),
            "/api/v1/france": { "get": {
                "summary": "La France (métropole et départements d'outre-mer) : chiffres sommés sur les communes",
                "responses": { "200": { "description": "Fiche de la France (type « france », code FR)", "content": {
                    "application/json": { "schema": { "$ref": "#/components/schemas/Fiche" } } } } }
            }},
            "/api/v1/publications": { "get": {
                "summary": "Rechercher dans la bibliothèque (texte intégral, facettes combinables)",
                "description": "Plusieurs valeurs d'une facette se combinent par OU, les facettes par ET ; les \
                    comptes de chaque facette tiennent compte des autres filtres actifs. Paramètres inconnus ignorés.",
                "parameters": [
                    param("q", "Texte libre (accents et casse ignorés, « expressions entre guillemets », fautes \
                        tolérées sur les mots longs)", json!({ "type": "string", "maxLength": 300 }), false),
                    param("theme", "Thématique (répétable)", list("Thématiques du portail"), false),
                    param("scope", "Type de territoire (répétable)", list("Types de territoire"), false),
                    param("type", "Type de ressource (répétable)", list("Types de ressource"), false),
                    param("publisher", "Organisme auteur (répétable)", list("Organismes"), false),
                    param("year", "Année de publication (répétable)", list("AAAA"), false),
                    param("from", "Publié à partir du (AAAA-MM-JJ ou AAAA)", json!({ "type": "string" }), false),
                    param("to", "Publié jusqu'au (AAAA-MM-JJ ou AAAA)", json!({ "type": "string" }), false),
                    param("territory", "Territoire : REG-76, DEP-34, COM-34172, EPCI-243400017 (répétable ; un \
                        département inclut ses communes)", list("Codes de territoire"), false),
                    param("sort", "Tri : pertinence (défaut avec q) ou date (défaut sans q)", json!({ "type": "string", "enum": ["pertinence", "date"] }), false),
                    param("page", "Page (20 résultats par page)", json!({ "type": "integer", "minimum": 1, "maximum": 500 }), false)
                ],
                "responses": { "200": { "description": "Résultats et comptes par facette", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/PublicationSearch" } } } }, "400": error() }
            }},
            "/communes.csv": { "get": {
                "summary": "Toutes les communes de France avec tous leurs indicateurs (CSV, flux)",
                "description": "Une ligne par commune : nom, un indicateur par colonne (unité, producteur et \
                    millésime dans l'en-tête), puis les codes. CSV français par défaut (`;`, BOM, virgule décimale) ; \
                    `dialect=standard` : virgule, point décimal, sans BOM. Même forme pour les listes \
                    `/{niveau}/{clé}/communes.csv` et `/{niveau}/{clé}/epci.csv`, une fiche (`/commune/{clé}.csv`) \
                    et une comparaison (`/comparer.csv?ids=…`).",
                "parameters": [
                    param("dialect", "fr (défaut) ou standard", json!({ "type": "string", "enum": ["fr", "standard"] }), false)
                ],
                "responses": { "200": { "description": "Fichier CSV", "content": { "text/csv": {} } },
                    "400": { "description": "Paramètre « dialect » invalide" },
                    "503": { "description": "Trop de téléchargements en cours (en-tête Retry-After)" } }
            }},
            "/communes.xlsx": { "get": {
                "summary": "Toutes les communes de France avec tous leurs indicateurs (classeur Excel)",
                "description": "Les lignes du CSV, codes écrits en texte (zéros initiaux gardés), nombres en \
                    nombres avec leur format, « secret statistique » en texte ; une seconde feuille « Sources » donne \
                    producteur, jeu de données, millésime, licence et adresse de chaque colonne. Chaque export CSV a \
                    son jumeau `.xlsx` (fiche, listes, comparaison).",
                "responses": { "200": { "description": "Classeur XLSX", "content": {
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {} } },
                    "503": { "description": "Trop de téléchargements en cours (en-tête Retry-After)" } }
            }},
            "/communes.json": { "get": {
                "summary": "Toutes les communes de France avec tous leurs indicateurs (JSON, flux)",
                "responses": { "200": { "description": "Colonnes et fiches", "content": { "application/json": {
                    "schema": { "type": "object", "properties": {
                        "columns": { "type": "array", "items": { "type": "object" } },
                        "items": { "type": "array", "items": { "$ref": "#/components/schemas/Fiche" } } } } } } } }
            }},
            "/classements/{indicateur}.json": { "get": {
                "summary": "Classement d'un indicateur des fiches (aussi en page HTML sans « .json » et en CSV avec « .csv »)",
                "description": "Rang par valeur décroissante parmi les collectivités du groupe qui ont une valeur publiée ; \
                    les ex aequo partagent leur rang (le suivant saute) ; secrets et valeurs manquantes sont comptés à part.",
                "parameters": [
                    { "name": "indicateur", "in": "path", "required": true, "description": "Identifiant d'un chiffre (id des figures : densite, revenu_median…)", "schema": { "type": "string" } },
                    param("niveau", "Niveau classé (commune par défaut)", json!({ "type": "string", "enum": ["commune", "epci", "departement", "region"] }), false),
                    param("dans", "Groupe : FR (défaut), DEP-31, REG-76, EPCI-243100518 (communes membres)", json!({ "type": "string" }), false),
                    param("strate", "Strate de population (communes : strates DGFiP 0 à 10 ; EPCI : 0 à 6 ; départements : 0 à 3)", json!({ "type": "integer", "minimum": 0 }), false),
                    param("dialect", "CSV : fr (défaut) ou standard", json!({ "type": "string", "enum": ["fr", "standard"] }), false)
                ],
                "responses": { "200": { "description": "Le classement", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Ranking" } } } },
                    "400": { "description": "Paramètre invalide (message en français)" }, "404": { "description": "Indicateur inconnu à ce niveau" } }
            }},
            "/api/v1/sources": { "get": {
                "summary": "Les sources de la bibliothèque et l'état de leur dernière collecte",
                "responses": { "200": { "description": "Sources", "content": { "application/json": { "schema": { "type": "object" } } } } }
            }}
        },
        "components": { "schemas": {
            "Figure": { "type": "object", "description": "Un chiffre de la fiche, avec sa source et son millésime.", "properties": {
                "id": { "type": "string", "description": "Identifiant stable (colonne des exports)" },
                "label": { "type": "string" }, "value": { "type": ["number", "null"], "description": "null : non disponible (voir note) ou secret" },
                "unit": { "type": "string" }, "source": { "type": "string", "description": "Identifiant de la source (voir sources)" },
                "millesime": { "type": "string" }, "note": { "type": "string" },
                "texte": { "type": "string", "description": "Valeur en mots : classe d'un zonage, appartenance à un programme (« oui — convention signée le … », « non »)" },
                "secret": { "type": "boolean", "description": "Valeur couverte par le secret statistique (Filosofi : « s »)" },
                "contexte": { "$ref": "#/components/schemas/FigureContext" } } },
            "FigureContext": { "type": "object", "description": "Le chiffre en contexte : le même aux niveaux supérieurs, ses rangs et son centile national.", "properties": {
                "references": { "type": "array", "description": "Même chiffre pour l'EPCI, le(s) département(s), la région et la France, là où il y est défini (jamais les finances, propres à chaque collectivité)",
                    "items": { "type": "object", "properties": {
                        "niveau": { "type": "string", "enum": ["epci", "departement", "region", "france"] }, "code": { "type": "string" },
                        "nom": { "type": "string" }, "url": { "type": "string" }, "valeur": { "type": ["number", "null"] }, "secret": { "type": "boolean" } } } },
                "rangs": { "type": "array", "items": { "type": "object", "properties": {
                    "portee": { "type": "string", "enum": ["departement", "region", "strate", "france"] },
                    "rang": { "type": "integer", "description": "1 : la valeur la plus forte" }, "sur": { "type": "integer", "description": "Collectivités classées (avec une valeur publiée)" },
                    "ex_aequo": { "type": "boolean" }, "groupe": { "type": "string", "description": "ex. « communes de la Haute-Garonne »" },
                    "classement": { "type": "string", "description": "Adresse du classement de ce groupe" } } } },
                "centile_national": { "type": "integer", "minimum": 1, "maximum": 100, "description": "Part des collectivités du niveau dont la valeur est inférieure, ex aequo comptés pour moitié" } } },
            "Ranking": { "type": "object", "properties": {
                "indicateur": { "type": "string" }, "libelle": { "type": "string" }, "unite": { "type": "string" }, "source": { "type": "string" },
                "millesime": { "type": "string" }, "niveau": { "type": "string" }, "groupe": { "type": "string" },
                "classes": { "type": "integer", "description": "Collectivités classées" }, "secrets": { "type": "integer" }, "sans_valeur": { "type": "integer" },
                "lignes": { "type": "array", "items": { "type": "object", "properties": {
                    "rang": { "type": "integer" }, "ex_aequo": { "type": "boolean" }, "code": { "type": "string" }, "nom": { "type": "string" },
                    "url": { "type": "string" }, "valeur": { "type": "number" }, "population": { "type": ["integer", "null"] } } } } } },
            "Syndicat": { "type": "object", "properties": {
                "siren": { "type": "string" }, "nom": { "type": ["string", "null"], "description": "null : aucun fichier chargé ne le nomme" },
                "name_source": { "type": "string" }, "nature": { "type": "string" },
                "url": { "type": "string", "format": "uri", "description": "Fiche du SIREN sur l'Annuaire des entreprises" } } },
            "Fiche": { "type": "object", "properties": {
                "type": { "type": "string" }, "code": { "type": "string" }, "siren": { "type": ["string", "null"] }, "name": { "type": "string" },
                "title": { "type": "string" }, "url": { "type": "string" },
                "figures": { "type": "array", "items": { "$ref": "#/components/schemas/Figure" },
                    "description": "Chiffres clés, revenus et pauvreté (Filosofi, communes), zonages et programmes, syndicats, finances ; au-dessus de la commune, sommes des communes" },
                "syndicats": { "type": "array", "items": { "$ref": "#/components/schemas/Syndicat" } },
                "notes_sections": { "type": "array", "description": "[section, texte] : ce qu'une section dit au-delà de ses chiffres",
                    "items": { "type": "array", "items": { "type": "string" } } },
                "sources": { "type": "array", "items": { "type": "object" } },
                "finances": { "type": "object" } } },
            "Error": { "type": "object", "properties": { "error": { "type": "object", "properties": { "status": { "type": "integer" }, "message": { "type": "string" } } } } },
            "TerritorySearch": { "type": "object", "properties": {
                "query": { "type": "string" }, "total": { "type": "integer" }, "page": { "type": "integer" }, "pages": { "type": "integer" }, "approximate": { "type": "boolean" },
                "results": { "type": "array", "items": { "type": "object", "properties": {
                    "type": { "type": "string" }, "code": { "type": "string" }, "siren": { "type": ["string", "null"] }, "name": { "type": "string" },
                    "label": { "type": "string" }, "url": { "type": "string" }, "population": { "type": ["integer", "null"] },
                    "city_epci": { "type": "boolean", "description": "Présent (true) sur l'intercommunalité proposée après la grande ville que nomme la recherche : une suggestion, pas forcément une correspondance" } } } } } },
            "Publication": { "type": "object", "properties": {
                "id": { "type": "integer" }, "title": { "type": "string" }, "url": { "type": "string", "format": "uri" },
                "publisher": { "type": "string" }, "published": { "type": ["string", "null"], "description": "AAAA, AAAA-MM ou AAAA-MM-JJ" },
                "precision": { "type": ["string", "null"], "enum": ["day", "month", "year", null] }, "type": { "type": "string" },
                "themes": { "type": "array", "items": { "type": "string" } }, "scope": { "type": "array", "items": { "type": "string" } },
                "territories": { "type": "array", "items": { "type": "string" } }, "summary": { "type": "string" },
                "licence": { "type": ["string", "null"], "description": "La licence, telle que la source l'indique" },
                "size": { "type": ["integer", "null"], "description": "Taille du fichier lié, en octets, annoncée par son serveur" } } },
            "PublicationSearch": { "type": "object", "properties": {
                "total": { "type": "integer" }, "page": { "type": "integer" }, "per_page": { "type": "integer" }, "relaxed": { "type": "boolean" },
                "results": { "type": "array", "items": { "$ref": "#/components/schemas/Publication" } },
                "facets": { "type": "object", "additionalProperties": { "type": "array", "items": { "type": "object", "properties": { "value": { "type": "string" }, "count": { "type": "integer" } } } } } } }
        } }
    })
}

pub(crate) async fn serve() -> Response {
    Json(document()).into_response()
}

/// The route of the OpenAPI description and of its page.
pub(crate) fn routes() -> axum::Router<crate::AppState> {
    use axum::routing::get;
    axum::Router::new().route("/api/v1/openapi.json", get(serve)).route("/api", get(page))
}

/// The anchor of a path's section (`/api/v1/communes/{code}` →
/// `api-v1-communes-code`).
fn anchor(path: &str) -> String {
    let mut out = String::new();
    for c in path.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// A schema's type in words: `texte`, `entier ou null`, `tableau de
/// Figure` (a link to the schema), `valeurs : a, b`.
fn type_text(schema: &Value) -> Markup {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap_or(r);
        return html! { a href=(format!("#schema-{}", name.to_ascii_lowercase())) { (name) } };
    }
    fn word(t: &str) -> &str {
        match t {
            "string" => "texte",
            "integer" => "entier",
            "number" => "nombre",
            "boolean" => "booléen",
            "array" => "tableau",
            "object" => "objet",
            "null" => "null",
            other => other,
        }
    }
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![word(t)],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).map(word).collect(),
        _ => Vec::new(),
    };
    let enums: Vec<String> = schema
        .get("enum")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect();
    html! {
        (types.join(" ou "))
        @if let Some(items) = schema.get("items") { " (chaque élément : " (type_text(items)) ")" }
        @if !enums.is_empty() { " (valeurs : " (enums.join(", ")) ")" }
        @if let (Some(a), Some(b)) = (schema.get("minimum"), schema.get("maximum")) { " (" (a) " à " (b) ")" }
        @if let Some(m) = schema.get("maxLength") { " (" (m) " caractères au plus)" }
    }
}

/// One operation: its summary, description, parameters and responses.
fn operation(path: &str, op: &Value) -> Markup {
    let text = |k: &str| op.get(k).and_then(Value::as_str).unwrap_or("");
    let params: &[Value] = op.get("parameters").and_then(Value::as_array).map_or(&[], Vec::as_slice);
    let responses = op.get("responses").and_then(Value::as_object);
    let id = anchor(path);
    html! {
        section class="fr-mt-5w" aria-labelledby=(id) {
            h3 id=(id) class="fr-h5" { code { "GET " (path) } }
            p { (text("summary")) }
            @if !text("description").is_empty() { p class="fr-text--sm" { (text("description")) } }
            @if !params.is_empty() {
                div class="fr-table fr-table--no-caption" {
                    table tabindex="0" {
                        caption { "Paramètres de " (path) }
                        (table_head(&["Paramètre", "Où", "Obligatoire", "Type", "Description"]))
                        tbody {
                            @for p in params {
                                tr {
                                    td { code { (p["name"].as_str().unwrap_or("")) } }
                                    td { (if p["in"] == "path" { "chemin" } else { "requête" }) }
                                    td { (if p["required"] == true { "oui" } else { "non" }) }
                                    td { (type_text(&p["schema"])) }
                                    td { (p["description"].as_str().unwrap_or("")) }
                                }
                            }
                        }
                    }
                }
            }
            @if let Some(rs) = responses {
                p class="fr-mb-1w" { strong { "Réponses" } }
                ul {
                    @for (status, r) in rs {
                        li {
                            code { (status) } " : " (r["description"].as_str().unwrap_or(""))
                            @if let Some(content) = r.get("content").and_then(Value::as_object) {
                                @for (mime, c) in content {
                                    " — " code { (mime) }
                                    @if let Some(schema) = c.get("schema") { ", " (type_text(schema)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// One schema of the components: its description and fields.
fn schema(name: &str, s: &Value) -> Markup {
    let id = format!("schema-{}", name.to_ascii_lowercase());
    let props = s.get("properties").and_then(Value::as_object);
    html! {
        section class="fr-mt-4w" aria-labelledby=(id) {
            h3 id=(id) class="fr-h5" { code { (name) } }
            @if let Some(d) = s.get("description").and_then(Value::as_str) { p { (d) } }
            @if let Some(props) = props {
                div class="fr-table fr-table--no-caption" {
                    table tabindex="0" {
                        caption { "Champs de " (name) }
                        (table_head(&["Champ", "Type", "Description"]))
                        tbody {
                            @for (field, p) in props {
                                tr {
                                    td { code { (field) } }
                                    td { (type_text(p)) }
                                    td { (p.get("description").and_then(Value::as_str).unwrap_or("")) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `GET /api`: the API documentation, rendered from [`document`].
pub(crate) async fn page() -> Markup {
    let doc = document();
    let paths = doc["paths"].as_object().cloned().unwrap_or_default();
    let schemas = doc["components"]["schemas"].as_object().cloned().unwrap_or_default();
    let head = Head {
        canonical: Some("/api".into()),
        description: "L'API d'Open Collectivités : recherche de territoires, fiches, bibliothèque, exports.".into(),
        ..Head::new("Documentation de l'API", Some(Section::Api))
    };
    layout_with(
        &head,
        html! {
            h1 { "Documentation de l'API" }
            p class="fr-text--lead" { (doc["info"]["description"].as_str().unwrap_or("")) }
            p { "L'API est ouverte, sans clé ni inscription ; elle répond en JSON (UTF-8), les erreurs avec un message \
                en français et le code HTTP qui convient (400 pour un paramètre invalide, 404 pour un code inconnu). \
                Les chiffres sont ceux des pages, avec leur source et leur millésime. Cette page est tirée de la "
                a href="/api/v1/openapi.json" { "description OpenAPI " (doc["openapi"].as_str().unwrap_or("")) " (JSON)" }
                ", à charger dans tout outil compatible." }
            h2 { "Exemples" }
            ul {
                li { a href="/api/v1/search?q=montpellier" { code { "/api/v1/search?q=montpellier" } } }
                li { a href="/api/v1/communes/34172" { code { "/api/v1/communes/34172" } } }
                li { a href="/api/v1/publications?q=dotation&theme=Finances+%26+Fiscalit%C3%A9" {
                    code { "/api/v1/publications?q=dotation&theme=Finances+%26+Fiscalité" } } }
            }
            nav class="fr-summary fr-mt-4w" role="navigation" aria-labelledby="oc-api-summary" {
                p class="fr-summary__title" id="oc-api-summary" { "Sommaire" }
                ol class="fr-summary__list" {
                    @for path in paths.keys() {
                        li { a class="fr-summary__link" href=(format!("#{}", anchor(path))) { (path) } }
                    }
                    li { a class="fr-summary__link" href="#oc-schemas" { "Schémas des réponses" } }
                }
            }
            h2 class="fr-mt-5w" { "Adresses" }
            @for (path, item) in &paths {
                @if let Some(op) = item.get("get") { (operation(path, op)) }
            }
            h2 id="oc-schemas" class="fr-mt-6w" { "Schémas des réponses" }
            @for (name, s) in &schemas { (schema(name, s)) }
        },
    )
}
