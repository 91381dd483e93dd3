//! Documents in the back office: the library's search and facets plus
//! status filters (published, unpublished, deleted, new since the last
//! visit, suspected duplicates); edit, bulk changes, merge, delete and
//! restore, add by hand.
//!
//! The list is the library's ([`oc_library::listing`]): this module reads
//! the form into a [`DocumentQuery`] and draws the page.

use std::collections::BTreeMap;

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use maud::{html, Markup};

use oc_library::curation::{Bulk, Edit, TermKind};
use oc_library::listing::{DocumentQuery, Facet, StatusFilter};
use oc_library::store::Library;
use oc_library::store::Status;

use super::{
    change, csrf, done_checked, error_notice, field, fields, page, see_other, with_store, Auth, Librarian, Menu,
};
use crate::error::{WebError, WebResult};
use crate::extract::{param, Query};
use crate::format::{fmt_date, fmt_stored_time};
use crate::ui::components::{pagination, table_head, Pager};
use crate::AppState;

/// Rows per page of the list.
const PER_PAGE: usize = 50;

/// Status filters.
const STATUSES: [(&str, &str); 6] = [
    ("", "Tous (sauf supprimés)"),
    ("publie", "Publiés"),
    ("non-publie", "Non publiés"),
    ("nouveau", "Nouveaux depuis votre dernière visite"),
    ("doublon", "Doublons suspectés"),
    ("supprime", "Supprimés"),
];

/// The facets of the list: form name, label.
const FACETS: [(&str, &str); 5] = [
    ("theme", "Thématique"),
    ("scope", "Type de territoire"),
    ("type", "Type de ressource"),
    ("publisher", "Organisme auteur"),
    ("year", "Année"),
];

/// The library's facet of a form name of [`FACETS`].
fn facet_of(name: &str) -> Facet {
    match name {
        "theme" => Facet::Theme,
        "scope" => Facet::Scope,
        "type" => Facet::ResourceType,
        "publisher" => Facet::Publisher,
        _ => Facet::Year,
    }
}

#[derive(Debug, Clone, Default)]
pub(crate) struct ListQuery {
    q: String,
    status: String,
    filters: BTreeMap<&'static str, Vec<String>>,
    /// Only the documents filed as useful to all of a type (a type de
    /// territoire ticked) yet tied to one territory
    /// ([`DocumentQuery::one_territory_for_all`]).
    one_territory: bool,
    page: usize,
}

/// The query-string name of [`ListQuery::one_territory`].
const ONE_TERRITORY: &str = "utile_a_tous_un_territoire";

impl crate::extract::FromQuery for ListQuery {
    fn from_query(p: &[(String, String)], _: &AppState) -> WebResult<ListQuery> {
        ListQuery::parse(p)
    }
}

impl ListQuery {
    fn parse(p: &[(String, String)]) -> WebResult<ListQuery> {
        let status = param(p, "statut").unwrap_or("").trim().to_owned();
        if !STATUSES.iter().any(|(k, _)| *k == status) {
            return Err(WebError::BadRequest(format!(
                "paramètre « statut » invalide ({status:?}) : valeurs possibles {}",
                STATUSES.iter().filter(|(k, _)| !k.is_empty()).map(|(k, _)| *k).collect::<Vec<_>>().join(", ")
            )));
        }
        let q = param(p, "q").unwrap_or("").trim().to_owned();
        if q.chars().count() > 200 {
            return Err(WebError::BadRequest("paramètre « q » trop long (au plus 200 caractères)".into()));
        }
        let mut filters = BTreeMap::new();
        for (name, _) in FACETS {
            let v = fields(p, name);
            if let Some(y) = v.iter().find(|y| name == "year" && !(y.len() == 4 && y.parse::<u16>().is_ok())) {
                return Err(WebError::BadRequest(format!(
                    "paramètre « year » invalide ({y:?}) : une année sur quatre chiffres"
                )));
            }
            if !v.is_empty() {
                filters.insert(name, v);
            }
        }
        let one_territory = match param(p, ONE_TERRITORY).map(str::trim) {
            None | Some("") => false,
            Some("1") => true,
            Some(v) => {
                return Err(WebError::BadRequest(format!(
                    "paramètre « {ONE_TERRITORY} » invalide ({v:?}) : 1 pour ne garder que ces documents, sinon rien"
                )))
            }
        };
        let page = crate::extract::page(p, 10_000).map_err(WebError::BadRequest)?;
        Ok(ListQuery { q, status, filters, one_territory, page })
    }

    fn pairs(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if !self.q.is_empty() {
            out.push(("q".to_owned(), self.q.clone()));
        }
        if !self.status.is_empty() {
            out.push(("statut".to_owned(), self.status.clone()));
        }
        for (k, vs) in &self.filters {
            for v in vs {
                out.push(((*k).to_owned(), v.clone()));
            }
        }
        if self.one_territory {
            out.push((ONE_TERRITORY.to_owned(), "1".to_owned()));
        }
        if self.page > 1 {
            out.push(("page".to_owned(), self.page.to_string()));
        }
        out
    }

    fn href(&self) -> String {
        let qs = serde_urlencoded::to_string(self.pairs()).unwrap_or_default();
        if qs.is_empty() {
            "/admin/documents".to_owned()
        } else {
            format!("/admin/documents?{qs}")
        }
    }

    fn toggled(&self, facet: &'static str, v: &str) -> ListQuery {
        let mut q = ListQuery { page: 1, ..self.clone() };
        let list = q.filters.entry(facet).or_default();
        if let Some(i) = list.iter().position(|x| x == v) {
            list.remove(i);
        } else {
            list.push(v.to_owned());
        }
        q.filters.retain(|_, v| !v.is_empty());
        q
    }

    /// The library's query for this form.
    fn query(&self, since: Option<String>) -> DocumentQuery {
        let status = match self.status.as_str() {
            "publie" => StatusFilter::Published,
            "non-publie" => StatusFilter::Unpublished,
            "supprime" => StatusFilter::Deleted,
            "nouveau" => StatusFilter::New,
            "doublon" => StatusFilter::Duplicates,
            _ => StatusFilter::Current,
        };
        DocumentQuery {
            text: self.q.clone(),
            status,
            facets: self.filters.iter().map(|(k, v)| (facet_of(k), v.clone())).collect(),
            page: self.page,
            per_page: PER_PAGE,
            since,
            one_territory_for_all: self.one_territory,
        }
    }
}

fn status_label(s: Status) -> &'static str {
    match s {
        Status::Published => "publié",
        Status::Unpublished => "non publié",
        Status::Deleted => "supprimé",
    }
}

pub(crate) async fn list(
    State(state): State<AppState>,
    Librarian(auth): Librarian,
    Query(q): Query<ListQuery>,
    RawQuery(raw): RawQuery,
) -> WebResult<Response> {
    let done = done_checked(&state, &raw).await;
    let query = q.query(auth.session.previous_login.clone());
    let (listing, themes) = with_store(&state, move |s| {
        let listing = s.list_documents(&query)?;
        Ok((listing, s.term_names(TermKind::Theme, false)?))
    })
    .await?;
    let pages = listing.total.div_ceil(PER_PAGE).max(1);
    let back = q.href();
    let body = html! {
        form method="get" action="/admin/documents" class="fr-mb-3w" role="search" {
            div class="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom" {
                div class="fr-col-12 fr-col-md-6" {
                    label class="fr-label" for="admin-q" { "Rechercher (titre, résumé, organisme, adresse ou n°)" }
                    input class="fr-input" id="admin-q" name="q" value=(q.q);
                }
                div class="fr-col-12 fr-col-md-4" {
                    label class="fr-label" for="admin-statut" { "Statut" }
                    select class="fr-select" id="admin-statut" name="statut" {
                        @for (k, l) in STATUSES { option value=(k) selected[q.status == k] { (l) } }
                    }
                }
                @for (k, vs) in &q.filters { @for v in vs { input type="hidden" name=(k) value=(v); } }
                div class="fr-col-12 fr-col-md-2" { button class="fr-btn" type="submit" { "Filtrer" } }
            }
            div class="fr-checkbox-group fr-checkbox-group--sm fr-mt-2w" {
                input type="checkbox" id="admin-one-territory" name=(ONE_TERRITORY) value="1" checked[q.one_territory];
                label class="fr-label" for="admin-one-territory" {
                    "Documents marqués utiles à tous mais liés à un seul territoire"
                    span class="fr-hint-text" { "Un type de territoire est coché (le document est proposé à toutes les \
                        collectivités de ce type) et un seul territoire est indiqué : un exemple à vérifier, ou un \
                        classement à corriger." }
                }
            }
        }
        div class="fr-grid-row fr-grid-row--gutters" {
            div class="fr-col-12 fr-col-md-3" {
                @for (f, label) in FACETS {
                    @let values = listing.facets.get(&facet_of(f)).cloned().unwrap_or_default();
                    @let selected = q.filters.get(f).cloned().unwrap_or_default();
                    @if !values.is_empty() || !selected.is_empty() {
                        h2 class="fr-h6 fr-mb-1v" { (label) }
                        ul class="fr-mb-2w oc-admin-facet" id=(format!("admin-facet-{f}")) {
                            @for v in &selected {
                                li { a class="fr-tag fr-tag--sm" aria-pressed="true" href=(q.toggled(f, v).href()) { (v) " ✕" } }
                            }
                            @for (v, n) in values.iter().filter(|(v, _)| !selected.contains(v)).take(15) {
                                li { a href=(q.toggled(f, v).href()) { (v) } " (" (crate::format::fmt_int(*n as u64)) ")" }
                            }
                        }
                    }
                }
            }
            div class="fr-col-12 fr-col-md-9" {
                p id="admin-total" {
                    strong { (crate::format::fmt_int(listing.total as u64)) }
                    " " (oc_model::fr::plural(listing.total as u64, "document", "documents"))
                }
                @if listing.rows.is_empty() {
                    p class="fr-text--lg" { "Aucun document ne correspond"
                        @if q.page > 1 && listing.total > 0 {
                            " sur cette page : " a href=(ListQuery { page: 1, ..q.clone() }.href()) {
                                "revenir à la première page"
                            }
                        }
                        @else { " : retirez un filtre ou changez la recherche." } }
                } @else {
                form method="post" action="/admin/documents/lot" {
                    (csrf(&auth))
                    input type="hidden" name="retour" value=(back);
                    div class="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom fr-mb-2w" {
                        div class="fr-col-12 fr-col-md-4" {
                            label class="fr-label" for="bulk-action" { "Pour la sélection" }
                            select class="fr-select" id="bulk-action" name="action" {
                                option value="publier" { "Publier" }
                                option value="depublier" { "Dépublier" }
                                option value="ajouter-theme" { "Ajouter la thématique" }
                                option value="retirer-theme" { "Retirer la thématique" }
                            }
                        }
                        div class="fr-col-12 fr-col-md-5" {
                            label class="fr-label" for="bulk-theme" { "Thématique" }
                            select class="fr-select" id="bulk-theme" name="theme" {
                                option value="" { "—" }
                                @for t in &themes { option value=(t) { (t) } }
                            }
                        }
                        div class="fr-col-12 fr-col-md-3" { button class="fr-btn fr-btn--secondary" type="submit" { "Appliquer" } }
                    }
                    div class="fr-table fr-table--no-caption" { table {
                        caption { "Documents" }
                        (table_head(&["Choisir", "N°", "Titre", "Organisme", "Date", "Statut"]))
                        tbody {
                            @for d in &listing.rows {
                                tr {
                                    td {
                                        div class="fr-checkbox-group fr-checkbox-group--sm" {
                                            input type="checkbox" name="id" value=(d.doc.id) id=(format!("sel-{}", d.doc.id));
                                            label class="fr-label" for=(format!("sel-{}", d.doc.id)) { span class="fr-sr-only" { "Choisir " (d.doc.title) } }
                                        }
                                    }
                                    td { (d.doc.id) }
                                    td {
                                        a href=(format!("/admin/documents/{}", d.doc.id)) { (d.doc.title) }
                                        @if listing.duplicates.contains(&d.doc.id) { " " span class="fr-badge \
                                            fr-badge--sm fr-badge--warning" { "doublon ?" } }
                                        @if d.doc.featured { " " span class="fr-badge fr-badge--sm fr-badge--info" { "à la une" } }
                                    }
                                    td { (d.doc.publisher) }
                                    td { (d.doc.published.as_deref().map(fmt_date).unwrap_or_default()) }
                                    td {
                                        (status_label(d.doc.status))
                                        @if let Some(m) = d.merged_into { " (fusionné dans n° " (m) ")" }
                                    }
                                }
                            }
                        }
                    } }
                }
                }
                (pagination("Pagination", q.page, pages, Pager::PrevNext, |n| ListQuery { page: n, ..q.clone() }.href()))
            }
        }
    };
    Ok(page(Menu::Documents, "Documents", &auth, done.as_deref(), body).into_response())
}

/// What the edit and add forms offer.
struct Choices {
    themes: Vec<String>,
    scopes: Vec<String>,
    types: Vec<String>,
    publishers: Vec<String>,
    /// The document's territory codes with their names (unknown: none).
    territory_names: Vec<(String, Option<String>)>,
}

/// The names of territory codes, from the reference data.
fn territory_names(state: &AppState, codes: &[String]) -> Vec<(String, Option<String>)> {
    let geo = state.geo();
    codes.iter().map(|c| (c.clone(), crate::publications::territory_label(&geo, c))).collect()
}

fn choices(s: &Library) -> Result<Choices, oc_library::store::StoreError> {
    Ok(Choices {
        themes: s.term_names(TermKind::Theme, false)?,
        scopes: s.term_names(TermKind::Scope, false)?,
        types: s.term_names(TermKind::ResourceType, false)?,
        publishers: s.term_names(TermKind::Publisher, false)?,
        territory_names: Vec::new(),
    })
}

/// The values of a document form; a weight that is not a number is an
/// error, with every other value kept.
fn edit_of_form(f: &[(String, String)]) -> (Edit, Option<String>) {
    let raw = field(f, "weight").trim().replace(',', ".");
    let parsed = if raw.is_empty() {
        Ok(0.0)
    } else {
        raw.parse::<f64>().map_err(|_| format!("poids invalide ({raw:?}) : un nombre entre -100 et 100"))
    };
    let e = Edit {
        title: field(f, "title").trim().to_owned(),
        summary: field(f, "summary").replace("\r\n", "\n").trim().to_owned(),
        publisher: field(f, "publisher").trim().to_owned(),
        published: field(f, "published").trim().to_owned(),
        resource_type: field(f, "resource_type").trim().to_owned(),
        themes: fields(f, "themes"),
        scope: fields(f, "scope"),
        territories: field(f, "territories")
            .split([',', ' ', ';', '\n'])
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_uppercase)
            .collect(),
        status: if field(f, "status") == "unpublished" { Status::Unpublished } else { Status::Published },
        featured: field(f, "featured") == "1",
        weight: *parsed.as_ref().unwrap_or(&0.0),
        expected_rev: field(f, "rev").trim().parse::<i64>().ok(),
    };
    (e, parsed.err())
}

/// Territories must exist in the reference data.
fn check_territories(state: &AppState, e: &Edit) -> Result<(), String> {
    match e.territories.iter().find(|t| crate::publications::territory_label(&state.geo(), t).is_none()) {
        Some(t) => Err(format!("territoire inconnu {t:?} : REG-76, DEP-34, COM-34172 ou EPCI-243400017 par exemple")),
        None => Ok(()),
    }
}

fn doc_form(
    auth: &Auth,
    action: &str,
    e: &Edit,
    url: Option<&str>,
    c: &Choices,
    error: Option<&str>,
    rev: Option<i64>,
) -> Markup {
    let checkboxes = |name: &str, legend: &str, offered: &[String], chosen: &[String]| {
        // Terms already on the document stay offered, retired or not.
        let mut all: Vec<String> = offered.to_vec();
        for v in chosen {
            if !all.contains(v) {
                all.push(v.clone());
            }
        }
        html! {
            fieldset class="fr-fieldset" id=(format!("field-{name}")) {
                legend class="fr-fieldset__legend fr-text--regular" { (legend) }
                @for (i, v) in all.iter().enumerate() {
                    div class="fr-fieldset__element fr-fieldset__element--inline" {
                        div class="fr-checkbox-group fr-checkbox-group--sm" {
                            input type="checkbox" name=(name) value=(v) id=(format!("{name}-{i}")) checked[chosen.contains(v)];
                            label class="fr-label" for=(format!("{name}-{i}")) { (v) }
                        }
                    }
                }
            }
        }
    };
    let mut types = c.types.clone();
    if !e.resource_type.is_empty() && !types.contains(&e.resource_type) {
        types.push(e.resource_type.clone());
    }
    html! {
        (error_notice(error))
        form method="post" action=(action) class="oc-admin-form" {
            (csrf(auth))
            @if let Some(r) = rev { input type="hidden" name="rev" value=(r); }
            @if let Some(u) = url {
                div class="fr-input-group" {
                    label class="fr-label" for="url" { "Adresse du document (URL)" span class="fr-hint-text" { "https://…, \
                        la page ou le fichier de l'éditeur" } }
                    input class="fr-input" id="url" name="url" type="url" required value=(u);
                }
            }
            div class="fr-input-group" {
                label class="fr-label" for="title" { "Titre" }
                input class="fr-input" id="title" name="title" required maxlength="500" value=(e.title);
            }
            div class="fr-input-group" {
                label class="fr-label" for="summary" { "Résumé" span class="fr-hint-text" { "Texte brut ; une ligne \
                    vide sépare les paragraphes." } }
                textarea class="fr-input" id="summary" name="summary" rows="6" { (e.summary) }
            }
            div class="fr-grid-row fr-grid-row--gutters" {
                div class="fr-col-12 fr-col-md-6" { div class="fr-input-group" {
                    label class="fr-label" for="publisher" { "Organisme auteur" }
                    input class="fr-input" id="publisher" name="publisher" list="publishers" value=(e.publisher);
                    datalist id="publishers" { @for p in &c.publishers { option value=(p) {} } }
                } }
                div class="fr-col-12 fr-col-md-3" { div class="fr-input-group" {
                    label class="fr-label" for="published" { "Date de publication" span class="fr-hint-text" { "AAAA, AAAA-MM ou AAAA-MM-JJ" } }
                    input class="fr-input" id="published" name="published" value=(e.published) pattern="[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?";
                } }
                div class="fr-col-12 fr-col-md-3" { div class="fr-select-group" {
                    label class="fr-label" for="resource_type" { "Type de ressource" }
                    select class="fr-select" id="resource_type" name="resource_type" {
                        @for t in &types { option value=(t) selected[*t == e.resource_type] { (t) } }
                    }
                } }
            }
            (checkboxes("themes", "Thématiques", &c.themes, &e.themes))
            (checkboxes("scope", "Types de territoire", &c.scopes, &e.scope))
            div class="fr-input-group" id="field-territories" {
                label class="fr-label" for="territories" { "Territoires" span class="fr-hint-text" { "Codes séparés \
                    par des virgules : COM-34172, EPCI-243400017, DEP-34, REG-76 ; ou cherchez un territoire par son \
                    nom ci-dessous, son code s'ajoute ici." } }
                input class="fr-input" id="territories" name="territories" value=(e.territories.join(", "));
                @if !c.territory_names.is_empty() {
                    ul class="fr-text--sm fr-mt-1w oc-territory-names" aria-label="Territoires du document" {
                        @for (code, name) in &c.territory_names {
                            li { code { (code) } " — " @if let Some(n) = name { (n) } @else { em { "territoire inconnu" } } }
                        }
                    }
                }
            }
            div class="fr-input-group oc-search" data-oc-autocomplete-add="territories" {
                label class="fr-label" for="territory-search" { "Ajouter un territoire par son nom"
                    span class="fr-hint-text" { "Commune, intercommunalité, département ou région, comme dans la \
                        recherche du site ; choisissez une suggestion pour ajouter son code." } }
                input class="fr-input" type="search" id="territory-search" placeholder="Nom, code INSEE, code postal ou SIREN"
                    autocomplete="off" spellcheck="false" maxlength="200" role="combobox" aria-autocomplete="list"
                    aria-expanded="false" aria-controls="territory-search-listbox";
                ul id="territory-search-listbox" role="listbox" class="oc-suggestions" aria-label="Suggestions" hidden {}
                p id="territory-search-status" class="fr-sr-only" aria-live="polite" {}
            }
            div class="fr-grid-row fr-grid-row--gutters" {
                div class="fr-col-12 fr-col-md-4" {
                    fieldset class="fr-fieldset" {
                        legend class="fr-fieldset__legend fr-text--regular" { "Statut" }
                        div class="fr-fieldset__element" { div class="fr-radio-group" {
                            input type="radio" id="status-published" name="status" value="published" checked[e.status != Status::Unpublished];
                            label class="fr-label" for="status-published" { "Publié" }
                        } }
                        div class="fr-fieldset__element" { div class="fr-radio-group" {
                            input type="radio" id="status-unpublished" name="status" value="unpublished" checked[e.status == Status::Unpublished];
                            label class="fr-label" for="status-unpublished" { "Non publié" }
                        } }
                    }
                }
                div class="fr-col-12 fr-col-md-4" { div class="fr-checkbox-group" {
                    input type="checkbox" id="featured" name="featured" value="1" checked[e.featured];
                    label class="fr-label" for="featured" { "À la une" }
                } }
                div class="fr-col-12 fr-col-md-4" { div class="fr-input-group" {
                    label class="fr-label" for="weight" { "Poids dans la recherche" span class="fr-hint-text" id="weight-hint" {
                        "Un nombre de -100 à 100 ; 0 par défaut. Un poids positif fait monter le document dans les \
                        résultats de la recherche publique (à 100, sa pertinence compte double), un poids négatif le \
                        fait descendre (à -100, il passe après les autres). À pertinence égale, le plus lourd passe \
                        devant. « À la une » le place avant tous les autres." } }
                    input class="fr-input" id="weight" name="weight" type="number" step="any" min="-100" max="100"
                        value=(e.weight) aria-describedby="weight-hint";
                } }
            }
            button class="fr-btn" type="submit" id="save" { "Enregistrer" }
        }
    }
}

fn doc_id(id: &str) -> Result<i64, WebError> {
    id.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| WebError::NotFound(format!("aucun document n° {id:?}")))
}

async fn edit_view(
    state: &AppState,
    auth: &Auth,
    id: i64,
    form: Option<(&Edit, &str)>,
    done: Option<&str>,
) -> WebResult<Response> {
    let (doc, sources, mut c) =
        with_store(state, move |s| Ok((s.admin_document(id)?, s.document_sources(id)?, choices(s)?))).await?;
    let Some(doc) = doc else { return Err(WebError::NotFound(format!("aucun document n° {id}"))) };
    let current = Library::edit_of(&doc.doc);
    let (e, error) = match form {
        Some((e, m)) => (e, Some(m)),
        None => (&current, None),
    };
    c.territory_names = territory_names(state, &e.territories);
    let deleted = doc.doc.status == Status::Deleted;
    let body = html! {
        p class="fr-text--sm" {
            "Adresse : " a href=(doc.doc.url) rel="noopener" { (doc.doc.url) } br;
            "Sources : " (sources.join(", ")) " — vu la première fois le " (fmt_stored_time(&doc.doc.first_seen))
                ", mis à jour le " (fmt_stored_time(&doc.doc.last_updated)) br;
            "Statut : " strong { (status_label(doc.doc.status)) }
            @if doc.doc.status == Status::Published { " — " a href=(format!("/publications/{id}")) { "voir la notice publique" } }
            @if let Some(m) = doc.merged_into { " — fusionné dans " a href=(format!("/admin/documents/{m}")) { "le document n° " (m) } }
        }
        @if deleted {
            (error_notice(error))
            div class="fr-callout fr-mb-3w" {
                h2 class="fr-callout__title fr-h5" { (doc.doc.title) }
                p class="fr-callout__text fr-text--sm" {
                    (doc.doc.publisher) " — " (doc.doc.published.as_deref().map_or_else(|| "sans date".to_owned(), fmt_date)) " — "
                        (doc.doc.resource_type)
                }
                @if !doc.doc.summary.is_empty() { p class="fr-text--sm" { (doc.doc.summary) } }
            }
            @if doc.merged_into.is_none() {
                form method="post" action=(format!("/admin/documents/{id}/restaurer")) {
                    (csrf(auth))
                    button class="fr-btn" type="submit" { "Restaurer ce document" }
                }
            }
        } @else {
            (doc_form(auth, &format!("/admin/documents/{id}"), e, None, &c, error, Some(doc.doc.rev)))
            hr class="fr-mt-4w";
            div class="fr-grid-row fr-grid-row--gutters" {
                div class="fr-col-12 fr-col-md-6" {
                    form method="post" action=(format!("/admin/documents/{id}/fusionner")) {
                        (csrf(auth))
                        div class="fr-input-group" {
                            label class="fr-label" for="into" { "Fusionner dans le document n°" span class="fr-hint-text" { "Celui-ci \
                                disparaît ; son adresse redirige vers l'autre, qui reçoit ses thématiques et \
                                territoires." } }
                            input class="fr-input" id="into" name="into" inputmode="numeric" required;
                        }
                        button class="fr-btn fr-btn--secondary" type="submit" { "Fusionner" }
                    }
                }
                div class="fr-col-12 fr-col-md-6" {
                    form method="post" action=(format!("/admin/documents/{id}/supprimer")) {
                        (csrf(auth))
                        p class="fr-text--sm" { "Supprimer garde une pierre tombale : aucune moisson ne fera revenir \
                            ce document." }
                        button class="fr-btn fr-btn--tertiary" type="submit" { "Supprimer" }
                    }
                }
            }
        }
    };
    let status = if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    Ok((status, page(Menu::Documents, &format!("Document n° {id}"), auth, done, body)).into_response())
}

pub(crate) async fn edit_page(
    State(state): State<AppState>,
    Librarian(auth): Librarian,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> WebResult<Response> {
    edit_view(&state, &auth, doc_id(&id)?, None, done_checked(&state, &raw).await.as_deref()).await
}

pub(crate) async fn save(
    State(state): State<AppState>,
    Librarian(auth): Librarian,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let id = doc_id(&id)?;
    let (e, error) = edit_of_form(&f);
    if let Some(m) = error.or_else(|| check_territories(&state, &e).err()) {
        return edit_view(&state, &auth, id, Some((&e, &m)), None).await;
    }
    let (e2, by) = (e.clone(), auth.name().to_owned());
    match change(&state, move |s| s.edit_document(id, &e2, &by)).await {
        Ok(()) => Ok(see_other(&format!("/admin/documents/{id}?fait=enregistre"))),
        Err(WebError::BadRequest(m)) => edit_view(&state, &auth, id, Some((&e, &m)), None).await,
        Err(e) => Err(e),
    }
}

pub(crate) async fn bulk(
    State(state): State<AppState>,
    Librarian(auth): Librarian,
    Form(f): Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let mut ids = Vec::new();
    for v in fields(&f, "id") {
        ids.push(v.parse::<i64>().map_err(|_| WebError::BadRequest(format!("numéro de document invalide {v:?}")))?);
    }
    if ids.is_empty() {
        return Err(WebError::BadRequest(
            "Cochez au moins un document, puis recommencez (revenez à la page précédente).".into(),
        ));
    }
    let theme = field(&f, "theme").trim().to_owned();
    let need_theme = || {
        if theme.is_empty() {
            Err(WebError::BadRequest("Choisissez la thématique à ajouter ou à retirer.".into()))
        } else {
            Ok(theme.clone())
        }
    };
    let action = match field(&f, "action") {
        "publier" => Bulk::Publish,
        "depublier" => Bulk::Unpublish,
        "ajouter-theme" => Bulk::AddTheme(need_theme()?),
        "retirer-theme" => Bulk::RemoveTheme(need_theme()?),
        a => return Err(WebError::BadRequest(format!("action inconnue {a:?}"))),
    };
    let by = auth.name().to_owned();
    change(&state, move |s| s.bulk(&ids, &action, &by)).await?;
    let back = super::safe_next(field(&f, "retour"));
    let back = if back.starts_with("/admin/documents") { back } else { "/admin/documents" };
    let sep = if back.contains('?') { '&' } else { '?' };
    Ok(see_other(&format!("{back}{sep}fait=lot")))
}

pub(crate) async fn merge(
    State(state): State<AppState>,
    Librarian(auth): Librarian,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let id = doc_id(&id)?;
    let into_s = field(&f, "into").trim().trim_start_matches("n°").trim().to_owned();
    let Ok(into) = into_s.parse::<i64>() else {
        return edit_view(
            &state,
            &auth,
            id,
            Some((
                &with_store(&state, move |s| s.admin_document(id))
                    .await?
                    .map(|d| Library::edit_of(&d.doc))
                    .unwrap_or_default(),
                &format!("numéro de document invalide {into_s:?}"),
            )),
            None,
        )
        .await;
    };
    let by = auth.name().to_owned();
    match change(&state, move |s| s.merge_documents(id, into, &by)).await {
        Ok(()) => Ok(see_other(&format!("/admin/documents/{into}?fait=fusionne"))),
        Err(WebError::BadRequest(m)) => {
            let current = with_store(&state, move |s| s.admin_document(id))
                .await?
                .map(|d| Library::edit_of(&d.doc))
                .unwrap_or_default();
            edit_view(&state, &auth, id, Some((&current, &m)), None).await
        }
        Err(e) => Err(e),
    }
}

pub(crate) async fn delete(
    State(state): State<AppState>,
    Librarian(auth): Librarian,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let id = doc_id(&id)?;
    let by = auth.name().to_owned();
    change(&state, move |s| s.delete_document(id, &by)).await?;
    Ok(see_other(&format!("/admin/documents/{id}?fait=supprime")))
}

pub(crate) async fn restore(
    State(state): State<AppState>,
    Librarian(auth): Librarian,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let id = doc_id(&id)?;
    let by = auth.name().to_owned();
    change(&state, move |s| s.restore_document(id, &by)).await?;
    Ok(see_other(&format!("/admin/documents/{id}?fait=restaure")))
}

async fn new_view(state: &AppState, auth: &Auth, e: &Edit, url: &str, error: Option<&str>) -> WebResult<Response> {
    let mut c = with_store(state, |s| choices(s)).await?;
    c.territory_names = territory_names(state, &e.territories);
    let body = doc_form(auth, "/admin/documents/nouveau", e, Some(url), &c, error, None);
    let status = if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    Ok((status, page(Menu::Documents, "Ajouter un document", auth, None, body)).into_response())
}

pub(crate) async fn new_page(State(state): State<AppState>, Librarian(auth): Librarian) -> WebResult<Response> {
    let e = Edit { status: Status::Published, resource_type: "Publication statistique".into(), ..Edit::default() };
    new_view(&state, &auth, &e, "", None).await
}

pub(crate) async fn create(
    State(state): State<AppState>,
    Librarian(auth): Librarian,
    Form(f): Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let url = field(&f, "url").trim().to_owned();
    let (e, error) = edit_of_form(&f);
    if let Some(m) = error.or_else(|| check_territories(&state, &e).err()) {
        return new_view(&state, &auth, &e, &url, Some(&m)).await;
    }
    let (e2, u2, by) = (e.clone(), url.clone(), auth.name().to_owned());
    match change(&state, move |s| s.add_document(&u2, &e2, &by)).await {
        Ok(id) => Ok(see_other(&format!("/admin/documents/{id}?fait=ajoute"))),
        Err(WebError::BadRequest(m)) => new_view(&state, &auth, &e, &url, Some(&m)).await,
        Err(e) => Err(e),
    }
}
