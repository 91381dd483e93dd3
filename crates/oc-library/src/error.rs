//! The one error of the library store.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("library store: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("library store: {0}")]
    Invalid(String),
}

/// A text a librarian typed, checked: required, at most `max` characters,
/// no control characters; the message names the field in French.
pub(crate) fn check_text(name: &str, v: &str, max: usize, required: bool) -> Result<(), StoreError> {
    if required && v.trim().is_empty() {
        return Err(StoreError::Invalid(format!("{name} : obligatoire")));
    }
    if v.chars().count() > max {
        return Err(StoreError::Invalid(format!("{name} : au plus {max} caractères")));
    }
    if v.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(StoreError::Invalid(format!("{name} : caractères de contrôle refusés")));
    }
    Ok(())
}
