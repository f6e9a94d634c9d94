//! A visit a kiosk confirmed offline against its share, which central then honours against a
//! rule: the kiosk learns the review reason from the push's own answer, so its staff see the
//! visit in their review queue even when the pull after it never arrives (issue 14: the pull
//! was the only way the reason reached the kiosk, and a kiosk that skipped its own pushed
//! bookings in the pull would never have learned it). Central runs in-process on loopback
//! HTTP; the kiosk is the real engine on its own store.

mod common;

use chrono::NaiveDate;
use domain::dataset::{PrisonFile, PrisonerFile};
use domain::{BookingRequest, Contact, Custody, PersonName, PrisonerNumber};
use kiosk::sync::{Answer, Exchange, HttpTransport, Lost, SyncClient, SyncOptions, Transport, Via};
use kiosk_test_support::{empty_store, now};
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// One prison, Saturday afternoons, and one convicted prisoner with a single visiting order.
fn prison_and_prisoner() -> (PrisonFile, PrisonerFile) {
    let prison = common::saturday_prison("HON", "HMP Honour", "CEM Anrhydedd", 10);
    let code = prison.code.clone();
    let prisoner = PrisonerFile {
        number: PrisonerNumber::parse("A1234HN").unwrap(),
        prison: code,
        first_name: PersonName::parse("Owain").unwrap(),
        last_name: PersonName::parse("Pryce").unwrap(),
        date_of_birth: d("1980-01-01"),
        custody: Custody::Convicted,
        visiting_orders: 1,
        closed_visit_restrictions: vec![],
        contacts: vec![Contact {
            id: "HC1".into(),
            first_name: PersonName::parse("Mari").unwrap(),
            last_name: PersonName::parse("Pryce").unwrap(),
            date_of_birth: d("1975-05-05"),
            banned_until: None,
        }],
    };
    (prison, prisoner)
}

fn request(session: &str) -> BookingRequest {
    serde_json::from_value(serde_json::json!({
        "prison": "HON",
        "prisoner": { "number": "A1234HN", "date_of_birth": "1980-01-01", "surname": "Pryce" },
        "visitors": [{ "contact_id": "HC1" }],
        "session": session,
    }))
    .unwrap()
}

const ONLINE: u8 = 0;
/// Nothing reaches central: the kiosk books offline.
const OFFLINE: u8 = 1;
/// The push goes through; every pull is lost.
const NO_PULL: u8 = 2;

/// HTTP to central, cut as the test says.
struct Network {
    http: HttpTransport,
    mode: AtomicU8,
}

#[async_trait::async_trait]
impl Transport for Network {
    async fn exchange(&self, exchange: Exchange) -> Answer {
        let lost = match self.mode.load(Ordering::SeqCst) {
            OFFLINE => true,
            NO_PULL => exchange.path.starts_with(kiosk::sync::routes::PULL),
            _ => false,
        };
        if lost {
            return Err(Lost {
                sent: false,
                message: "the test cut the network".into(),
            });
        }
        self.http.exchange(exchange).await
    }
}

#[tokio::test]
async fn the_push_answer_tells_the_kiosk_a_confirmed_visit_was_honoured_for_review() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(
        central::store::SqliteStore::open(&dir.path().join("central.db"))
            .await
            .unwrap(),
    );
    central::Store::migrate(&*store).await.unwrap();
    let central = Arc::new(central::Central::new(
        store,
        central::Clock::fixed(now()),
        central::Settings::default(),
    ));
    let (prison, prisoner) = prison_and_prisoner();
    central
        .import(std::slice::from_ref(&prison), std::slice::from_ref(&prisoner))
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
    let network = Arc::new(Network {
        http: HttpTransport::new(&url, &options).unwrap(),
        mode: AtomicU8::new(ONLINE),
    });
    let (_kiosk_dir, kiosk_store) = empty_store().await;
    let code = central
        .create_enrolment(std::slice::from_ref(&prison.code), Some("reception"))
        .await
        .unwrap()
        .code;
    kiosk::sync::enrol_through(&kiosk_store, &*network, &url, &code, now())
        .await
        .unwrap();
    kiosk_store.set_share_size(2, 0).await.unwrap();
    let enrolment = kiosk_store.enrolment().await.unwrap().unwrap();
    let client = SyncClient::with_transport(
        kiosk_store.clone(),
        enrolment,
        network.clone(),
        options.retry_pause,
    );
    let first = client.round(now()).await.unwrap();
    assert!(first.leases > 0, "the kiosk holds a share: {first:?}");

    // Offline, the kiosk confirms a visit against its share and prints CONFIRMED: the
    // prisoner's one visiting order is spent here.
    network.mode.store(OFFLINE, Ordering::SeqCst);
    let confirmed = client.book(&request("HON-SAT/2026-12-05"), now()).await.unwrap();
    assert_eq!(confirmed.via, Via::Offline);
    assert_eq!(confirmed.booking.status.as_str(), "booked", "confirmed offline");
    let reference = confirmed.booking.reference.compact().to_string();

    // Meanwhile another kiosk books the same prisoner online: central spends the visiting
    // order there, so the confirmed visit now breaks a rule.
    let other = central
        .enrol(
            &central
                .create_enrolment(std::slice::from_ref(&prison.code), Some("elsewhere"))
                .await
                .unwrap()
                .code,
        )
        .await
        .unwrap();
    let other = central.authenticate(&other.token).await.unwrap();
    let online = central
        .book_online(&other, "other-kiosk-1", &request("HON-SAT/2026-12-12"))
        .await
        .unwrap();
    assert_eq!(online.status, 201, "{}", online.body);

    // The kiosk comes back: its push gets through, its pull does not.
    network.mode.store(NO_PULL, Ordering::SeqCst);
    assert!(client.round(now()).await.is_err(), "the pull was lost");
    let (status, review): (String, Option<String>) =
        sqlx::query_as("SELECT status, review_reason FROM bookings WHERE reference = ?")
            .bind(&reference)
            .fetch_one(kiosk_store.pool())
            .await
            .unwrap();
    assert_eq!(status, "booked", "central honoured the confirmed visit");
    assert_eq!(
        review.as_deref(),
        Some("no_visiting_order"),
        "the push answer's review reason is kept"
    );
    // Central's answer to every event pushed is kept for staff (the visit's history).
    let answers: Vec<(String, String)> = sqlx::query_as(
        "SELECT o.kind, a.outcome FROM outbox o LEFT JOIN push_answers a ON a.event_id = o.event_id
         WHERE o.booking_reference = ? ORDER BY o.seq",
    )
    .bind(&reference)
    .fetch_all(kiosk_store.pool())
    .await
    .unwrap();
    assert_eq!(answers, [("booking_created".to_string(), "accepted".to_string())]);
    let unanswered: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM outbox o WHERE NOT EXISTS (SELECT 1 FROM push_answers a WHERE a.event_id = o.event_id)",
    )
    .fetch_one(kiosk_store.pool())
    .await
    .unwrap();
    assert_eq!(unanswered, 0, "every pushed event's answer is kept");

    // The pull that follows agrees, and does not take the reason away.
    network.mode.store(ONLINE, Ordering::SeqCst);
    client.round(now()).await.unwrap();
    let review: Option<String> = sqlx::query_scalar("SELECT review_reason FROM bookings WHERE reference = ?")
        .bind(&reference)
        .fetch_one(kiosk_store.pool())
        .await
        .unwrap();
    assert_eq!(review.as_deref(), Some("no_visiting_order"));
}
