//! Reading a request's query string: (name, value) pairs that never fail
//! to parse, the last value of a name, and the one way handlers take a
//! typed query: [`Query`] (pages) or [`ApiQuery`] (JSON) of a
//! [`FromQuery`] type, whose checks give the French messages.

/// Query-string parameters as (name, value) pairs; never fails.
pub(crate) fn params(raw: Option<String>) -> Vec<(String, String)> {
    raw.map(|r| serde_urlencoded::from_str::<Vec<(String, String)>>(&r).unwrap_or_default()).unwrap_or_default()
}

/// The last value of parameter `name`.
pub(crate) fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// The `page` parameter: 1 when absent, else an integer from 1 to `max`
/// (a French message otherwise).
pub(crate) fn page(params: &[(String, String)], max: usize) -> Result<usize, String> {
    match param(params, "page").map(str::trim) {
        None | Some("") => Ok(1),
        Some(v) => v
            .parse()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| format!("paramètre « page » invalide ({v:?}) : un entier entre 1 et {max}")),
    }
}

/// A value read from a request's query string, checked, with a French
/// message for whatever is wrong (a 400 page, or JSON under `/api/`).
pub(crate) trait FromQuery: Sized {
    fn from_query(params: &[(String, String)], state: &crate::AppState) -> crate::error::WebResult<Self>;
}

/// The extractor of a [`FromQuery`] value for pages: a bad query string is
/// an HTML 400 page.
#[derive(Debug)]
pub(crate) struct Query<T>(pub T);

/// The same for the JSON API: a bad query string is a JSON 400.
#[derive(Debug)]
pub(crate) struct ApiQuery<T>(pub T);

fn read<T: FromQuery>(parts: &axum::http::request::Parts, state: &crate::AppState) -> crate::error::WebResult<T> {
    T::from_query(&params(parts.uri.query().map(str::to_owned)), state)
}

impl<T: FromQuery> axum::extract::FromRequestParts<crate::AppState> for Query<T> {
    type Rejection = crate::error::WebError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &crate::AppState,
    ) -> Result<Self, Self::Rejection> {
        read(parts, state).map(Query)
    }
}

impl<T: FromQuery> axum::extract::FromRequestParts<crate::AppState> for ApiQuery<T> {
    type Rejection = crate::error::ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &crate::AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ApiQuery(read(parts, state)?))
    }
}
