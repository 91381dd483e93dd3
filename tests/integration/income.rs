//! Filosofi 2021 read as Insee publishes it (deep fiches, issue 17): every
//! cell of the real file, secrecy kept apart from values.

use oc_ingest::filosofi::parse_filosofi;
use oc_model::income::Published;

use crate::common::shared_data;

#[test]
fn every_cell_of_the_real_file_is_read_as_published() {
    let path = shared_data().join("insee-filosofi-2021/cc_filosofi_2021_COM.csv");
    let bytes = std::fs::read(&path).unwrap();
    let (data, warnings) = parse_filosofi("cc_filosofi_2021_COM.csv", &bytes).unwrap();
    assert!(warnings.is_empty(), "{:?}", &warnings[..warnings.len().min(5)]);
    assert_eq!(data.year, 2021);
    let text = String::from_utf8(bytes).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(';').collect();
    let at = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let expect = |raw: &str| match raw {
        "" | "nd" => None,
        "s" => Some(Published::Secret),
        v => Some(Published::Value(v.replace(',', ".").parse().unwrap())),
    };
    let (mut rows, mut medians, mut poverty, mut nd) = (0, 0, 0, 0);
    for line in lines {
        let cells: Vec<&str> = line.split(';').collect();
        let c = &data.communes[cells[0]];
        assert_eq!(c.median, expect(cells[at("MED21")]), "{}", cells[0]);
        assert_eq!(c.poverty_rate, expect(cells[at("TP6021")]), "{}", cells[0]);
        assert_eq!(c.d1, expect(cells[at("D121")]), "{}", cells[0]);
        assert_eq!(c.d9, expect(cells[at("D921")]), "{}", cells[0]);
        assert_eq!(c.decile_ratio, expect(cells[at("RD21")]), "{}", cells[0]);
        assert_eq!(c.taxed_share, expect(cells[at("PIMP21")]), "{}", cells[0]);
        assert_eq!(c.composition.get("PPEN").copied(), expect(cells[at("PPEN21")]), "{}", cells[0]);
        rows += 1;
        nd += usize::from(cells[at("MED21")] == "nd");
        medians += usize::from(matches!(c.median, Some(Published::Value(_))));
        poverty += usize::from(matches!(c.poverty_rate, Some(Published::Value(_))));
    }
    assert_eq!(data.communes.len(), rows, "one entry per row, none twice");
    // The file's provenance counts 31,316 medians and 4,409 poverty rates
    // that are not secret: 12 communes of them are `nd` (nothing computed).
    assert_eq!((rows, nd), (34_909, 12));
    assert_eq!((medians + nd, poverty + nd), (31_316, 4_409));
    assert!(matches!(data.communes["34172"].median, Some(Published::Value(_))), "Montpellier has its median");
}

#[test]
fn the_zip_insee_publishes_is_read_as_it_is() {
    use std::io::Write;
    let csv = std::fs::read(shared_data().join("insee-filosofi-2021/cc_filosofi_2021_COM.csv")).unwrap();
    // The layout of base-cc-filosofi-2021-geo2024_csv.zip: the communes'
    // CSV beside other members.
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default();
        z.start_file("meta_cc_filosofi_2021_COM.csv", opts).unwrap();
        z.write_all(b"COD_VAR;LIB_VAR\n").unwrap();
        z.start_file("cc_filosofi_2021_COM.csv", opts).unwrap();
        z.write_all(&csv).unwrap();
        z.finish().unwrap();
    }
    let zipped = buf.into_inner();
    let got = oc_ingest::filosofi::csv_from_zip("x.zip", zipped.clone(), None).unwrap();
    assert!(got == csv, "the member ending in _COM.csv, not its meta_ labels ({} bytes)", got.len());
    let got = oc_ingest::filosofi::csv_from_zip("x.zip", zipped.clone(), Some("cc_filosofi_2021_COM.csv")).unwrap();
    assert!(got == csv, "the member named");
    let e = oc_ingest::filosofi::csv_from_zip("x.zip", zipped, Some("cc_filosofi_2021_ARM.csv")).unwrap_err();
    assert!(e.to_string().contains("no cc_filosofi_2021_ARM.csv in the archive"), "{e}");
    // The CSV itself passes as it is.
    assert!(oc_ingest::filosofi::csv_from_zip("x.csv", csv.clone(), None).unwrap() == csv, "a CSV as it is");
    let e = oc_ingest::filosofi::csv_from_zip("x.zip", b"PK\x03\x04broken".to_vec(), None).unwrap_err();
    assert!(e.to_string().contains("not a readable zip"), "{e}");
}
