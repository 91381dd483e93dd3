//! `/classements`: every numeric figure of the fiches ranked, for a level
//! (communes, EPCI, départements, régions), in France, a département, a
//! région, an EPCI's members or a population stratum:
//! `/classements/densite?niveau=commune&dans=DEP-31&strate=6&tri=asc`.
//! A sortable, paged table (plain links, no script), its CSV and JSON
//! (`/classements/densite.csv?…`), and on the index a map of the
//! départements coloured by a chosen figure. Everything is read from the
//! tables of [`crate::fiche::context`], made once per reference version.

use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use serde::Serialize;

use oc_store::Geo;

use crate::error::{WebError, WebResult};
use crate::export::{self, Dialect};
use crate::extract::{param, params};
use crate::fiche::context::{self, group_label, stratum_label, Indicator, Level, Table};
use crate::fiche::thematic;
use crate::format::{fmt_int, fmt_num};
use crate::ui::components::{page_window, pagination, Pager};
use crate::ui::{layout_with, Head};
use crate::AppState;

/// Rows per page.
const PAGE: usize = 100;

pub(crate) fn routes() -> axum::Router<AppState> {
    use axum::routing::get;
    axum::Router::new().route("/classements", get(index)).route("/classements/{id}", get(ranking))
}

/// The sort of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sort {
    /// By rank (highest value first), the default.
    Desc,
    Asc,
    Name,
}

impl Sort {
    fn parse(s: Option<&str>) -> Result<Sort, String> {
        match s {
            None | Some("") | Some("desc") | Some("rang") => Ok(Sort::Desc),
            Some("asc") => Ok(Sort::Asc),
            Some("nom") => Ok(Sort::Name),
            Some(o) => Err(format!("tri « {o} » inconnu : valeurs possibles desc, asc, nom")),
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Sort::Desc => "desc",
            Sort::Asc => "asc",
            Sort::Name => "nom",
        }
    }
}

/// The `aria-sort` of a column header: set on the column the table is
/// sorted by (rank: by decreasing value; name and value: ascending).
fn aria_sort(current: Sort, column: Sort) -> Option<&'static str> {
    (current == column).then_some(if column == Sort::Desc { "descending" } else { "ascending" })
}

/// A ranking asked for.
#[derive(Debug)]
struct Request {
    level: Level,
    /// `FR`, `DEP-31`, `REG-76`, `EPCI-243100518`.
    within: String,
    stratum: Option<usize>,
    sort: Sort,
    page: usize,
}

impl Request {
    fn parse(geo: &Geo, p: &[(String, String)]) -> Result<Request, WebError> {
        let level = match param(p, "niveau").filter(|s| !s.is_empty()) {
            None => Level::Commune,
            Some(s) => Level::parse(s).ok_or_else(|| {
                WebError::BadRequest(format!(
                    "niveau « {s} » inconnu : valeurs possibles commune, epci, departement, region"
                ))
            })?,
        };
        let within = param(p, "dans").filter(|s| !s.is_empty()).unwrap_or("FR").to_ascii_uppercase();
        let allowed = match level {
            Level::Commune => {
                within == "FR"
                    || within.starts_with("DEP-")
                    || within.starts_with("REG-")
                    || within.starts_with("EPCI-")
            }
            Level::Epci => within == "FR" || within.starts_with("DEP-") || within.starts_with("REG-"),
            Level::Departement => within == "FR" || within.starts_with("REG-"),
            Level::Region => within == "FR",
        };
        if !allowed || group_label(geo, level, &within).is_none() {
            let forms = match level {
                Level::Commune => {
                    "FR, un département (DEP-31), une région (REG-76) ou une intercommunalité (EPCI-243100518)"
                }
                Level::Epci => "FR, un département (DEP-31) ou une région (REG-76)",
                Level::Departement => "FR ou une région (REG-76)",
                Level::Region => "FR (les régions se classent en France)",
            };
            return Err(WebError::BadRequest(format!(
                "territoire « {within} » inconnu ou sans objet pour ce niveau : indiquez {forms}"
            )));
        }
        let stratum = match param(p, "strate").filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => match s.parse::<usize>() {
                Ok(n) if n < context::strata_count(level) => Some(n),
                _ if context::strata_count(level) == 0 => {
                    return Err(WebError::BadRequest("les régions n'ont pas de strate de population".to_owned()))
                }
                _ => {
                    return Err(WebError::BadRequest(format!(
                        "strate « {s} » inconnue pour ce niveau : de 0 à {}",
                        context::strata_count(level).saturating_sub(1)
                    )))
                }
            },
        };
        let sort = Sort::parse(param(p, "tri")).map_err(WebError::BadRequest)?;
        let page = match param(p, "page").filter(|s| !s.is_empty()) {
            None => 1,
            Some(s) => s
                .parse::<usize>()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| WebError::BadRequest(format!("page « {s} » invalide : un nombre à partir de 1")))?,
        };
        Ok(Request { level, within, stratum, sort, page })
    }

    fn url(&self, id: &str, ext: &str, sort: Sort, page: usize) -> String {
        // The one builder of ranking addresses (the fiches' links use it
        // too), then this page's sort and page.
        let within = Some(self.within.as_str()).filter(|w| *w != "FR");
        let mut u = context::ranking_url(self.level, &format!("{id}{ext}"), within, self.stratum);
        if sort != Sort::Desc {
            u.push_str(&format!("&tri={}", sort.as_str()));
        }
        if page > 1 {
            u.push_str(&format!("&page={page}"));
        }
        u
    }

    fn includes(&self, t: &Table, i: u32) -> bool {
        let m = &t.members[i as usize];
        let inside = match self.within.split_once('-') {
            Some(("DEP", c)) => m.dep == c,
            Some(("REG", c)) => m.reg == c,
            Some(("EPCI", c)) => m.epci.as_deref() == Some(c),
            _ => true,
        };
        inside && self.stratum.is_none_or(|s| m.stratum == s)
    }

    /// `communes de l'Hérault de 2 000 à 3 499 habitants`.
    fn group(&self, geo: &Geo) -> String {
        let base = group_label(geo, self.level, &self.within).unwrap_or_default();
        match self.stratum {
            Some(s) => {
                let band = stratum_label(self.level, s);
                let band = band.strip_prefix(self.level.plural()).unwrap_or(&band).trim().to_owned();
                format!("{base}, {band}")
            }
            None => base,
        }
    }
}

/// One row of a ranking.
#[derive(Debug, Serialize)]
struct Row {
    #[serde(rename = "rang")]
    rank: u32,
    #[serde(rename = "ex_aequo", skip_serializing_if = "std::ops::Not::not")]
    tied: bool,
    code: String,
    #[serde(rename = "nom")]
    name: String,
    url: String,
    #[serde(rename = "valeur")]
    value: f64,
    population: Option<u64>,
}

/// The ranked rows of the group, by rank, with the group's gaps: members
/// without a value and members whose value is secret.
fn rows(t: &Table, ind: &Indicator, req: &Request) -> (Vec<Row>, usize, usize) {
    let mut out: Vec<Row> = Vec::new();
    let mut prev: Option<(f64, u32)> = None;
    for &i in &ind.order {
        if !req.includes(t, i) {
            continue;
        }
        let v = ind.value(i).unwrap_or(f64::NAN);
        let rank = match prev {
            Some((pv, r)) if pv == v => r,
            _ => out.len() as u32 + 1,
        };
        prev = Some((v, rank));
        let m = &t.members[i as usize];
        out.push(Row {
            rank,
            tied: false,
            code: m.code.clone(),
            name: m.name.clone(),
            url: m.url.clone(),
            value: v,
            population: m.population,
        });
    }
    for k in 0..out.len() {
        let r = out[k].rank;
        out[k].tied = (k > 0 && out[k - 1].rank == r) || out.get(k + 1).is_some_and(|n| n.rank == r);
    }
    let in_group = (0..t.members.len() as u32).filter(|i| req.includes(t, *i));
    let (mut secret, mut missing) = (0, 0);
    for i in in_group {
        if ind.is_secret(i) {
            secret += 1;
        } else if ind.value(i).is_none() {
            missing += 1;
        }
    }
    (out, secret, missing)
}

fn unit_of(ind: &Indicator) -> String {
    if ind.unit.is_empty() {
        String::new()
    } else {
        format!(" ({})", ind.unit)
    }
}

/// `GET /classements/{id}` and its `.csv`, `.json`.
async fn ranking(State(state): State<AppState>, Path(id): Path<String>, RawQuery(q): RawQuery) -> WebResult<Response> {
    let geo = state.geo();
    let p = params(q);
    let (id, ext) = match id.rsplit_once('.') {
        Some((i, "csv")) => (i.to_owned(), Some("csv")),
        Some((i, "json")) => (i.to_owned(), Some("json")),
        _ => (id, None),
    };
    let dialect = Dialect::parse(param(&p, "dialect")).map_err(WebError::BadRequest)?;
    crate::blocking::spawn(move || {
        let req = Request::parse(&geo, &p)?;
        let tables = context::tables(&geo);
        let t = tables.table(req.level);
        let Some(ind) = t.indicator(&id) else {
            return Err(WebError::NotFound(format!(
                "aucun indicateur « {id} » classé pour les {} : choisissez-en un sur la page des classements",
                req.level.plural()
            )));
        };
        let (mut rows, secret, missing) = rows(t, ind, &req);
        let group = req.group(&geo);
        match ext {
            Some("csv") => Ok(csv(ind, &rows, &group, dialect, &req)),
            Some(_) => Ok(json(ind, &rows, &group, secret, missing, &req)),
            None => {
                match req.sort {
                    Sort::Desc => {}
                    Sort::Asc => rows.reverse(),
                    Sort::Name => rows.sort_by_cached_key(|r| oc_model::text::fold(&r.name)),
                }
                Ok(page(&geo, t, ind, &rows, &group, secret, missing, &req).into_response())
            }
        }
    })
    .await?
}

fn file_name(ind: &Indicator, req: &Request, ext: &str) -> String {
    let mut n = format!("classement-{}-{}", ind.id, req.level.as_str());
    if req.within != "FR" {
        n.push('-');
        n.push_str(&req.within.to_ascii_lowercase());
    }
    if let Some(s) = req.stratum {
        n.push_str(&format!("-strate-{s}"));
    }
    format!("{n}.{ext}")
}

fn csv(ind: &Indicator, rows: &[Row], group: &str, d: Dialect, req: &Request) -> Response {
    let sep = if d == Dialect::French { ";" } else { "," };
    let mut out = String::new();
    if d == Dialect::French {
        out.push('\u{feff}');
    }
    let header = [
        "Rang".to_owned(),
        "Ex aequo".to_owned(),
        "Code".to_owned(),
        "Nom".to_owned(),
        format!("{}{} — {}, {}", ind.label, unit_of(ind), group, ind.vintage),
        "Population".to_owned(),
    ];
    out.push_str(&header.iter().map(|h| export::text_cell(h, d)).collect::<Vec<_>>().join(sep));
    out.push_str("\r\n");
    for r in rows {
        let cells = [
            r.rank.to_string(),
            if r.tied { "oui".to_owned() } else { String::new() },
            export::text_cell(&r.code, d),
            export::text_cell(&r.name, d),
            export::num_cell(Some(r.value), ind.decimals, d),
            r.population.map(|p| p.to_string()).unwrap_or_default(),
        ];
        out.push_str(&cells.join(sep));
        out.push_str("\r\n");
    }
    let mut res = out.into_response();
    export::attachment(&mut res, &file_name(ind, req, "csv"), "text/csv; charset=utf-8");
    res
}

#[derive(Serialize)]
struct JsonRanking<'a> {
    #[serde(rename = "indicateur")]
    id: &'static str,
    #[serde(rename = "libelle")]
    label: &'static str,
    #[serde(rename = "unite")]
    unit: &'static str,
    source: &'static str,
    #[serde(rename = "millesime")]
    vintage: &'a str,
    #[serde(rename = "niveau")]
    level: &'static str,
    #[serde(rename = "groupe")]
    group: &'a str,
    #[serde(rename = "classes")]
    ranked: usize,
    #[serde(rename = "secrets")]
    secret: usize,
    #[serde(rename = "sans_valeur")]
    missing: usize,
    #[serde(rename = "lignes")]
    rows: &'a [Row],
}

fn json(ind: &Indicator, rows: &[Row], group: &str, secret: usize, missing: usize, req: &Request) -> Response {
    let body = JsonRanking {
        id: ind.id,
        label: ind.label,
        unit: ind.unit,
        source: ind.source,
        vintage: &ind.vintage,
        level: req.level.as_str(),
        group,
        ranked: rows.len(),
        secret,
        missing,
        rows,
    };
    let mut res = axum::Json(body).into_response();
    export::attachment(&mut res, &file_name(ind, req, "json"), "application/json");
    res
}

/// The GET form choosing level, group, stratum and sort.
fn form(geo: &Geo, t: &Table, ind: &Indicator, req: &Request) -> Markup {
    let deps: Vec<(String, String)> = geo
        .data
        .departements
        .iter()
        .filter(|d| d.zone != "com")
        .map(|d| (format!("DEP-{}", d.code), format!("{} ({})", d.name, d.code)))
        .collect();
    let regs: Vec<(String, String)> = geo
        .data
        .regions
        .iter()
        .filter(|r| r.zone != "com")
        .map(|r| (format!("REG-{}", r.code), r.name.clone()))
        .collect();
    let offer_deps = matches!(t.level, Level::Commune | Level::Epci);
    let offer_regs = t.level != Level::Region;
    html! {
        form class="fr-mb-3w oc-ranking-form" method="get" action=(format!("/classements/{}", ind.id)) {
            input type="hidden" name="niveau" value=(t.level.as_str());
            div class="fr-grid-row fr-grid-row--gutters" {
                @if offer_regs {
                    div class="fr-col-12 fr-col-md-4 fr-select-group" {
                        label class="fr-label" for="dans" { "Territoire" }
                        select class="fr-select" id="dans" name="dans" {
                            option value="FR" selected[req.within == "FR"] { "France" }
                            @if req.within.starts_with("EPCI-") { option value=(req.within) selected { (req.group(geo)) } }
                            @if offer_deps { @for (k, n) in &deps { option value=(k) selected[req.within == *k] { (n) } } }
                            @for (k, n) in &regs { option value=(k) selected[req.within == *k] { (n) } }
                        }
                    }
                    div class="fr-col-12 fr-col-md-4 fr-select-group" {
                        label class="fr-label" for="strate" { "Strate de population" }
                        select class="fr-select" id="strate" name="strate" {
                            option value="" selected[req.stratum.is_none()] { "Toutes" }
                            @for s in 0..context::strata_count(t.level) {
                                option value=(s) selected[req.stratum == Some(s)] { (stratum_label(t.level, s)) }
                            }
                        }
                    }
                }
                div class="fr-col-12 fr-col-md-2 fr-select-group" {
                    label class="fr-label" for="tri" { "Tri" }
                    select class="fr-select" id="tri" name="tri" {
                        option value="desc" selected[req.sort == Sort::Desc] { "Valeur décroissante" }
                        option value="asc" selected[req.sort == Sort::Asc] { "Valeur croissante" }
                        option value="nom" selected[req.sort == Sort::Name] { "Nom" }
                    }
                }
                div class="fr-col-12 fr-col-md-2" { button class="fr-btn fr-mt-4w" type="submit" { "Afficher" } }
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn page(
    geo: &Geo,
    t: &Table,
    ind: &Indicator,
    rows: &[Row],
    group: &str,
    secret: usize,
    missing: usize,
    req: &Request,
) -> Markup {
    let pages = rows.len().div_ceil(PAGE).max(1);
    let page = req.page.min(pages);
    let shown = &rows[((page - 1) * PAGE).min(rows.len())..(page * PAGE).min(rows.len())];
    let title = format!("{} — classement des {group}", ind.label);
    let credit = crate::fiche::credits::source_info(geo, ind.source);
    let sort_link = |s: Sort, text: &str| {
        html! { @if req.sort == s { span aria-current="true" { (text) } } @else { a href=(req.url(ind.id, "", s, 1)) { (text) } } }
    };
    let head = Head {
        title: title.clone(),
        description: format!("{title} : rang, valeur et population, à télécharger."),
        canonical: Some(req.url(ind.id, "", req.sort, page)),
        section: Some(crate::ui::Section::Collectivites),
        ..Default::default()
    };
    layout_with(
        &head,
        html! {
            (crate::ui::components::breadcrumb(
                &[("Accueil".into(), "/".into()), ("Classements".into(), "/classements".into())],
                ind.label,
            ))
            h1 { (ind.label) }
            p class="fr-text--lead" { "Classement des " (group) "." }
            p {
                (fmt_int(rows.len() as u64)) " " (t.level.plural()) " classées par valeur décroissante"
                @if secret > 0 { ", " (fmt_int(secret as u64)) " sous secret statistique" }
                @if missing > 0 { ", " (fmt_int(missing as u64)) " sans valeur publiée" }
                " (non classées). Les ex aequo partagent leur rang."
            }
            p class="fr-text--sm" {
                "Source : "
                @if let Some(c) = &credit { a href=(c.url) rel="noopener" { (c.short()) } ", " }
                (ind.vintage) "."
            }
            (form(geo, t, ind, req))
            ul class="fr-btns-group fr-btns-group--inline-sm" {
                li { a class="fr-btn fr-btn--tertiary" href=(req.url(ind.id, ".csv", Sort::Desc, 1)) download { "Télécharger (CSV)" } }
                li { a class="fr-btn fr-btn--tertiary" href=(req.url(ind.id, ".json", Sort::Desc, 1)) download { "JSON" } }
            }
            @if rows.is_empty() {
                p { "Aucune collectivité de ce groupe n'a de valeur publiée pour cet indicateur." }
            } @else {
                div class="fr-table" {
                    table tabindex="0" class="oc-ranking" {
                        caption { (title) @if pages > 1 { " (page " (page) " sur " (pages) ")" } }
                        thead { tr {
                            th scope="col" class="oc-num" aria-sort=[aria_sort(req.sort, Sort::Desc)] { (sort_link(Sort::Desc, "Rang")) }
                            th scope="col" aria-sort=[aria_sort(req.sort, Sort::Name)] { (sort_link(Sort::Name, "Nom")) }
                            th scope="col" class="oc-num" aria-sort=[aria_sort(req.sort, Sort::Asc)] { (sort_link(Sort::Asc, "Valeur")) (unit_of(ind)) }
                            th scope="col" class="oc-num" { "Population" }
                        } }
                        tbody {
                            @for r in shown {
                                tr {
                                    td class="oc-num" { (oc_model::fr::ordinal(u64::from(r.rank))) @if r.tied { " ex aequo" } }
                                    th scope="row" { a href=(r.url) { (r.name) } " " span class="fr-text--xs" { "(" (r.code) ")" } }
                                    td class="oc-num" { (fmt_num(r.value, ind.decimals)) }
                                    td class="oc-num" { @if let Some(p) = r.population { (fmt_int(p)) } @else { "—" } }
                                }
                            }
                        }
                    }
                }
                (pagination("Pages du classement", page, pages, Pager::Numbers(page_window(page, pages)), |n| req.url(ind.id, "", req.sort, n)))
            }
            p class="fr-text--sm" { a href="/classements" { "Tous les classements et la carte des départements" } }
        },
    )
}

/// `GET /classements`: the indicators of each level, and the map of the
/// départements coloured by one of them (`?carte=…`).
async fn index(State(state): State<AppState>, RawQuery(q): RawQuery) -> WebResult<Response> {
    let geo = state.geo();
    let p = params(q);
    crate::blocking::spawn(move || {
        let tables = context::tables(&geo);
        let deps = tables.table(Level::Departement);
        let choice = thematic::choice(deps, param(&p, "carte")).map_err(WebError::BadRequest)?;
        let members: Vec<u32> = (0..deps.members.len() as u32).collect();
        let map = thematic::departements_map(&geo, deps, choice, &members, "FR", "France (métropole et départements d'outre-mer)");
        let head = Head {
            title: "Classements et carte des départements".to_owned(),
            description: "Chaque indicateur des fiches classé pour les communes, intercommunalités, départements et régions : rang, centile, exports.".to_owned(),
            canonical: Some("/classements".to_owned()),
            section: Some(crate::ui::Section::Collectivites),
            ..Default::default() };
        Ok(layout_with(
            &head,
            html! {
                h1 { "Classements" }
                p { "Chaque chiffre des fiches, classé parmi les collectivités du même niveau : en France, dans un \
                    département, une région, une intercommunalité ou une strate de population. Les tableaux se \
                    trient et se téléchargent (CSV, JSON)." }
                h2 { "Carte des départements" }
                (thematic::form("/classements", deps, choice, &[]))
                (map)
                @for level in Level::ALL {
                    @let t = tables.table(level);
                    h2 { "Classements des " (level.plural()) }
                    ul class="oc-columns" {
                        @for ind in &t.indicators {
                            li { a href=(context::ranking_url(level, ind.id, None, None)) { (ind.label) } " " span class="fr-text--xs" { "(" (ind.vintage) ")" } }
                        }
                    }
                }
            },
        )
        .into_response())
    })
    .await?
}
