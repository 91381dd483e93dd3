//! Stay up under hostile load (issue 15): the publications index writer
//! recovers from failures, and a read error is never taken for revision 0.

use oc_index::publications::{catch_up, PublicationsIndex};
use oc_library::store::{Harvested, Library};

fn doc(url: &str, title: &str) -> Harvested {
    Harvested {
        url: url.into(),
        title: title.into(),
        publisher: "DGCL".into(),
        published: Some("2024-03".into()),
        ..Harvested::default()
    }
}

/// The store of the seed catalogue's first rows, in memory.
fn store_with(n: usize) -> Library {
    let mut lib = Library::in_memory().unwrap();
    for i in 0..n {
        lib.upsert(
            &doc(
                &format!("https://www.collectivites-locales.gouv.fr/essai/{i}"),
                &format!("Les finances des communes, note {i}"),
            ),
            "s",
        )
        .unwrap();
    }
    lib
}

#[test]
fn an_unreadable_index_revision_is_an_error_not_zero() {
    let dir = tempfile::tempdir().unwrap();
    let lib = store_with(3);
    let index = PublicationsIndex::open(dir.path()).unwrap();
    assert_eq!(catch_up(&lib, &index).unwrap(), 3);
    assert_eq!(index.indexed_rev().unwrap(), lib.rev().unwrap());
    // The commit metadata becomes unreadable (a damaged disk, a full one…).
    let meta = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.path().join("meta.json"))
        .find(|p| p.exists())
        .unwrap();
    std::fs::write(&meta, b"{ not json").unwrap();
    assert!(index.indexed_rev().is_err(), "a read error taken for revision 0 would re-apply every change");
    assert!(catch_up(&lib, &index).is_err(), "catch-up stops instead of starting over from 0");
}

#[test]
fn the_index_recovers_from_a_folder_gone_and_from_a_failed_commit() {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = store_with(2);
    let index = PublicationsIndex::open(dir.path()).unwrap();
    catch_up(&lib, &index).unwrap();
    // The index's folder disappears under the writer: nothing is applied,
    // nothing is taken for revision 0.
    let folder = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.join("meta.json").exists())
        .unwrap();
    let aside = dir.path().join("aside");
    std::fs::rename(&folder, &aside).unwrap();
    lib.upsert(&doc("https://www.collectivites-locales.gouv.fr/essai/nouveau", "Dotation de solidarité rurale"), "s")
        .unwrap();
    assert!(catch_up(&lib, &index).is_err(), "the failure is reported");
    std::fs::rename(&aside, &folder).unwrap();
    assert_eq!(catch_up(&lib, &index).unwrap(), 1, "recovered without a restart");
    // A commit that fails (descriptor exhaustion, full disk) kills the
    // writer: it is dropped, and the next attempt recreates it.
    lib.upsert(&doc("https://www.collectivites-locales.gouv.fr/essai/autre", "Dotation nationale de péréquation"), "s")
        .unwrap();
    index.inject_commit_failure();
    assert!(catch_up(&lib, &index).is_err());
    assert!(index.writer_lost(), "the dead writer is not kept");
    assert!(index.indexed_rev().unwrap() < lib.rev().unwrap(), "the index says it is behind");
    assert_eq!(catch_up(&lib, &index).unwrap(), 1, "a new writer applies the change");
    assert!(!index.writer_lost());
    assert_eq!(index.ids().len(), 4);
    assert_eq!(index.indexed_rev().unwrap(), lib.rev().unwrap());
}

#[test]
fn retries_wait_longer_each_time_up_to_a_minute() {
    let pauses: Vec<u64> = (1..=10).map(|n| opencollectivites::library::retry_pause(n).as_secs()).collect();
    assert_eq!(pauses, vec![2, 4, 8, 16, 32, 60, 60, 60, 60, 60]);
}

#[test]
fn the_back_office_says_when_the_public_search_has_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = store_with(2);
    let index = std::sync::Arc::new(PublicationsIndex::open(dir.path()).unwrap());
    catch_up(&lib, &index).unwrap();
    lib.upsert(&doc("https://www.collectivites-locales.gouv.fr/essai/edit", "Les finances des départements"), "s")
        .unwrap();
    // The change() of the back office: the store saved, the index failed.
    index.inject_commit_failure();
    assert!(catch_up(&lib, &index).is_err());
    let view = oc_web::LibraryView::new(lib, index.clone());
    assert!(oc_web::admin::index_behind(&view), "the index did not follow the save");
    let said = oc_web::admin::done_message("enregistre-differe").unwrap();
    assert_eq!(said, "Modifications enregistrées ; la recherche publique sera mise à jour dès que possible.");
    assert!(!said.contains("déjà visibles"));
    // Once the indexer caught up, the usual message is true again.
    catch_up(&view.lock(), &index).unwrap();
    assert!(!oc_web::admin::index_behind(&view));
    assert!(oc_web::admin::done_message("enregistre").unwrap().contains("déjà visibles"));
}

/// A data directory and its config file for the command line.
fn data_dir() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let cfg = dir.path().join("config.toml");
    std::fs::write(&cfg, format!("[data]\ndir = {:?}\n\n[library]\nschedule = false\n", data.display().to_string()))
        .unwrap();
    (dir, cfg)
}

fn run(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_opencollectivites")).args(args).output().expect("the command runs")
}

#[test]
fn an_empty_or_damaged_store_is_not_a_fresh_install() {
    let (dir, cfg) = data_dir();
    let store = dir.path().join("data/library.sqlite");
    std::fs::write(&store, b"").unwrap();
    for args in
        [vec!["serve", "--bind", "127.0.0.1:0"], vec!["reindex"], vec!["ingest", "--source", "catalogue-initial"]]
    {
        let mut a = args.clone();
        a.extend(["--config", cfg.to_str().unwrap()]);
        let out = run(&a);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} must refuse a 0-byte store");
        assert!(
            err.contains("library.sqlite") && err.contains("empty (0 bytes)") && err.contains("backup"),
            "{args:?}: {err}"
        );
        assert_eq!(std::fs::metadata(&store).unwrap().len(), 0, "{args:?}: nothing seeded into it");
    }
    std::fs::write(&store, b"this is not a database, but it is not empty either").unwrap();
    let out = run(&["serve", "--bind", "127.0.0.1:0", "--config", cfg.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("cannot be read") && err.contains("library.sqlite"), "{err}");
}

/// A data directory holding the seed catalogue, stored and indexed.
fn seeded(cfg: &std::path::Path) -> opencollectivites::Config {
    let config = opencollectivites::Config::read(cfg).unwrap();
    let (_, index) = crate::common::seeded_library(&config);
    assert!(index.num_docs() > 200);
    config
}

#[test]
fn a_damaged_index_is_rebuilt_and_a_lock_is_told_apart() {
    let (_dir, cfg) = data_dir();
    let config = seeded(&cfg);
    let index_dir = opencollectivites::library::index_dir(&config.data.dir);
    // A lock: another process holds the writer. `reindex` hands over to it;
    // with --force it says it could not and exits non-zero.
    {
        let holder = PublicationsIndex::open(&index_dir).unwrap();
        assert!(
            matches!(PublicationsIndex::open(&index_dir), Err(oc_index::IndexError::Locked { .. })),
            "a lock is not damage"
        );
        let out = run(&["reindex", "--config", cfg.to_str().unwrap()]);
        assert!(out.status.success());
        assert!(String::from_utf8_lossy(&out.stdout).contains("in use by the running server"));
        let out = run(&["reindex", "--force", "--config", cfg.to_str().unwrap()]);
        assert!(!out.status.success(), "--force could not rebuild: non-zero");
        drop(holder);
    }
    // Damage: the commit metadata is garbage. The index is set aside and
    // rebuilt from the store, and `reindex` does what it says.
    let meta = std::fs::read_dir(&index_dir)
        .unwrap()
        .flatten()
        .map(|e| e.path().join("meta.json"))
        .find(|p| p.exists())
        .unwrap();
    std::fs::write(&meta, b"\0\0garbage").unwrap();
    let out = run(&["reindex", "--config", cfg.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("publications index rebuilt: 251 documents"), "{stdout}");
    assert!(
        std::fs::read_dir(&index_dir).unwrap().flatten().any(|e| e.file_name().to_string_lossy().contains("damaged-")),
        "kept aside for a look"
    );
    // And at start-up: a damaged index opens empty and catches up from the store.
    std::fs::write(&meta, b"{").unwrap();
    let index = PublicationsIndex::open(&index_dir).unwrap();
    let mut store = Library::open(&opencollectivites::library::store_path(&config.data.dir)).unwrap();
    assert_eq!(opencollectivites::library::sync_index(&mut store, &index).unwrap(), 251);
}

#[test]
fn the_index_is_never_shrunk_from_a_store_holding_far_fewer_documents() {
    let (dir, cfg) = data_dir();
    let config = seeded(&cfg);
    // The store is replaced by an empty one (restored from the wrong backup).
    let store_path = opencollectivites::library::store_path(&config.data.dir);
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", store_path.display()));
    }
    drop(Library::open(&store_path).unwrap());
    let index = PublicationsIndex::open(&opencollectivites::library::index_dir(&config.data.dir)).unwrap();
    let before = index.num_docs();
    let mut store = Library::open(&store_path).unwrap();
    let err = opencollectivites::library::sync_index(&mut store, &index).unwrap_err();
    assert!(format!("{err:#}").contains("reindex --force"), "{err:#}");
    assert_eq!(index.num_docs(), before, "nothing wiped");
    drop(index);
    let out = run(&["reindex", "--config", cfg.to_str().unwrap()]);
    assert!(!out.status.success(), "refused without --force");
    let out = run(&["reindex", "--force", "--config", cfg.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("rebuilt: 0 documents"));
    drop(dir);
}
