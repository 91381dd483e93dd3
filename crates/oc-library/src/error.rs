//! The one error of the library store.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("library store: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("library store: {0}")]
    Invalid(String),
}
