//! Time to render one confirmation slip in-process: layout, QR code, font subsetting and PDF
//! serialisation, for a real booking read from a real store (the read is not timed).
//!
//! cargo bench -p visit-kiosk --bench slip

use chrono::{DateTime, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use domain::{BookingRequest, IssuerNumber, PrisonerInput, VisitorInput};
use kiosk::Store;
use kiosk::booking::book;
use kiosk::slip::{Language, Paper, render_slip};
use std::hint::black_box;
use tempfile::TempDir;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn benches(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = TempDir::new().unwrap();
    let (booking, prison) = rt.block_on(async {
        let store = Store::open(&dir.path().join("bench.sqlite")).await.unwrap();
        store
            .init("bench", IssuerNumber::new(1).unwrap(), at("2026-11-25T09:00:00Z"))
            .await
            .unwrap();
        store
            .import(
                &kiosk::demo::prisons().unwrap(),
                &kiosk::demo::prisoners().unwrap(),
            )
            .await
            .unwrap();
        let visitor = |first: &str, last: &str, born: &str| VisitorInput {
            contact_id: None,
            first_name: first.into(),
            last_name: last.into(),
            date_of_birth: born.into(),
        };
        let request = BookingRequest {
            prison: "CDF".into(),
            prisoner: PrisonerInput {
                number: "A1234BC".into(),
                date_of_birth: "1990-05-05".into(),
                surname: "Evans".into(),
            },
            visitors: vec![
                visitor("Siân", "Evans", "1992-03-14"),
                visitor("Megan", "Evans", "2015-08-20"),
                visitor("Gareth", "Evans", "1965-11-02"),
            ],
            session: "CDF-SAT-PM/2026-11-28".into(),
        };
        let booking = book(&store, &request, at("2026-11-25T10:00:00Z")).await.unwrap();
        let prison = store.prison("CDF").await.unwrap();
        store.close().await;
        (booking, prison)
    });
    let now = at("2026-11-25T10:01:00Z");
    // The first render parses the fonts once per process; time the steady state a kiosk sees.
    render_slip(&booking, &prison, Language::English, Paper::Receipt, now).unwrap();

    c.bench_function("render_slip_receipt_en", |b| {
        b.iter(|| {
            render_slip(
                black_box(&booking),
                &prison,
                Language::English,
                Paper::Receipt,
                now,
            )
            .unwrap()
        })
    });
    c.bench_function("render_slip_receipt_cy", |b| {
        b.iter(|| render_slip(black_box(&booking), &prison, Language::Welsh, Paper::Receipt, now).unwrap())
    });
    c.bench_function("render_slip_a4_en", |b| {
        b.iter(|| render_slip(black_box(&booking), &prison, Language::English, Paper::A4, now).unwrap())
    });
}

criterion_group!(slip, benches);
criterion_main!(slip);
