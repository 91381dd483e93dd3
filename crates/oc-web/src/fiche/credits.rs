//! The public credit of each source id, as loaded on this server: the
//! leaf every fiche module reads for its "Source :" lines.

use oc_model::sources::Credit;
use oc_store::Geo;

/// The public credit of a source id: the registry's entry
/// (`oc_model::sources`) and the vintage loaded on this server; `None`
/// when that dataset is not loaded.
pub fn source_info(geo: &Geo, id: &str) -> Option<Credit> {
    let loaded = match id {
        "insee-rp" => geo.data.insee.as_ref().and_then(|i| i.source.as_ref()),
        "ofgl" => geo.data.finances.as_ref().and_then(|f| f.ofgl.as_ref()),
        "detr-dsil" => geo.data.finances.as_ref().and_then(|f| f.grants.as_ref()),
        "dgf-criteres" => geo.data.finances.as_ref().and_then(|f| f.dgf.as_ref()),
        "filosofi" => geo.data.income.as_ref().and_then(|i| i.source.as_ref()),
        "anct-zonages" => geo.data.zonages.as_ref().and_then(|z| z.zonages_source.as_ref()),
        "anct-programmes" => geo.data.zonages.as_ref().and_then(|z| z.programmes_source.as_ref()),
        "banatic" => geo.data.syndicats.as_ref().and_then(|s| s.source.as_ref()),
        "odater" => geo.data.opendata.as_ref().and_then(|s| s.source.as_ref()),
        "dgcl-epcicom" => geo.data.epcicom.as_ref().and_then(|s| s.source.as_ref()),
        _ => geo.data.meta.sources.iter().find(|s| s.id == id),
    };
    loaded.and_then(|s| s.credit())
}

/// Every dataset loaded on this server, for the footer and `/sources`.
pub fn loaded_sources(geo: &Geo) -> Vec<Credit> {
    oc_model::sources::DATASETS.iter().filter_map(|d| source_info(geo, d.id)).collect()
}
