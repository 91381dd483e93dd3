//! Compare 2 to 4 collectivités of the same level side by side:
//! `/comparer?ids=commune:34172,commune:31555`. Every state is a permalink;
//! adding and removing work with plain forms and links; exports at
//! `/comparer.csv` and `/comparer.json`.

use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};

use oc_model::{Kind, KindGroup};
use oc_store::Geo;

use crate::error::WebResult;
use crate::export::{self, Dialect};
use crate::extract::{param, params};
use crate::fiche::data::Fiche;
use crate::format::fmt_num;
use crate::ui::components::{alert, Level};
use crate::ui::{layout_with, search_box_with, Head};
use crate::AppState;

/// At most this many collectivités are compared.
pub(crate) const MAX: usize = 4;

/// A parsed selection: the valid ids, and what was wrong with the others.
#[derive(Debug, Default)]
pub(crate) struct Selection {
    pub group: Option<KindGroup>,
    pub codes: Vec<String>,
    pub problems: Vec<String>,
}

impl Selection {
    pub fn ids(&self) -> String {
        self.codes
            .iter()
            .map(|c| format!("{}:{c}", self.group.map_or("", |g| g.as_str())))
            .collect::<Vec<_>>()
            .join(",")
    }

    pub fn url(&self, ext: &str) -> String {
        crate::fiche::compare_url(self.group, self.codes.iter().map(String::as_str), ext)
    }
}

/// The canonical code of a territory of `group`, following déléguées and
/// former codes.
/// The level and code a collectivité is compared at: a collectivité
/// d'outre-mer asked by its COG "département" or "commune" code is the COM,
/// compared among régions and COM.
fn canonical(geo: &Geo, group: KindGroup, code: &str) -> Option<(KindGroup, String)> {
    let code = code.to_ascii_uppercase();
    match group {
        KindGroup::Commune => geo.resolve_commune(&code).map(|c| match geo.com_of_commune(c) {
            Some(r) => (KindGroup::Region, r.code.clone()),
            None => (group, c.code.clone()),
        }),
        KindGroup::Epci => geo.epci(&code).map(|e| (group, e.code.clone())),
        KindGroup::Departement => geo.departement(&code).map(|d| {
            if d.zone == "com" {
                (KindGroup::Region, d.region.clone())
            } else {
                (group, d.code.clone())
            }
        }),
        KindGroup::Region => geo.region(&code).map(|r| (group, r.code.clone())),
    }
}

/// Ids read at most from one request; the rest is ignored with a message.
const MAX_IDS: usize = 12;

/// Parses `ids=level:code,…`, keeping the valid ones (first level wins).
pub(crate) fn parse(geo: &Geo, raw: &str) -> Selection {
    let mut s = Selection::default();
    let parts: Vec<&str> = raw.split(',').map(str::trim).filter(|p| !p.is_empty()).collect();
    if parts.len() > MAX_IDS {
        s.problems.push(format!("{} identifiants reçus : seuls les {MAX_IDS} premiers ont été lus.", parts.len()));
    }
    for part in parts.into_iter().take(MAX_IDS) {
        let Some((level, code)) = part.split_once(':') else {
            s.problems.push(format!("« {part} » n'est pas de la forme niveau:code (par exemple commune:34172)."));
            continue;
        };
        let Some(g) = KindGroup::parse(level) else {
            s.problems.push(format!("Niveau inconnu « {level} » : commune, epci, departement ou region."));
            continue;
        };
        let Some((g, code)) = canonical(geo, g, code) else {
            s.problems.push(format!("Aucune collectivité de niveau {level} n'a le code « {code} »."));
            continue;
        };
        if let Some(first) = s.group {
            if first != g {
                s.problems.push(format!(
                    "« {part} » n'est pas du même niveau que la sélection ({}) : on ne compare \
                    que des collectivités de même niveau.",
                    first.label().to_lowercase()
                ));
                continue;
            }
        }
        if s.codes.len() == MAX {
            s.problems.push(format!("On compare {MAX} collectivités au plus : « {part} » n'a pas été ajoutée."));
            continue;
        }
        if s.codes.contains(&code) {
            s.problems.push(format!("« {part} » figure déjà dans la comparaison."));
            continue;
        }
        s.group = Some(g);
        s.codes.push(code);
    }
    s
}

fn fiches(geo: &Geo, s: &Selection) -> Vec<Fiche> {
    let mut fs = match s.group {
        Some(g) => export::fiches(geo, g, &s.codes),
        None => Vec::new(),
    };
    for f in &mut fs {
        crate::fiche::context::apply(geo, f);
    }
    fs
}

/// The reference column asked (`reference=france` or `commun`): France,
/// or the département, else the région, every compared one is in.
fn reference(geo: &Geo, fs: &[Fiche], asked: Option<&str>) -> Option<Fiche> {
    use crate::fiche::data::{self, LinkRole};
    match asked? {
        "france" => Some(data::france(geo)),
        "commun" => {
            let common = |role: LinkRole| -> Option<String> {
                let first = fs.first()?.parents.iter().find(|l| l.role == role)?.code.clone();
                fs.iter().all(|f| f.parents.iter().any(|l| l.role == role && l.code == first)).then_some(first)
            };
            if let Some(d) = common(LinkRole::Departement)
                .or_else(|| common(LinkRole::Circonscription))
                .and_then(|c| geo.departement(&c))
            {
                return Some(data::departement(geo, d));
            }
            if let Some(r) = common(LinkRole::Region).and_then(|c| geo.region(&c)) {
                return Some(data::region(geo, r));
            }
            Some(data::france(geo))
        }
        _ => None,
    }
}

fn bar(v: Option<f64>, max: f64) -> Markup {
    let w = match v {
        Some(x) if max > 0.0 && x > 0.0 => (x / max * 60.0).round().max(1.0),
        _ => 0.0,
    };
    html! {
        svg class="oc-bar" width="60" height="8" viewBox="0 0 60 8" aria-hidden="true" focusable="false" {
            rect class="oc-bar__bg" width="60" height="8" {}
            rect class="oc-bar__fg" width=(w) height="8" {}
        }
    }
}

fn table(geo: &Geo, s: &Selection, fs: &[Fiche], reference: Option<&Fiche>) -> Markup {
    let refs: Vec<&Fiche> = fs.iter().collect();
    let cols = export::columns(&refs);
    html! {
        div class="fr-table oc-compare" {
            table tabindex="0" {
                caption { "Comparaison de " (oc_model::fr::count(fs.len() as u64, "collectivité", "collectivités")) }
                thead {
                    tr {
                        th scope="col" { "Indicateur" }
                        @for f in fs {
                            th scope="col" {
                                a href=(f.url) { (f.name) }
                                br;
                                @let rest: Vec<&String> = s.codes.iter().filter(|c| **c != f.code).collect();
                                @let without = Selection { group: s.group, codes: rest.into_iter().cloned().collect(), problems: Vec::new() };
                                a class="fr-link fr-text--xs oc-noprint" href=(without.url(""))
                                    title=(format!("Retirer {} de la comparaison", f.name)) {
                                    "Retirer"
                                }
                            }
                        }
                        @if let Some(r) = reference { th scope="col" class="oc-ref" { "Référence" br; a href=(r.url) { (r.name) } } }
                        th scope="col" { "Source" }
                    }
                }
                tbody {
                    @for c in &cols {
                        @let vals: Vec<(Option<f64>, Option<String>)> = fs.iter().map(|f| {
                            let fig = f.figures.iter().find(|x| x.id == c.id);
                            (fig.and_then(|x| x.value), fig.and_then(|x| x.note.clone()).or_else(|| fig.is_none().then(|| "indicateur \
                                non disponible pour cette collectivité".to_owned())))
                        }).collect();
                        @let max = vals.iter().filter_map(|v| v.0).fold(0.0f64, f64::max);
                        @let fig0 = fs.iter().find_map(|f| f.figures.iter().find(|x| x.id == c.id));
                        tr {
                            th scope="row" { (fig0.map_or("", |x| x.label)) br; span class="fr-text--xs oc-unit" { (fig0.map_or("", |x| x.unit)) } }
                            @let cell_figs: Vec<Option<&crate::fiche::data::Figure>> = fs.iter().map(|f| f.figures.iter().find(|x| x.id == c.id)).collect();
                            // One source for the row when every cell has the same; otherwise each cell says its own.
                            @let uniform = cell_figs.iter().flatten().all(|x| fig0.is_some_and(|f0| f0.source == x.source && f0.vintage == x.vintage));
                            @for ((v, note), cf) in vals.iter().zip(&cell_figs) {
                                // A value in words (the list of QPV) wraps like
                                // prose; a number keeps to its column's right.
                                td class=(if cf.is_some_and(|x| x.text.is_some()) { "oc-text" } else { "oc-num" }) {
                                    @if let Some(t) = cf.and_then(|x| x.text.as_deref()) { (t) }
                                    @else if cf.is_some_and(|x| x.secret) { "secret statistique" }
                                    @else {
                                        @match v {
                                            Some(x) if fig0.is_some_and(|f| f.unit == "année") => { (format!("{x:.0}")) }
                                            Some(x) => { (fmt_num(*x, c.decimals)) br; (bar(Some(*x), max)) }
                                            None => { abbr title=(note.as_deref().unwrap_or("non disponible")) { "n.d." } }
                                        }
                                    }
                                    @if !uniform {
                                        @if let Some(x) = cf {
                                            br; span class="fr-text--xs oc-cell-source" {
                                                (crate::fiche::html::source_cell(geo, x))
                                            }
                                        }
                                    }
                                }
                            }
                            @if let Some(r) = reference {
                                td class="oc-num oc-ref" {
                                    @match r.figures.iter().find(|x| x.id == c.id && x.text.is_none()) {
                                        Some(x) if x.secret => "secret statistique",
                                        Some(x) if x.value.is_some() && s.group.is_some_and(|g| crate::fiche::context::has_references(x, g)) => {
                                            (fmt_num(x.value.unwrap_or_default(), c.decimals))
                                        }
                                        _ => { span title="non défini à ce niveau" aria-hidden="true" { "—" } span class="fr-sr-only" { "non défini à ce niveau" } },
                                    }
                                }
                            }
                            td class="fr-text--xs" {
                                @if uniform { @if let Some(x) = fig0 { (crate::fiche::html::source_cell(geo, x)) } }
                                @else { "selon la collectivité (sous chaque valeur)" }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `GET /comparer?ids=…`
pub(crate) async fn page(State(state): State<AppState>, RawQuery(raw): RawQuery) -> WebResult<Response> {
    let p = params(raw);
    let ids = param(&p, "ids").unwrap_or("").to_owned();
    let asked = param(&p, "reference").filter(|r| matches!(*r, "france" | "commun")).map(str::to_owned);
    let geo = state.geo();
    let result = crate::blocking::spawn(move || {
        let s = parse(&geo, &ids);
        let fs = fiches(&geo, &s);
        let r = reference(&geo, &fs, asked.as_deref());
        render(&geo, &s, &fs, r.as_ref(), asked.as_deref())
    })
    .await;
    Ok(match result {
        Ok(m) => m.into_response(),
        Err(e) => crate::error::WebError::from(e).into_response(),
    })
}

fn render(geo: &Geo, s: &Selection, fs: &[Fiche], reference: Option<&Fiche>, asked: Option<&str>) -> Markup {
    let names: Vec<&str> = fs.iter().map(|f| f.name.as_str()).collect();
    let title = if names.is_empty() {
        "Comparer des collectivités".to_owned()
    } else {
        format!("Comparer {}", names.join(", "))
    };
    let head = Head {
        title: title.clone(),
        description: "Comparez jusqu'à 4 communes, intercommunalités, départements ou régions, indicateur par \
            indicateur, avec sources et millésimes."
            .into(),
        canonical: Some(s.url("")),
        section: Some(crate::ui::Section::Comparer),
        ..Default::default()
    };
    let level = s.group;
    layout_with(
        &head,
        html! {
            h1 { (title) }
            @for pb in &s.problems {
                (alert(Level::Warning, true, "fr-mb-2w", html! { (pb) }))
            }
            @if fs.len() < 2 {
                div class="fr-callout fr-mb-3w" {
                    p class="fr-callout__text" {
                        @if fs.is_empty() { "Choisissez de 2 à 4 collectivités de même niveau (communes, \
                            intercommunalités, départements ou régions)." }
                        @else { "Ajoutez au moins une autre collectivité de même niveau pour comparer." }
                    }
                }
            }
            // The add form and the downloads come before the table, whose
            // source links are many Tab stops long.
            @if s.codes.len() < MAX {
                section class="fr-mb-3w oc-noprint" {
                    h2 class="fr-h5" { "Ajouter une collectivité" @if let Some(g) = level { " (" (g.label().to_lowercase()) ")" } }
                    (search_box_with("/comparer/ajouter", "", level, &[("ids", s.ids())], true))
                }
            }
            @if !fs.is_empty() {
                form class="fr-mb-2w oc-noprint" method="get" action="/comparer" {
                    input type="hidden" name="ids" value=(s.ids());
                    div class="fr-select-group" {
                        label class="fr-label" for="reference" { "Colonne de référence" }
                        select class="fr-select" id="reference" name="reference" {
                            option value="" selected[asked.is_none()] { "Aucune" }
                            option value="commun" selected[asked == Some("commun")] { "Territoire commun (département, sinon région, sinon France)" }
                            option value="france" selected[asked == Some("france")] { "France" }
                        }
                    }
                    button class="fr-btn fr-btn--sm fr-btn--secondary" type="submit" { "Afficher" }
                }
                (download_links(geo, s, fs))
                (table(geo, s, fs, reference))
            }
        },
    )
}

/// `GET /comparer/ajouter?ids=…&pick=level:code` or `&q=…`: adds one and
/// redirects to the new permalink.
pub(crate) async fn add(State(state): State<AppState>, RawQuery(raw): RawQuery) -> WebResult<Response> {
    let p = params(raw);
    let ids = param(&p, "ids").unwrap_or("").to_owned();
    let pick = param(&p, "pick").unwrap_or("").to_owned();
    let q = param(&p, "q").unwrap_or("").to_owned();
    let level = param(&p, "type").and_then(KindGroup::parse);
    let mut new_id = None;
    if pick.contains(':') {
        new_id = Some(pick);
    } else if oc_index::TerritoryIndex::check_query(&q).is_ok() {
        let reference = state.reference();
        let index = reference.territories.clone();
        let i = index.clone();
        let found = crate::blocking::spawn(move || i.search(&q, level, 1).ok()).await.ok().flatten();
        if let Some(out) = found {
            if let Some(h) = out.hits.first() {
                let e = index.entry(h.entry);
                let code = match e.kind {
                    Kind::CommuneDeleguee | Kind::CommuneAssociee => {
                        reference.geo.delegated(&e.code).next().and_then(|d| d.parent.clone()).unwrap_or(e.code.clone())
                    }
                    _ => e.code.clone(),
                };
                new_id = Some(format!("{}:{code}", e.kind.group().as_str()));
            }
        }
    }
    let all = match new_id {
        Some(n) if ids.is_empty() => n,
        Some(n) => format!("{ids},{n}"),
        None => ids,
    };
    // The value is percent-encoded (form encoding, as the query is read
    // back): CR, LF, `&`, `#`, `+`, spaces and non-ASCII never reach the
    // header raw. `:` and `,` may stay literal in a query and keep the
    // permalink readable (`ids=commune:34172,commune:31555`); a literal `%`
    // is itself encoded, so every `%3A`/`%2C` left is an escape of them.
    let to = if all.is_empty() {
        "/comparer".to_owned()
    } else {
        format!("/comparer?ids={}", crate::format::urlencode(&all).replace("%3A", ":").replace("%2C", ","))
    };
    Ok((
        StatusCode::SEE_OTHER,
        [(header::LOCATION, HeaderValue::from_str(&to).unwrap_or(HeaderValue::from_static("/comparer")))],
    )
        .into_response())
}

/// The comparison's downloads, each link with the format and size of the
/// file it serves.
fn download_links(geo: &Geo, s: &Selection, fs: &[Fiche]) -> Markup {
    let group = s.group.unwrap_or(KindGroup::Commune);
    let title = download_title(fs);
    let label = |format: &str, ext: &str, d: Dialect| {
        crate::format::download_label(format, export::download_size(geo, group, fs, ext, d, &title))
    };
    html! {
        ul class="fr-btns-group fr-btns-group--inline-sm oc-noprint" {
            li { a class="fr-btn fr-btn--secondary" href=(s.url(".csv")) download { "Télécharger (" (label("CSV", "csv", Dialect::French)) ")" } }
            li { a class="fr-btn fr-btn--tertiary" href=(s.url(".csv") + "&dialect=standard") download { (label("CSV standard", "csv", Dialect::Standard)) } }
            // The workbook's size is not asked: compressing it would double
            // the page's server time.
            li { a class="fr-btn fr-btn--tertiary" href=(s.url(".xlsx")) download { "Excel (XLSX)" } }
            li { a class="fr-btn fr-btn--tertiary" href=(s.url(".json")) download { (label("JSON", "json", Dialect::French)) } }
        }
    }
}

/// The title of a comparison's files (the JSON's `title`, the sheet's).
fn download_title(fs: &[Fiche]) -> String {
    format!("Comparaison : {}", fs.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(", "))
}

/// `GET /comparer.csv?ids=…`, `/comparer.xlsx?ids=…` and `/comparer.json?ids=…`
pub(crate) async fn download(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    ext: &'static str,
) -> WebResult<Response> {
    let p = params(raw);
    let dialect = match Dialect::parse(param(&p, "dialect")) {
        Ok(d) => d,
        Err(m) => return Ok((StatusCode::BAD_REQUEST, m).into_response()),
    };
    let ids = param(&p, "ids").unwrap_or("").to_owned();
    let geo = state.geo();
    let res = crate::blocking::spawn(move || {
        let s = parse(&geo, &ids);
        if !s.problems.is_empty() || s.codes.is_empty() {
            let msg = if s.problems.is_empty() {
                "Aucune collectivité sélectionnée (paramètre ids).".to_owned()
            } else {
                s.problems.join(" ")
            };
            return (StatusCode::BAD_REQUEST, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], msg)
                .into_response();
        }
        let fs = fiches(&geo, &s);
        let group = s.group.unwrap_or(KindGroup::Commune);
        let title = download_title(&fs);
        let base = format!("comparaison-{}-{}", group.as_str(), s.codes.join("-").to_lowercase());
        export::download(&geo, group, fs, &base, ext, dialect, title)
    })
    .await?;
    Ok(res)
}

pub(crate) async fn download_csv(state: State<AppState>, raw: RawQuery) -> WebResult<Response> {
    download(state, raw, "csv").await
}

pub(crate) async fn download_xlsx(state: State<AppState>, raw: RawQuery) -> WebResult<Response> {
    download(state, raw, "xlsx").await
}

pub(crate) async fn download_json(state: State<AppState>, raw: RawQuery) -> WebResult<Response> {
    download(state, raw, "json").await
}

/// The routes of the comparison.
pub(crate) fn routes() -> axum::Router<crate::AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/comparer", get(page))
        .route("/comparer.csv", get(download_csv))
        .route("/comparer.json", get(download_json))
        .route("/comparer.xlsx", get(download_xlsx))
        .route("/comparer/ajouter", get(add))
}
