//! Reading a request's query string: (name, value) pairs that never fail
//! to parse, and the last value of a name.

/// Query-string parameters as (name, value) pairs; never fails.
pub(crate) fn params(raw: Option<String>) -> Vec<(String, String)> {
    raw.map(|r| serde_urlencoded::from_str::<Vec<(String, String)>>(&r).unwrap_or_default()).unwrap_or_default()
}

/// The last value of parameter `name`.
pub(crate) fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}
