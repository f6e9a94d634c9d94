//! The kiosk store on real SQLite files.

use chrono::{NaiveTime, Weekday};
use domain::dataset::{PrisonFile, PrisonerFile};
use domain::{
    BookingReference, BookingRequest, Contact, Custody, Frequency, IssuerNumber, PersonName, PrisonerInput,
    PrisonerNumber, SessionTemplate, TemplateFields, VisitorInput,
};
use kiosk::booking::{available_sessions, book};
use kiosk::{KioskError, Store};
use kiosk_test_support::{
    STORE_FILE, count, date as d, demo_store, empty_store, kwame, llyr, now, picked, prison_code, request,
    rhys_request, sian, typed, visiting_orders,
};
use std::collections::HashSet;
use std::sync::Arc;

#[tokio::test]
async fn sessions_respect_the_window_closures_and_capacity() {
    let (_dir, store) = demo_store().await;
    let sessions = available_sessions(&store, &prison_code("CDF"), None, None, now())
        .await
        .unwrap();
    assert!(!sessions.is_empty());
    assert!(
        sessions
            .iter()
            .all(|s| s.date >= d("2026-11-27") && s.date <= d("2026-12-23"))
    );
    // Staff training closes CDF-TUE-PM on 8 December.
    assert!(
        !sessions
            .iter()
            .any(|s| s.id.to_string() == "CDF-TUE-PM/2026-12-08")
    );
    assert!(
        sessions
            .iter()
            .any(|s| s.id.to_string() == "CDF-TUE-PM/2026-12-01")
    );
    let before = sessions
        .iter()
        .find(|s| s.id.to_string() == "CDF-SAT-PM/2026-11-28")
        .unwrap()
        .clone();
    book(&store, &rhys_request("CDF-SAT-PM/2026-11-28"), now())
        .await
        .unwrap();
    let after = available_sessions(
        &store,
        &prison_code("CDF"),
        Some(d("2026-11-28")),
        Some(d("2026-11-28")),
        now(),
    )
    .await
    .unwrap();
    let after = after.iter().find(|s| s.id == before.id).unwrap();
    assert_eq!(after.open_tables_left, before.open_tables_left - 1);
    assert_eq!(after.closed_tables_left, before.closed_tables_left);
    assert!(matches!(
        available_sessions(&store, &prison_code("XYZ"), None, None, now()).await,
        Err(KioskError::UnknownPrison(_))
    ));
}

#[tokio::test]
async fn a_booking_writes_the_visit_its_visitors_the_spent_order_and_one_outbox_event() {
    let (_dir, store) = demo_store().await;
    let vos = visiting_orders(&store, "A1234BC").await;
    let mut request = rhys_request("CDF-SAT-PM/2026-11-28");
    request.visitors.push(picked("C000002"));
    let booked = book(&store, &request, now()).await.unwrap();
    assert_eq!(booked.visitors.len(), 2);
    assert_eq!(booked.visitors[1].first_name, "Megan");
    // Scrambled with the key `init` made for this kiosk: read with it, the reference names the
    // kiosk's issuer; read without it, it does not.
    let key: String = sqlx::query_scalar("SELECT reference_key FROM kiosk_identity")
        .fetch_one(store.pool())
        .await
        .unwrap();
    let keyed = domain::ReferenceScramble::Keyed(domain::ReferenceKey::parse_hex(&key).unwrap());
    assert_eq!(
        booked.reference.origin(&keyed),
        (IssuerNumber::new(7).unwrap(), 0)
    );
    assert_ne!(
        booked.reference.origin(&domain::ReferenceScramble::Unkeyed),
        (IssuerNumber::new(7).unwrap(), 0)
    );
    assert_eq!(store.booking(&booked.reference).await.unwrap(), booked);
    assert_eq!(visiting_orders(&store, "A1234BC").await, vos - 1);
    let events = store.outbox(0, 100).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].kind, "booking_created");
    assert_eq!(
        events[0].booking_reference.as_deref(),
        Some(booked.reference.compact())
    );
    // Central reads the request as the visitor made it, with the kiosk's reference.
    assert_eq!(events[0].payload["request"]["session"], "CDF-SAT-PM/2026-11-28");
    assert_eq!(events[0].payload["reference"], booked.reference.to_string());
    assert_eq!(events[0].payload["confirmed_with_share"], false);
    // The booking notes its event's position, which a push answer is matched against.
    let event_seq: Option<i64> = sqlx::query_scalar("SELECT event_seq FROM bookings WHERE reference = ?")
        .bind(booked.reference.compact())
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(event_seq, Some(events[0].seq));
}

/// A booking's writes are one statement (the `booking_writes` trigger), so one that fails
/// part-way undoes those before it. Here the reference sequence is set back, as a store put back
/// from an older copy could be: the second booking's reference is already taken, and its
/// insert fails after its outbox event is written and before its visitors, visiting order and
/// sequence are.
#[tokio::test]
async fn a_booking_whose_write_fails_part_way_leaves_nothing_written() {
    let (_dir, store) = demo_store().await;
    let remand = request("CDF", llyr(), vec![picked("C000005")], "CDF-SAT-PM/2026-11-28");
    book(&store, &remand, now()).await.unwrap();
    sqlx::query("UPDATE kiosk_identity SET next_sequence = next_sequence - 1")
        .execute(store.pool())
        .await
        .unwrap();
    let written = |store: &Store| {
        let store = store.clone();
        async move {
            (
                count(&store, "SELECT count(*) FROM outbox").await,
                count(&store, "SELECT count(*) FROM bookings").await,
                count(&store, "SELECT count(*) FROM booking_visitors").await,
                count(&store, "SELECT next_sequence FROM kiosk_identity").await,
                visiting_orders(&store, "A1234BC").await,
            )
        }
    };
    let before = written(&store).await;
    let refused = book(&store, &rhys_request("CDF-SAT-PM/2026-11-28"), now()).await;
    assert!(
        refused.is_err(),
        "a taken reference was booked again: {refused:?}"
    );
    assert_eq!(written(&store).await, before);
    // Set right, the sequence gives the next reference and the same booking is written whole.
    sqlx::query("UPDATE kiosk_identity SET next_sequence = next_sequence + 1")
        .execute(store.pool())
        .await
        .unwrap();
    let booked = book(&store, &rhys_request("CDF-SAT-PM/2026-11-28"), now())
        .await
        .unwrap();
    let (outbox, bookings, visitors, sequence, orders) = before;
    assert_eq!(
        written(&store).await,
        (outbox + 1, bookings + 1, visitors + 1, sequence + 2, orders - 1)
    );
    assert_eq!(store.booking(&booked.reference).await.unwrap(), booked);
}

/// `book` answers the visit as it wrote it, without reading it back: what it answers must be what
/// the store gives for the reference later, details and every visitor included, and each
/// booking takes the next reference.
#[tokio::test]
async fn the_booking_answered_is_the_booking_stored() {
    let (_dir, store) = demo_store().await;
    let mut request = rhys_request("CDF-SAT-PM/2026-11-28");
    request.visitors.push(picked("C000002"));
    request.request_method = Some("phone".into());
    request.main_contact = Some(domain::MainContactInput {
        name: "Siân Evans".into(),
        phone: "07911 123456".into(),
        email: String::new(),
        language: "cy".into(),
    });
    request.support = Some(domain::SupportInput {
        needs: vec!["wheelchair".into()],
        other: String::new(),
    });
    let first = book(&store, &request, now()).await.unwrap();
    assert!(!first.details.is_empty());
    assert_eq!(store.booking(&first.reference).await.unwrap(), first);
    // A closed visit at another prison, with a reference of its own.
    let closed = available_sessions(&store, &prison_code("LDS"), None, None, now())
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.closed_tables_left > 0)
        .unwrap();
    let second = book(&store, &kwame_picking(&closed.id.to_string()), now())
        .await
        .unwrap();
    assert_eq!(second.kind, domain::VisitKind::Closed);
    assert_eq!(store.booking(&second.reference).await.unwrap(), second);
    assert_ne!(first.reference, second.reference);
    let next: i64 = sqlx::query_scalar("SELECT next_sequence FROM kiosk_identity")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(next, 2);
    assert_eq!(count(&store, "SELECT COUNT(*) FROM booking_visitors").await, 3);
    assert_eq!(count(&store, "SELECT COUNT(*) FROM outbox").await, 2);
}

#[tokio::test]
async fn remand_prisoners_spend_no_visiting_order() {
    let (_dir, store) = demo_store().await;
    let request = BookingRequest {
        prisoner: PrisonerInput {
            number: "b2345cd".into(),
            surname: "AP GRUFFUDD".into(),
            ..llyr()
        },
        visitors: vec![picked("C000005")],
        ..rhys_request("CDF-SAT-PM/2026-11-28")
    };
    book(&store, &request, now()).await.unwrap();
    assert_eq!(visiting_orders(&store, "B2345CD").await, 0);
}

/// Each rule broken through the store gives its code and writes nothing at all.
#[tokio::test]
async fn every_rejection_has_its_code_and_writes_nothing() {
    let (_dir, store) = demo_store().await;
    let base = || rhys_request("CDF-SAT-PM/2026-11-28");
    let prisoner = |change: fn(&mut BookingRequest)| {
        let mut request = base();
        change(&mut request);
        request
    };
    let visitors = |visitors: Vec<VisitorInput>| BookingRequest { visitors, ..base() };
    let evans = |first: &str, dob: &str| typed(first, "Evans", dob);
    let cases: Vec<(&str, BookingRequest)> = vec![
        (
            "prisoner_number_invalid",
            prisoner(|r| r.prisoner.number = "12345".into()),
        ),
        (
            "prisoner_not_found",
            prisoner(|r| r.prisoner.number = "Z9999ZZ".into()),
        ),
        (
            "prisoner_not_found",
            prisoner(|r| r.prisoner.surname = "Jones".into()),
        ),
        ("prisoner_not_found", prisoner(|r| r.prison = "LDS".into())),
        (
            "date_of_birth_invalid",
            prisoner(|r| r.prisoner.date_of_birth = "1990-02-30".into()),
        ),
        (
            "name_invalid_characters",
            visitors(vec![evans("S1an", "1992-03-14")]),
        ),
        ("name_empty", visitors(vec![evans(" ", "1992-03-14")])),
        (
            "name_too_long",
            visitors(vec![evans(&"a".repeat(51), "1992-03-14")]),
        ),
        (
            "date_of_birth_in_future",
            visitors(vec![evans("Siân", "2027-01-01")]),
        ),
        (
            "date_of_birth_too_old",
            visitors(vec![evans("Siân", "1900-01-01")]),
        ),
        ("no_visitors", visitors(vec![])),
        (
            "visitor_not_on_list",
            visitors(vec![evans("Stranger", "1980-01-01")]),
        ),
        ("visitor_not_on_list", visitors(vec![picked("C000005")])),
        ("visitor_banned", visitors(vec![picked("C000004")])),
        (
            "lead_visitor_under_age",
            visitors(vec![evans("Megan", "2015-08-20"), sian()]),
        ),
        ("no_adult_visitor", visitors(vec![evans("Megan", "2015-08-20")])),
        (
            "duplicate_visitor",
            visitors(vec![sian(), evans("siân", "1992-03-14")]),
        ),
        ("session_not_found", rhys_request("CDF-SAT-PM/2026-11-29")),
        ("session_not_found", rhys_request("not a session")),
        ("session_closed", rhys_request("CDF-TUE-PM/2026-12-08")),
        ("session_too_soon", rhys_request("CDF-WED-AM/2026-11-25")),
        ("session_too_far_ahead", rhys_request("CDF-SAT-PM/2027-01-02")),
    ];
    for (code, request) in cases {
        let err = book(&store, &request, now()).await.expect_err(code);
        assert_eq!(err.code(), code, "{request:?} gave {err}");
    }
    assert_eq!(count(&store, "SELECT COUNT(*) FROM bookings").await, 0);
    assert_eq!(count(&store, "SELECT COUNT(*) FROM booking_visitors").await, 0);
    assert_eq!(count(&store, "SELECT COUNT(*) FROM outbox").await, 0);
    assert_eq!(visiting_orders(&store, "A1234BC").await, 4);
}

#[tokio::test]
async fn allowance_rules_through_the_store() {
    let (_dir, store) = demo_store().await;
    // A second visit in the same session.
    book(&store, &rhys_request("CDF-SAT-PM/2026-11-28"), now())
        .await
        .unwrap();
    let mut again = rhys_request("CDF-SAT-PM/2026-11-28");
    again.visitors[0] = picked("C000003");
    assert_eq!(
        book(&store, &again, now()).await.unwrap_err().code(),
        "duplicate_visit"
    );
    // Visiting orders run out: 4 at the start, one spent above.
    for session in [
        "CDF-SAT-PM/2026-12-05",
        "CDF-SAT-PM/2026-12-12",
        "CDF-SAT-PM/2026-12-19",
    ] {
        book(&store, &rhys_request(session), now()).await.unwrap();
    }
    assert_eq!(visiting_orders(&store, "A1234BC").await, 0);
    assert_eq!(
        book(&store, &rhys_request("CDF-TUE-PM/2026-12-01"), now())
            .await
            .unwrap_err()
            .code(),
        "no_visiting_order"
    );
    // Remand: three visits in one Monday-based week, then the weekly limit.
    let remand = |session: &str| request("CDF", llyr(), vec![picked("C000005")], session);
    let week: Vec<String> = available_sessions(
        &store,
        &prison_code("CDF"),
        Some(d("2026-11-30")),
        Some(d("2026-12-06")),
        now(),
    )
    .await
    .unwrap()
    .into_iter()
    .map(|s| s.id.to_string())
    .collect();
    assert!(week.len() >= 4, "{week:?}");
    for s in &week[..3] {
        book(&store, &remand(s), now()).await.unwrap();
    }
    assert_eq!(
        book(&store, &remand(&week[3]), now()).await.unwrap_err().code(),
        "weekly_limit_reached"
    );
}

#[tokio::test]
async fn closed_visit_restrictions_use_closed_tables() {
    let (_dir, store) = demo_store().await;
    let sessions = available_sessions(&store, &prison_code("LDS"), None, None, now())
        .await
        .unwrap();
    let session = sessions.iter().find(|s| s.closed_tables_left > 0).unwrap();
    let booked = book(&store, &kwame_picking(&session.id.to_string()), now())
        .await
        .unwrap();
    assert_eq!(booked.kind, domain::VisitKind::Closed);
    let after = available_sessions(
        &store,
        &prison_code("LDS"),
        Some(session.date),
        Some(session.date),
        now(),
    )
    .await
    .unwrap();
    let after = after.iter().find(|s| s.id == session.id).unwrap();
    assert_eq!(after.closed_tables_left, session.closed_tables_left - 1);
    assert_eq!(after.open_tables_left, session.open_tables_left);
}

fn kwame_picking(session: &str) -> BookingRequest {
    request("LDS", kwame(), vec![picked("C000008")], session)
}

/// Every violation of a refused booking, as `field code`.
fn violations(err: KioskError) -> Vec<String> {
    match err {
        KioskError::Rejected(v) => v
            .as_slice()
            .iter()
            .map(|v| format!("{} {}", v.field, v.code()))
            .collect(),
        other => panic!("not a refusal: {other}"),
    }
}

#[tokio::test]
async fn a_prisoner_restricted_to_closed_visits_is_told_so_in_a_session_without_closed_tables() {
    let (_dir, store) = demo_store().await;
    // Kwame Mensah is restricted to closed visits; Leeds's Thursday evening has open tables only.
    let session = "LDS-THU-EVE/2026-12-03";
    let offered = available_sessions(
        &store,
        &prison_code("LDS"),
        Some(d("2026-12-03")),
        Some(d("2026-12-03")),
        now(),
    )
    .await
    .unwrap();
    let evening = offered.iter().find(|s| s.id.to_string() == session).unwrap();
    assert!(evening.open_tables_left > 0 && evening.closed_tables_left == 0);
    let err = book(&store, &kwame_picking(session), now()).await.unwrap_err();
    assert_eq!(violations(err), ["session closed_visit_required"]);
    assert_eq!(count(&store, "SELECT COUNT(*) FROM bookings").await, 0);
    // The same prisoner and visitor in a session with closed tables are booked into one.
    let booked = book(&store, &kwame_picking("LDS-SAT-PM/2026-12-05"), now())
        .await
        .unwrap();
    assert_eq!(booked.kind, domain::VisitKind::Closed);
}

#[tokio::test]
async fn visitors_picked_from_the_list_are_not_checked_as_typed_ones() {
    let (_dir, store) = demo_store().await;
    let session = "LDS-SAT-PM/2026-12-05";
    let mut bad_surname = kwame_picking(session);
    bad_surname.prisoner.surname = "Mens4h".into();
    let err = book(&store, &bad_surname, now()).await.unwrap_err();
    assert_eq!(violations(err), ["prisoner.surname name_invalid_characters"]);
    let mut bad_number = kwame_picking(session);
    bad_number.prisoner.number = "D4567".into();
    bad_number.prisoner.date_of_birth = "1995-02-30".into();
    let err = book(&store, &bad_number, now()).await.unwrap_err();
    assert_eq!(
        violations(err),
        [
            "prisoner.number prisoner_number_invalid",
            "prisoner.date_of_birth date_of_birth_invalid"
        ]
    );
    // Well-formed but nobody: the prisoner is not found, whatever the picked visitors.
    let mut nobody = kwame_picking(session);
    nobody.prisoner.number = "Z9999ZZ".into();
    let err = book(&store, &nobody, now()).await.unwrap_err();
    assert_eq!(violations(err), ["prisoner.number prisoner_not_found"]);
    // Held at another prison: the same answer.
    let mut elsewhere = kwame_picking(session);
    elsewhere.prison = "CDF".into();
    elsewhere.session = "CDF-SAT-PM/2026-12-05".into();
    let err = book(&store, &elsewhere, now()).await.unwrap_err();
    assert_eq!(violations(err), ["prisoner.number prisoner_not_found"]);
    // Typed details next to a picked id are ignored: the list names the visitor.
    let mut typed_too = kwame_picking(session);
    typed_too.visitors[0].first_name = "Somebody".into();
    typed_too.visitors[0].date_of_birth = "not a date".into();
    let booked = book(&store, &typed_too, now()).await.unwrap();
    assert_eq!(booked.visitors.len(), 1);
    assert_ne!(booked.visitors[0].first_name, "Somebody");
    assert_eq!(count(&store, "SELECT COUNT(*) FROM bookings").await, 1);
}

#[tokio::test]
async fn the_outbox_is_append_only() {
    let (_dir, store) = demo_store().await;
    book(&store, &rhys_request("CDF-SAT-PM/2026-11-28"), now())
        .await
        .unwrap();
    assert!(
        sqlx::query("UPDATE outbox SET kind = 'x'")
            .execute(store.pool())
            .await
            .is_err()
    );
    assert!(
        sqlx::query("DELETE FROM outbox")
            .execute(store.pool())
            .await
            .is_err()
    );
    assert_eq!(store.outbox(0, 10).await.unwrap().len(), 1);
}

#[tokio::test]
async fn init_runs_once_and_bookings_survive_reopening() {
    let (dir, store) = demo_store().await;
    assert!(matches!(
        store.init("again", IssuerNumber::new(8).unwrap(), now()).await,
        Err(KioskError::AlreadyInitialised)
    ));
    let booked = book(&store, &rhys_request("CDF-SAT-PM/2026-11-28"), now())
        .await
        .unwrap();
    store.close().await;
    let reopened = Store::open(&dir.path().join(STORE_FILE)).await.unwrap();
    assert_eq!(reopened.booking(&booked.reference).await.unwrap(), booked);
    assert_eq!(reopened.identity().await.unwrap().issuer_number, 7);
    let missing = BookingReference::issue(
        IssuerNumber::new(9).unwrap(),
        1,
        &domain::ReferenceScramble::Unkeyed,
    )
    .unwrap();
    assert_eq!(
        reopened.booking(&missing).await.unwrap_err().code(),
        "booking_not_found"
    );
}

#[tokio::test]
async fn an_uninitialised_store_cannot_book() {
    let (_dir, store) = empty_store().await;
    store
        .import(
            &kiosk::demo::prisons().unwrap(),
            &kiosk::demo::prisoners().unwrap(),
        )
        .await
        .unwrap();
    let err = book(&store, &rhys_request("CDF-SAT-PM/2026-11-28"), now())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "not_initialised");
    assert_eq!(count(&store, "SELECT COUNT(*) FROM bookings").await, 0);
}

/// A prison with one session of `tables` open tables and `prisoners` prisoners who each have
/// one adult contact.
fn small_prison(tables: u16, prisoners: usize) -> (Vec<PrisonFile>, Vec<PrisonerFile>) {
    let mut prison: PrisonFile = kiosk::demo::prisons()
        .unwrap()
        .into_iter()
        .find(|p| p.code == "CDF")
        .unwrap();
    prison.code = prison_code("TST");
    prison.closures.clear();
    prison.templates = vec![
        SessionTemplate::parse(TemplateFields {
            id: "TST-SAT".into(),
            weekday: Weekday::Sat,
            start: NaiveTime::from_hms_opt(14, 0, 0).unwrap(),
            end: NaiveTime::from_hms_opt(16, 0, 0).unwrap(),
            room: "Hall".into(),
            open_capacity: tables,
            closed_capacity: 0,
            valid_from: d("2026-01-01"),
            valid_to: None,
            frequency: Frequency::Weekly,
        })
        .unwrap(),
    ];
    let people = (0..prisoners)
        .map(|i| PrisonerFile {
            number: PrisonerNumber::parse(&format!("T{:04}AA", i)).unwrap(),
            prison: prison_code("TST"),
            first_name: PersonName::parse("Sam").unwrap(),
            last_name: PersonName::parse("Lee").unwrap(),
            date_of_birth: d("1990-01-01"),
            custody: Custody::Convicted,
            visiting_orders: 2,
            closed_visit_restrictions: vec![],
            contacts: vec![Contact {
                id: format!("TC{i}"),
                first_name: PersonName::parse("Jo").unwrap(),
                last_name: PersonName::parse("Lee").unwrap(),
                date_of_birth: d("1980-01-01") + chrono::Duration::days(i as i64),
                banned_until: None,
            }],
        })
        .collect();
    (vec![prison], people)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_bookings_for_the_last_tables_never_overbook() {
    let (_dir, store) = empty_store().await;
    store
        .init("race", IssuerNumber::new(3).unwrap(), now())
        .await
        .unwrap();
    let (prisons, prisoners) = small_prison(3, 40);
    store.import(&prisons, &prisoners).await.unwrap();
    let store = Arc::new(store);
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let prisoner = PrisonerInput {
                    number: format!("T{:04}AA", i),
                    date_of_birth: "1990-01-01".into(),
                    surname: "Lee".into(),
                };
                let request = request(
                    "TST",
                    prisoner,
                    vec![picked(&format!("TC{i}"))],
                    "TST-SAT/2026-11-28",
                );
                book(&store, &request, now()).await
            })
        })
        .collect();
    let mut booked = Vec::new();
    let mut full = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(view) => booked.push(view.reference),
            Err(e) if e.code() == "session_full" => full += 1,
            Err(e) => panic!("unexpected error {e}"),
        }
    }
    assert_eq!(booked.len(), 3);
    assert_eq!(full, 37);
    assert_eq!(
        booked.iter().collect::<HashSet<_>>().len(),
        3,
        "references are unique"
    );
    assert_eq!(count(&store, "SELECT COUNT(*) FROM bookings").await, 3);
    assert_eq!(count(&store, "SELECT COUNT(*) FROM outbox").await, 3);
    let left = available_sessions(&store, &prison_code("TST"), None, None, now())
        .await
        .unwrap();
    assert_eq!(
        left.iter()
            .find(|s| s.id.to_string() == "TST-SAT/2026-11-28")
            .unwrap()
            .open_tables_left,
        0
    );
}

#[tokio::test]
async fn a_bad_data_set_is_refused_whole() {
    let (_dir, store) = empty_store().await;
    let (prisons, mut prisoners) = small_prison(3, 3);
    prisoners[2].prison = prison_code("NOPE");
    assert_eq!(
        store.import(&prisons, &prisoners).await.unwrap_err().code(),
        "bad_dataset"
    );
    assert_eq!(count(&store, "SELECT COUNT(*) FROM prisons").await, 0);
    assert_eq!(count(&store, "SELECT COUNT(*) FROM prisoners").await, 0);
}

/// A session id whose date is outside the calendar a kiosk serves is refused as a session that
/// does not exist. The first date chrono can hold (a Thursday) used to parse, and a remand
/// prisoner's weekly allowance then looked for the Monday before it, which panicked.
#[tokio::test]
async fn a_session_in_a_year_out_of_range_is_refused_without_panicking() {
    let (_dir, store) = demo_store().await;
    for session in [
        "CDF-SAT-PM/-262143-01-01",
        "CDF-SAT-PM/1900-01-06",
        "CDF-SAT-PM/2200-01-04",
    ] {
        let remand = request("CDF", llyr(), vec![picked("C000005")], session);
        let err = book(&store, &remand, now()).await.unwrap_err();
        assert_eq!(violations(err), ["session session_not_found"], "{session}");
    }
    assert_eq!(count(&store, "SELECT COUNT(*) FROM bookings").await, 0);
}

/// A prison row whose rules do not hold (the minimum notice over the maximum, written by
/// something other than an import) is a clear store error where it is read: not a prison whose
/// booking window can never open, and not a panic.
#[tokio::test]
async fn a_prison_row_with_inconsistent_rules_is_a_clear_store_error() {
    let (_dir, store) = demo_store().await;
    sqlx::query("UPDATE prisons SET min_notice_days = 40 WHERE code = 'CDF'")
        .execute(store.pool())
        .await
        .unwrap();
    let err = store.prison(&prison_code("CDF")).await.unwrap_err();
    assert_eq!(err.code(), "store_corrupt");
    assert!(
        err.to_string().ends_with(
            "prison CDF: rules: the minimum notice (40 days) must not exceed the maximum (28 days)"
        ),
        "{err}"
    );
    let err = book(&store, &rhys_request("CDF-SAT-PM/2026-11-28"), now())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "store_corrupt");
    assert_eq!(count(&store, "SELECT COUNT(*) FROM bookings").await, 0);
    assert!(
        store.prison(&prison_code("LDS")).await.is_ok(),
        "other prisons still load"
    );
}

/// The store holds people's names and dates of birth: only the kiosk's user may read it.
#[cfg(unix)]
#[tokio::test]
async fn the_stores_folder_and_files_are_private_to_the_kiosks_user() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let dir = tempfile::TempDir::new().unwrap();
    let folder = dir.path().join("visit-kiosk");
    let db = folder.join("kiosk.db");
    let store = kiosk::Store::open(&db).await.unwrap();
    // A write, so the WAL and shared-memory files exist.
    sqlx::query("CREATE TABLE probe (x INTEGER)")
        .execute(store.pool())
        .await
        .unwrap();
    assert_eq!(mode(&folder), 0o700);
    for file in ["kiosk.db", "kiosk.db-wal", "kiosk.db-shm"] {
        assert_eq!(mode(&folder.join(file)), 0o600, "{file}");
    }
    store.close().await;

    // A store left readable by everyone (an older kiosk, a copy) is made private when opened.
    let older = dir.path().join("older.db");
    std::fs::write(&older, b"").unwrap();
    std::fs::set_permissions(&older, std::fs::Permissions::from_mode(0o644)).unwrap();
    let store = kiosk::Store::open(&older).await.unwrap();
    assert_eq!(mode(&older), 0o600);
    store.close().await;
}

/// A store from before the credential file kept the device credential in the database: opening
/// it moves the credential to a 0600 file beside it and leaves no copy in the database's bytes.
#[cfg(unix)]
#[tokio::test]
async fn an_older_stores_credential_moves_out_to_a_private_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::TempDir::new().unwrap();
    let db = dir.path().join("kiosk.db");
    let token = "vkt_an0lderCredentialKeptInTheRow0123456789";
    let store = kiosk::Store::open(&db).await.unwrap();
    sqlx::query(
        "INSERT INTO sync_enrolment (singleton, central_url, kiosk_id, token, prisons, enrolled_at)
         VALUES (1, 'https://central.example', 'k', ?, '[\"CDF\"]', '2026-11-25T09:00:00Z')",
    )
    .bind(token)
    .execute(store.pool())
    .await
    .unwrap();
    store.close().await;

    let store = kiosk::Store::open(&db).await.unwrap();
    let file = store.credential_file().to_path_buf();
    assert_eq!(file, dir.path().join("kiosk.db.credential"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), token);
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(store.enrolment().await.unwrap().unwrap().token, token);
    let in_row: String = sqlx::query_scalar("SELECT token FROM sync_enrolment")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(in_row, "");
    assert!(
        !format!("{:?}", store.enrolment().await.unwrap()).contains(token),
        "Debug never shows the credential"
    );
    store.close().await;
    let mut bytes = std::fs::read(&db).unwrap();
    bytes.extend(std::fs::read(dir.path().join("kiosk.db-wal")).unwrap_or_default());
    assert!(
        !bytes.windows(token.len()).any(|w| w == token.as_bytes()),
        "no copy of the credential is left in the database file"
    );
}

/// Bookings are written on a connection of their own, outside the pool: a closed store must
/// refuse them as it refuses everything else, not open that connection again.
#[tokio::test]
async fn a_closed_store_books_nothing() {
    let (_dir, store) = demo_store().await;
    let request = rhys_request("CDF-SAT-PM/2026-11-28");
    store.close().await;
    assert!(book(&store, &request, now()).await.is_err());
}
