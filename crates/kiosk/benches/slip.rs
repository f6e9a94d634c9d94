//! Time to render one confirmation slip in-process: layout, QR code, font subsetting and PDF
//! serialisation, for a real booking read from a real store (the read is not timed).
//!
//! cargo bench -p visit-kiosk --bench slip

use criterion::{Criterion, criterion_group, criterion_main};
use kiosk::booking::book;
use kiosk::slip::{Language, Paper, render_slip};
use kiosk_test_support::{at, demo_store, now, prison_code, request, rhys, sian, typed};
use std::hint::black_box;

fn benches(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (booking, prison) = rt.block_on(async {
        let (_dir, store) = demo_store().await;
        let visitors = vec![
            sian(),
            typed("Megan", "Evans", "2015-08-20"),
            typed("Gareth", "Evans", "1965-11-02"),
        ];
        let request = request("CDF", rhys(), visitors, "CDF-SAT-PM/2026-11-28");
        let booking = book(&store, &request, now()).await.unwrap();
        let prison = store.prison(&prison_code("CDF")).await.unwrap();
        store.close().await;
        (booking, prison)
    });
    let printed = at("2026-11-25T10:01:00Z");
    // The first render parses the fonts once per process; time the steady state a kiosk sees.
    render_slip(&booking, &prison, Language::English, Paper::Receipt, printed).unwrap();

    c.bench_function("render_slip_receipt_en", |b| {
        b.iter(|| {
            render_slip(
                black_box(&booking),
                &prison,
                Language::English,
                Paper::Receipt,
                printed,
            )
            .unwrap()
        })
    });
    c.bench_function("render_slip_receipt_cy", |b| {
        b.iter(|| {
            render_slip(
                black_box(&booking),
                &prison,
                Language::Welsh,
                Paper::Receipt,
                printed,
            )
            .unwrap()
        })
    });
    c.bench_function("render_slip_a4_en", |b| {
        b.iter(|| {
            render_slip(
                black_box(&booking),
                &prison,
                Language::English,
                Paper::A4,
                printed,
            )
            .unwrap()
        })
    });
}

criterion_group!(slip, benches);
criterion_main!(slip);
