//! The territory key, the one way the portal names a collectivité across
//! crates: `COM-34172`, `EPCI-243400017`, `DEP-2A`, `REG-76`. Documents
//! carry keys as their territories, fiche messages target one, finances
//! are keyed by them.
//!
//! ```
//! use oc_model::{KindGroup, TerritoryKey};
//!
//! let k: TerritoryKey = "DEP-2A".parse().unwrap();
//! assert_eq!((k.group(), k.code()), (KindGroup::Departement, "2A"));
//! assert_eq!(TerritoryKey::new(KindGroup::Commune, "34172").to_string(), "COM-34172");
//! assert!("DEP-".parse::<TerritoryKey>().is_err());
//! ```

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::KindGroup;

/// A level and a code (INSEE code, SIREN for an EPCI).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TerritoryKey {
    group: KindGroup,
    code: String,
}

impl TerritoryKey {
    /// The key of `code` at `group` (the code as given: callers pass
    /// official codes).
    pub fn new(group: KindGroup, code: impl Into<String>) -> TerritoryKey {
        TerritoryKey { group, code: code.into() }
    }

    pub fn group(&self) -> KindGroup {
        self.group
    }

    pub fn code(&self) -> &str {
        &self.code
    }

    /// The prefix of a level: `COM`, `EPCI`, `DEP`, `REG`.
    pub fn prefix(group: KindGroup) -> &'static str {
        match group {
            KindGroup::Commune => "COM",
            KindGroup::Epci => "EPCI",
            KindGroup::Departement => "DEP",
            KindGroup::Region => "REG",
        }
    }

    /// The level of a prefix.
    pub fn group_of_prefix(prefix: &str) -> Option<KindGroup> {
        KindGroup::ALL.into_iter().find(|g| Self::prefix(*g) == prefix)
    }

    /// Longest code of a level: 9 (a SIREN) for an EPCI, 5 otherwise.
    pub fn max_code_len(group: KindGroup) -> usize {
        if group == KindGroup::Epci {
            9
        } else {
            5
        }
    }
}

impl fmt::Display for TerritoryKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", Self::prefix(self.group), self.code)
    }
}

/// Why a text is not a territory key (in French, for the back office).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyError(pub String);

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "territoire « {} » : attendu REG-, DEP-, EPCI- ou COM- suivi d'un code (par exemple DEP-34, COM-34172)",
            self.0
        )
    }
}

impl std::error::Error for KeyError {}

impl FromStr for TerritoryKey {
    type Err = KeyError;

    /// The shape only: a known prefix, then an ASCII alphanumeric code of
    /// at most [`TerritoryKey::max_code_len`] characters. Whether the code
    /// exists is for the reference data to say.
    fn from_str(s: &str) -> Result<TerritoryKey, KeyError> {
        let bad = || KeyError(s.to_owned());
        let (prefix, code) = s.split_once('-').ok_or_else(bad)?;
        let group = Self::group_of_prefix(prefix).ok_or_else(bad)?;
        if code.is_empty() || code.len() > Self::max_code_len(group) || !code.chars().all(|c| c.is_ascii_alphanumeric())
        {
            return Err(bad());
        }
        Ok(TerritoryKey { group, code: code.to_owned() })
    }
}

impl Serialize for TerritoryKey {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TerritoryKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<TerritoryKey, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_level_round_trips_and_bad_shapes_are_refused() {
        for (text, group, code) in [
            ("COM-34172", KindGroup::Commune, "34172"),
            ("EPCI-243400017", KindGroup::Epci, "243400017"),
            ("DEP-2A", KindGroup::Departement, "2A"),
            ("REG-76", KindGroup::Region, "76"),
        ] {
            let k: TerritoryKey = text.parse().unwrap();
            assert_eq!((k.group(), k.code()), (group, code));
            assert_eq!(k.to_string(), text);
            assert_eq!(serde_json::to_string(&k).unwrap(), format!("\"{text}\""));
            assert_eq!(serde_json::from_str::<TerritoryKey>(&format!("\"{text}\"")).unwrap(), k);
        }
        for bad in ["", "DEP", "DEP-", "XX-1", "COM-341720", "EPCI-2434000170", "DEP-3 4", "dep-34", "COM-34é"] {
            assert!(bad.parse::<TerritoryKey>().is_err(), "{bad:?}");
        }
        assert!(serde_json::from_str::<TerritoryKey>("\"DEP-\"").is_err());
        assert!(KeyError("X".into()).to_string().contains("attendu REG-, DEP-, EPCI- ou COM-"));
    }
}
