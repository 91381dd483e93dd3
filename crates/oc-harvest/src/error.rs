//! The harvester's one error type: what went wrong with a source, in
//! words for its status in the back office (French, as librarians read
//! it), keeping the error it came from.

use oc_library::store::StoreError;

/// Why a source cannot be read, checked or stored.
#[derive(Debug, thiserror::Error)]
pub enum HarvestError {
    /// A source definition that breaks the registry's rules.
    #[error("{0}")]
    Definition(String),
    /// The source could not be fetched.
    #[error(transparent)]
    Fetch(#[from] oc_fetch::FetchError),
    /// What was fetched is not what the source's kind reads.
    #[error("{0}")]
    Format(String),
    /// A CSV catalogue (the seed format) that cannot be read.
    #[error(transparent)]
    Catalogue(#[from] crate::catalogue::SeedError),
    /// The library store refused a read or a write.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A blocking task did not finish (it panicked or was cancelled).
    #[error(transparent)]
    Task(#[from] tokio::task::JoinError),
}

/// A result of the harvester.
pub type Result<T, E = HarvestError> = std::result::Result<T, E>;
