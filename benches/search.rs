//! In-process benchmark of the territory index: build time from the
//! embedded snapshot, start-up on an existing index, and search latency
//! percentiles over a realistic query mix. Run with
//! `cargo bench --bench search`; figures go to docs/BENCHMARKS.md.

use std::time::{Duration, Instant};

use oc_index::TerritoryIndex;
use oc_store::Geo;

const QUERIES: &[&str] = &[
    "saint",
    "paris",
    "montpel",
    "st etienne",
    "saint denis",
    "l'hay-les-roses",
    "marseile",
    "Montpelier",
    "34000",
    "34172",
    "2A",
    "243400017",
    "bordeaux",
    "lyon",
    "aix en pro",
    "strasb",
    "nantes",
    "toulouse",
    "la",
    "le",
    "b",
    "villeneuve",
    "sainte foy",
    "grand",
    "communaute de communes",
    "metropole",
    "974",
    "69003",
    "communaute de communes du diois",
    "departement de la loire",
    "agglo cotentin",
    "evry",
    "idf",
    "marseille",
];

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn main() {
    let t = Instant::now();
    let geo = Geo::embedded();
    let decode = t.elapsed();
    let dir = tempfile::tempdir().expect("temp dir");
    let idx_dir = dir.path().join("territories");

    let t = Instant::now();
    let index = TerritoryIndex::build(&idx_dir, &geo).expect("build");
    let build = t.elapsed();
    drop(index);

    let t = Instant::now();
    let geo2 = Geo::embedded();
    let index = TerritoryIndex::open_or_build(&idx_dir, &geo2).expect("open");
    let reopen = t.elapsed();

    // Warm-up, then timed rounds.
    for q in QUERIES {
        let _ = index.search(q, None, 10);
    }
    let mut all = Vec::new();
    let mut per_query: Vec<(&str, Vec<Duration>)> = QUERIES.iter().map(|q| (*q, Vec::new())).collect();
    for _ in 0..200 {
        for (q, v) in per_query.iter_mut() {
            let t = Instant::now();
            let out = index.search_uncached(q, None, 10).expect("query");
            let d = t.elapsed();
            std::hint::black_box(out);
            v.push(d);
            all.push(d);
        }
    }
    all.sort();
    // The same mix through the result cache (what repeated autocomplete sees).
    let mut cached = Vec::new();
    for _ in 0..200 {
        for q in QUERIES {
            let t = Instant::now();
            std::hint::black_box(index.search(q, None, 10).expect("query"));
            cached.push(t.elapsed());
        }
    }
    cached.sort();
    println!("reference data decode (embedded snapshot): {decode:?}");
    println!("territory index build ({} documents): {build:?}", index.entries().len());
    println!("start-up on existing index (decode + open): {reopen:?}");
    println!(
        "search (uncached), {} queries: p50 {:?}  p90 {:?}  p99 {:?}  max {:?}",
        all.len(),
        percentile(&all, 0.50),
        percentile(&all, 0.90),
        percentile(&all, 0.99),
        all[all.len() - 1]
    );
    println!(
        "search through the result cache: p50 {:?}  p99 {:?}",
        percentile(&cached, 0.50),
        percentile(&cached, 0.99)
    );
    println!("{:<26} {:>10} {:>10}", "query (uncached)", "p50", "p99");
    for (q, mut v) in per_query {
        v.sort();
        println!("{q:<26} {:>10.1?} {:>10.1?}", percentile(&v, 0.5), percentile(&v, 0.99));
    }
}
