//! The rest of the back office: taxonomies (librarians), and for admins
//! the sources, fiche messages, accounts and the audit log.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use maud::{html, Markup};

use oc_library::accounts::Role;
use oc_library::audit::AuditFilter;
use oc_library::curation::{FicheMessage, Term, TermKind};
use oc_library::source::{Defaults, Source, SourceKind};
use oc_library::store::SourceRow;
use oc_model::fr::{capitalize, fmt_int, plural};

use super::french;
use super::{
    change, csrf, done_checked, done_of, error_notice, field, fields, num, page, see_other, with_store, AdminOnly,
    Auth, Librarian, Menu, Preview,
};
use crate::error::{WebError, WebResult};
use crate::extract::{param, params};
use crate::format::{fmt_date, fmt_stored_time};
use crate::ui::components::{alert, date_field, pagination, table_head, Level, Pager};
use crate::AppState;

// --- Taxonomies ---

fn kind_param(k: TermKind) -> &'static str {
    k.as_str()
}

async fn taxonomies_view(
    state: &AppState,
    auth: &Auth,
    done: Option<&str>,
    error: Option<&str>,
) -> WebResult<Response> {
    let (all, synonyms): (Vec<(TermKind, Vec<Term>)>, Vec<oc_library::synonyms::Synonym>) = with_store(state, |s| {
        let mut out = Vec::new();
        for k in TermKind::ALL {
            out.push((k, s.terms(k)?));
        }
        Ok((out, s.synonyms()?))
    })
    .await?;
    let action_button = |k: TermKind, name: &str, action: &str, label: &str| {
        html! {
            form method="post" action="/admin/taxonomies" class="oc-inline-form" {
                (csrf(auth))
                input type="hidden" name="kind" value=(kind_param(k));
                input type="hidden" name="name" value=(name);
                input type="hidden" name="action" value=(action);
                button class="fr-btn fr-btn--sm fr-btn--tertiary" type="submit" title=(format!("{label} : {name}")) { (label) }
            }
        }
    };
    let body = html! {
        (error_notice(error))
        p { "Renommer un terme le change sur chaque document et pour les moissons à venir. Un terme retiré n'est plus \
            proposé ; les documents qui l'ont le gardent." }
        @for (k, terms) in &all {
            section class="fr-mb-6w" id=(format!("tax-{}", kind_param(*k))) {
                h2 class="fr-h4" { (k.label()) }
                div class="fr-table fr-table--no-caption" { table {
                    caption { (k.label()) }
                    thead { tr {
                        th scope="col" { "Terme" } th scope="col" { "Documents" }
                        @if *k == TermKind::Publisher { th scope="col" { "Sigle et organisme parent" } }
                        th scope="col" { "Renommer" } th scope="col" { "Ordre et retrait" }
                    } }
                    tbody {
                        @for t in terms {
                            tr {
                                td { (t.name) @if t.retired { " " span class="fr-badge fr-badge--sm" { "retiré" } } }
                                td { (oc_model::fr::count_or_none(num(t.documents), "document", "documents", false)) }
                                @if *k == TermKind::Publisher {
                                    td {
                                        form method="post" action="/admin/taxonomies" class="oc-inline-form" {
                                            (csrf(auth))
                                            input type="hidden" name="kind" value="publisher";
                                            input type="hidden" name="name" value=(t.name);
                                            input type="hidden" name="action" value="organisme";
                                            label class="fr-sr-only" for=(format!("acr-{}", t.position)) { "Sigle de " (t.name) }
                                            input class="fr-input fr-input--sm" id=(format!("acr-{}", t.position))
                                                name="acronym" value=(t.acronym) placeholder="sigle" size="8";
                                            label class="fr-sr-only" for=(format!("par-{}", t.position)) { "Organisme parent de " (t.name) }
                                            input class="fr-input fr-input--sm" id=(format!("par-{}", t.position))
                                                name="parent" value=(t.parent) placeholder="organisme parent";
                                            button class="fr-btn fr-btn--sm fr-btn--tertiary" type="submit" { "Enregistrer" }
                                        }
                                    }
                                }
                                td {
                                    form method="post" action="/admin/taxonomies" class="oc-inline-form" {
                                        (csrf(auth))
                                        input type="hidden" name="kind" value=(kind_param(*k));
                                        input type="hidden" name="name" value=(t.name);
                                        input type="hidden" name="action" value="renommer";
                                        label class="fr-sr-only" for=(format!("ren-{}-{}", kind_param(*k), t.position)) { "Nouveau nom de " (t.name) }
                                        input class="fr-input fr-input--sm"
                                            id=(format!("ren-{}-{}", kind_param(*k), t.position)) name="new_name"
                                            value=(t.name) required;
                                        button class="fr-btn fr-btn--sm fr-btn--tertiary" type="submit" { "Renommer" }
                                    }
                                }
                                td {
                                    (action_button(*k, &t.name, "monter", "↑ Monter"))
                                    (action_button(*k, &t.name, "descendre", "↓ Descendre"))
                                    @if t.retired { (action_button(*k, &t.name, "retablir", "Rétablir")) }
                                    @else { (action_button(*k, &t.name, "retirer", "Retirer")) }
                                }
                            }
                        }
                    }
                } }
                form method="post" action="/admin/taxonomies" class="fr-mt-2w" {
                    (csrf(auth))
                    input type="hidden" name="kind" value=(kind_param(*k));
                    input type="hidden" name="action" value="ajouter";
                    div class="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom" {
                        div class="fr-col-12 fr-col-md-4" {
                            label class="fr-label" for=(format!("add-{}", kind_param(*k))) { "Nouveau terme" }
                            input class="fr-input" id=(format!("add-{}", kind_param(*k))) name="name" required maxlength="120";
                        }
                        @if *k == TermKind::Publisher {
                            div class="fr-col-12 fr-col-md-2" {
                                label class="fr-label" for="add-acronym" { "Sigle" }
                                input class="fr-input" id="add-acronym" name="acronym";
                            }
                            div class="fr-col-12 fr-col-md-3" {
                                label class="fr-label" for="add-parent" { "Organisme parent" }
                                input class="fr-input" id="add-parent" name="parent";
                            }
                        }
                        div class="fr-col-12 fr-col-md-3" { button class="fr-btn fr-btn--secondary" type="submit" { "Ajouter" } }
                    }
                }
            }
        }
        (synonyms_section(auth, &synonyms))
    };
    let status = if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    Ok((status, page(Menu::Taxonomies, "Taxonomies", auth, done, body)).into_response())
}

/// The acronyms the public search expands, and their forms.
fn synonyms_section(auth: &Auth, list: &[oc_library::synonyms::Synonym]) -> Markup {
    html! {
        section class="fr-mb-6w" id="tax-sigles" {
            h2 class="fr-h4" { "Sigles et expressions de la recherche" }
            p { "Une recherche avec le sigle trouve aussi les documents qui emploient l'une des expressions, et \
                inversement (« DGF » et « dotation globale de fonctionnement »). Séparez les expressions par un \
                point-virgule. Chaque modification est inscrite au journal." }
            div class="fr-table fr-table--no-caption" { table {
                caption { "Sigles et expressions" }
                thead { tr { th scope="col" { "Sigle" } th scope="col" { "Expressions" } th scope="col" { "Retirer" } } }
                tbody {
                    @for (i, syn) in list.iter().enumerate() {
                        tr {
                            th scope="row" { (syn.acronym) }
                            td {
                                form method="post" action="/admin/taxonomies" class="oc-inline-form" {
                                    (csrf(auth))
                                    input type="hidden" name="action" value="sigle-enregistrer";
                                    input type="hidden" name="acronym" value=(syn.acronym);
                                    label class="fr-sr-only" for=(format!("sig-{i}")) { "Expressions de " (syn.acronym) }
                                    input class="fr-input fr-input--sm" id=(format!("sig-{i}")) name="expansions"
                                        value=(syn.expansions.join(" ; ")) required size="60";
                                    button class="fr-btn fr-btn--sm fr-btn--tertiary" type="submit" {
                                        "Enregistrer" span class="fr-sr-only" { " le sigle " (syn.acronym) }
                                    }
                                }
                            }
                            td {
                                form method="post" action="/admin/taxonomies" class="oc-inline-form" {
                                    (csrf(auth))
                                    input type="hidden" name="action" value="sigle-supprimer";
                                    input type="hidden" name="acronym" value=(syn.acronym);
                                    button class="fr-btn fr-btn--sm fr-btn--tertiary" type="submit" {
                                        "Retirer" span class="fr-sr-only" { " le sigle " (syn.acronym) }
                                    }
                                }
                            }
                        }
                    }
                }
            } }
            form method="post" action="/admin/taxonomies" class="fr-mt-2w" {
                (csrf(auth))
                input type="hidden" name="action" value="sigle-enregistrer";
                div class="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom" {
                    div class="fr-col-12 fr-col-md-2" {
                        label class="fr-label" for="sig-new" { "Nouveau sigle" }
                        input class="fr-input" id="sig-new" name="acronym" required maxlength="20";
                    }
                    div class="fr-col-12 fr-col-md-7" {
                        label class="fr-label" for="sig-new-exp" { "Expressions" span class="fr-hint-text" { "séparées par « ; »" } }
                        input class="fr-input" id="sig-new-exp" name="expansions" required;
                    }
                    div class="fr-col-12 fr-col-md-3" { button class="fr-btn fr-btn--secondary" type="submit" { "Ajouter" } }
                }
            }
        }
    }
}

pub(crate) async fn taxonomies(
    State(state): State<AppState>,
    Librarian(auth): Librarian,
    RawQuery(raw): RawQuery,
) -> WebResult<Response> {
    taxonomies_view(&state, &auth, done_checked(&state, &raw).await.as_deref(), None).await
}

pub(crate) async fn taxonomy_action(
    State(state): State<AppState>,
    Librarian(auth): Librarian,
    Form(f): Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let by = auth.name().to_owned();
    let acronym = field(&f, "acronym").trim().to_owned();
    let synonym = match field(&f, "action") {
        "sigle-enregistrer" => {
            let expansions = oc_library::synonyms::split(field(&f, "expansions"));
            Some(change(&state, move |s| s.set_synonym(&acronym, &expansions, &by)).await)
        }
        "sigle-supprimer" => Some(change(&state, move |s| s.delete_synonym(&acronym, &by)).await),
        _ => None,
    };
    if let Some(r) = synonym {
        return match r {
            Ok(()) => Ok(see_other("/admin/taxonomies?fait=taxonomie#tax-sigles")),
            Err(WebError::BadRequest(m)) => taxonomies_view(&state, &auth, None, Some(&m)).await,
            Err(e) => Err(e),
        };
    }
    let Some(kind) = TermKind::parse(field(&f, "kind")) else {
        return taxonomies_view(&state, &auth, None, Some("taxonomie inconnue")).await;
    };
    let name = field(&f, "name").trim().to_owned();
    let (new_name, acronym, parent) = (
        field(&f, "new_name").trim().to_owned(),
        field(&f, "acronym").trim().to_owned(),
        field(&f, "parent").trim().to_owned(),
    );
    let by = auth.name().to_owned();
    let r = match field(&f, "action") {
        "ajouter" => change(&state, move |s| s.add_term(kind, &name, &acronym, &parent, &by)).await,
        "renommer" => change(&state, move |s| s.rename_term(kind, &name, &new_name, &by).map(|_| ())).await,
        "monter" => change(&state, move |s| s.move_term(kind, &name, -1, &by)).await,
        "descendre" => change(&state, move |s| s.move_term(kind, &name, 1, &by)).await,
        "retirer" => change(&state, move |s| s.set_term_retired(kind, &name, true, &by)).await,
        "retablir" => change(&state, move |s| s.set_term_retired(kind, &name, false, &by)).await,
        "organisme" if kind == TermKind::Publisher => {
            change(&state, move |s| s.edit_publisher(&name, &acronym, &parent, &by)).await
        }
        a => Err(WebError::BadRequest(format!("action inconnue {a:?}"))),
    };
    match r {
        Ok(()) => Ok(see_other(&format!("/admin/taxonomies?fait=taxonomie#tax-{}", kind_param(kind)))),
        Err(WebError::BadRequest(m)) => taxonomies_view(&state, &auth, None, Some(&m)).await,
        Err(e) => Err(e),
    }
}

// --- Sources ---

fn operator(state: &AppState) -> Result<std::sync::Arc<dyn super::Operator>, WebError> {
    state
        .operator
        .clone()
        .ok_or_else(|| WebError::NotFound("la gestion des sources n'est pas disponible sur ce serveur".into()))
}

pub(crate) async fn sources(
    State(state): State<AppState>,
    AdminOnly(auth): AdminOnly,
    RawQuery(raw): RawQuery,
) -> WebResult<Response> {
    let list = with_store(&state, |s| s.sources()).await?;
    let body = html! {
        p { a class="fr-btn fr-btn--secondary" href="/admin/sources/nouvelle" { "Ajouter une source" } }
        div class="fr-table fr-table--no-caption" { table {
            caption { "Sources" }
            (table_head(&[
                "Source", "Type", "Active", "Horaire (heure UTC)", "Dernier succès", "Dernier passage", "Documents",
                "Dernière erreur",
            ]))
            tbody {
                @for s in &list {
                    tr {
                        td {
                            a href=(format!("/admin/sources/{}", s.source.id)) { (s.source.name) }
                            br; code class="fr-text--xs" { (s.source.id) }
                            @if s.source.managed {
                                " " span class="fr-badge fr-badge--sm fr-badge--info" { "géré ici" }
                            }
                        }
                        td { (french::kind_text(&s.source.kind)) }
                        td { @if s.source.enabled { "oui" } @else { "non" } }
                        td class="oc-schedule" { (schedule_view(&s.source.schedule)) }
                        td { (stored_time_or(s.last_success.as_deref(), "jamais")) }
                        td { @if let Some(at) = &s.last_attempt { (fmt_stored_time(at)) " — " (run_counts(s)) } @else { "—" } }
                        td { (oc_model::fr::count_or_none(num(s.documents), "document", "documents", false)) }
                        td class="oc-error-cell" { (s.last_error.as_deref().unwrap_or("")) }
                    }
                }
            }
        } }
    };
    Ok(page(Menu::Sources, "Sources", &auth, done_of(&raw).as_deref(), body).into_response())
}

/// A stored time in French (Paris time), or `none` when there is none.
fn stored_time_or(t: Option<&str>, none: &str) -> String {
    t.map_or_else(|| none.to_owned(), fmt_stored_time)
}

/// A schedule in French, the cron expression behind a disclosure.
fn schedule_view(cron: &str) -> Markup {
    html! {
        span class="oc-schedule-text" { (french::schedule_text(cron)) }
        @if !cron.trim().is_empty() {
            details class="oc-schedule-cron" {
                summary class="fr-text--xs" { "Expression cron" }
                code { (cron) }
            }
        }
    }
}

/// The fields of a source form.
#[derive(Debug, Clone, Default)]
struct SourceForm {
    id: String,
    name: String,
    publisher: String,
    publisher_short: String,
    kind: String,
    url: String,
    schedule: String,
    enabled: bool,
    query: String,
    max_records: String,
    themes: Vec<String>,
    scope: Vec<String>,
    resource_type: String,
    territories: String,
    /// The French choice of the schedule ([`french::Frequency`] code, or
    /// `avance`: the cron expression as typed), as typed.
    frequency: String,
    weekday: String,
    monthday: String,
    time: String,
    /// What is wrong with the French choice, if anything.
    plan_error: Option<String>,
}

/// The frequency code of "the cron expression as typed".
const ADVANCED: &str = "avance";

/// `05:30`, `5:30`, `5 h 30`, `5h`, `5` → (5, 30).
fn parse_time(s: &str) -> Option<(u32, u32)> {
    let t: String = s.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_lowercase().replace('h', ":");
    let (h, m) = t.split_once(':').unwrap_or((&t, ""));
    let h = h.parse::<u32>().ok().filter(|h| *h <= 23)?;
    let m = if m.is_empty() { 0 } else { m.parse::<u32>().ok().filter(|m| *m <= 59)? };
    Some((h, m))
}

/// The French choice of a form: the cron it makes, or what is wrong.
fn plan_of_form(frequency: &str, weekday: &str, monthday: &str, time: &str) -> Result<String, String> {
    let Some(freq) = french::Frequency::parse(frequency) else {
        return Err(format!("fréquence inconnue ({frequency:?}) : choisissez-la dans la liste"));
    };
    let (hour, minute) = match freq {
        french::Frequency::Manual => (0, 0),
        _ => parse_time(time)
            .ok_or_else(|| format!("heure invalide ({time:?}) : heures et minutes, par exemple 05:30"))?,
    };
    let day = match freq {
        french::Frequency::Weekly => weekday
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|d| *d <= 6)
            .ok_or_else(|| format!("jour de la semaine invalide ({weekday:?}) : choisissez-le dans la liste"))?,
        french::Frequency::Monthly => monthday
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|d| (1..=28).contains(d))
            .ok_or_else(|| format!("jour du mois invalide ({monthday:?}) : un nombre de 1 à 28"))?,
        _ => 0,
    };
    Ok(french::Plan { frequency: freq, day, hour, minute }.cron())
}

impl SourceForm {
    fn from_spec(s: &Source) -> SourceForm {
        SourceForm {
            id: s.id.clone(),
            name: s.name.clone(),
            publisher: s.publisher.clone(),
            publisher_short: s.publisher_short.clone(),
            kind: s.kind.as_str().to_owned(),
            url: s.url.clone(),
            schedule: s.schedule.clone(),
            enabled: s.enabled,
            query: s.query.clone().unwrap_or_default(),
            max_records: s.max_records.map(|n| n.to_string()).unwrap_or_default(),
            themes: s.defaults.themes.clone(),
            scope: s.defaults.scope.clone(),
            resource_type: s.defaults.resource_type.clone().unwrap_or_default(),
            territories: s.defaults.territories.join(", "),
            plan_error: None,
            ..SourceForm::default()
        }
        .with_plan_of_schedule()
    }

    /// The French choice that says the schedule, or "advanced" when it
    /// cannot.
    fn with_plan_of_schedule(mut self) -> SourceForm {
        match french::Plan::of_cron(&self.schedule) {
            Some(p) => {
                self.frequency = p.frequency.code().to_owned();
                self.weekday = if p.frequency == french::Frequency::Weekly { p.day } else { 0 }.to_string();
                self.monthday = if p.frequency == french::Frequency::Monthly { p.day } else { 1 }.to_string();
                self.time = format!("{:02}:{:02}", p.hour, p.minute);
            }
            None => {
                self.frequency = ADVANCED.to_owned();
                self.weekday = "0".to_owned();
                self.monthday = "1".to_owned();
                self.time = "05:00".to_owned();
            }
        }
        self
    }

    fn from_form(f: &[(String, String)], id: &str) -> SourceForm {
        SourceForm {
            id: if id.is_empty() { field(f, "id").trim().to_owned() } else { id.to_owned() },
            name: field(f, "name").trim().to_owned(),
            publisher: field(f, "publisher").trim().to_owned(),
            publisher_short: field(f, "publisher_short").trim().to_owned(),
            kind: field(f, "kind").trim().to_owned(),
            url: field(f, "url").trim().to_owned(),
            schedule: field(f, "schedule").trim().to_owned(),
            enabled: field(f, "enabled") == "1",
            query: field(f, "query").trim().to_owned(),
            max_records: field(f, "max_records").trim().to_owned(),
            themes: fields(f, "themes"),
            scope: fields(f, "scope"),
            resource_type: field(f, "resource_type").trim().to_owned(),
            territories: field(f, "territories").trim().to_owned(),
            frequency: field(f, "frequence").trim().to_owned(),
            weekday: field(f, "jour_semaine").trim().to_owned(),
            monthday: field(f, "jour_mois").trim().to_owned(),
            time: field(f, "heure").trim().to_owned(),
            plan_error: None,
        }
        .with_schedule_of_plan()
    }

    /// The cron expression of the French choice, unless "advanced" (or
    /// a form without the choice) keeps the one typed.
    fn with_schedule_of_plan(mut self) -> SourceForm {
        if self.frequency.is_empty() || self.frequency == ADVANCED {
            if self.frequency.is_empty() {
                let typed = self.clone().with_plan_of_schedule();
                return SourceForm { schedule: self.schedule, ..typed };
            }
            return self;
        }
        match plan_of_form(&self.frequency, &self.weekday, &self.monthday, &self.time) {
            Ok(cron) => self.schedule = cron,
            Err(e) => self.plan_error = Some(e),
        }
        self
    }

    /// The definition, or what is wrong.
    fn spec(&self) -> Result<Source, String> {
        if let Some(e) = &self.plan_error {
            return Err(format!("horaire : {e}"));
        }
        let kind = self.kind.parse::<SourceKind>()?;
        let sru = kind == SourceKind::Sru;
        let max_records = match self.max_records.as_str() {
            m if !sru || m.is_empty() => None,
            m => Some(m.parse::<u64>().map_err(|_| format!("nombre maximal de notices invalide ({m:?})"))?),
        };
        let territories = self.territories.split([',', ' ', ';']).map(str::trim).filter(|t| !t.is_empty());
        Ok(Source {
            id: self.id.clone(),
            name: self.name.clone(),
            publisher: self.publisher.clone(),
            publisher_short: self.publisher_short.clone(),
            kind,
            url: self.url.clone(),
            schedule: self.schedule.clone(),
            enabled: self.enabled,
            query: sru.then(|| self.query.clone()),
            max_records,
            defaults: Defaults {
                themes: self.themes.clone(),
                scope: self.scope.clone(),
                resource_type: Some(self.resource_type.clone()).filter(|t| !t.is_empty()),
                territories: territories.map(str::to_uppercase).collect(),
            },
        })
    }
}

/// Checks a form against the registry rules and the store's taxonomies.
async fn check_source_form(state: &AppState, f: &SourceForm) -> Result<Source, String> {
    if f.id == "nouvelle" {
        return Err("identifiant réservé : « nouvelle »".into());
    }
    let spec = f.spec()?;
    let op = operator(state).map_err(|e| e.to_string())?;
    op.check_source(&spec).map_err(|e| e.to_string())?;
    let tax = state.library.as_ref().map(|l| l.taxonomy()).unwrap_or_default();
    for (k, values) in [(TermKind::Theme, &f.themes), (TermKind::Scope, &f.scope)] {
        if let Some(v) = values.iter().find(|v| !tax.offered(k).contains(v)) {
            return Err(format!("{} : « {v} » inconnu ou retiré", k.label()));
        }
    }
    if !f.resource_type.is_empty() && !tax.offered(TermKind::ResourceType).contains(&f.resource_type) {
        return Err(format!("type de ressource inconnu ou retiré : « {} »", f.resource_type));
    }
    Ok(spec)
}

fn source_form(auth: &Auth, f: &SourceForm, is_new: bool, tax: &crate::Taxonomy) -> Markup {
    let action = if is_new { "/admin/sources/nouvelle".to_owned() } else { format!("/admin/sources/{}", f.id) };
    let test =
        if is_new { "/admin/sources/nouvelle/tester".to_owned() } else { format!("/admin/sources/{}/tester", f.id) };
    let text = |name: &str, label: &str, value: &str, hint: &str| {
        html! {
            div class="fr-input-group" {
                label class="fr-label" for=(format!("src-{name}")) { (label) @if !hint.is_empty() { span class="fr-hint-text" { (hint) } } }
                input class="fr-input" id=(format!("src-{name}")) name=(name) value=(value);
            }
        }
    };
    let boxes = |name: &str, legend: &str, offered: &[String], chosen: &[String]| {
        html! {
            fieldset class="fr-fieldset" {
                legend class="fr-fieldset__legend fr-text--regular" { (legend) }
                @for (i, v) in offered.iter().enumerate() {
                    div class="fr-fieldset__element fr-fieldset__element--inline" { div class="fr-checkbox-group fr-checkbox-group--sm" {
                        input type="checkbox" name=(name) value=(v) id=(format!("src-{name}-{i}")) checked[chosen.contains(v)];
                        label class="fr-label" for=(format!("src-{name}-{i}")) { (v) }
                    } }
                }
            }
        }
    };
    html! {
        form method="post" action=(action) {
            (csrf(auth))
            @if is_new { (text("id", "Identifiant", &f.id, "lettres minuscules, chiffres et « - » ; ne change plus \
                ensuite")) }
            (text("name", "Nom", &f.name, ""))
            div class="fr-grid-row fr-grid-row--gutters" {
                div class="fr-col-12 fr-col-md-8" { (text("publisher", "Organisme (nom complet)", &f.publisher, "")) }
                div class="fr-col-12 fr-col-md-4" { (text("publisher_short", "Sigle", &f.publisher_short, "affiché sur les documents")) }
            }
            div class="fr-grid-row fr-grid-row--gutters" {
                div class="fr-col-12 fr-col-md-3" { div class="fr-select-group" {
                    label class="fr-label" for="src-kind" { "Type" }
                    select class="fr-select" id="src-kind" name="kind" {
                        @for k in french::KINDS {
                            option value=(k.as_str()) selected[f.kind == k.as_str()] { (french::kind_label(k)) }
                        }
                    }
                } }
                div class="fr-col-12 fr-col-md-9" { (text("url", "Adresse", &f.url, "https://…")) }
            }
            div class="fr-grid-row fr-grid-row--gutters" {
                div class="fr-col-12 fr-col-md-8" { (text("query", "Requête CQL (SRU seulement)", &f.query, "ex. : \
                    dc.subject all \"collectivités locales\"")) }
                div class="fr-col-12 fr-col-md-4" { (text("max_records", "Notices par passage (SRU)", &f.max_records, "1000 par défaut")) }
            }
            (schedule_fields(f))
            div class="fr-checkbox-group fr-mb-3w" {
                input type="checkbox" id="src-enabled" name="enabled" value="1" checked[f.enabled];
                label class="fr-label" for="src-enabled" { "Active (décochez pour désactiver la source)" }
            }
            h2 class="fr-h6" { "Classement par défaut des documents de la source" }
            (boxes("themes", "Thématiques", tax.offered(TermKind::Theme), &f.themes))
            (boxes("scope", "Types de territoire", tax.offered(TermKind::Scope), &f.scope))
            div class="fr-grid-row fr-grid-row--gutters" {
                div class="fr-col-12 fr-col-md-6" { div class="fr-select-group" {
                    label class="fr-label" for="src-type" { "Type de ressource" }
                    select class="fr-select" id="src-type" name="resource_type" {
                        option value="" selected[f.resource_type.is_empty()] { "(celui de chaque document, sinon \
                            publication statistique)" }
                        @for t in tax.offered(TermKind::ResourceType) { option value=(t) selected[f.resource_type == *t] { (t) } }
                    }
                } }
                div class="fr-col-12 fr-col-md-6" { (text("territories", "Territoires", &f.territories, "REG-76, DEP-34, COM-34172")) }
            }
            ul class="fr-btns-group fr-btns-group--inline" {
                li { button class="fr-btn" type="submit" { "Enregistrer" } }
                li { button class="fr-btn fr-btn--secondary" type="submit" formaction=(test) { "Tester (sans rien enregistrer)" } }
            }
        }
    }
}

/// The schedule of a source form: how often, which day, at what time, in
/// French; the cron expression for experts behind a disclosure.
fn schedule_fields(f: &SourceForm) -> Markup {
    let advanced = f.frequency == ADVANCED;
    html! {
        fieldset class="fr-fieldset" id="src-schedule" aria-labelledby="src-schedule-legend" {
            legend class="fr-fieldset__legend fr-text--regular" id="src-schedule-legend" {
                "Horaire des moissons"
                span class="fr-hint-text" { "Heures en temps universel (UTC) : à Paris, ajoutez 1 h en hiver et 2 h \
                    en été." }
            }
            div class="fr-fieldset__element fr-fieldset__element--inline" { div class="fr-select-group" {
                label class="fr-label" for="src-frequence" { "Fréquence" }
                select class="fr-select" id="src-frequence" name="frequence" {
                    @for (_, code, label) in french::Frequency::ALL {
                        option value=(code) selected[f.frequency == code] { (label) }
                    }
                    option value=(ADVANCED) selected[advanced] { "autre : l'expression cron ci-dessous" }
                }
            } }
            div class="fr-fieldset__element fr-fieldset__element--inline" { div class="fr-select-group" {
                label class="fr-label" for="src-jour-semaine" { "Jour" span class="fr-hint-text" { "chaque semaine" } }
                select class="fr-select" id="src-jour-semaine" name="jour_semaine" {
                    @for d in [1u32, 2, 3, 4, 5, 6, 0] {
                        option value=(d) selected[f.weekday == d.to_string()] { (french::weekday_name(d)) }
                    }
                }
            } }
            div class="fr-fieldset__element fr-fieldset__element--inline" { div class="fr-input-group" {
                label class="fr-label" for="src-jour-mois" { "Jour du mois" span class="fr-hint-text" { "chaque mois, de 1 à 28" } }
                input class="fr-input" id="src-jour-mois" name="jour_mois" type="number" min="1" max="28" value=(f.monthday);
            } }
            div class="fr-fieldset__element fr-fieldset__element--inline" { div class="fr-input-group" {
                label class="fr-label" for="src-heure" { "Heure (UTC)" span class="fr-hint-text" { "ex. : 05:30" } }
                input class="fr-input" id="src-heure" name="heure" type="time" value=(f.time);
            } }
            div class="fr-fieldset__element" {
                details class="oc-schedule-cron" open[advanced] {
                    summary { "Expression cron (pour les experts)" }
                    div class="fr-input-group fr-mt-1w" {
                        label class="fr-label" for="src-schedule-cron" { "Expression cron avec secondes (UTC)"
                            span class="fr-hint-text" { "Prise en compte quand la fréquence est « autre ». « 0 30 5 * * * » : \
                                chaque jour à 5 h 30 ; vide : à la main seulement." } }
                        input class="fr-input" id="src-schedule-cron" name="schedule" value=(f.schedule);
                    }
                    @if !f.schedule.is_empty() {
                        p class="fr-text--sm fr-mb-0" { "Soit : " (french::schedule_text(&f.schedule)) "." }
                    }
                }
            }
        }
    }
}

/// What the last run of a source brought, as labelled figures (the labels
/// read as column headings, right whatever the number): "vus : 12,
/// nouveaux : 1, mis à jour : 0, rejetés : 3".
fn run_counts(s: &oc_library::store::SourceStatus) -> String {
    format!(
        "vus : {}, nouveaux : {}, mis à jour : {}, rejetés : {}",
        fmt_int(num(s.items_seen)),
        fmt_int(num(s.items_new)),
        fmt_int(num(s.items_updated)),
        fmt_int(num(s.items_rejected))
    )
}

fn preview_view(p: &Preview) -> Markup {
    html! {
        section class="fr-mt-4w" id="preview" {
            h2 class="fr-h4" { "Essai : ce qu'un passage apporterait (rien n'a été enregistré)" }
            @if let Some(e) = &p.error { (alert(Level::Error, true, "fr-mb-2w", html! { "Erreur : " (e) })) }
            p {
                (capitalize(&oc_model::fr::count_or_none(num(p.seen), "élément lu", "éléments lus", false))) ", "
                (oc_model::fr::count_or_none(p.documents.len() as u64, "document utilisable", "documents utilisables", false)) ", "
                (oc_model::fr::count_or_none(p.rejected.len() as u64, "rejeté", "rejetés", false)) ", en " (fmt_int(num(p.duration_ms))) " ms."
            }
            @if !p.documents.is_empty() {
                div class="fr-table fr-table--no-caption" { table {
                    caption { "Documents" }
                    (table_head(&["Titre", "Date", "Thématiques", "Territoires"]))
                    tbody { @for d in p.documents.iter().take(50) {
                        tr {
                            td { a href=(d.url) rel="noopener" { (d.title) } }
                            td { (d.published.as_deref().map(fmt_date).unwrap_or_default()) }
                            td { (d.themes.join(", ")) } td { (d.territories.join(", ")) }
                        }
                    } }
                } }
            }
            @if !p.rejected.is_empty() {
                h3 class="fr-h6" { (plural(p.rejected.len() as u64, "Rejeté", "Rejetés")) }
                ul { @for (item, reason) in p.rejected.iter().take(50) { li { (item) " : " (reason) } } }
            }
        }
    }
}

async fn source_view(
    state: &AppState,
    auth: &Auth,
    f: &SourceForm,
    is_new: bool,
    error: Option<&str>,
    preview: Option<&Preview>,
    done: Option<&str>,
) -> WebResult<Response> {
    let id = f.id.clone();
    let (status, rejections) = if is_new {
        (None, Vec::new())
    } else {
        with_store(state, move |s| Ok((s.sources()?.into_iter().find(|x| x.source.id == id), s.rejections(&id, 20)?)))
            .await?
    };
    if !is_new && status.is_none() {
        return Err(WebError::NotFound(format!("aucune source {:?}", f.id)));
    }
    let tax = state.library.as_ref().map(|l| l.taxonomy()).unwrap_or_default();
    let body = html! {
        @if let Some(s) = &status {
            div class="fr-callout fr-mb-3w" {
                p class="fr-callout__text fr-text--sm" {
                    "Type : " (french::kind_text(&s.source.kind)) " — horaire (heure UTC) : "
                    (french::schedule_text(&s.source.schedule)) br;
                    "Dernier succès : " (stored_time_or(s.last_success.as_deref(), "jamais")) " — dernier passage : " (stored_time_or(s.last_attempt.as_deref(), "jamais"))
                    " (" (run_counts(s)) ", " (fmt_int(num(s.duration_ms))) " ms) — " (oc_model::fr::count_or_none(num(s.documents), "document", "documents", false)) "."
                    @if let Some(e) = &s.last_error { br; strong { "Dernière erreur : " } (e) }
                }
                form method="post" action=(format!("/admin/sources/{}/lancer", s.source.id)) {
                    (csrf(auth))
                    button class="fr-btn fr-btn--sm" type="submit" { "Lancer maintenant" }
                }
            }
        }
        (error_notice(error))
        (source_form(auth, f, is_new, &tax))
        @if let Some(p) = preview { (preview_view(p)) }
        @if !rejections.is_empty() {
            h2 class="fr-h5 fr-mt-4w" { "Derniers éléments rejetés" }
            ul class="fr-text--sm" { @for r in &rejections { li { (fmt_stored_time(&r.at)) " — " (r.item) " : " (r.reason) } } }
        }
    };
    let title = if is_new { "Nouvelle source".to_owned() } else { format!("Source {}", f.id) };
    let code = if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    Ok((code, page(Menu::Sources, &title, auth, done, body)).into_response())
}

pub(crate) async fn source_new(State(state): State<AppState>, AdminOnly(auth): AdminOnly) -> WebResult<Response> {
    let f = SourceForm { kind: "feed".into(), enabled: true, ..SourceForm::default() }.with_plan_of_schedule();
    source_view(&state, &auth, &f, true, None, None, None).await
}

pub(crate) async fn source_page(
    State(state): State<AppState>,
    AdminOnly(auth): AdminOnly,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> WebResult<Response> {
    let id2 = id.clone();
    let spec = with_store(&state, move |s| s.source_spec(&id2)).await?;
    let Some((spec, _)) = spec else { return Err(WebError::NotFound(format!("aucune source {id:?}"))) };
    let mut f = serde_json::from_str::<Source>(&spec).map(|s| SourceForm::from_spec(&s)).unwrap_or_default();
    f.id = id;
    source_view(&state, &auth, &f, false, None, None, done_of(&raw).as_deref()).await
}

async fn save_source(state: &AppState, auth: &Auth, f: SourceForm, is_new: bool) -> WebResult<Response> {
    let spec = match check_source_form(state, &f).await {
        Ok(s) => s,
        Err(m) => return source_view(state, auth, &f, is_new, Some(&m), None, None).await,
    };
    let row = SourceRow { managed: true, ..spec.row() };
    let by = auth.name().to_owned();
    match with_store(state, move |s| s.save_source(&row, is_new, &by)).await {
        Ok(()) => {
            operator(state)?.sources_changed();
            Ok(see_other(&format!("/admin/sources/{}?fait=source", f.id)))
        }
        Err(WebError::BadRequest(m)) => source_view(state, auth, &f, is_new, Some(&m), None, None).await,
        Err(e) => Err(e),
    }
}

pub(crate) async fn source_create(
    State(state): State<AppState>,
    AdminOnly(auth): AdminOnly,
    Form(form): Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    save_source(&state, &auth, SourceForm::from_form(&form, ""), true).await
}

pub(crate) async fn source_save(
    State(state): State<AppState>,
    AdminOnly(auth): AdminOnly,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    save_source(&state, &auth, SourceForm::from_form(&form, &id), false).await
}

pub(crate) async fn source_test(
    State(state): State<AppState>,
    AdminOnly(auth): AdminOnly,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let is_new = id == "nouvelle";
    let f = SourceForm::from_form(&form, if is_new { "" } else { &id });
    let spec = match check_source_form(&state, &f).await {
        Ok(s) => s,
        Err(m) => return source_view(&state, &auth, &f, is_new, Some(&m), None, None).await,
    };
    let preview = operator(&state)?.preview_source(spec).await;
    match preview {
        Ok(p) => source_view(&state, &auth, &f, is_new, None, Some(&p), None).await,
        Err(m) => source_view(&state, &auth, &f, is_new, Some(&format!("essai impossible : {m}")), None, None).await,
    }
}

pub(crate) async fn source_run(
    State(state): State<AppState>,
    AdminOnly(auth): AdminOnly,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let op = operator(&state)?;
    let id2 = id.clone();
    if with_store(&state, move |s| s.source_spec(&id2)).await?.is_none() {
        return Err(WebError::NotFound(format!("aucune source {id:?}")));
    }
    op.run_source(id.clone()).map_err(|e| WebError::BadRequest(e.to_string()))?;
    let (id2, by) = (id.clone(), auth.name().to_owned());
    with_store(&state, move |s| s.audit_run(&id2, &by)).await?;
    Ok(see_other(&format!("/admin/sources/{id}?fait=lancee")))
}

// --- Fiche messages ---

async fn messages_view(
    state: &AppState,
    auth: &Auth,
    form: &FicheMessage,
    error: Option<&str>,
    done: Option<&str>,
) -> WebResult<Response> {
    let list = with_store(state, |s| s.messages()).await?;
    let geo = state.geo();
    let label = move |t: &str| crate::publications::territory_label(&geo, t).unwrap_or_else(|| t.to_owned());
    let body = html! {
        p { "Un message s'affiche en tête de la fiche choisie, entre ses dates de début et de fin (incluses)." }
        @if !list.is_empty() {
            div class="fr-table fr-table--no-caption" { table {
                caption { "Messages" }
                (table_head(&["Fiche", "Titre", "Du", "Au", "Par", "Actions"]))
                tbody { @for m in &list {
                    tr {
                        td { (label(&m.territory)) " (" (m.territory) ")" }
                        td { (m.title) }
                        td { (m.starts.as_deref().map_or_else(|| "—".to_owned(), fmt_date)) }
                        td { (m.ends.as_deref().map_or_else(|| "—".to_owned(), fmt_date)) }
                        td { (m.updated_by) }
                        td {
                            a class="fr-btn fr-btn--sm fr-btn--tertiary" href=(format!("/admin/messages?modifier={}", m.id)) { "Modifier" }
                            form method="post" action=(format!("/admin/messages/{}/supprimer", m.id)) class="oc-inline-form" {
                                (csrf(auth))
                                button class="fr-btn fr-btn--sm fr-btn--tertiary" type="submit" { "Supprimer" }
                            }
                        }
                    }
                } }
            } }
        }
        h2 class="fr-h4" id="message-form" { @if form.id == 0 { "Nouveau message" } @else { "Modifier le message n° " (form.id) } }
        (error_notice(error))
        form method="post" action="/admin/messages" {
            (csrf(auth))
            input type="hidden" name="id" value=(form.id);
            div class="fr-input-group" {
                label class="fr-label" for="msg-territory" { "Fiche" span class="fr-hint-text" { "Code : COM-75056, \
                    EPCI-200054781, DEP-974, REG-94…" } }
                input class="fr-input" id="msg-territory" name="territory" required value=(form.territory);
            }
            div class="fr-input-group" {
                label class="fr-label" for="msg-title" { "Titre" }
                input class="fr-input" id="msg-title" name="title" required maxlength="200" value=(form.title);
            }
            div class="fr-input-group" {
                label class="fr-label" for="msg-body" { "Message" span class="fr-hint-text" { "Texte brut ; une ligne \
                    vide sépare les paragraphes." } }
                textarea class="fr-input" id="msg-body" name="body" rows="4" required { (form.body) }
            }
            div class="fr-grid-row fr-grid-row--gutters" {
                (date_field("fr-col-6", "msg-starts", "starts", "Début (inclus)", form.starts.as_deref()))
                (date_field("fr-col-6", "msg-ends", "ends", "Fin (incluse)", form.ends.as_deref()))
            }
            button class="fr-btn" type="submit" { "Enregistrer le message" }
        }
    };
    let code = if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    Ok((code, page(Menu::Messages, "Messages de fiche", auth, done, body)).into_response())
}

pub(crate) async fn messages(
    State(state): State<AppState>,
    AdminOnly(auth): AdminOnly,
    RawQuery(raw): RawQuery,
) -> WebResult<Response> {
    let p = params(raw.clone());
    let form = match param(&p, "modifier").and_then(|v| v.parse::<i64>().ok()) {
        Some(id) => with_store(&state, move |s| s.message(id))
            .await?
            .ok_or_else(|| WebError::NotFound(format!("aucun message n° {id}")))?,
        None => FicheMessage::default(),
    };
    messages_view(&state, &auth, &form, None, done_of(&raw).as_deref()).await
}

pub(crate) async fn message_save(
    State(state): State<AppState>,
    AdminOnly(auth): AdminOnly,
    Form(f): Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let opt = |k: &str| Some(field(&f, k).trim().to_owned()).filter(|v| !v.is_empty());
    let m = FicheMessage {
        id: field(&f, "id").trim().parse::<i64>().unwrap_or(0).max(0),
        territory: field(&f, "territory").trim().to_uppercase(),
        title: field(&f, "title").trim().to_owned(),
        body: field(&f, "body").replace("\r\n", "\n").trim().to_owned(),
        starts: opt("starts"),
        ends: opt("ends"),
        ..FicheMessage::default()
    };
    if crate::publications::territory_label(&state.geo(), &m.territory).is_none() {
        let msg =
            format!("fiche inconnue {:?} : COM-75056, EPCI-200054781, DEP-974 ou REG-94 par exemple", m.territory);
        return messages_view(&state, &auth, &m, Some(&msg), None).await;
    }
    let (m2, by) = (m.clone(), auth.name().to_owned());
    match with_store(&state, move |s| s.save_message(&m2, &by)).await {
        Ok(_) => Ok(see_other("/admin/messages?fait=message")),
        Err(WebError::BadRequest(e)) => messages_view(&state, &auth, &m, Some(&e), None).await,
        Err(e) => Err(e),
    }
}

pub(crate) async fn message_delete(
    State(state): State<AppState>,
    AdminOnly(auth): AdminOnly,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let id = id.parse::<i64>().map_err(|_| WebError::NotFound(format!("aucun message n° {id:?}")))?;
    let by = auth.name().to_owned();
    with_store(&state, move |s| s.delete_message(id, &by)).await?;
    Ok(see_other("/admin/messages?fait=message-supprime"))
}

// --- Accounts ---

async fn users_view(
    state: &AppState,
    auth: &Auth,
    error: Option<&str>,
    username: &str,
    done: Option<&str>,
) -> WebResult<Response> {
    let list = with_store(state, |s| s.users()).await?;
    let body = html! {
        (error_notice(error))
        div class="fr-table fr-table--no-caption" { table {
            caption { "Comptes" }
            (table_head(&["Identifiant", "Créé le", "Rôle et état"]))
            tbody { @for u in &list {
                tr {
                    td { (u.username) }
                    td { (fmt_stored_time(&u.created_at)) }
                    td {
                        form method="post" action="/admin/utilisateurs" class="oc-inline-form" {
                            (csrf(auth))
                            input type="hidden" name="action" value="modifier";
                            input type="hidden" name="username" value=(u.username);
                            label class="fr-sr-only" for=(format!("role-{}", u.id)) { "Rôle de " (u.username) }
                            select class="fr-select fr-select--sm" id=(format!("role-{}", u.id)) name="role" {
                                option value="librarian" selected[u.role == Role::Librarian] { "bibliothécaire" }
                                option value="admin" selected[u.role == Role::Admin] { "administrateur" }
                            }
                            div class="fr-checkbox-group fr-checkbox-group--sm" {
                                input type="checkbox" id=(format!("active-{}", u.id)) name="active" value="1" checked[!u.disabled];
                                label class="fr-label" for=(format!("active-{}", u.id)) { "actif" }
                            }
                            button class="fr-btn fr-btn--sm fr-btn--tertiary" type="submit" { "Enregistrer" }
                        }
                    }
                }
            } }
        } }
        h2 class="fr-h4" { "Nouveau compte" }
        form method="post" action="/admin/utilisateurs" {
            (csrf(auth))
            input type="hidden" name="action" value="ajouter";
            div class="fr-grid-row fr-grid-row--gutters" {
                div class="fr-col-12 fr-col-md-4" {
                    div class="fr-input-group" {
                        label class="fr-label" for="new-username" { "Identifiant" }
                        input class="fr-input" id="new-username" name="username" required value=(username)
                            autocomplete="off";
                    }
                }
                div class="fr-col-12 fr-col-md-4" {
                    div class="fr-input-group" {
                        label class="fr-label" for="new-password" {
                            "Mot de passe" span class="fr-hint-text" {
                                "au moins " (oc_library::accounts::MIN_PASSWORD_CHARS) " caractères"
                            }
                        }
                        input class="fr-input" id="new-password" name="password" type="password" required
                            autocomplete="new-password";
                    }
                }
                div class="fr-col-12 fr-col-md-4" { div class="fr-select-group" {
                    label class="fr-label" for="new-role" { "Rôle" }
                    select class="fr-select" id="new-role" name="role" {
                        option value="librarian" { "bibliothécaire" } option value="admin" { "administrateur" }
                    }
                } }
            }
            button class="fr-btn" type="submit" { "Créer le compte" }
        }
    };
    let code = if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    Ok((code, page(Menu::Accounts, "Comptes", auth, done, body)).into_response())
}

pub(crate) async fn users(
    State(state): State<AppState>,
    AdminOnly(auth): AdminOnly,
    RawQuery(raw): RawQuery,
) -> WebResult<Response> {
    users_view(&state, &auth, None, "", done_of(&raw).as_deref()).await
}

pub(crate) async fn user_action(
    State(state): State<AppState>,
    AdminOnly(auth): AdminOnly,
    Form(f): Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let username = field(&f, "username").trim().to_owned();
    let Some(role) = Role::parse(field(&f, "role")) else {
        return users_view(&state, &auth, Some("rôle inconnu"), &username, None).await;
    };
    let by = auth.name().to_owned();
    let u = username.clone();
    let r = match field(&f, "action") {
        "ajouter" => {
            let password = field(&f, "password").to_owned();
            with_store(&state, move |s| s.add_user(&u, &password, role, &by).map(|_| ())).await
        }
        "modifier" => {
            let disabled = field(&f, "active") != "1";
            with_store(&state, move |s| s.update_user(&u, role, disabled, &by)).await
        }
        a => Err(WebError::BadRequest(format!("action inconnue {a:?}"))),
    };
    match r {
        Ok(()) => Ok(see_other("/admin/utilisateurs?fait=compte")),
        Err(WebError::BadRequest(m)) => users_view(&state, &auth, Some(&m), &username, None).await,
        Err(e) => Err(e),
    }
}

// --- Audit log ---

const JOURNAL_PAGE: usize = 50;

/// Entries read at a time when logins are hidden (they are skipped as
/// they are read).
const JOURNAL_CHUNK: usize = 500;

/// A page of the audit log, and the number of entries matching; without
/// logins, refused logins and logouts when `hide_logins`.
fn journal_page(
    s: &oc_library::store::Library,
    filter: &AuditFilter,
    hide_logins: bool,
    page_n: usize,
) -> Result<(Vec<oc_library::audit::AuditEntry>, i64), oc_library::store::StoreError> {
    let skip = (page_n - 1) * JOURNAL_PAGE;
    if !hide_logins || filter.action.as_deref().is_some_and(|a| !french::is_login_action(a) && a != "login") {
        return s.audit_filtered(filter, JOURNAL_PAGE, skip);
    }
    if filter.action.is_some() {
        // Only logins were asked for, and they are hidden.
        return Ok((Vec::new(), 0));
    }
    let count = |action: &str| -> Result<i64, oc_library::store::StoreError> {
        Ok(s.audit_filtered(&AuditFilter { action: Some(action.to_owned()), ..filter.clone() }, 0, 0)?.1)
    };
    let all = s.audit_filtered(filter, 0, 0)?.1;
    let total = (all - count("login")? - count("logout")?).max(0);
    let (mut out, mut skipped, mut offset) = (Vec::new(), 0, 0);
    'read: loop {
        let (chunk, _) = s.audit_filtered(filter, JOURNAL_CHUNK, offset)?;
        if chunk.is_empty() {
            break;
        }
        offset += chunk.len();
        for e in chunk {
            if french::is_login_action(&e.action) {
                continue;
            }
            if skipped < skip {
                skipped += 1;
                continue;
            }
            out.push(e);
            if out.len() == JOURNAL_PAGE {
                break 'read;
            }
        }
    }
    Ok((out, total))
}

/// The readable changes of an audit entry, and its raw values behind a
/// disclosure.
fn journal_changes(e: &oc_library::audit::AuditEntry) -> Markup {
    let changes = french::changes(e.before.as_deref(), e.after.as_deref());
    html! {
        @if !changes.is_empty() {
            ul class="oc-journal-changes fr-text--sm fr-mb-1w" {
                @for c in &changes { li { (c.text()) } }
            }
        } @else if e.before.is_some() || e.after.is_some() {
            p class="fr-text--sm fr-mb-1w" { "Aucun champ modifié." }
        }
        @if e.before.is_some() || e.after.is_some() {
            details class="oc-journal-raw" {
                summary { "Données brutes" }
                @if let Some(b) = &e.before { p class="fr-text--xs fr-mb-0" { "Avant :" } pre class="oc-json" { (pretty(b)) } }
                @if let Some(a) = &e.after { p class="fr-text--xs fr-mb-0" { "Après :" } pre class="oc-json" { (pretty(a)) } }
            }
        }
    }
}

pub(crate) async fn journal(
    State(state): State<AppState>,
    AdminOnly(auth): AdminOnly,
    RawQuery(raw): RawQuery,
) -> WebResult<Response> {
    let p = params(raw);
    let opt = |k: &str| param(&p, k).map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
    let day = |k: &str| -> WebResult<Option<String>> {
        match opt(k) {
            Some(d) if !matches!(oc_library::parse_date(&d), Some((_, oc_library::Precision::Day))) => {
                Err(WebError::BadRequest(format!("paramètre « {k} » invalide ({d:?}) : une date AAAA-MM-JJ")))
            }
            d => Ok(d),
        }
    };
    let filter = AuditFilter {
        user: opt("utilisateur"),
        action: opt("action"),
        target: opt("cible"),
        from: day("du")?,
        to: day("au")?,
    };
    let hide_logins = opt("sans_connexions").is_some();
    let page_n = opt("page").and_then(|v| v.parse::<usize>().ok()).filter(|n| (1..=100_000).contains(n)).unwrap_or(1);
    let f2 = filter.clone();
    let ((entries, total), actions, users) =
        with_store(&state, move |s| Ok((journal_page(s, &f2, hide_logins, page_n)?, s.audit_actions()?, s.users()?)))
            .await?;
    let mut groups: Vec<String> = actions.iter().filter_map(|a| a.split_once('.').map(|(g, _)| g.to_owned())).collect();
    groups.dedup();
    let pages = (total as usize).div_ceil(JOURNAL_PAGE).max(1);
    let link = |n: usize| {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        for (k, v) in [
            ("utilisateur", &filter.user),
            ("action", &filter.action),
            ("cible", &filter.target),
            ("du", &filter.from),
            ("au", &filter.to),
        ] {
            if let Some(v) = v {
                pairs.push((k, v.clone()));
            }
        }
        if hide_logins {
            pairs.push(("sans_connexions", "1".to_owned()));
        }
        pairs.push(("page", n.to_string()));
        format!("/admin/journal?{}", serde_urlencoded::to_string(pairs).unwrap_or_default())
    };
    let body = html! {
        form method="get" action="/admin/journal" class="fr-mb-3w" {
            div class="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom" {
                div class="fr-col-12 fr-col-md-2" { div class="fr-select-group" {
                    label class="fr-label" for="j-user" { "Qui" }
                    select class="fr-select" id="j-user" name="utilisateur" {
                        option value="" { "tous" }
                        @for u in &users { option value=(u.username) selected[filter.user.as_deref() == Some(u.username.as_str())] { (u.username) } }
                        option value="cli" selected[filter.user.as_deref() == Some("cli")] { "cli (ligne de commande)" }
                        option value="anonyme" selected[filter.user.as_deref() == Some("anonyme")] { "anonyme (connexions refusées)" }
                    }
                } }
                div class="fr-col-12 fr-col-md-3" { div class="fr-select-group" {
                    label class="fr-label" for="j-action" { "Action" }
                    select class="fr-select" id="j-action" name="action" {
                        option value="" { "toutes" }
                        @for g in &groups { option value=(g) selected[filter.action.as_deref() == Some(g.as_str())] { (french::action_group_label(g)) } }
                        @for a in &actions { option value=(a) selected[filter.action.as_deref() == Some(a.as_str())] { (french::action_label(a)) } }
                    }
                } }
                div class="fr-col-12 fr-col-md-3" {
                    div class="fr-input-group" {
                        label class="fr-label" for="j-target" { "Cible contient" span class="fr-hint-text" { "ex. : document:12, source:insee-flux-1, theme:Parité" } }
                        input class="fr-input" id="j-target" name="cible" value=(filter.target.as_deref().unwrap_or(""))
                            placeholder="document:12";
                    }
                }
                (date_field("fr-col-6 fr-col-md-2", "j-from", "du", "Du", filter.from.as_deref()))
                (date_field("fr-col-6 fr-col-md-2", "j-to", "au", "Au", filter.to.as_deref()))
            }
            div class="fr-checkbox-group fr-mt-2w" {
                input type="checkbox" id="j-no-logins" name="sans_connexions" value="1" checked[hide_logins];
                label class="fr-label" for="j-no-logins" { "Masquer les connexions et déconnexions" }
            }
            button class="fr-btn fr-mt-2w" type="submit" { "Filtrer" }
        }
        p id="journal-total" { strong { (fmt_int(num(total))) } " " (plural(num(total), "entrée", "entrées")) }
        div class="fr-table fr-table--no-caption" { table class="oc-journal" {
            caption { "Journal" }
            (table_head(&["Quand (heure de Paris)", "Qui", "Action", "Cible", "Modifications"]))
            tbody { @for e in &entries {
                @let (target, href) = french::target_label(&e.target);
                tr data-action=(e.action) {
                    td { (crate::format::fmt_stored_time(&e.at)) }
                    td { (e.user) }
                    td class="oc-journal-action" { (french::action_label(&e.action)) }
                    td { @if let Some(h) = href { a href=(h) { (target) } } @else { (target) } }
                    td { (journal_changes(e)) }
                }
            } }
        } }
        (pagination("Pagination", page_n, pages, Pager::PrevNext, link))
    };
    Ok(page(Menu::Journal, "Journal des modifications", &auth, None, body).into_response())
}

fn pretty(json: &str) -> String {
    serde_json::from_str::<serde_json::Value>(json)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| json.to_owned())
}
