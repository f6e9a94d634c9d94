//! A supervisor's Sessions screen at a kiosk's engine against the real central process: changing
//! a session date's tables (never below what is taken) and closing sessions, online only, each
//! audited and seen on the kiosk at once; reception refused; a call whose answer was lost made
//! again under the same idempotency key; central down refusing both with `central_unreachable`.
//!
//! Needs the binaries built first: `cargo build -p visit-central -p visit-kioskctl`.

mod common;

use common::*;

use chrono::{Duration, NaiveDate, Utc};
use kiosk::journey::{CloseSessionsRequest, Journey, SetTablesRequest, StaffToken, UiErrors};
use kiosk::sync::{SyncOptions, Via};
use scenarios::{Central, DEAD, Fault, Kiosk, Proxy, bookable_prisoners, request};
use serde_json::json;
use tempfile::TempDir;

async fn add_staff(db: &std::path::Path, number: &str, name: &str, role: &str) -> String {
    one_time_pin(
        &Central::admin(
            db,
            &[
                "staff", "add", "--prison", "CDF", "--number", number, "--name", name, "--role", role,
            ],
        )
        .await,
    )
}

fn close(token: &str, body: serde_json::Value) -> CloseSessionsRequest {
    let mut body = body;
    body["token"] = json!(token);
    serde_json::from_value(body).unwrap()
}

fn tables(token: &str, session: &str, tables: u16) -> SetTablesRequest {
    serde_json::from_value(json!({
        "token": token, "session": session, "kind": "open", "tables": tables,
    }))
    .unwrap()
}

fn code(e: UiErrors) -> String {
    assert_eq!(e.errors.len(), 1, "{e:?}");
    e.errors[0].code.clone()
}

/// The closure rows central's audit holds for `what` (its own and the kiosk's uploaded ones).
fn closures_of(audit: &str, what: &str) -> usize {
    audit
        .lines()
        .filter(|l| l.contains(",closure,") && l.contains(what))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supervisor_changes_tables_and_closes_sessions_through_central_and_only_through_it() {
    let dir = TempDir::new().unwrap();
    let mut central = Central::with_demo(dir.path()).await;
    let db = dir.path().join("central.sqlite");
    let proxy = Proxy::start(central.addr).await;
    let ann_pin = add_staff(&db, "1001", "Ann Jones", "supervisor").await;
    let bryn_pin = add_staff(&db, "1101", "Bryn Price", "reception").await;
    let kiosk = &Kiosk::fleet(dir.path(), &["cardiff"])[0];
    kiosk.enrol(&central, &proxy.url(), 0).await;
    let session = kiosk.saturday_morning_a_week_out().await;
    let date: NaiveDate = session[11..].parse().unwrap();
    let people = bookable_prisoners();
    for p in &people[..3] {
        let r = kiosk.book(None, &request(p, &session)).await;
        assert_eq!(r.json["via"], "online", "{} {}", r.json, r.stderr);
    }
    kiosk.sync_ok().await;

    let now = Utc::now();
    let j = Journey::new(
        kiosk::Store::open(&kiosk.db).await.unwrap(),
        &domain::PrisonCode::parse("CDF").unwrap(),
    );
    let ann = signed_in(&j, "1001", &ann_pin, now).await;
    let bryn = signed_in(&j, "1101", &bryn_pin, now).await;

    // Reception may do none of it, and nothing reaches central.
    let as_bryn = StaffToken { token: bryn.clone() };
    assert_eq!(
        code(j.staff_sessions(&as_bryn, now).await.unwrap_err()),
        "not_allowed"
    );
    let closing = json!({ "session": session, "reason": "lockdown" });
    assert_eq!(
        code(
            j.staff_close(&close(&bryn, closing.clone()), now)
                .await
                .unwrap_err()
        ),
        "not_allowed"
    );
    assert_eq!(
        code(
            j.staff_set_tables(&tables(&bryn, &session, 30), now)
                .await
                .unwrap_err()
        ),
        "not_allowed"
    );

    // The supervisor sees the coming four weeks, this Saturday with its three visits.
    let as_ann = StaffToken { token: ann.clone() };
    let overview = j.staff_sessions(&as_ann, now).await.unwrap();
    assert_eq!(overview.to - overview.from, Duration::days(27));
    let row = |o: &kiosk::journey::SessionsOverview| {
        o.sessions
            .iter()
            .find(|s| s.id == session)
            .unwrap_or_else(|| panic!("{session} not listed"))
            .clone()
    };
    let am = row(&overview);
    assert_eq!(am.closed_reason, None);
    assert_eq!(
        (
            am.tables[0].booked,
            am.tables[0].capacity,
            am.tables[0].template_capacity
        ),
        (3, 20, 20)
    );
    assert!(overview.sessions.len() > 20, "four weeks of sessions");

    // Fewer tables than are booked: refused, saying the fewest there can be.
    let e = j
        .staff_set_tables(&tables(&ann, &session, 2), now)
        .await
        .unwrap_err();
    assert_eq!(e.errors[0].code, "tables_below_booked");
    assert_eq!(e.errors[0].field.as_deref(), Some("tables"));
    assert_eq!(e.errors[0].params["min"], "3");

    // Four: central has it, and the kiosk counts with it at once (its round pulled it).
    let set = j.staff_set_tables(&tables(&ann, &session, 4), now).await.unwrap();
    assert_eq!((set.tables, set.template_tables, set.booked), (4, 20, 3));
    let am = row(&j.staff_sessions(&as_ann, now).await.unwrap());
    assert_eq!((am.tables[0].booked, am.tables[0].capacity), (3, 4));
    let day = j
        .staff_today(
            &serde_json::from_value(json!({ "token": ann, "date": date })).unwrap(),
            now,
        )
        .await
        .unwrap();
    let today_row = day.sessions.iter().find(|s| s.id == session).unwrap();
    assert_eq!((today_row.tables[0].used, today_row.tables[0].capacity), (3, 4));
    let left = kiosk::booking::available_sessions(j.store(), j.prison_code(), Some(date), Some(date), now)
        .await
        .unwrap();
    let left = left.iter().find(|s| s.id.to_string() == session).unwrap();
    assert_eq!(left.open_tables_left, 1);
    // Offline, with no share of its own, the kiosk only records a request for the last table,
    // and refuses the one after: the template's 20 no longer count.
    let offline = SyncOptions {
        central_url: Some(DEAD.into()),
        ..SyncOptions::for_visitors()
    };
    let asked: domain::BookingRequest = serde_json::from_value(request(&people[3], &session)).unwrap();
    let booked = kiosk::sync::book(j.store(), &offline, &asked, now).await.unwrap();
    assert_eq!(booked.via, Via::Offline);
    assert_eq!(booked.booking.status.as_str(), "requested");
    let refused: domain::BookingRequest = serde_json::from_value(request(&people[4], &session)).unwrap();
    let e = kiosk::sync::book(j.store(), &offline, &refused, now)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "session_full");

    // Closed: the kiosk shows it at once, and its visits are in the review queue.
    let closed = j
        .staff_close(
            &close(
                &ann,
                json!({ "session": session, "reason": "lockdown", "note": "Search of B wing" }),
            ),
            now,
        )
        .await
        .unwrap();
    assert_eq!(closed.sessions, std::slice::from_ref(&session));
    assert_eq!(closed.in_review.len(), 3, "{closed:?}");
    assert!(
        row(&j.staff_sessions(&as_ann, now).await.unwrap())
            .closed_reason
            .is_some()
    );
    let queue = j.staff_review_queue(&as_ann, now).await.unwrap();
    for reference in &closed.in_review {
        let v = queue
            .visits
            .iter()
            .find(|v| v.reference == *reference)
            .unwrap_or_else(|| panic!("{reference} not in review"));
        assert_eq!(v.review.as_deref(), Some("session_closed"));
    }
    assert_eq!(
        code(
            j.staff_close(&close(&ann, closing.clone()), now)
                .await
                .unwrap_err()
        ),
        "session_closed"
    );

    // A whole day a week later, whose answer is lost: central closed it; the same call again goes
    // with the same key and gets central's answer, not `session_closed`.
    let later = (date + Duration::days(7)).to_string();
    let whole_day = json!({ "date": later, "reason": "staff_shortage" });
    proxy.set(Fault::CutAnswer);
    assert_eq!(
        code(
            j.staff_close(&close(&ann, whole_day.clone()), now)
                .await
                .unwrap_err()
        ),
        "central_unreachable"
    );
    proxy.set(Fault::Pass);
    let again = j.staff_close(&close(&ann, whole_day.clone()), now).await.unwrap();
    assert_eq!(again.date.to_string(), later);
    assert!(!again.sessions.is_empty());
    // Answered: a new call is a new one, and central says the day is closed already.
    assert_eq!(
        code(
            j.staff_close(&close(&ann, whole_day.clone()), now)
                .await
                .unwrap_err()
        ),
        "session_closed"
    );

    // Central down: refused, never queued.
    central.kill().await;
    let another = (date + Duration::days(14)).to_string();
    assert_eq!(
        code(
            j.staff_close(&close(&ann, json!({ "date": another, "reason": "other" })), now)
                .await
                .unwrap_err()
        ),
        "central_unreachable"
    );
    let next_week = format!("CDF-SAT-AM/{later}");
    assert_eq!(
        code(
            j.staff_set_tables(&tables(&ann, &next_week, 10), now)
                .await
                .unwrap_err()
        ),
        "central_unreachable"
    );
    let audited: Vec<String> = j
        .store()
        .audit_log(0, 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.action == "closure" || r.action == "tables_changed")
        .map(|r| r.action)
        .collect();
    assert_eq!(audited, ["tables_changed", "closure", "closure"]);
    j.store().close().await;

    // Back up: central has each closure once, the kiosk's audit of them too.
    central = Central::start(&db).await;
    proxy.point_at(central.addr);
    kiosk.sync_ok().await;
    let today = now.date_naive();
    let audit = Central::admin(
        &db,
        &[
            "audit",
            "--prison",
            "CDF",
            "--from",
            &today.pred_opt().unwrap().to_string(),
            "--to",
            &today.succ_opt().unwrap().to_string(),
        ],
    )
    .await;
    // Central's own row and the kiosk's, for each.
    assert_eq!(closures_of(&audit, &later), 2, "{audit}");
    assert_eq!(closures_of(&audit, &session), 2, "{audit}");
    assert_eq!(closures_of(&audit, &another), 0, "{audit}");
    assert!(!audit.contains(OWN_PIN));
}
