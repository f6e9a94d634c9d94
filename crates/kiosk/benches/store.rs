//! Kiosk store benchmarks on a real SQLite file with the demo data.
//!
//! cargo bench -p visit-kiosk --bench store
//!
//! A durable booking is timed by `commit.rs`, with every booking checked and a bare SQLite
//! transaction beside it.

use criterion::{Criterion, criterion_group, criterion_main};
use domain::{IssuerNumber, SessionTemplate, TemplateFields};
use kiosk::booking::available_sessions;
use kiosk_test_support::{empty_store, now, prison_code};

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
}

criterion_group! { name = store; config = Criterion::default().sample_size(50); targets = benches }
criterion_main!(store);
