//! The one error type of the web handlers.

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
    #[error("erreur interne : {0}")]
    Internal(String),
}

impl WebError {
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::Forbidden(_) => StatusCode::FORBIDDEN,
            WebError::NotFound(_) => StatusCode::NOT_FOUND,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
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
            e => WebError::Internal(e.to_string()),
        }
    }
}

impl From<tokio::task::JoinError> for WebError {
    fn from(e: tokio::task::JoinError) -> Self {
        tracing::error!("blocking task failed: {e}");
        WebError::Internal("la requête n'a pas pu aboutir".into())
    }
}

/// Rendered as an HTML page with the search box.
impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = match &self {
            WebError::Internal(m) => {
                tracing::error!("{m}");
                INTERNAL.to_owned()
            }
            e => e.to_string(),
        };
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
        let message = match &self.0 {
            WebError::Internal(m) => {
                tracing::error!("{m}");
                INTERNAL.to_owned()
            }
            e => e.to_string(),
        };
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
