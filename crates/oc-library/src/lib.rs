//! The Bibliothèque (library) of Open Collectivités — groundwork.
//!
//! A guided tour:
//! - [`taxonomy`]: thématiques, types de territoire and types de ressource
//!   of the library (from the original portal);
//! - [`canonical`]: the canonical URL of a document (the de-duplication key);
//! - [`detect`]: finds the régions, départements and large communes a title
//!   or summary is about, without the classic false positives;
//! - [`seed`]: the seed catalogue of real publications shipped with the
//!   project (`data/publications-seed.csv`, our own compilation);
//! - [`store`]: the SQLite store, where curation overrides harvested values;
//! - [`sru`]: Gallica/BNSP SRU 1.2 responses (Dublin Core, paging);
//! - [`feed`]: RSS, Atom and JSON Feed sources (feed-rs), French dates kept.
//!
//! Fetching, scheduling and the publications index come next.

pub mod canonical;
pub mod detect;
pub mod feed;
pub mod seed;
pub mod sru;
pub mod store;
pub mod taxonomy;
