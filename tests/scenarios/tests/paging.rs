//! A kiosk pulling a prison too big for one page (issue 14): every page applied, the cursor kept
//! only with the last page, and a pull cut off part-way started again from the old cursor.
//! Central runs in-process on loopback HTTP; the kiosk is the real engine on its own store.

mod common;

use chrono::NaiveDate;
use domain::dataset::{PrisonFile, PrisonerFile};
use domain::{Contact, Custody, PersonName, PrisonerNumber};
use kiosk::sync::{Answer, Exchange, HttpTransport, Lost, SyncClient, SyncOptions, Transport};
use kiosk_test_support::{empty_store, now};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// More than two pages of the kiosk's 1,000.
const PRISONERS: usize = 2_300;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn letters(mut i: usize) -> String {
    let mut s = String::from("Page");
    loop {
        s.push(char::from(b'a' + (i % 26) as u8));
        i /= 26;
        if i == 0 {
            return s;
        }
    }
}

fn prison_and_prisoners(surname_suffix: &str) -> (PrisonFile, Vec<PrisonerFile>) {
    let prison = common::saturday_prison("PGE", "HMP Pages", "CEM Tudalennau", 30);
    let code = prison.code.clone();
    let prisoners = (0..PRISONERS)
        .map(|i| PrisonerFile {
            number: PrisonerNumber::parse(&format!("P{i:04}GE")).unwrap(),
            prison: code.clone(),
            first_name: PersonName::parse("Prisoner").unwrap(),
            last_name: PersonName::parse(&letters(i)).unwrap(),
            date_of_birth: d("1980-01-01"),
            custody: Custody::Convicted,
            visiting_orders: 4,
            closed_visit_restrictions: vec![],
            contacts: vec![Contact {
                id: format!("PC{i:05}"),
                first_name: PersonName::parse("Visitor").unwrap(),
                last_name: PersonName::parse(&format!("{}{surname_suffix}", letters(i))).unwrap(),
                date_of_birth: d("1970-01-01"),
                banned_until: None,
            }],
        })
        .collect();
    (prison, prisoners)
}

/// HTTP to central, except that the `fail_pull`th pull request (counting from 1) is lost.
struct LosesAPull {
    http: HttpTransport,
    pulls: AtomicUsize,
    fail_pull: usize,
}

#[async_trait::async_trait]
impl Transport for LosesAPull {
    async fn exchange(&self, exchange: Exchange) -> Answer {
        if exchange.path.starts_with(kiosk::sync::routes::PULL)
            && self.pulls.fetch_add(1, Ordering::SeqCst) + 1 == self.fail_pull
        {
            return Err(Lost {
                sent: false,
                message: "the test lost this pull".into(),
            });
        }
        self.http.exchange(exchange).await
    }
}

async fn count(store: &kiosk::store::Store, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(store.pool()).await.unwrap()
}

#[tokio::test]
async fn a_big_prison_comes_in_pages_and_a_pull_cut_off_starts_again() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("central.db");
    let store = Arc::new(central::store::SqliteStore::open(&db).await.unwrap());
    central::Store::migrate(&*store).await.unwrap();
    let central = Arc::new(central::Central::new(
        store,
        central::Clock::fixed(now()),
        central::Settings::default(),
    ));
    let (prison, prisoners) = prison_and_prisoners("");
    central
        .import(std::slice::from_ref(&prison), &prisoners)
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(central::serve(
        listener,
        central.clone(),
        central::Limits::default(),
        std::future::pending(),
    ));

    let options = SyncOptions::default();
    let lossy = Arc::new(LosesAPull {
        http: HttpTransport::new(&url, &options).unwrap(),
        pulls: AtomicUsize::new(0),
        fail_pull: 2,
    });
    let (_kiosk_dir, fresh) = empty_store().await;
    let code = central
        .create_enrolment(std::slice::from_ref(&prison.code), Some("pages"))
        .await
        .unwrap()
        .code;
    kiosk::sync::enrol_through(&fresh, &*lossy, &url, &code, now())
        .await
        .unwrap();
    let fresh_enrolment = fresh.enrolment().await.unwrap().unwrap();
    let client =
        SyncClient::with_transport(fresh.clone(), fresh_enrolment, lossy.clone(), options.retry_pause);

    // The second page is lost: the first stays applied, the cursor does not move.
    assert!(client.round(now()).await.is_err());
    assert_eq!(count(&fresh, "SELECT COUNT(*) FROM prisoners").await, 1000);
    assert_eq!(fresh.sync_status().await.unwrap().pull_cursor, 0);

    // The next round pulls the whole prison again from the old cursor, in three pages.
    let report = client.round(now()).await.unwrap();
    assert_eq!(report.pull_pages, 3);
    assert_eq!(report.pulled_prisoners as usize, PRISONERS);
    assert_eq!(
        count(&fresh, "SELECT COUNT(*) FROM prisoners").await,
        PRISONERS as i64
    );
    assert_eq!(
        count(&fresh, "SELECT COUNT(*) FROM contacts").await,
        PRISONERS as i64
    );
    let cursor = fresh.sync_status().await.unwrap().pull_cursor;
    assert!(cursor > 0);

    // Nothing changed: one page with nothing in it.
    let report = client.round(now()).await.unwrap();
    assert_eq!((report.pull_pages, report.pulled_prisoners), (1, 0));

    // Every contact's surname changes at central: the next round brings all of them again,
    // in pages, and the kiosk holds the new names.
    let (_, renamed) = prison_and_prisoners("x");
    central
        .import(std::slice::from_ref(&prison), &renamed)
        .await
        .unwrap();
    let report = client.round(now()).await.unwrap();
    assert_eq!(
        (report.pull_pages, report.pulled_prisoners as usize),
        (3, PRISONERS)
    );
    assert_eq!(
        count(&fresh, "SELECT COUNT(*) FROM contacts WHERE last_name LIKE '%x'").await,
        PRISONERS as i64
    );
}
