//! How the finance loader scales towards the national OFGL files: the real
//! rows of the commune extract (Cazères, 2022–2023, every agrégat) repeated
//! for every current commune code (benchmark input only, never shown to
//! users), then parsed, stratum sums computed, and the result encoded as
//! it would be inside the reference data. Run with
//! `cargo bench --bench finances`; figures go to docs/BENCHMARKS.md.

use std::time::Instant;

fn main() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/finances-ofgl/ofgl-base-communes-consolidee.test.csv");
    let text = std::fs::read_to_string(&path).expect("the OFGL commune extract of ../shared/data");
    let text = text.trim_start_matches('\u{feff}');
    let mut lines = text.lines();
    let header = lines.next().expect("header");
    let rows: Vec<&str> = lines.collect();
    let geo = oc_store::Geo::embedded();
    let codes: Vec<&str> = geo.data.communes.iter().filter(|c| c.kind == oc_model::Kind::Commune).map(|c| c.code.as_str()).collect();
    let mut big = String::with_capacity(rows.len() * codes.len() * 420);
    big.push_str(header);
    big.push('\n');
    for (i, code) in codes.iter().enumerate() {
        for r in &rows {
            // The commune code and its SIREN column, per copy.
            let r = r.replace(";31135;", &format!(";{code};")).replace(";213101355;", &format!(";2{i:08};"));
            big.push_str(&r);
            big.push('\n');
        }
    }
    let mb = big.len() as f64 / 1e6;
    let t = Instant::now();
    let mut d = oc_model::finance::FinanceData::default();
    oc_ingest::finance::parse_ofgl(&[("bench.csv".into(), big.into_bytes())], &mut d).expect("parse");
    let parse = t.elapsed();
    let values: usize = d.accounts.values().map(Vec::len).sum();
    let t = Instant::now();
    let encoded = oc_store::encode(&d);
    let encode = t.elapsed();
    let t = Instant::now();
    let back: oc_model::finance::FinanceData = oc_store::decode(&encoded, "bench").expect("decode");
    let decode = t.elapsed();
    assert_eq!(back.accounts.len(), d.accounts.len());
    println!(
        "finances: {} communes × {} rows = {:.0} MB of OFGL CSV parsed in {:.1} s ({values} values kept, {} strata); encoded {:.1} MB gzip JSON in {:.1} s, decoded in {:.1} s",
        codes.len(),
        rows.len(),
        mb,
        parse.as_secs_f64(),
        d.strata.len(),
        encoded.len() as f64 / 1e6,
        encode.as_secs_f64(),
        decode.as_secs_f64()
    );
}
