//! Spawns the real service on a loopback port with a fresh database per test: a SQLite file
//! by default, or a new PostgreSQL database when CENTRAL_TEST_DATABASE_URL names a server
//! (scripts/with-postgres.sh sets it), so the same tests run against both stores.

use crate::common::DEMO_DIR;
use central::store::{PostgresStore, RowCounts, SqliteStore, Store};
use central::{Central, Clock, Limits, Settings};
use chrono::{NaiveDate, NaiveTime, Weekday};
use domain::dataset::{PrisonFile, PrisonerFile};
use domain::{
    BookedByInput, BookingReference, BookingRequest, Contact, Custody, Frequency, IssuerNumber,
    MainContactInput, PersonName, PrisonCode, PrisonerNumber, SessionTemplate, SupportInput, TemplateFields,
};
use serde_json::{Value, json};
use sqlx::Connection;
use std::sync::{Arc, Once};

pub use crate::common::{NOW, now, picked, rhys};
/// Runs futures at once on this task, for the tests that race requests against each other.
pub use futures_util::future::join_all;
/// The test prison's only session with 3 open tables and 1 closed one.
pub const TST_SESSION: &str = "TST-TUE/2026-12-01";
pub const TST_OPEN_TABLES: usize = 3;
/// Test prisoners at TST: T0000AA, T0001AA, ...
pub const TST_PRISONERS: usize = 60;

static TRACING: Once = Once::new();

/// A prison code the tests use (`CDF`, `TST`...), for the service's functions that take a
/// parsed one.
pub fn prison_code(code: &str) -> PrisonCode {
    PrisonCode::parse(code).unwrap_or_else(|e| panic!("{e}"))
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

pub struct TestApp {
    pub address: String,
    pub central: Arc<Central>,
    pub client: reqwest::Client,
    pub backend: &'static str,
    /// The test's own PostgreSQL database; `None` on SQLite.
    pub database: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

pub struct TestKiosk {
    pub id: String,
    pub token: String,
    pub issuer: u16,
    /// The deployment's reference key, as enrolment gave it.
    pub reference_key: Option<String>,
}

impl TestKiosk {
    /// The deployment's scramble, as this kiosk was given it.
    pub fn scramble(&self) -> domain::ReferenceScramble {
        match &self.reference_key {
            Some(hex) => domain::ReferenceScramble::Keyed(domain::ReferenceKey::parse_hex(hex).unwrap()),
            None => domain::ReferenceScramble::Unkeyed,
        }
    }

    /// The reference this kiosk would print for its `seq`th booking.
    pub fn reference(&self, seq: u32) -> String {
        BookingReference::issue(IssuerNumber::new(self.issuer).unwrap(), seq, &self.scramble())
            .unwrap()
            .to_string()
    }
}

pub fn demo() -> (Vec<PrisonFile>, Vec<PrisonerFile>) {
    let prisons = std::fs::read_to_string(format!("{DEMO_DIR}/prisons.json")).unwrap();
    let prisoners = std::fs::read_to_string(format!("{DEMO_DIR}/prisoners.json")).unwrap();
    (
        serde_json::from_str(&prisons).unwrap(),
        serde_json::from_str(&prisoners).unwrap(),
    )
}

/// A small prison whose only session has few tables, and many prisoners to fight over them.
pub fn test_prison() -> (PrisonFile, Vec<PrisonerFile>) {
    let mut prison = demo().0.into_iter().find(|p| p.code == "CDF").unwrap();
    prison.code = prison_code("TST");
    prison.name = "HMP Test".into();
    prison.closures.clear();
    prison.templates = vec![
        SessionTemplate::parse(TemplateFields {
            id: "TST-TUE".into(),
            weekday: Weekday::Tue,
            start: NaiveTime::from_hms_opt(14, 0, 0).unwrap(),
            end: NaiveTime::from_hms_opt(16, 0, 0).unwrap(),
            room: "Hall".into(),
            open_capacity: TST_OPEN_TABLES as u16,
            closed_capacity: 1,
            valid_from: d("2026-01-01"),
            valid_to: None,
            frequency: Frequency::Weekly,
        })
        .unwrap(),
    ];
    let prisoners = (0..TST_PRISONERS)
        .map(|i| PrisonerFile {
            number: PrisonerNumber::parse(&format!("T{i:04}AA")).unwrap(),
            prison: prison_code("TST"),
            first_name: PersonName::parse("Test").unwrap(),
            last_name: PersonName::parse(&format!("Prisoner{}", letters(i))).unwrap(),
            date_of_birth: d("1980-01-01"),
            custody: Custody::Convicted,
            visiting_orders: 5,
            closed_visit_restrictions: vec![],
            contacts: vec![Contact {
                id: format!("TC{i:05}"),
                first_name: PersonName::parse("Visitor").unwrap(),
                last_name: PersonName::parse(&format!("Family{}", letters(i))).unwrap(),
                date_of_birth: d("1970-01-01"),
                banned_until: None,
            }],
        })
        .collect();
    (prison, prisoners)
}

/// Names may not hold digits: number i as letters.
fn letters(mut i: usize) -> String {
    let mut s = String::new();
    loop {
        s.push(char::from(b'a' + (i % 26) as u8));
        i /= 26;
        if i == 0 {
            break s;
        }
    }
}

/// An online booking request for test prisoner `i` at TST, with the prisoner's contact.
pub fn tst_booking(i: usize) -> Value {
    tst_booking_on(i, TST_SESSION)
}

/// TST's test prisoner `i` visited by their one contact, in a TST session.
pub fn tst_booking_on(i: usize, session: &str) -> Value {
    json!({
        "prison": "TST",
        "prisoner": { "number": format!("T{i:04}AA"), "date_of_birth": "1980-01-01", "surname": format!("Prisoner{}", letters(i)) },
        "visitors": [{ "contact_id": format!("TC{i:05}"), "date_of_birth": "1970-01-01" }],
        "session": session,
    })
}

/// Rhys Evans (A1234BC, CDF, 4 visiting orders) visited by Siân on Tuesday 1 December.
pub fn cdf_booking() -> Value {
    json!({
        "prison": "CDF",
        "prisoner": { "number": "A1234BC", "date_of_birth": "1990-05-05", "surname": "Evans" },
        "visitors": [{ "first_name": "Siân", "last_name": "Evans", "date_of_birth": "1992-03-14" }],
        "session": "CDF-TUE-PM/2026-12-01",
    })
}

/// The helper the details tests book as: helper accounts have staff numbers like staff.
pub fn helper() -> BookedByInput {
    BookedByInput {
        staff_number: "5001".into(),
        name: "Gwen Morgan".into(),
        organisation: "Families First Cymru".into(),
    }
}

/// Siân Evans as a main contact, her mobile as typed (kept as `+447911123456`).
pub fn sian_contact() -> MainContactInput {
    MainContactInput {
        name: "Siân Evans".into(),
        phone: "07911 123456".into(),
        email: "sian@example.org".into(),
        language: "cy".into(),
    }
}

/// Additional support: a wheelchair space, and "other" saying `other`.
pub fn support(other: &str) -> SupportInput {
    SupportInput {
        needs: vec!["other".into(), "wheelchair".into()],
        other: other.into(),
    }
}

/// `request` (built by `rhys` and the like) as a helper sends it for a visitor who is not
/// there: asked for by letter, with Siân as the main contact and support at the gate.
pub fn for_someone_not_there(request: BookingRequest) -> BookingRequest {
    BookingRequest {
        request_method: Some("letter".into()),
        booked_by: Some(helper()),
        main_contact: Some(sian_contact()),
        support: Some(support(
            "A seat near the door, please: she cannot stand for long.",
        )),
        ..request
    }
}

async fn store_for_test() -> (Arc<dyn Store>, Option<String>, Option<tempfile::TempDir>) {
    match std::env::var("CENTRAL_TEST_DATABASE_URL") {
        Ok(admin_url) if !admin_url.is_empty() => {
            let name = format!("central_test_{}", uuid::Uuid::new_v4().simple());
            let mut admin = sqlx::PgConnection::connect(&admin_url)
                .await
                .expect("connect to PostgreSQL");
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&mut admin)
                .await
                .unwrap();
            admin.close().await.unwrap();
            let (base, _) = admin_url.rsplit_once('/').expect("URL with a database name");
            let store = PostgresStore::connect(&format!("{base}/{name}")).await.unwrap();
            (Arc::new(store), Some(name), None)
        }
        _ => {
            let dir = tempfile::tempdir().unwrap();
            let store = SqliteStore::open(&dir.path().join("central.db")).await.unwrap();
            (Arc::new(store), None, Some(dir))
        }
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(Limits::default()).await
}

pub async fn spawn_app_with(limits: Limits) -> TestApp {
    TRACING.call_once(|| {
        if std::env::var("TEST_LOG").is_ok() {
            tracing_subscriber::fmt()
                .with_env_filter("info")
                .with_test_writer()
                .init();
        }
    });
    let (store, database, dir) = store_for_test().await;
    store.migrate().await.unwrap();
    let backend = store.backend();
    let central = Arc::new(Central::new(store, Clock::fixed(now()), Settings::default()));
    let (mut prisons, mut prisoners) = demo();
    let (tst, tst_prisoners) = test_prison();
    prisons.push(tst);
    prisoners.extend(tst_prisoners);
    central.import(&prisons, &prisoners).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(central::serve(
        listener,
        central.clone(),
        limits,
        std::future::pending(),
    ));
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        central,
        client: reqwest::Client::new(),
        backend,
        database,
        _dir: dir,
    }
}

impl TestApp {
    /// The SQLite file behind the service; `None` on PostgreSQL.
    pub fn sqlite_path(&self) -> Option<std::path::PathBuf> {
        self._dir.as_ref().map(|d| d.path().join("central.db"))
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// Makes an enrolment code and exchanges it over HTTP.
    pub async fn kiosk(&self, prisons: &[&str]) -> TestKiosk {
        let prisons: Vec<PrisonCode> = prisons.iter().map(|p| prison_code(p)).collect();
        let enrolment = self
            .central
            .create_enrolment(&prisons, Some("test"))
            .await
            .unwrap();
        let response = self.enrol(&enrolment.code).await;
        assert_eq!(response.status(), 201);
        let body: Value = response.json().await.unwrap();
        TestKiosk {
            id: body["kiosk_id"].as_str().unwrap().to_string(),
            token: body["token"].as_str().unwrap().to_string(),
            issuer: body["issuer_number"].as_u64().unwrap() as u16,
            reference_key: body["reference_key"].as_str().map(String::from),
        }
    }

    /// Exchanges an enrolment code over HTTP.
    pub async fn enrol(&self, code: &str) -> reqwest::Response {
        self.client
            .post(self.url("/api/v1/enrol"))
            .json(&json!({ "code": code }))
            .send()
            .await
            .unwrap()
    }

    /// A kiosk enrolled in process, without a request to the server.
    pub async fn kiosk_in_process(&self, prisons: &[&str]) -> TestKiosk {
        let credential = crate::common::enrol_in_process(&self.central, prisons).await;
        TestKiosk {
            id: credential.kiosk_id,
            token: credential.token,
            issuer: credential.issuer_number,
            reference_key: credential.reference_key,
        }
    }

    /// A GET without a credential.
    pub async fn get_public(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    /// A GET without a credential, its answer read as JSON whatever its status.
    pub async fn get_json(&self, path: &str) -> Value {
        self.get_public(path).await.json().await.unwrap()
    }

    /// A GET with the bearer `token`, its answer read as JSON whatever its status.
    pub async fn get_json_as(&self, token: &str, path: &str) -> Value {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    pub async fn book(&self, kiosk: &TestKiosk, key: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url("/api/v1/bookings"))
            .bearer_auth(&kiosk.token)
            .header("Idempotency-Key", key)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// The whole booking as central keeps it, read through the service: the API's GET answers
    /// only its state.
    pub async fn booking_record(&self, kiosk: &TestKiosk, reference: &str) -> Value {
        let caller = self.central.authenticate(&kiosk.token).await.unwrap();
        let booking = self
            .central
            .booking(&caller, reference)
            .await
            .unwrap_or_else(|e| panic!("{reference}: {e}"));
        serde_json::to_value(booking).unwrap()
    }

    pub async fn get(&self, kiosk: &TestKiosk, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(&kiosk.token)
            .send()
            .await
            .unwrap()
    }

    pub async fn post(&self, kiosk: &TestKiosk, path: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .bearer_auth(&kiosk.token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn pull(&self, kiosk: &TestKiosk, cursor: i64) -> Value {
        let response = self
            .get(kiosk, &format!("/api/v1/sync/pull?cursor={cursor}"))
            .await;
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    pub async fn push(&self, kiosk: &TestKiosk, events: &[Value]) -> Value {
        let response = self
            .post(kiosk, "/api/v1/sync/push", &json!({ "events": events }))
            .await;
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
        response.json().await.unwrap()
    }

    pub async fn lease(&self, kiosk: &TestKiosk, body: &Value) -> reqwest::Response {
        self.post(kiosk, "/api/v1/escrow/lease", body).await
    }

    pub async fn counts(&self) -> RowCounts {
        self.central.row_counts().await.unwrap()
    }

    /// A supervisor's transaction holding TST_SESSION's open tables (the session's row on
    /// PostgreSQL, the one writer on SQLite) until it commits.
    pub async fn hold_tst_tables(&self) -> Box<dyn central::store::StoreTx> {
        self.hold_tables(TST_SESSION).await
    }

    /// A supervisor's transaction holding a TST session's open tables, as [`Self::hold_tst_tables`].
    pub async fn hold_tables(&self, session: &str) -> Box<dyn central::store::StoreTx> {
        let session = domain::SessionId::parse(session).unwrap();
        let key = central::store::TableKey::new(&session, domain::VisitKind::Open);
        let mut supervisor = self.central.store().begin_write().await.unwrap();
        supervisor.lock_tables(&key, &prison_code("TST")).await.unwrap();
        supervisor
    }

    /// A transaction holding TST's test prisoner `i` as a booking does (the prisoner's row on
    /// PostgreSQL, the one writer on SQLite) until it ends.
    pub async fn hold_tst_prisoner(&self, i: usize) -> Box<dyn central::store::StoreTx> {
        let number = PrisonerNumber::parse(&format!("T{i:04}AA")).unwrap();
        let also = central::store::AlsoRead {
            sequence: false,
            session_tables: None,
        };
        let mut booking = self.central.store().begin_write().await.unwrap();
        let held = booking
            .booking_subject(&number, &prison_code("TST"), also)
            .await
            .unwrap();
        assert!(held.is_some(), "no test prisoner {number}");
        booking
    }

    /// On PostgreSQL, how many of this test's connections wait for a lock, asked again every
    /// 10 ms until one does or `within` has passed; `None` on SQLite.
    pub async fn waiting_for_a_lock(&self, within: std::time::Duration) -> Option<i64> {
        let database = self.database.as_ref()?;
        let admin_url = std::env::var("CENTRAL_TEST_DATABASE_URL").unwrap();
        let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap();
        let until = std::time::Instant::now() + within;
        let waiting = loop {
            let waiting: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'",
            )
            .bind(database)
            .fetch_one(&mut admin)
            .await
            .unwrap();
            if waiting > 0 || std::time::Instant::now() >= until {
                break waiting;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        };
        admin.close().await.unwrap();
        Some(waiting)
    }

    pub async fn assert_capacity_kept(&self) {
        let problems = self.central.capacity_audit().await.unwrap();
        assert!(
            problems.is_empty(),
            "sessions over capacity or miscounted: {problems:?}"
        );
    }
}

pub fn key() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// An outbox event as a kiosk pushes it.
pub fn event(seq: i64, kind: &str, payload: Value) -> Value {
    json!({
        "event_id": uuid::Uuid::now_v7(),
        "seq": seq,
        "kind": kind,
        "created_at": NOW,
        "payload": payload,
    })
}

pub async fn error_code(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    (
        status,
        body["error"]["code"].as_str().unwrap_or("<no code>").to_string(),
    )
}
