//! `kioskctl slip` and `kioskctl printer` as an operator uses them, on a store with a booking;
//! the slip read back with pdftotext and pdftoppm (poppler-utils).

use kiosk::booking::book;
use kiosk_test_support::pdf::{raster, text};
use kiosk_test_support::{STORE_FILE, at, demo_store_in, llyr, picked, request};
use std::process::Command;
use tempfile::TempDir;

/// `kioskctl slip` writes the PDF an operator asked for; `kioskctl printer` keeps the setting.
#[tokio::test]
async fn kioskctl_writes_a_slip_and_keeps_the_printer_setting() {
    let dir = TempDir::new().unwrap();
    let store = demo_store_in(dir.path()).await;
    let request = request("CDF", llyr(), vec![picked("C000005")], "CDF-SAT-PM/2026-11-28");
    let booked = book(&store, &request, at("2026-11-25T10:00:00Z")).await.unwrap();
    store.close().await;
    let db = dir.path().join(STORE_FILE);
    let kioskctl = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_kioskctl"))
            .arg("--db")
            .arg(&db)
            .args(["--now", "2026-11-25T10:02:00Z"])
            .args(args)
            .output()
            .unwrap()
    };
    let out = dir.path().join("operator.pdf");
    // Lower case and without the hyphen, as staff type it.
    let typed = booked.reference.compact().to_lowercase();
    let run = kioskctl(&[
        "slip",
        &typed,
        "--out",
        out.to_str().unwrap(),
        "--lang",
        "cy",
        "--paper",
        "receipt",
    ]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let said = text(&out);
    assert!(said.contains(&booked.reference.to_string()), "{said}");
    assert!(
        said.contains("L. ap Gruffudd") && said.contains("Ffion ap Gruffudd"),
        "{said}"
    );
    assert!(
        !said.contains("Llŷr"),
        "the prisoner's first name is on the slip: {said}"
    );
    assert_eq!(raster(&out, &out.with_extension("")).1, 640);

    let bad = kioskctl(&[
        "slip",
        &typed,
        "--out",
        out.to_str().unwrap(),
        "--paper",
        "letter",
    ]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("receipt or a4"));

    let none = kioskctl(&["printer"]);
    assert_eq!(String::from_utf8_lossy(&none.stdout).trim(), "null");
    let set = kioskctl(&["printer", "--queue", "FrontDesk", "--paper", "a4"]);
    assert!(set.status.success(), "{}", String::from_utf8_lossy(&set.stderr));
    let shown: serde_json::Value = serde_json::from_slice(&kioskctl(&["printer"]).stdout).unwrap();
    assert_eq!(shown, serde_json::json!({ "queue": "FrontDesk", "paper": "a4" }));
    let refused = kioskctl(&["printer", "--queue", "-o evil"]);
    assert!(!refused.status.success());
}
