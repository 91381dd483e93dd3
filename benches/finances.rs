//! How the finance loader scales to the national OFGL files: the real rows
//! of the commune extract (Cazères, exercices 2022–2023, every agrégat)
//! repeated for every current commune code and for four pairs of
//! exercices (2016–2023, as the national file), written to a file on disk
//! (benchmark input only, never shown to users), then read as `load` reads
//! an export: streamed, row by row. Reports time and peak memory. Run with
//! `cargo bench --bench finances`; figures go to docs/BENCHMARKS.md.

use std::io::Write;
use std::time::Instant;

/// The peak resident memory of this process, in MB (Linux).
fn peak_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn main() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/finances-ofgl/ofgl-base-communes-consolidee.test.csv");
    let text = std::fs::read_to_string(&path).expect("the OFGL commune extract of ../shared/data");
    let text = text.trim_start_matches('\u{feff}');
    let mut lines = text.lines();
    let header = lines.next().expect("header");
    let rows: Vec<&str> = lines.collect();
    let geo = oc_store::Geo::embedded();
    let codes: Vec<String> =
        geo.data.communes.iter().filter(|c| c.kind == oc_model::Kind::Commune).map(|c| c.code.clone()).collect();
    drop(geo);
    let dir = tempfile::tempdir().expect("tempdir");
    let big = dir.path().join("ofgl-communes.csv");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&big).expect("create"));
    writeln!(out, "{header}").expect("write");
    let mut n_rows = 0u64;
    for shift in [0u16, 2, 4, 6] {
        for (i, code) in codes.iter().enumerate() {
            for r in &rows {
                // The exercice, the commune code and its SIREN column, per copy.
                let (year, rest) = r.split_once(';').expect("exercice");
                let year: u16 = year.parse().expect("year");
                let r = rest.replace(";31135;", &format!(";{code};")).replace(";213101355;", &format!(";2{i:08};"));
                writeln!(out, "{};{r}", year - shift).expect("write");
                n_rows += 1;
            }
        }
    }
    out.flush().expect("flush");
    drop(out);
    drop(rows);
    let mb = std::fs::metadata(&big).expect("size").len() as f64 / 1e6;
    let before = peak_mb();
    let t = Instant::now();
    let mut loader = oc_ingest::finance::OfglLoader::default();
    loader.read_path("bench.csv", &big).expect("read");
    let mut d = oc_model::finance::FinanceData::default();
    loader.finish(&mut d);
    let parse = t.elapsed();
    let peak = peak_mb();
    let values: usize = d.accounts.values().map(Vec::len).sum();
    let t = Instant::now();
    let encoded = oc_store::encode(&d);
    let encode = t.elapsed();
    let t = Instant::now();
    let mut back: oc_model::finance::FinanceData = oc_store::decode(&encoded, "bench").expect("decode");
    back.shrink_to_fit(); // as `Geo::new` does
    let decode = t.elapsed();
    assert_eq!(back.accounts.len(), d.accounts.len());
    // What the kept values weigh in the server (structs, per collectivité
    // vectors and keys; map nodes left out; agrégat ids and strata codes
    // are shared, see `Interned`).
    let held: usize = back
        .accounts
        .iter()
        .map(|(k, vs)| k.capacity() + vs.capacity() * std::mem::size_of::<oc_model::finance::AccountValue>())
        .sum();
    println!(
        "finances: {} communes × {} exercices: {:.0} MB of OFGL CSV ({n_rows} rows) streamed from disk in {:.1} s ({values} values kept, {} strata); \
         peak memory {:.0} MB before reading, {:.0} MB after; encoded {:.1} MB gzip JSON in {:.1} s, decoded in {:.1} s; the decoded values hold {:.0} MB",
        codes.len(),
        8,
        mb,
        parse.as_secs_f64(),
        d.strata.len(),
        before,
        peak,
        encoded.len() as f64 / 1e6,
        encode.as_secs_f64(),
        decode.as_secs_f64(),
        held as f64 / 1e6
    );
}
