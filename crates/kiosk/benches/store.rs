//! Kiosk store benchmarks on a real SQLite file with the demo data.
//!
//! cargo bench -p visit-kiosk --bench store

use chrono::Duration;
use criterion::{Criterion, criterion_group, criterion_main};
use domain::{IssuerNumber, SessionTemplate, TemplateFields};
use kiosk::booking::{available_sessions, book};
use kiosk_test_support::{empty_store, now, picked, prison_code, request, rhys};

fn benches(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let (_dir, store) = rt.block_on(async {
        let (dir, store) = empty_store().await;
        store
            .init("bench", IssuerNumber::new(1).unwrap(), now())
            .await
            .unwrap();
        let mut prisons = kiosk::demo::prisons().unwrap();
        // Plenty of tables so the booking benchmark never runs out.
        for p in &mut prisons {
            p.closures.clear();
            for t in &mut p.templates {
                let mut fields = TemplateFields::from(t.clone());
                fields.open_capacity = 60_000;
                *t = SessionTemplate::parse(fields).unwrap();
            }
        }
        let mut prisoners = kiosk::demo::prisoners().unwrap();
        prisoners[0].visiting_orders = 1_000_000;
        store.import(&prisons, &prisoners).await.unwrap();
        (dir, store)
    });

    let cdf = prison_code("CDF");
    c.bench_function("available_sessions_one_prison_28_days", |b| {
        b.to_async(&rt)
            .iter(|| async { available_sessions(&store, &cdf, None, None, now()).await.unwrap() })
    });

    // Each iteration books a different session day far enough apart for the rules to allow it:
    // the clock moves on a week per booking so the session is always inside the window.
    let mut week = 0i64;
    c.bench_function("durable_booking_commit", |b| {
        b.to_async(&rt).iter(|| {
            week += 1;
            let at = now() + Duration::weeks(week);
            let date = (at + Duration::days(3)).date_naive();
            let until_saturday =
                (5 + 7 - i64::from(chrono::Datelike::weekday(&date).num_days_from_monday())) % 7;
            let saturday = date + Duration::days(until_saturday);
            let request = request(
                "CDF",
                rhys(),
                vec![picked("C000001")],
                &format!("CDF-SAT-PM/{saturday}"),
            );
            let store = &store;
            async move { book(store, &request, at).await }
        })
    });
}

criterion_group! { name = store; config = Criterion::default().sample_size(50); targets = benches }
criterion_main!(store);
