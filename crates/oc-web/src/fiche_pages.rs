//! The fiches' routes: one page per commune, EPCI, département and région,
//! their JSON twins under `/api/v1/`, their list exports, canonical URLs
//! and redirects, the sitemap and robots.txt.
//!
//! `/commune/{slug}-{code}`: a bare code or an outdated slug answers 301 to
//! the canonical URL; a commune déléguée or associée, or a former INSEE
//! code, redirects to the current commune, which then shows a notice.

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use oc_model::text::slug;
use oc_model::{FicheKind, KindGroup};
use oc_store::Geo;

use crate::error::{ApiError, WebError, WebResult};
use crate::export;
use crate::extract::{param, params};
use crate::fiche::data::LinkRole;
use crate::fiche::{context, data, fiche_for_code, html, split_key, territory_key, url, url_commune, Fiche};
use crate::AppState;

/// The routes of the fiches.
pub(crate) fn routes() -> axum::Router<AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/commune/{key}", get(commune_page))
        .route("/epci/{key}", get(epci_page))
        .route("/departement/{key}", get(departement_page))
        .route("/region/{key}", get(region_page))
        .route("/api/v1/communes/{code}", get(commune_json))
        .route("/api/v1/epci/{code}", get(epci_json))
        .route("/api/v1/departements/{code}", get(departement_json))
        .route("/api/v1/regions/{code}", get(region_json))
        .route("/epci/{key}/{file}", get(epci_list))
        .route("/departement/{key}/{file}", get(departement_list))
        .route("/region/{key}/{file}", get(region_list))
        .route("/france", get(france_page))
        .route("/france.csv", get(|s, q| france_file(s, q, "csv")))
        .route("/france.xlsx", get(|s, q| france_file(s, q, "xlsx")))
        .route("/france.json", get(|s, q| france_file(s, q, "json")))
        .route("/api/v1/france", get(france_json))
        .route("/communes.csv", get(all_communes_csv))
        .route("/communes.json", get(all_communes_json))
        .route("/communes.xlsx", get(all_communes_xlsx))
        .route("/sitemap.xml", get(sitemap))
        .route("/robots.txt", get(robots))
}

fn redirect(to: String) -> Response {
    (
        StatusCode::MOVED_PERMANENTLY,
        [(header::LOCATION, HeaderValue::from_str(&to).unwrap_or(HeaderValue::from_static("/")))],
    )
        .into_response()
}

fn not_found(group: KindGroup, key: &str) -> WebError {
    let what = match group {
        KindGroup::Commune => "Aucune commune",
        KindGroup::Epci => "Aucune intercommunalité",
        KindGroup::Departement => "Aucun département",
        KindGroup::Region => "Aucune région",
    };
    WebError::NotFound(format!("{what} ne correspond à l'adresse « {key} ». Cherchez-la par son nom ou son code :"))
}

/// What a fiche path resolves to.
enum Resolved {
    /// Show this fiche (path is canonical).
    Show(Box<Fiche>),
    /// Redirect permanently there.
    Redirect(String),
}

fn resolve(geo: &Geo, group: KindGroup, key: &str) -> Option<Resolved> {
    let (s, code) = split_key(key);
    let canonical = |u: String| if u == format!("/{}/{key}", group.path()) { None } else { Some(u) };
    match group {
        KindGroup::Commune => {
            if let Some(r) = geo.commune(&code).and_then(|c| geo.com_of_commune(c)) {
                // Saint-Martin, Saint-Barthélemy, Clipperton: the "commune"
                // is the collectivité d'outre-mer itself.
                return Some(Resolved::Redirect(url(KindGroup::Region, &r.name, &r.code)));
            }
            if let Some(c) = geo.commune(&code) {
                return Some(match canonical(url_commune(c)) {
                    None => Resolved::Show(Box::new(data::commune(geo, c))),
                    Some(u) => {
                        // A déléguée sharing its commune's code, asked by its own name.
                        let del = geo.delegated(&code).find(|d| !s.is_empty() && slug(&d.name) == s);
                        Resolved::Redirect(match del {
                            Some(d) => format!("{u}?deleguee={}", d.code),
                            None => u,
                        })
                    }
                });
            }
            if let Some(d) = geo.delegated(&code).next() {
                let parent = d.parent.as_deref().and_then(|p| geo.commune(p))?;
                return Some(Resolved::Redirect(format!("{}?deleguee={}", url_commune(parent), d.code)));
            }
            let current = geo.current_code_of(&code)?;
            Some(Resolved::Redirect(format!("{}?ancien={code}", url_commune(current))))
        }
        KindGroup::Epci => {
            let e = geo.epci(&code)?;
            Some(match canonical(url(group, &e.name, &e.code)) {
                None => Resolved::Show(Box::new(data::epci(geo, e))),
                Some(u) => Resolved::Redirect(u),
            })
        }
        KindGroup::Departement => {
            let d = geo.departement(&code)?;
            if d.zone == "com" {
                // A COM's département code: the COM has one fiche.
                let r = geo.region(&d.region)?;
                return Some(Resolved::Redirect(url(KindGroup::Region, &r.name, &r.code)));
            }
            Some(match canonical(url(group, &d.name, &d.code)) {
                None => Resolved::Show(Box::new(data::departement(geo, d))),
                Some(u) => Resolved::Redirect(u),
            })
        }
        KindGroup::Region => {
            let r = geo.region(&code)?;
            Some(match canonical(url(group, &r.name, &r.code)) {
                None => Resolved::Show(Box::new(data::region(geo, r))),
                Some(u) => Resolved::Redirect(u),
            })
        }
    }
}

/// The library sections of a fiche.
fn library_sections(geo: &oc_store::Geo, lib: &crate::LibraryView, f: &data::Fiche) -> maud::Markup {
    let (scope, level) = match f.group {
        // A collectivité d'outre-mer is no région: what serves every collectivité.
        KindGroup::Region if f.kind == FicheKind::CollectiviteOutreMer => {
            ("Collectivités locales (toutes)", "collectivités locales")
        }
        KindGroup::Commune => ("Communes & EPCI (toutes)", "communes"),
        KindGroup::Epci => ("Communes & EPCI (toutes)", "intercommunalités"),
        KindGroup::Departement => ("Départements (tous)", "départements"),
        KindGroup::Region => ("Régions (toutes)", "régions"),
    };
    let area = territory_key(f.group, &f.code);
    let mut covering = vec![area.clone()];
    for p in &f.parents {
        match p.role {
            LinkRole::Departement | LinkRole::Circonscription => {
                covering.push(territory_key(KindGroup::Departement, &p.code))
            }
            LinkRole::Region => covering.push(territory_key(KindGroup::Region, &p.code)),
            LinkRole::Epci | LinkRole::Ept => covering.push(territory_key(KindGroup::Epci, &p.code)),
            _ => {}
        }
    }
    crate::publications::fiche_sections(geo, lib, &area, scope, level, &covering)
}

async fn page(state: AppState, group: KindGroup, key: String, raw: Option<String>) -> WebResult<Response> {
    // One version of the reference data: the maps cached for it are drawn
    // from its own geography.
    let reference = state.reference();
    let (geo, maps) = (reference.geo.clone(), reference.maps.clone());
    let lib = state.library.clone();
    let p = params(raw);
    // `/commune/{slug}-{code}.csv` and `.json`: the fiche's own data.
    let (key, ext): (String, Option<&'static str>) = match key.rsplit_once('.') {
        Some((k, "csv")) => (k.to_owned(), Some("csv")),
        Some((k, "json")) => (k.to_owned(), Some("json")),
        Some((k, "xlsx")) => (k.to_owned(), Some("xlsx")),
        _ => (key, None),
    };
    let dialect = export::Dialect::parse(param(&p, "dialect")).map_err(WebError::BadRequest)?;
    crate::blocking::spawn(move || {
        let mut resolved = resolve(&geo, group, &key);
        if let Some(Resolved::Show(f)) = resolved.as_mut() {
            context::apply(&geo, f);
        }
        match (resolved, ext) {
            (None, _) => Err(not_found(group, &key)),
            (Some(Resolved::Redirect(u)), None) => Ok(redirect(u)),
            (Some(Resolved::Redirect(u)), Some(e)) => {
                let path = u.split('?').next().unwrap_or(&u);
                Ok(redirect(format!("{path}.{e}")))
            }
            (Some(Resolved::Show(f)), Some(e)) => {
                let base = f.url.trim_start_matches('/').replace('/', "-");
                let title = f.title.clone();
                Ok(export::download(&geo, group, vec![*f], &base, e, dialect, title))
            }
            (Some(Resolved::Show(f)), None) => {
                let mut opts = html::Options::from_params(&p);
                opts.sizes = download_sizes(&geo, group, &f);
                opts.library = lib.as_deref().map(|l| library_sections(&geo, l, &f));
                if let Some(l) = lib.as_deref() {
                    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
                    match l.lock().active_messages(&territory_key(f.group, &f.code), &today) {
                        Ok(m) => opts.messages = m,
                        Err(e) => tracing::error!("fiche messages: {e}"),
                    }
                }
                Ok(html::render(&geo, &maps, &f, &opts).into_response())
            }
        }
    })
    .await?
}

pub(crate) async fn commune_page(
    State(s): State<AppState>,
    Path(key): Path<String>,
    RawQuery(q): RawQuery,
) -> WebResult<Response> {
    page(s, KindGroup::Commune, key, q).await
}

pub(crate) async fn epci_page(
    State(s): State<AppState>,
    Path(key): Path<String>,
    RawQuery(q): RawQuery,
) -> WebResult<Response> {
    page(s, KindGroup::Epci, key, q).await
}

pub(crate) async fn departement_page(
    State(s): State<AppState>,
    Path(key): Path<String>,
    RawQuery(q): RawQuery,
) -> WebResult<Response> {
    page(s, KindGroup::Departement, key, q).await
}

pub(crate) async fn region_page(
    State(s): State<AppState>,
    Path(key): Path<String>,
    RawQuery(q): RawQuery,
) -> WebResult<Response> {
    page(s, KindGroup::Region, key, q).await
}

/// `GET /{level}/{key}/{communes|epci}.{csv|json}`: the lists of a fiche.
async fn list(
    state: AppState,
    group: KindGroup,
    key: String,
    file: String,
    raw: Option<String>,
) -> WebResult<Response> {
    let p = params(raw);
    let dialect = export::Dialect::parse(param(&p, "dialect")).map_err(WebError::BadRequest)?;
    let (what, ext) = match file.rsplit_once('.') {
        Some((w @ ("communes" | "epci"), e @ ("csv" | "json" | "xlsx")))
            if !(group == KindGroup::Epci && w == "epci") =>
        {
            (
                w,
                match e {
                    "csv" => "csv",
                    "json" => "json",
                    _ => "xlsx",
                },
            )
        }
        _ => {
            return Err(WebError::NotFound(format!(
                "aucune liste « {file} » : communes.csv, communes.xlsx, communes.json{}",
                if group == KindGroup::Epci { "" } else { ", epci.csv, epci.xlsx, epci.json" }
            )))
        }
    };
    let reference = state.reference();
    let geo = reference.geo.clone();
    let (_, code) = split_key(&key);
    let (name, codes): (String, Vec<String>) = match group {
        KindGroup::Epci => match geo.epci(&code) {
            Some(e) => (e.name.clone(), e.membres.clone()),
            None => return Err(not_found(group, &key)),
        },
        KindGroup::Departement => match geo.departement(&code) {
            Some(d) if what == "communes" => {
                (d.name.clone(), geo.communes_of_departement(&d.code).map(|c| c.code.clone()).collect())
            }
            Some(d) => (d.name.clone(), geo.epci_of_departement(&d.code).map(|e| e.code.clone()).collect()),
            None => return Err(not_found(group, &key)),
        },
        KindGroup::Region => match geo.region(&code) {
            Some(r) if what == "communes" => {
                (r.name.clone(), geo.communes_of_region(&r.code).map(|c| c.code.clone()).collect())
            }
            Some(r) => (r.name.clone(), geo.epci_of_region(&r.code).map(|e| e.code.clone()).collect()),
            None => return Err(not_found(group, &key)),
        },
        KindGroup::Commune => return Err(WebError::NotFound("aucune liste pour une commune".into())),
    };
    let item_group = if what == "communes" { KindGroup::Commune } else { KindGroup::Epci };
    let filename = export::list_filename(what, group.as_str(), &code, &name, geo.data.meta.cog_year, ext);
    Ok(export::stream(&state, reference, item_group, codes, filename, ext, dialect).await)
}

pub(crate) async fn epci_list(
    State(s): State<AppState>,
    Path((key, file)): Path<(String, String)>,
    RawQuery(q): RawQuery,
) -> WebResult<Response> {
    list(s, KindGroup::Epci, key, file, q).await
}

pub(crate) async fn departement_list(
    State(s): State<AppState>,
    Path((key, file)): Path<(String, String)>,
    RawQuery(q): RawQuery,
) -> WebResult<Response> {
    list(s, KindGroup::Departement, key, file, q).await
}

pub(crate) async fn region_list(
    State(s): State<AppState>,
    Path((key, file)): Path<(String, String)>,
    RawQuery(q): RawQuery,
) -> WebResult<Response> {
    list(s, KindGroup::Region, key, file, q).await
}

async fn all_communes(state: AppState, ext: &'static str, raw: Option<String>) -> WebResult<Response> {
    let p = params(raw);
    let dialect = export::Dialect::parse(param(&p, "dialect")).map_err(WebError::BadRequest)?;
    let reference = state.reference();
    let geo = reference.geo.clone();
    let codes = reference
        .commune_codes
        .get_or_init(|| {
            geo.data
                .communes
                .iter()
                .filter(|c| c.kind == oc_model::Kind::Commune && geo.com_of_commune(c).is_none())
                .map(|c| c.code.clone())
                .collect()
        })
        .clone();
    let filename = export::list_filename("communes", "france", "", "", geo.data.meta.cog_year, ext);
    Ok(export::stream(&state, reference.clone(), KindGroup::Commune, codes, filename, ext, dialect).await)
}

/// The sizes of a fiche's CSV and JSON files, as its download links
/// announce them (a fraction of a millisecond each). The workbook's is
/// not asked: compressing it would double the page's server time.
fn download_sizes(geo: &Geo, group: KindGroup, f: &data::Fiche) -> html::DownloadSizes {
    let one = std::slice::from_ref(f);
    let size = |ext| export::download_size(geo, group, one, ext, export::Dialect::French, &f.title);
    html::DownloadSizes { csv: size("csv"), xlsx: None, json: size("json") }
}

/// `GET /france`: France summed over its communes.
pub(crate) async fn france_page(State(state): State<AppState>, RawQuery(q): RawQuery) -> WebResult<Response> {
    let geo = state.geo();
    let p = params(q);
    crate::blocking::spawn(move || {
        let f = data::france(&geo);
        let mut opts = html::Options::from_params(&p);
        opts.sizes = download_sizes(&geo, KindGroup::Region, &f);
        html::render_france(&geo, &f, &opts).into_response()
    })
    .await
    .map_err(WebError::from)
}

/// `GET /france.csv|xlsx|json`: the France fiche's data.
async fn france_file(State(state): State<AppState>, RawQuery(q): RawQuery, ext: &'static str) -> WebResult<Response> {
    let p = params(q);
    let dialect = export::Dialect::parse(param(&p, "dialect")).map_err(WebError::BadRequest)?;
    let geo = state.geo();
    crate::blocking::spawn(move || {
        let f = data::france(&geo);
        let title = f.title.clone();
        export::download(&geo, KindGroup::Region, vec![f], "france", ext, dialect, title)
    })
    .await
    .map_err(WebError::from)
}

/// `GET /api/v1/france`
pub(crate) async fn france_json(State(state): State<AppState>) -> WebResult<Response, ApiError> {
    let geo = state.geo();
    let f = crate::blocking::spawn(move || data::france(&geo)).await.map_err(WebError::from)?;
    Ok(Json(f).into_response())
}

/// `GET /communes.csv`: every commune of France.
pub(crate) async fn all_communes_csv(State(s): State<AppState>, RawQuery(q): RawQuery) -> WebResult<Response> {
    all_communes(s, "csv", q).await
}

/// `GET /communes.xlsx`: every commune of France, codes as text.
pub(crate) async fn all_communes_xlsx(State(s): State<AppState>, RawQuery(q): RawQuery) -> WebResult<Response> {
    all_communes(s, "xlsx", q).await
}

/// `GET /communes.json`
pub(crate) async fn all_communes_json(State(s): State<AppState>, RawQuery(q): RawQuery) -> WebResult<Response> {
    all_communes(s, "json", q).await
}

async fn json(state: AppState, group: KindGroup, code: String) -> WebResult<Response, ApiError> {
    let geo = state.geo();
    let c2 = code.clone();
    let fiche = crate::blocking::spawn(move || {
        fiche_for_code(&geo, group, &c2).map(|mut f| {
            context::apply(&geo, &mut f);
            f
        })
    })
    .await
    .map_err(WebError::from)?;
    match fiche {
        Some(f) => Ok(Json(f).into_response()),
        None => {
            Err(WebError::NotFound(format!("aucun territoire de type {} avec le code {code:?}", group.as_str())).json())
        }
    }
}

pub(crate) async fn commune_json(State(s): State<AppState>, Path(code): Path<String>) -> WebResult<Response, ApiError> {
    json(s, KindGroup::Commune, code).await
}

pub(crate) async fn epci_json(State(s): State<AppState>, Path(code): Path<String>) -> WebResult<Response, ApiError> {
    json(s, KindGroup::Epci, code).await
}

pub(crate) async fn departement_json(
    State(s): State<AppState>,
    Path(code): Path<String>,
) -> WebResult<Response, ApiError> {
    json(s, KindGroup::Departement, code).await
}

pub(crate) async fn region_json(State(s): State<AppState>, Path(code): Path<String>) -> WebResult<Response, ApiError> {
    json(s, KindGroup::Region, code).await
}

/// `GET /sitemap.xml`: every fiche, with absolute URLs (built once).
pub(crate) async fn sitemap(State(state): State<AppState>) -> WebResult<Response> {
    let app = state.0.clone();
    let body = crate::blocking::spawn(move || {
        let reference = app.reference();
        reference
            .sitemap
            .get_or_init(|| {
                let geo = &reference.geo;
                let base = oc_model::markup::escape(&app.public_url);
                let mut out = String::with_capacity(4_000_000);
                out.push_str(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
                out.push_str("\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
                let mut push = |u: String| {
                    out.push_str("<url><loc>");
                    out.push_str(&base);
                    out.push_str(&oc_model::markup::escape(&u));
                    out.push_str("</loc></url>\n");
                };
                push("/".into());
                push(data::FRANCE_URL.into());
                for r in &geo.data.regions {
                    push(url(KindGroup::Region, &r.name, &r.code));
                }
                for d in geo.data.departements.iter().filter(|d| d.zone != "com") {
                    push(url(KindGroup::Departement, &d.name, &d.code));
                }
                for e in &geo.data.epci {
                    push(url(KindGroup::Epci, &e.name, &e.code));
                }
                for c in geo.data.communes.iter().filter(|c| {
                    matches!(c.kind, oc_model::Kind::Commune | oc_model::Kind::ArrondissementMunicipal)
                        && geo.com_of_commune(c).is_none()
                }) {
                    push(url_commune(c));
                }
                out.push_str("</urlset>\n");
                out
            })
            .clone()
    })
    .await?;
    Ok(([(header::CONTENT_TYPE, "application/xml; charset=utf-8")], body).into_response())
}

/// `GET /robots.txt`
pub(crate) async fn robots(State(state): State<AppState>) -> Response {
    let body = format!(
        "User-agent: *\nAllow: /\nDisallow: /api/\nSitemap: {0}/sitemap.xml\nSitemap: {0}/sitemap-publications.xml\n",
        state.public_url
    );
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}
