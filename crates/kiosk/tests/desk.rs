//! Reception's commands on a real store file, as the UI calls them: the day's list and its
//! counts, arrivals, finding a visit (a typo in a reference caught by its check character), a
//! visit's page and history, cancelling with a reason, the review queue; what each writes to the
//! outbox and the audit log. Every command's refusal without a session, or for a role that may
//! not use it, is in `staff_permissions.rs`.

mod common;

use kiosk::booking::{available_sessions, book};
use kiosk::journey::{
    ArrivalRequest, CancelRequest, DayRequest, FindRequest, ResolveRequest, StaffSignInRequest, StaffToken,
    VisitRequest,
};
use kiosk_test_support::{at, date, now, picked, prison_code, request, rhys, rhys_request};
use protocol::Attendance;

use common::*;

#[tokio::test]
async fn the_day_lists_each_session_with_its_visits_and_arrivals_update_its_counts() {
    let (_dir, store, j) = cardiff().await;
    let rhys_visit = book(&store, &rhys_request(PM), now()).await.unwrap();
    let token = signed_in(&j, "1002").await;

    let day = j
        .staff_today(
            &DayRequest {
                token: token.clone(),
                date: Some(date("2026-11-28")),
            },
            now(),
        )
        .await
        .unwrap();
    assert_eq!(day.today, date("2026-11-25"));
    let ids: Vec<&str> = day.sessions.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["CDF-SAT-AM/2026-11-28", PM], "sessions in order");
    let pm = &day.sessions[1];
    assert_eq!((pm.expected, pm.arrived), (1, 0));
    assert_eq!(pm.tables[0].used, 1);
    let visit = &pm.visits[0];
    assert_eq!(visit.reference, rhys_visit.reference.to_string());
    assert_eq!(visit.lead_visitor, "Siân Evans");
    assert_eq!(visit.prisoner_name.as_deref(), Some("Rhys Evans"));
    assert_eq!((visit.adults, visit.children), (1, 0));
    assert!(visit.made_here);

    // Three days before the visit, who came cannot be marked (a visitor at the gate on the
    // wrong day has no visit today), and the refusal writes nothing.
    let arrived = |token: &str| ArrivalRequest {
        token: token.to_string(),
        reference: visit.reference.clone(),
        attendance: Attendance::Arrived,
    };
    let early = j.staff_mark_arrival(&arrived(&token), now()).await.unwrap_err();
    assert_eq!(
        (
            early.errors[0].code.as_str(),
            early.errors[0].params.get("date").map(String::as_str)
        ),
        ("attendance_before_visit_day", Some("2026-11-28"))
    );
    let page = |token: &str| VisitRequest {
        token: token.to_string(),
        reference: visit.reference.clone(),
    };
    assert!(
        !j.staff_booking(&page(&token), now())
            .await
            .unwrap()
            .can_mark_arrival
    );
    assert!(!outbox_kinds(&store).await.iter().any(|k| k == "visit_attendance"));
    assert!(
        !audit_actions(&store)
            .await
            .iter()
            .any(|(action, _)| action == "arrival")
    );

    // On the day it can.
    let on_the_day = at("2026-11-28T13:45:00Z");
    let token = signed_in_again(&j, "1002", on_the_day).await;
    assert!(
        j.staff_booking(&page(&token), on_the_day)
            .await
            .unwrap()
            .can_mark_arrival
    );
    let marked = j.staff_mark_arrival(&arrived(&token), on_the_day).await.unwrap();
    assert_eq!(marked.attendance, Some(Attendance::Arrived));

    // A visit its visitors came to took place: it cannot be cancelled (which would give back
    // the visiting order it spent), and its page offers no cancelling.
    let booking_page = j.staff_booking(&page(&token), on_the_day).await.unwrap();
    assert!(!booking_page.can_cancel);
    let e = j
        .staff_cancel(
            &CancelRequest {
                token: token.clone(),
                reference: visit.reference.clone(),
                reason: "prisoner_cancelled".into(),
                how: None,
                note: None,
                print_slip: false,
                lang: Default::default(),
            },
            on_the_day,
        )
        .await
        .unwrap_err();
    assert_eq!(code(e), "booking_arrived");
    assert!(
        !outbox_kinds(&store)
            .await
            .iter()
            .any(|k| k == "booking_cancelled")
    );
    let day = j
        .staff_today(
            &DayRequest {
                token: token.clone(),
                date: None,
            },
            on_the_day,
        )
        .await
        .unwrap();
    assert_eq!(day.date, date("2026-11-28"));
    assert_eq!((day.sessions[1].expected, day.sessions[1].arrived), (1, 1));

    // The mark travels to central and is in the audit log, naming the visit as printed.
    let events = store.outbox(0, 100).await.unwrap();
    let arrival = events.iter().find(|e| e.kind == "visit_attendance").unwrap();
    assert_eq!(arrival.payload["attendance"], "arrived");
    assert_eq!(arrival.payload["by"], "1002");
    assert!(
        audit_actions(&store)
            .await
            .contains(&("arrival".into(), Some(visit.reference.clone())))
    );
}

#[tokio::test]
async fn find_reads_a_reference_a_prisoner_number_or_a_surname_and_catches_a_typo() {
    let (_dir, store, j) = cardiff().await;
    let visit = book(&store, &rhys_request(PM), now()).await.unwrap();
    let token = signed_in(&j, "1002").await;
    let find = |query: &str| FindRequest {
        token: token.clone(),
        query: query.into(),
    };

    let by_ref = j
        .staff_find(&find(&visit.reference.to_string()), now())
        .await
        .unwrap();
    assert_eq!(by_ref.searched_by, "reference");
    assert_eq!(by_ref.visits.len(), 1);
    let compact = visit.reference.compact().to_lowercase();
    assert_eq!(
        j.staff_find(&find(&compact), now()).await.unwrap().visits.len(),
        1
    );

    let by_prisoner = j.staff_find(&find("a1234bc"), now()).await.unwrap();
    assert_eq!(by_prisoner.searched_by, "prisoner_number");
    assert_eq!(by_prisoner.visits.len(), 1);

    let by_surname = j.staff_find(&find("evans"), now()).await.unwrap();
    assert_eq!(by_surname.searched_by, "surname");
    assert_eq!(by_surname.visits.len(), 1);
    assert!(
        j.staff_find(&find("Jones"), now())
            .await
            .unwrap()
            .visits
            .is_empty()
    );

    // One character changed: the check character says it is a typo, on the search field.
    let mut typo: Vec<char> = visit.reference.compact().chars().collect();
    typo[2] = if typo[2] == 'A' { 'B' } else { 'A' };
    let typo: String = typo.into_iter().collect();
    let e = j.staff_find(&find(&typo), now()).await.unwrap_err();
    assert_eq!(e.errors[0].field.as_deref(), Some("query"));
    assert_eq!(e.errors[0].code, "reference_check_failed", "{e:?}");
    let e = j.staff_find(&find("12 %%"), now()).await.unwrap_err();
    assert_eq!(code(e), "search_invalid");

    // Searches are audited by kind, never with what was typed.
    let searches: Vec<_> = store
        .audit_log(0, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.action == "search")
        .collect();
    assert_eq!(searches.len(), 5);
    assert!(
        searches
            .iter()
            .all(|r| !r.detail.clone().unwrap_or_default().contains("vans"))
    );
}

#[tokio::test]
async fn a_cancellation_needs_a_reason_frees_the_table_returns_the_visiting_order_and_shows_in_history() {
    let (_dir, store, j) = cardiff().await;
    let visit = book(&store, &rhys_request(PM), now()).await.unwrap();
    let reference = visit.reference.to_string();
    let token = signed_in(&j, "1002").await;
    let tables_left = || async {
        available_sessions(&store, &prison_code("CDF"), None, None, now())
            .await
            .unwrap()
            .into_iter()
            .find(|s| s.id.to_string() == PM)
            .unwrap()
            .open_tables_left
    };
    let before = tables_left().await;
    let orders_before = kiosk_test_support::visiting_orders(&store, "A1234BC").await;
    let cancel = |reason: &str, how: Option<&str>, note: Option<String>| CancelRequest {
        token: token.clone(),
        reference: reference.clone(),
        reason: reason.into(),
        how: how.map(str::to_string),
        note,
        print_slip: false,
        lang: Default::default(),
    };

    let e = j
        .staff_cancel(&cancel("visitor_cancelled", None, None), now())
        .await
        .unwrap_err();
    assert_eq!(
        (e.errors[0].code.as_str(), e.errors[0].field.as_deref()),
        ("cancel_how_required", Some("how"))
    );
    let e = j
        .staff_cancel(&cancel("changed_mind", None, None), now())
        .await
        .unwrap_err();
    assert_eq!(e.errors[0].field.as_deref(), Some("reason"));
    let e = j
        .staff_cancel(&cancel("prisoner_cancelled", None, Some("x".repeat(513))), now())
        .await
        .unwrap_err();
    assert_eq!(
        (e.errors[0].code.as_str(), e.errors[0].field.as_deref()),
        ("note_too_long", Some("note"))
    );
    assert_eq!(
        tables_left().await,
        before,
        "a refused cancellation changes nothing"
    );

    let done = j
        .staff_cancel(
            &cancel("visitor_cancelled", Some("phone"), Some("Called at 9".into())),
            now(),
        )
        .await
        .unwrap();
    assert_eq!(done.page.visit.status, "cancelled");
    assert!(!done.page.can_cancel);
    assert_eq!(done.page.cancelled_by.as_deref(), Some("1002"));
    // Staff know each other by name; the number stays beside it.
    assert_eq!(done.page.cancelled_by_name.as_deref(), Some("Bryn Price"));
    let cancelled = done.page.history.iter().find(|h| h.kind == "cancelled").unwrap();
    assert_eq!(
        (cancelled.by.as_deref(), cancelled.by_name.as_deref()),
        (Some("1002"), Some("Bryn Price"))
    );
    assert_eq!(tables_left().await, before + 1, "the table is free at once");
    assert_eq!(
        kiosk_test_support::visiting_orders(&store, "A1234BC").await,
        orders_before + 1
    );
    let kinds: Vec<&str> = done.page.history.iter().map(|h| h.kind.as_str()).collect();
    assert_eq!(kinds, ["made", "cancelled"]);

    let events = store.outbox(0, 100).await.unwrap();
    let cancelled = events.iter().find(|e| e.kind == "booking_cancelled").unwrap();
    assert_eq!(cancelled.payload["reason"], "visitor_cancelled");
    assert_eq!(cancelled.payload["how"], "phone");
    assert_eq!(cancelled.payload["by"], "1002");
    assert_eq!(cancelled.payload["note"], "Called at 9");

    // Twice is refused: it is not live any more; nor can a cancelled visit be marked arrived.
    let e = j
        .staff_cancel(&cancel("prisoner_cancelled", None, None), now())
        .await
        .unwrap_err();
    assert_eq!(code(e), "booking_not_live");
    let e = j
        .staff_mark_arrival(
            &ArrivalRequest {
                token: token.clone(),
                reference: reference.clone(),
                attendance: Attendance::Arrived,
            },
            now(),
        )
        .await
        .unwrap_err();
    assert_eq!(code(e), "booking_not_live");
}

#[tokio::test]
async fn a_visit_of_another_prison_is_not_found_and_the_review_queue_holds_what_central_refused() {
    let (_dir, store, j) = cardiff().await;
    let token = signed_in(&j, "1001").await;
    // Kwame at Leeds: closed visits only, so a Saturday afternoon with closed tables.
    let leeds = book(
        &store,
        &request(
            "LDS",
            kiosk_test_support::kwame(),
            vec![picked("C000008")],
            "LDS-SAT-PM/2026-12-05",
        ),
        now(),
    )
    .await
    .unwrap();
    let e = j
        .staff_booking(
            &VisitRequest {
                token: token.clone(),
                reference: leeds.reference.to_string(),
            },
            now(),
        )
        .await
        .unwrap_err();
    assert_eq!(code(e), "booking_not_found");
    let visit = book(
        &store,
        &request("CDF", rhys(), vec![picked("C000001")], PM),
        now(),
    )
    .await
    .unwrap();
    // What a push answer leaves when central refuses a visit.
    sqlx::query(
        "UPDATE bookings SET status = 'rejected', status_reason = 'slot_unavailable' WHERE reference = ?",
    )
    .bind(visit.reference.compact())
    .execute(store.pool())
    .await
    .unwrap();
    let queue = j
        .staff_review_queue(&StaffToken { token: token.clone() }, now())
        .await
        .unwrap();
    assert_eq!(queue.visits.len(), 1);
    assert_eq!(queue.visits[0].review.as_deref(), Some("slot_unavailable"));
    j.staff_resolve(
        &ResolveRequest {
            token: token.clone(),
            reference: visit.reference.to_string(),
            note: Some("Told her by phone".into()),
        },
        now(),
    )
    .await
    .unwrap();
    assert!(
        j.staff_review_queue(&StaffToken { token: token.clone() }, now())
            .await
            .unwrap()
            .visits
            .is_empty()
    );
    let events = store.outbox(0, 100).await.unwrap();
    let resolved = events.iter().find(|e| e.kind == "review_resolved").unwrap();
    assert_eq!(resolved.payload["outcome"], "visitor_told");
    let e = j
        .staff_resolve(
            &ResolveRequest {
                token,
                reference: visit.reference.to_string(),
                note: None,
            },
            now(),
        )
        .await
        .unwrap_err();
    assert_eq!(code(e), "nothing_to_review");
}

#[tokio::test]
async fn a_supervisor_adds_an_account_whose_one_time_pin_works_once_and_the_health_screen_reports() {
    let (_dir, _store, j) = cardiff().await;
    let token = signed_in(&j, "1001").await;
    let change = |action: &str, number: &str, name: Option<&str>, role: Option<&str>| {
        kiosk::journey::AccountChangeRequest {
            token: token.clone(),
            action: action.into(),
            staff_number: number.into(),
            name: name.map(str::to_string),
            role: role.map(str::to_string),
            organisation: None,
            expires_on: None,
        }
    };
    // A helper needs an organisation and an expiry: both fields are named, with the name's.
    let e = j
        .staff_account_change(&change("add", "1004", Some(""), Some("helper")), now())
        .await
        .unwrap_err();
    let fields: Vec<_> = e.errors.iter().filter_map(|e| e.field.as_deref()).collect();
    assert_eq!(fields, ["name", "organisation", "expires_on"], "{e:?}");

    let added = j
        .staff_account_change(
            &change("add", "1004", Some("Dewi Owen"), Some("reception")),
            now(),
        )
        .await
        .unwrap();
    let pin = added.one_time_pin.clone().unwrap();
    assert!(added.account.must_change_pin);
    let first = j
        .staff_sign_in(
            &StaffSignInRequest {
                staff_number: "1004".into(),
                pin: pin.clone(),
            },
            now(),
        )
        .await
        .unwrap();
    assert!(first.must_change_pin);
    let e = j
        .staff_account_change(
            &change("add", "1004", Some("Dewi Owen"), Some("reception")),
            now(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        (e.errors[0].code.as_str(), e.errors[0].field.as_deref()),
        ("staff_account_exists", Some("staff_number"))
    );
    let listed = j
        .staff_accounts(&StaffToken { token: token.clone() }, now())
        .await
        .unwrap();
    assert_eq!(listed.accounts.len(), 4);

    let health = j
        .staff_health(&StaffToken { token: token.clone() }, now())
        .await
        .unwrap();
    assert!(!health.enrolled);
    assert_eq!(health.printer.state, "printer_not_configured");
    assert!(health.store_version >= 20261201160000, "{}", health.store_version);
    assert!(health.free_disk_bytes.is_some_and(|b| b > 0));
    // Not enrolled: there is no central to sync with, and the screen says so.
    let e = j.staff_sync_now(&StaffToken { token }, now()).await.unwrap_err();
    assert_eq!(code(e), "not_enrolled");
}

#[tokio::test]
async fn the_days_list_and_visit_passes_read_as_reception_needs_them_in_both_languages() {
    let (dir, store, j) = cardiff().await;
    // A long support note: the sheet wraps it rather than run it off the page.
    let note = format!("{} lastword", "needs a quiet room near the door ".repeat(14));
    let with_support = domain::BookingRequest {
        support: Some(domain::SupportInput {
            needs: vec!["wheelchair".into(), "other".into()],
            other: note.clone(),
        }),
        ..rhys_request(PM)
    };
    let visit = book(&store, &with_support, now()).await.unwrap();
    signed_in(&j, "1002").await;
    let on_the_day = at("2026-11-28T13:45:00Z");
    let token = signed_in_again(&j, "1002", on_the_day).await;
    j.staff_mark_arrival(
        &ArrivalRequest {
            token: token.clone(),
            reference: visit.reference.to_string(),
            attendance: Attendance::Arrived,
        },
        on_the_day,
    )
    .await
    .unwrap();
    let day = kiosk::desk::day(&store, &prison_code("CDF"), date("2026-11-28"))
        .await
        .unwrap();
    let text_of = |lines: &[kiosk::slip::SheetLine], name: &str| {
        let sheet = kiosk::slip::render_sheet("test", lines, now()).unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, &sheet.pdf).unwrap();
        kiosk_test_support::pdf::text(&path)
    };
    let list = text_of(
        &kiosk::desk::list_lines(
            "HMP Cardiff",
            date("2026-11-28"),
            &day,
            18,
            kiosk::slip::Language::English,
        ),
        "list.pdf",
    );
    assert!(list.contains(&visit.reference.to_string()), "{list}");
    assert!(list.contains("Siân Evans"), "{list}");
    assert!(list.contains("Rhys Evans (A1234BC)"), "{list}");
    assert!(list.contains("1 adult, 0 children"), "{list}");
    assert!(list.contains("ARRIVED"), "{list}");
    assert!(list.contains("1 booked, 1 arrived"), "{list}");
    assert!(
        list.contains("Support needed: Wheelchair access; Other: needs a quiet room"),
        "{list}"
    );
    assert!(
        list.contains("lastword"),
        "the end of a long note is on the page: {list}"
    );
    let passes = text_of(
        &kiosk::desk::pass_lines("Carchar Caerdydd", &day, 18, kiosk::slip::Language::Welsh),
        "passes.pdf",
    );
    assert!(passes.contains("Tocyn ymweld"), "{passes}");
    assert!(
        passes.contains("Cymorth sydd ei angen: Mynediad i gadair olwyn; Arall:"),
        "{passes}"
    );
    assert!(passes.contains("lastword"), "{passes}");
    assert!(passes.contains(&visit.reference.to_string()), "{passes}");

    // No printer set up: the sheet is not printed, and the page says why.
    let e = j
        .staff_print_day(
            &kiosk::journey::PrintDayRequest {
                token,
                date: Some(date("2026-11-28")),
                what: kiosk::desk::DaySheet::Passes,
                lang: Default::default(),
            },
            now(),
        )
        .await
        .unwrap_err();
    assert_eq!(code(e), "printer_not_configured");
}

#[tokio::test]
async fn a_refused_visit_moves_to_another_session_with_the_same_visitors_and_leaves_the_queue() {
    let (_dir, store, j) = cardiff().await;
    let refused = book(&store, &rhys_request(PM), now()).await.unwrap();
    sqlx::query(
        "UPDATE bookings SET status = 'rejected', status_reason = 'slot_unavailable' WHERE reference = ?",
    )
    .bind(refused.reference.compact())
    .execute(store.pool())
    .await
    .unwrap();
    let live = book(
        &store,
        &request("CDF", rhys(), vec![picked("C000001")], "CDF-SAT-AM/2026-12-05"),
        now(),
    )
    .await
    .unwrap();
    let token = signed_in(&j, "1002").await;
    let options = j
        .staff_move_options(
            &VisitRequest {
                token: token.clone(),
                reference: refused.reference.to_string(),
            },
            now(),
        )
        .await
        .unwrap();
    let ids: Vec<&str> = options
        .days
        .iter()
        .flat_map(|d| d.sessions.iter().map(|s| s.id.as_str()))
        .collect();
    assert!(!ids.contains(&PM), "its own session is not offered: {ids:?}");
    assert!(ids.contains(&"CDF-SAT-AM/2026-11-28"), "{ids:?}");

    let moved = j
        .staff_move(
            &kiosk::journey::MoveRequest {
                token: token.clone(),
                reference: refused.reference.to_string(),
                session: "CDF-SAT-AM/2026-11-28".into(),
            },
            now(),
        )
        .await
        .unwrap();
    assert_eq!(moved.to.status, "booked");
    assert_eq!(moved.to.visitors.len(), 1);
    assert_eq!(moved.to.visitors[0].first_name, "Siân");
    assert!(
        j.staff_review_queue(&StaffToken { token: token.clone() }, now())
            .await
            .unwrap()
            .visits
            .is_empty(),
        "the refused visit left the queue"
    );
    let events = store.outbox(0, 100).await.unwrap();
    let resolved = events.iter().find(|e| e.kind == "review_resolved").unwrap();
    assert_eq!(resolved.payload["outcome"], "moved");
    assert_eq!(resolved.payload["moved_to"], moved.to.reference);

    // A live visit moves too: the old one is cancelled as details changed.
    let moved = j
        .staff_move(
            &kiosk::journey::MoveRequest {
                token: token.clone(),
                reference: live.reference.to_string(),
                session: "CDF-SAT-PM/2026-12-05".into(),
            },
            now(),
        )
        .await
        .unwrap();
    let old = store.booking(&live.reference).await.unwrap();
    assert_eq!(old.status, kiosk::BookingStatus::Cancelled);
    assert_eq!(old.status_reason.as_deref(), Some("details_changed"));
    assert_eq!(moved.to.status, "booked");

    // A session the party cannot have is the booking's own refusal, and the old visit stands.
    let e = j
        .staff_move(
            &kiosk::journey::MoveRequest {
                token,
                reference: moved.to.reference.clone(),
                session: "CDF-SAT-PM/2026-12-05".into(),
            },
            now(),
        )
        .await
        .unwrap_err();
    assert_eq!(code(e), "move_same_session");
}

#[tokio::test]
async fn a_supervisor_sees_the_printer_and_enrolment_and_a_printer_must_exist_to_be_chosen() {
    let (_dir, _store, j) = cardiff().await;
    let token = signed_in(&j, "1001").await;
    let settings = j
        .staff_settings(&StaffToken { token: token.clone() }, now())
        .await
        .unwrap();
    assert!(!settings.enrolled);
    assert_eq!(settings.queue, None);
    let e = j
        .staff_set_printer(
            &kiosk::journey::PrinterRequest {
                token: token.clone(),
                queue: "no-such-queue".into(),
                paper: kiosk::slip::Paper::A4,
            },
            now(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.errors[0].field.as_deref(), Some("queue"), "{e:?}");
    let e = j
        .staff_enrol(
            &kiosk::journey::EnrolRequest {
                token: token.clone(),
                central_url: " ".into(),
                code: "ABC".into(),
            },
            now(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        (e.errors[0].code.as_str(), e.errors[0].field.as_deref()),
        ("central_url_required", Some("central_url"))
    );
    // Both blank: both fields are named at once, so the form is put right in one go.
    let e = j
        .staff_enrol(
            &kiosk::journey::EnrolRequest {
                token: token.clone(),
                central_url: String::new(),
                code: " ".into(),
            },
            now(),
        )
        .await
        .unwrap_err();
    let named: Vec<_> = e
        .errors
        .iter()
        .map(|e| (e.code.as_str(), e.field.as_deref()))
        .collect();
    assert_eq!(
        named,
        [
            ("central_url_required", Some("central_url")),
            ("enrolment_code_required", Some("code"))
        ]
    );
    // Reception may not change either.
    let reception = signed_in(&j, "1002").await;
    let e = j
        .staff_settings(&StaffToken { token: reception }, now())
        .await
        .unwrap_err();
    assert_eq!(code(e), "not_allowed");
}

/// A surname is found as staff type it on the kiosk's keyboard, without the accents it lacks,
/// in visits made here and in central's copies of visits made elsewhere.
#[tokio::test]
async fn find_by_surname_ignores_accents_in_own_and_pulled_visits() {
    let (_dir, store, j) = cardiff().await;
    // Kasia Dąbrowska, on Liu's (G1513RQ) contact list.
    let liu = domain::PrisonerInput {
        number: "G1513RQ".into(),
        date_of_birth: "2008-11-20".into(),
        surname: "Liu".into(),
    };
    let own = book(&store, &request("CDF", liu, vec![picked("C000126")], PM), now())
        .await
        .unwrap();
    let reference = domain::BookingReference::issue(
        domain::IssuerNumber::new(9).unwrap(),
        78,
        &domain::ReferenceScramble::Unkeyed,
    )
    .unwrap();
    let pulled = serde_json::json!({
        "reference": reference.to_string(), "status": "booked", "prison": "CDF",
        "prisoner_number": "A9371ZW", "session": PM, "date": "2026-11-28", "kind": "open",
        "spent_visiting_order": false, "channel": "kiosk", "used_share": false,
        "visitors": [{ "first_name": "Rosário", "last_name": "Gonçalves", "date_of_birth": "1973-08-10" }],
        "booked_at": "2026-11-24T09:00:00Z", "updated_at": "2026-11-24T09:00:00Z",
    });
    // Two visitors' surnames, as a pull keeps them.
    insert_pulled(&store, &reference, "A9371ZW", "|smith||gonçalves|", &pulled).await;
    let token = signed_in(&j, "1002").await;
    let found = |query: &str| {
        let request = FindRequest {
            token: token.clone(),
            query: query.into(),
        };
        let j = &j;
        async move {
            let answer = j.staff_find(&request, now()).await.unwrap();
            assert_eq!(answer.searched_by, "surname");
            answer.visits.into_iter().map(|v| v.reference).collect::<Vec<_>>()
        }
    };
    let own_ref = own.reference.to_string();
    for typed in ["dabrowska", "DĄBROWSKA", "Dąbrowska"] {
        assert_eq!(found(typed).await, std::slice::from_ref(&own_ref), "{typed}");
    }
    for typed in ["goncalves", "Gonçalves", "SMITH"] {
        assert_eq!(found(typed).await, [reference.to_string()], "{typed}");
    }
    // A part of a name, or a different letter, is not a match.
    for typed in ["dabrow", "dobrowska", "gon"] {
        assert!(found(typed).await.is_empty(), "{typed}");
    }
}
