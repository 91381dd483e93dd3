//! The one error type of the web handlers, and their `Result` alias.
//!
//! A handler returns [`WebResult`] and uses `?`: a [`WebError`] renders
//! as an HTML page with the search box, or, wrapped in [`ApiError`], as
//! JSON. An internal error keeps its source, logged with its whole chain
//! and never shown.

use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;

/// What an internal error says to the user (the details go to the log).
const INTERNAL: &str = "Erreur interne : la requête n'a pas pu aboutir. Réessayez ; si l'erreur persiste, signalez-la.";

/// What went wrong, and how to show it.
#[derive(Debug, thiserror::Error)]
pub(crate) enum WebError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// Ours: the source is logged, the user reads [`INTERNAL`].
    #[error("erreur interne : {0}")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// What a handler returns.
pub(crate) type WebResult<T, E = WebError> = Result<T, E>;

impl WebError {
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::Forbidden(_) => StatusCode::FORBIDDEN,
            WebError::NotFound(_) => StatusCode::NOT_FOUND,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// An internal error keeping `source` (an error, or a message).
    pub fn internal(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> WebError {
        WebError::Internal(source.into())
    }

    /// The message shown to the user; an internal error is logged here,
    /// with its chain of sources.
    fn public_message(&self) -> String {
        match self {
            WebError::Internal(e) => {
                let mut chain = e.to_string();
                let mut source = e.source();
                while let Some(s) = source {
                    chain.push_str(": ");
                    chain.push_str(&s.to_string());
                    source = s.source();
                }
                tracing::error!("{chain}");
                INTERNAL.to_owned()
            }
            e => e.to_string(),
        }
    }

    /// The same error, rendered as JSON.
    pub fn json(self) -> ApiError {
        ApiError(self)
    }
}

impl From<oc_library::store::StoreError> for WebError {
    /// A refused value is the user's to fix; anything else is ours.
    fn from(e: oc_library::store::StoreError) -> Self {
        match e {
            oc_library::store::StoreError::Invalid(m) => WebError::BadRequest(m),
            e => WebError::internal(e),
        }
    }
}

impl From<tokio::task::JoinError> for WebError {
    fn from(e: tokio::task::JoinError) -> Self {
        WebError::internal(e)
    }
}

/// Rendered as an HTML page with the search box.
impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = self.public_message();
        (status, crate::ui::error_page(status, &message)).into_response()
    }
}

/// A [`WebError`] rendered as `{"error": {"status", "message"}}`.
#[derive(Debug)]
pub(crate) struct ApiError(pub WebError);

impl From<WebError> for ApiError {
    fn from(e: WebError) -> Self {
        ApiError(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        let message = self.0.public_message();
        let body = serde_json::json!({ "error": { "status": status.as_u16(), "message": message } });
        (status, Json(body)).into_response()
    }
}

/// Unknown paths: JSON under `/api/`, a helpful page elsewhere.
pub(crate) async fn fallback(uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        WebError::NotFound(format!("aucune ressource à l'adresse {}", uri.path())).json().into_response()
    } else {
        WebError::NotFound(
            "Cette page n'existe pas. Cherchez une commune, une intercommunalité, un département ou une région :"
                .into(),
        )
        .into_response()
    }
}
