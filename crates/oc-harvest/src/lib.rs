//! The harvester of the Bibliothèque: it fills the library store from
//! every public statistical source. The web server never depends on it.
//!
//! A guided tour, in the order data flows:
//! - [`sources`]: the source registry (`config/sources.toml`);
//! - [`http`]: polite and robust fetching (timeouts, size cap, gzip,
//!   conditional GET, retries with backoff, one request per host at a time),
//!   the crate `oc-fetch` shared with the reference-data loaders;
//! - [`charset`]: bytes to text whatever the declared charset;
//! - readers, one per kind: [`feed`] (RSS, Atom, JSON Feed via feed-rs,
//!   French dates), [`sru`] (BNSP/Gallica SRU 1.2), [`ods`] (OpenDataSoft
//!   Explore v2.1 catalogues), [`catalogue`] (CSV catalogues and the
//!   embedded seed catalogue);
//! - [`sanitize`]: ammonia-cleaned HTML and plain text;
//! - [`detect`]: territories named in titles and summaries;
//! - [`run`]: one run of a source, page by page into the store, with its
//!   status and rejected items;
//! - [`schedule`]: cron runs inside `serve`;
//! - [`error`]: [`HarvestError`], the one error type, and [`Result`].

pub mod catalogue;
pub mod charset;
pub mod detect;
pub mod error;
pub mod feed;
/// Fetching, shared with the reference-data loaders (crate `oc-fetch`).
pub use oc_fetch as http;
pub mod ods;
pub mod run;
pub mod sanitize;
pub mod schedule;
pub mod sources;
pub mod sru;

pub use error::{HarvestError, Result};
