//! The source registry (`config/sources.toml`): every feed, SRU query,
//! OpenDataSoft catalogue and CSV catalogue the library harvests, with its
//! publisher, schedule and the classification its documents get by default.
//!
//! ```toml
//! [[source]]
//! id = "dgcl-actualites"                  # lower-case letters, digits, '-'
//! name = "DGCL — actualités"
//! publisher = "Direction générale des collectivités locales"
//! publisher_short = "DGCL"
//! kind = "feed"                           # feed | sru | ods | csv
//! url = "https://www.collectivites-locales.gouv.fr/rss.xml"
//! schedule = "0 20 5 * * *"               # cron with seconds, UTC
//! enabled = true
//! [source.defaults]
//! themes = ["Finances & Fiscalité"]
//! scope = ["Collectivités locales (toutes)"]
//! resource_type = "Publication statistique"
//! territories = []                        # REG-xx, DEP-xx, COM-xxxxx
//! ```
//!
//! SRU sources add `query` (CQL) and may set `max_records`. A `url` is an
//! `http(s)` address, a local path, or `embedded:publications-seed.csv`.

use std::collections::HashSet;
use std::path::Path;

use serde::Deserialize;

use oc_library::store::SourceRow;

use crate::HarvestError;
use oc_library::taxonomy::{RESOURCE_TYPES, SCOPES, THEMES};

pub use oc_library::source::{Defaults, Source, SourceKind};

/// A source's default territories are keys of the reference data, as a
/// document's (`REG-76`, `DEP-2A`, `EPCI-243400017`, `COM-34172`): the
/// portal of a métropole files its documents under the métropole.
use oc_library::curation::valid_territory_code as valid_territory;

/// The source a store row defines (its JSON definition), checked like a
/// registry entry.
pub fn from_row(row: &SourceRow) -> crate::Result<Source> {
    let s: Source = serde_json::from_str(&row.spec).map_err(|e| invalid(format!("source {:?}: {e}", row.id)))?;
    check(&s).map_err(|m| invalid(format!("source {:?}: {m}", row.id)))?;
    Ok(s)
}

fn invalid(message: impl Into<String>) -> HarvestError {
    HarvestError::Definition(message.into())
}

/// A source of the back office, checked like a registry entry; the
/// message says what is wrong, in French. Unless `allow_local`, only
/// `http(s)` addresses of public hosts are accepted (see
/// [`address_refusal`]): the back office never reads the server's files or
/// its network. A name is checked again when fetched: it must resolve to
/// public addresses only, and so must every redirect
/// ([`crate::http::AddressPolicy`]).
pub fn checked(s: Source, allow_local: bool) -> crate::Result<Source> {
    check(&s)?;
    if !allow_local {
        if let Some(m) = address_refusal(&s.url) {
            return Err(invalid(m));
        }
    }
    Ok(s)
}

/// [`checked`] for a JSON definition.
pub fn from_json(v: &serde_json::Value, allow_local: bool) -> crate::Result<Source> {
    checked(serde_json::from_value(v.clone()).map_err(|e| invalid(format!("définition invalide : {e}")))?, allow_local)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    source: Vec<Source>,
}

/// A registry error: the file and what is wrong.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct RegistryError {
    pub file: String,
    pub message: String,
}

/// Is `s` a valid schedule (cron with seconds)?
pub fn valid_schedule(s: &str) -> bool {
    tokio_cron_scheduler::Job::new_async(s, |_, _| Box::pin(async {})).is_ok()
}

/// Parses and validates a registry.
pub fn parse(file: &str, text: &str) -> Result<Vec<Source>, RegistryError> {
    let err = |message: String| RegistryError { file: file.to_owned(), message };
    let f: File = toml::from_str(text).map_err(|e| err(e.to_string()))?;
    let mut ids = HashSet::new();
    for s in &f.source {
        if !ids.insert(s.id.as_str()) {
            return Err(err(format!("source {:?}: declared twice", s.id)));
        }
        check(s).map_err(|m| err(format!("source {:?}: {m}", s.id)))?;
        let at = |m: String| err(format!("source {:?}: {m}", s.id));
        let d = &s.defaults;
        if let Some(t) = d.themes.iter().find(|t| !THEMES.contains(&t.as_str())) {
            return Err(at(format!("unknown thématique {t:?} (known: {})", THEMES.join(", "))));
        }
        if let Some(t) = d.scope.iter().find(|t| !SCOPES.contains(&t.as_str())) {
            return Err(at(format!("unknown type de territoire {t:?} (known: {})", SCOPES.join(", "))));
        }
        if let Some(t) = d.resource_type.as_ref().filter(|t| !RESOURCE_TYPES.contains(&t.as_str())) {
            return Err(at(format!("unknown type de ressource {t:?} (known: {})", RESOURCE_TYPES.join(", "))));
        }
    }
    Ok(f.source)
}

/// Checks one source's shape (id, name, address, schedule, SRU query,
/// territories); taxonomy values are checked by the registry (against the
/// original terms) or by the back office (against the store's).
pub fn check(s: &Source) -> crate::Result<()> {
    if s.id.is_empty()
        || s.id.len() > 64
        || !s.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(invalid("identifiant : lettres minuscules, chiffres et « - » seulement (64 au plus)"));
    }
    if s.name.trim().is_empty() || s.publisher.trim().is_empty() {
        return Err(invalid("le nom et l'organisme sont obligatoires"));
    }
    if s.url.starts_with("http://") || s.url.starts_with("https://") {
        url::Url::parse(&s.url).map_err(|e| invalid(format!("adresse invalide : {e}")))?;
    } else if s.url.starts_with("embedded:") {
        if s.url != crate::catalogue::EMBEDDED_LOCATION || s.kind != SourceKind::Csv {
            return Err(invalid(format!(
                "la seule source embarquée est le catalogue CSV {:?}",
                crate::catalogue::EMBEDDED_LOCATION
            )));
        }
    } else if s.url.trim().is_empty() {
        return Err(invalid("l'adresse est obligatoire"));
    }
    if !s.schedule.is_empty() && !valid_schedule(&s.schedule) {
        return Err(invalid(format!(
            "horaire (schedule) {:?} invalide : une expression cron avec secondes, par exemple \"0 30 5 * * *\"",
            s.schedule
        )));
    }
    if s.kind == SourceKind::Sru && s.query.as_deref().is_none_or(|q| q.trim().is_empty()) {
        return Err(invalid("une source SRU a besoin d'une requête (query)"));
    }
    if s.kind != SourceKind::Sru && (s.query.is_some() || s.max_records.is_some()) {
        return Err(invalid("la requête et le nombre de notices ne valent que pour les sources SRU"));
    }
    if let Some(t) = s.defaults.territories.iter().find(|t| !valid_territory(t)) {
        return Err(invalid(format!("territoire {t:?} : REG-, DEP-, EPCI- ou COM- suivi d'un code")));
    }
    Ok(())
}

/// An `http(s)` address whose host is not this machine, a private network
/// or any other special-purpose range, by its text ([`address_refusal`]).
pub fn public_http(address: &str) -> bool {
    address_refusal(address).is_none()
}

/// Why `address` is not an `http(s)` address of a public host, in French
/// ("adresse refusée : …"); `None` when it is one by its text. The text
/// is normalised first (by the `url` crate): decimal, octal and hex IPv4
/// forms, IPv6 literals carrying an IPv4 address, trailing dots, case and
/// percent-encoding; addresses are judged by
/// [`crate::http::is_public_ip`], names by
/// [`crate::http::address::is_local_name`].
pub fn address_refusal(address: &str) -> Option<String> {
    if !(address.starts_with("http://") || address.starts_with("https://")) {
        return Some(
            "adresse refusée : seules les adresses http(s) d'autres serveurs sont acceptées (ni fichier \
            local, ni adresse locale ou privée)"
                .into(),
        );
    }
    match url::Url::parse(address) {
        Ok(u) => crate::http::address::url_refusal(&u),
        Err(e) => Some(format!("adresse invalide : {e}")),
    }
}

/// Reads and validates the registry at `path`.
pub fn load(path: &Path) -> Result<Vec<Source>, RegistryError> {
    let file = path.display().to_string();
    let text =
        std::fs::read_to_string(path).map_err(|e| RegistryError { file: file.clone(), message: e.to_string() })?;
    parse(&file, &text)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = r#"
[[source]]
id = "dgcl"
name = "DGCL"
publisher = "Direction générale des collectivités locales"
publisher_short = "DGCL"
kind = "feed"
url = "https://www.collectivites-locales.gouv.fr/rss.xml"
schedule = "0 20 5 * * *"
[source.defaults]
themes = ["Finances & Fiscalité"]
"#;

    #[test]
    fn a_registry_and_its_errors() {
        let s = parse("s.toml", OK).unwrap();
        assert_eq!(s[0].kind, SourceKind::Feed);
        assert!(s[0].enabled);
        assert_eq!(s[0].publisher_label(), "DGCL");
        let cases = [
            (OK.replace("id = \"dgcl\"", "id = \"DGCL\""), "minuscules"),
            (
                format!("{OK}{}", OK.replace("[source.defaults]\nthemes = [\"Finances & Fiscalité\"]", "")),
                "declared twice",
            ),
            (OK.replace("0 20 5 * * *", "tous les jours"), "schedule"),
            (OK.replace("Finances & Fiscalité", "Cuisine"), "unknown thématique"),
            (OK.replace("kind = \"feed\"", "kind = \"sru\""), "besoin d'une requête"),
            (OK.replace("kind = \"feed\"", "kind = \"gopher\""), "kind"),
            (OK.replace("enabled", "x").replace("schedule", "colour"), "colour"),
        ];
        for (text, needle) in cases {
            let e = parse("s.toml", &text).unwrap_err().to_string();
            assert!(e.starts_with("s.toml: ") && e.contains(needle), "{needle}: {e}");
        }
        for ok in ["https://www.insee.fr/fr/flux/1", "http://data.ofgl.fr/api"] {
            assert!(public_http(ok), "{ok}");
        }
        for bad in [
            "/etc/passwd",
            "file:///etc/passwd",
            "http://localhost:8080/",
            "http://127.0.0.1/",
            "http://169.254.169.254/latest",
            "http://10.0.0.1/",
            "http://[::1]/",
            "http://intranet/",
            "ftp://x.fr/",
        ] {
            assert!(!public_http(bad), "{bad}");
        }
        assert!(
            valid_territory("DEP-2A")
                && valid_territory("COM-34172")
                && valid_territory("EPCI-243400017")
                && !valid_territory("XX-1")
                && !valid_territory("DEP-")
        );
    }

    #[test]
    fn the_back_office_refuses_every_local_or_private_address_text() {
        let spec = |url: &str| serde_json::json!({"id": "essai", "name": "Essai", "publisher": "Insee", "kind": "feed", "url": url});
        for bad in [
            "http://[::127.0.0.1]/",
            "http://[::ffff:127.0.0.1]:8080/",
            "http://[64:ff9b::7f00:1]/",
            "http://[2002:c0a8:101::]/",
            "http://[fd00::1]/",
            "http://198.18.0.1/",
            "http://192.0.0.8/",
            "http://240.0.0.1/",
            "http://localhost.localdomain/",
            "http://localhost./",
            "http://2130706433/",
            "http://0x7f.1/",
            "HTTP://www.insee.fr/",
            "/etc/passwd",
        ] {
            let e = from_json(&spec(bad), false).unwrap_err().to_string();
            assert!(e.starts_with("adresse refusée : "), "{bad}: {e}");
            assert!(from_json(&spec(bad), true).is_ok(), "{bad}: allowed in tests");
        }
        let e = from_json(&spec("http://2130706433/"), false).unwrap_err().to_string();
        assert!(e.contains("127.0.0.1"), "{e}");
        assert!(from_json(&spec("https://www.insee.fr/fr/flux/1"), false).is_ok());
    }

    #[test]
    fn the_shipped_registry_is_valid() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/sources.toml");
        let sources = load(&path).unwrap();
        for kind in [SourceKind::Feed, SourceKind::Sru, SourceKind::Ods, SourceKind::Csv] {
            assert!(sources.iter().any(|s| s.kind == kind && s.enabled), "no {kind:?} source");
        }
        for p in ["Insee", "DGCL", "DREES", "DARES", "SDES", "BNSP", "OFGL"] {
            assert!(sources.iter().any(|s| s.publisher_short == p), "no {p} source");
        }
        assert!(sources.iter().any(|s| s.url == crate::catalogue::EMBEDDED_LOCATION));
    }
}
