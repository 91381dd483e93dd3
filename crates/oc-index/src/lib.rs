//! Tantivy indexes of Open Collectivités.
//!
//! A guided tour:
//! - [`territory`] defines the territory index schema (one document per
//!   commune, arrondissement municipal, commune déléguée/associée, EPCI,
//!   EPT, département and région), builds it from a [`oc_store::Geo`] and
//!   answers name, code and postal-code searches;
//! - [`publications`] defines the publications index (the library's
//!   documents, French analysis, facets), derived from the library store
//!   and kept up to date by store revision; its search runs in stages:
//!   [`publication_query`] (what is asked, its limits, the results),
//!   [`publication_cache`] (recent results, per-segment facet tables) and
//!   [`publication_search`] (the text query, filters and the one-pass
//!   multi-select facet counts).
//!
//! Each index has one module that owns its schema and its single
//! `IndexWriter`; every commit is followed by a reader reload. All functions
//! here block: async callers run them on a blocking thread.

pub mod publication_cache;
pub mod publication_fold;
pub mod publication_query;
pub mod publication_search;
pub mod publication_synonyms;
pub mod publications;
pub mod territory;

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("index error in {path}: {source}")]
    Tantivy { path: String, source: tantivy::TantivyError },
    #[error("index directory {path}: {source}")]
    Io { path: String, source: std::io::Error },
    /// Another process holds the index's writer (a running server).
    #[error("the index in {path} is in use by another process (is a server running on this data directory?)")]
    Locked { path: String },
}

pub use publications::PublicationsIndex;
pub use territory::{Entry, SearchOutcome, TerritoryIndex};
