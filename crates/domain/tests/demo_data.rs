//! The demo data set shipped in `demo/` parses with the real file types and passes the same
//! checks an import would make. Regenerate it with `python3 demo/generate.py`.

use std::collections::HashSet;
use visit_domain::Custody;
use visit_domain::dataset::{PrisonFile, PrisonerFile, check};

const PRISONS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo/prisons.json");
const PRISONERS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo/prisoners.json");

fn load() -> (Vec<PrisonFile>, Vec<PrisonerFile>) {
    let prisons = std::fs::read_to_string(PRISONS).expect("read demo/prisons.json");
    let prisoners = std::fs::read_to_string(PRISONERS).expect("read demo/prisoners.json");
    (
        serde_json::from_str(&prisons).expect("demo/prisons.json parses"),
        serde_json::from_str(&prisoners).expect("demo/prisoners.json parses"),
    )
}

#[test]
fn the_demo_data_set_passes_the_import_checks() {
    let (prisons, prisoners) = load();
    assert_eq!(check(&prisons, &prisoners), Ok(()));
}

#[test]
fn the_demo_data_set_covers_the_rules() {
    let (prisons, prisoners) = load();
    assert!(prisons.len() >= 3, "at least three prisons");
    assert!(
        prisons.iter().any(|p| p.name_cy != p.name),
        "a prison with its own Welsh name"
    );
    assert!(prisoners.len() >= 250, "only {} prisoners", prisoners.len());
    assert!(prisoners.iter().any(|p| p.custody == Custody::Convicted));
    assert!(prisoners.iter().any(|p| p.custody == Custody::Remand));
    assert!(prisoners.iter().any(|p| !p.closed_visit_restrictions.is_empty()));
    assert!(
        prisoners
            .iter()
            .flat_map(|p| &p.contacts)
            .any(|c| c.banned_until.is_some())
    );

    let mut ids = HashSet::new();
    for c in prisoners.iter().flat_map(|p| &p.contacts) {
        assert!(ids.insert(c.id.as_str()), "contact id {} is used twice", c.id);
    }
}

#[test]
fn the_fixed_test_records_are_there() {
    let (_, prisoners) = load();
    let find = |number: &str| {
        prisoners
            .iter()
            .find(|p| p.number.as_str() == number)
            .unwrap_or_else(|| panic!("prisoner {number} missing from the demo data"))
    };

    let rhys = find("A1234BC");
    assert_eq!(rhys.prison, "CDF");
    assert_eq!(rhys.last_name.as_str(), "Evans");
    assert_eq!(rhys.date_of_birth.to_string(), "1990-05-05");
    assert_eq!(rhys.custody, Custody::Convicted);
    assert_eq!(rhys.visiting_orders, 4);
    assert_eq!(rhys.contacts.len(), 4);
    let dylan = rhys.contacts.iter().find(|c| c.id == "C000004").expect("C000004");
    assert_eq!(
        dylan.banned_until.map(|d| d.to_string()).as_deref(),
        Some("2027-06-30")
    );

    let llyr = find("B2345CD");
    assert_eq!(llyr.first_name.as_str(), "Llŷr");
    assert_eq!(llyr.custody, Custody::Remand);

    assert_eq!(find("C3456DE").visiting_orders, 0);
    assert_eq!(find("D4567EF").closed_visit_restrictions.len(), 1);
}
