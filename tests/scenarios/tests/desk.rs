//! Reception's work with central down, end to end with the real processes: a receptionist made
//! with `visit-central staff add` signs in at kiosk A (its engine, on its store file) while
//! central is stopped and cancels a visit booked at kiosk B; when central is back and A has
//! synced, central has the table free (a booking into it goes through). On the visit's day,
//! with central down again, she marks who came; central, back that afternoon, takes the
//! arrivals and A's audit log, and kiosk B shows the cancellation and the arrivals. A kiosk of
//! another prison gets none of it.
//!
//! Needs the binaries built first: `cargo build -p visit-central -p visit-kioskctl`.

mod common;

use common::*;

use chrono::{NaiveDate, Utc};
use kiosk::journey::{
    ArrivalRequest, CancelRequest, ChangePinRequest, DayRequest, DaySessionView, FindRequest, Journey,
    StaffSignInRequest, StaffToken, VisitRequest,
};
use scenarios::{Central, Kiosk, Proxy, bookable_prisoners, central_counts, open_capacity, request};
use serde_json::json;
use tempfile::TempDir;

/// Central with the demo data in `dir`, behind a proxy (so kiosks keep one address while it
/// restarts), and Rhian Evans (1101), a Cardiff receptionist made with `visit-central staff
/// add`: central, its database file, the proxy and her one-time PIN.
async fn central_with_a_receptionist(dir: &TempDir) -> (Central, std::path::PathBuf, Proxy, String) {
    let central = Central::with_demo(dir.path()).await;
    let db = dir.path().join("central.sqlite");
    let proxy = Proxy::start(central.addr).await;
    let first_pin = staff_added_at_central(&db, "CDF", "1101", "Rhian Evans", "reception", &[]).await;
    (central, db, proxy, first_pin)
}

/// A request as the page sends it.
fn ui<T: serde::de::DeserializeOwned>(body: serde_json::Value) -> T {
    serde_json::from_value(body).unwrap()
}

async fn the_session(j: &Journey, token: &str, date: NaiveDate, session: &str) -> DaySessionView {
    the_session_at(j, token, date, session, Utc::now()).await
}

/// [`the_session`] as the kiosk's clock reads `now`.
async fn the_session_at(
    j: &Journey,
    token: &str,
    date: NaiveDate,
    session: &str,
    now: chrono::DateTime<Utc>,
) -> DaySessionView {
    let day = j
        .staff_today(&ui::<DayRequest>(json!({ "token": token, "date": date })), now)
        .await
        .unwrap();
    day.sessions
        .into_iter()
        .find(|s| s.id == session)
        .unwrap_or_else(|| panic!("{session} not in the day's list"))
}

/// A sync of `kiosk` in which central takes every one of its `waiting` events.
async fn sync_all_accepted(kiosk: &Kiosk, waiting: u64) {
    let synced = kiosk.sync_ok().await;
    assert_eq!(synced["report"]["rejected"], 0, "{synced}");
    assert_eq!(synced["report"]["accepted"], waiting, "{synced}");
    assert_eq!(kiosk.status().await["queue_length"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reception_works_while_central_is_down_and_central_and_the_other_kiosk_catch_up() {
    let dir = TempDir::new().unwrap();
    let (mut central, db, proxy, first_pin) = central_with_a_receptionist(&dir).await;

    // Two Cardiff kiosks with no shares (every table is central's to give), one in Leeds.
    let kiosks = Kiosk::fleet(dir.path(), &["cardiff_a", "cardiff_b", "leeds"]);
    let (a, b, leeds) = (&kiosks[0], &kiosks[1], &kiosks[2]);
    a.enrol(&central, &proxy.url(), 0).await;
    b.enrol(&central, &proxy.url(), 0).await;
    let code = central.enrolment_code("LDS").await;
    let r = leeds
        .run(
            Some(&proxy.url()),
            &["enrol", "--code", &code, "--share-open", "0"],
            None,
        )
        .await;
    assert_eq!(r.code, 0, "{}", r.stderr);

    // Central's every open table of a Saturday morning booked, by turns at A and at B.
    let session = a.saturday_morning_a_week_out().await;
    let date: NaiveDate = session[11..].parse().unwrap();
    let capacity = open_capacity("CDF-SAT-AM");
    let people = bookable_prisoners();
    assert!(people.len() > capacity);
    let mut refs = Vec::new();
    for (i, p) in people[..capacity].iter().enumerate() {
        let r = kiosks[i % 2].book(None, &request(p, &session)).await;
        assert_eq!(r.json["status"], "booked", "{} {}", r.json, r.stderr);
        assert_eq!(r.json["via"], "online", "{}", r.json);
        refs.push(r.json["reference"].as_str().unwrap().to_string());
    }
    let last = &people[capacity];
    let full = b.book(None, &request(last, &session)).await;
    assert_eq!(full.json["error"]["code"], "session_full", "{}", full.json);
    a.sync_ok().await;
    b.sync_ok().await;
    assert_eq!(central_counts(&db, &session).await, (capacity as i64, 0));

    // Central stops. At A the receptionist signs in (a first sign-in: a PIN of her own first),
    // sees the whole session, B's visits too, cancels one of B's, and marks arrivals.
    central.kill().await;
    let now = Utc::now();
    let j = journey(a).await;
    let first = j
        .staff_sign_in(
            &StaffSignInRequest {
                staff_number: "1101".into(),
                pin: first_pin.clone(),
            },
            now,
        )
        .await
        .unwrap();
    assert!(first.must_change_pin);
    let token = first.token;
    j.staff_change_pin(
        &ChangePinRequest {
            token: token.clone(),
            current_pin: None,
            new_pin: OWN_PIN.into(),
        },
        now,
    )
    .await
    .unwrap();
    let am = the_session(&j, &token, date, &session).await;
    assert_eq!(am.expected as usize, capacity);
    for (i, r) in refs.iter().enumerate() {
        let row = am
            .visits
            .iter()
            .find(|v| v.reference == *r)
            .unwrap_or_else(|| panic!("{r} not in A's list"));
        assert_eq!(row.made_here, i % 2 == 0, "{r}");
    }

    let (cancelled, came, came_too, stayed_away) = (&refs[1], &refs[0], &refs[3], &refs[2]);
    let answer = j
        .staff_cancel(
            &ui::<CancelRequest>(json!({
                "token": token, "reference": cancelled, "reason": "visitor_cancelled", "how": "phone",
                "note": "Rang: the car broke down",
            })),
            now,
        )
        .await
        .unwrap();
    assert_eq!(answer.page.visit.status, "cancelled");
    j.staff_sign_out(&StaffToken { token }, now).await.unwrap();
    j.store().close().await;

    // Nothing of it reached central: A's sync fails and everything waits in its outbox (sign-in,
    // PIN change and its account event, the cancellation, its audit and the view of the visit
    // after it, sign-out).
    let down = a.sync().await;
    assert_ne!(down.code, 0, "{}", down.json);
    let waiting = a.status().await["queue_length"].as_u64().unwrap();
    assert_eq!(waiting, 7);

    // Central is back. Until A has synced it still counts the cancelled visit.
    central = Central::start(&db).await;
    proxy.point_at(central.addr);
    let still_full = b.book(None, &request(last, &session)).await;
    assert_eq!(
        still_full.json["error"]["code"], "session_full",
        "{}",
        still_full.json
    );
    sync_all_accepted(a, waiting).await;

    // Central has the table free, the cancellation and its audit entry.
    assert_eq!(central_counts(&db, &session).await, (capacity as i64 - 1, 0));
    let at_central = central.bookings("CDF", &date.to_string()).await;
    let row = at_central.iter().find(|b| b["reference"] == *cancelled).unwrap();
    assert_eq!(row["status"], "cancelled");
    assert_eq!(row["status_reason"], "visitor_cancelled");
    // From the day of the cancellation to the visit's day, when the arrivals are marked below.
    let today = now.date_naive();
    let (from, to) = (
        today.pred_opt().unwrap().to_string(),
        date.succ_opt().unwrap().to_string(),
    );
    let audit = Central::admin(&db, &["audit", "--prison", "CDF", "--from", &from, "--to", &to]).await;
    assert!(
        audit.contains(&format!(",1101,reception,cancel,{cancelled},visitor_cancelled,")),
        "{audit}"
    );

    // The freed table is central's to give: the visitor refused twice gets it, through central.
    let r = b.book(None, &request(last, &session)).await;
    assert_eq!(r.json["status"], "booked", "{} {}", r.json, r.stderr);
    assert_eq!(r.json["via"], "online", "{}", r.json);
    let rebooked = r.json["reference"].as_str().unwrap().to_string();

    // The visit's day, and central is down again. Who came is marked on the day: she signs in
    // at A that morning and marks the arrivals offline.
    central.kill().await;
    let on_the_day = date.and_hms_opt(10, 45, 0).unwrap().and_utc();
    let j = journey(a).await;
    let token = j
        .staff_sign_in(
            &StaffSignInRequest {
                staff_number: "1101".into(),
                pin: OWN_PIN.into(),
            },
            on_the_day,
        )
        .await
        .unwrap()
        .token;
    for (reference, attendance) in [
        (came, "arrived"),
        (came_too, "arrived"),
        (stayed_away, "did_not_arrive"),
    ] {
        let row = j
            .staff_mark_arrival(
                &ui::<ArrivalRequest>(json!({
                    "token": token, "reference": reference, "attendance": attendance,
                })),
                on_the_day,
            )
            .await
            .unwrap();
        assert_eq!(
            serde_json::to_value(row.attendance).unwrap(),
            attendance,
            "{reference}"
        );
    }
    let am = the_session_at(&j, &token, date, &session, on_the_day).await;
    assert_eq!((am.expected as usize, am.arrived), (capacity - 1, 2));
    j.staff_sign_out(&StaffToken { token }, on_the_day).await.unwrap();
    j.store().close().await;
    // Sign-in, three arrivals and their audits, sign-out.
    let down = a.sync().await;
    assert_ne!(down.code, 0, "{}", down.json);
    let waiting = a.status().await["queue_length"].as_u64().unwrap();
    assert_eq!(waiting, 8);

    // Central is back that afternoon (its clock on the visit's day: it judges each arrival by
    // the prison's date when it was marked) and has the arrivals and their audit entries.
    let that_afternoon = date.and_hms_opt(14, 0, 0).unwrap().and_utc();
    central = Central::start_with(&db, None, &["--pretend-now".into(), that_afternoon.to_rfc3339()]).await;
    proxy.point_at(central.addr);
    sync_all_accepted(a, waiting).await;
    assert_eq!(Central::attendance(&db, came).await.as_deref(), Some("arrived"));
    assert_eq!(
        Central::attendance(&db, came_too).await.as_deref(),
        Some("arrived")
    );
    assert_eq!(
        Central::attendance(&db, stayed_away).await.as_deref(),
        Some("did_not_arrive")
    );
    assert_eq!(Central::attendance(&db, &refs[4]).await, None);
    let audit = Central::admin(&db, &["audit", "--prison", "CDF", "--from", &from, "--to", &to]).await;
    for (reference, what) in [
        (came, "arrived"),
        (came_too, "arrived"),
        (stayed_away, "did_not_arrive"),
    ] {
        assert!(
            audit.contains(&format!(",1101,reception,arrival,{reference},{what},")),
            "{audit}"
        );
    }
    assert!(!audit.contains(&first_pin) && !audit.contains(OWN_PIN));

    // B, after its sync: the visit it made shows cancelled by 1101, with the arrivals marked at
    // A, and the receptionist's own PIN works there.
    b.sync_ok().await;
    let jb = journey(b).await;
    let now = Utc::now();
    let token = jb
        .staff_sign_in(
            &StaffSignInRequest {
                staff_number: "1101".into(),
                pin: OWN_PIN.into(),
            },
            now,
        )
        .await
        .unwrap()
        .token;
    let page = jb
        .staff_booking(
            &VisitRequest {
                token: token.clone(),
                reference: cancelled.clone(),
            },
            now,
        )
        .await
        .unwrap();
    assert_eq!(page.visit.status, "cancelled");
    assert_eq!(page.cancelled_by.as_deref(), Some("1101"));
    assert!(!page.can_cancel && !page.can_mark_arrival);
    let found = jb
        .staff_find(
            &FindRequest {
                token: token.clone(),
                query: cancelled.clone(),
            },
            now,
        )
        .await
        .unwrap();
    assert_eq!(found.visits.len(), 1);
    assert_eq!(found.visits[0].status, "cancelled");
    let am = the_session(&jb, &token, date, &session).await;
    assert_eq!((am.expected as usize, am.arrived), (capacity, 2));
    let attendance = |r: &str| {
        am.visits
            .iter()
            .find(|v| v.reference == r)
            .map(|v| serde_json::to_value(v.attendance).unwrap())
            .unwrap_or_else(|| panic!("{r} not in B's list"))
    };
    assert_eq!(attendance(came), "arrived");
    assert_eq!(attendance(came_too), "arrived");
    assert_eq!(attendance(stayed_away), "did_not_arrive");
    assert_eq!(attendance(&rebooked), serde_json::Value::Null);
    jb.store().close().await;

    // Leeds pulls nothing of Cardiff's visits.
    let synced = leeds.sync_ok().await;
    assert_eq!(synced["report"]["pulled_bookings"], 0, "{synced}");
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", leeds.db.display()))
        .await
        .unwrap();
    let held: i64 =
        sqlx::query_scalar("SELECT (SELECT COUNT(*) FROM pulled_bookings) + (SELECT COUNT(*) FROM bookings)")
            .fetch_one(&pool)
            .await
            .unwrap();
    pool.close().await;
    assert_eq!(held, 0);
}

/// A kiosk whose clock runs ahead of central's marks an arrival on what it takes for the
/// visit's morning, while central's clock still says the evening before: central refuses the
/// mark, and the kiosk does not keep it either. The visit shows unmarked at the desk, its
/// history says central did not keep the mark and why, and marked again once central's day has
/// come, it is taken.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_arrival_central_refuses_as_early_is_not_kept_at_the_kiosk() {
    let dir = TempDir::new().unwrap();
    let (mut central, db, proxy, first_pin) = central_with_a_receptionist(&dir).await;
    let kiosks = Kiosk::fleet(dir.path(), &["cardiff_a"]);
    let a = &kiosks[0];
    a.enrol(&central, &proxy.url(), 0).await;
    let session = a.saturday_morning_a_week_out().await;
    let date: NaiveDate = session[11..].parse().unwrap();
    let r = a.book(None, &request(&bookable_prisoners()[0], &session)).await;
    assert_eq!(r.json["status"], "booked", "{} {}", r.json, r.stderr);
    let reference = r.json["reference"].as_str().unwrap().to_string();
    a.sync_ok().await;

    // Central's clock: the evening before the visit. The kiosk's: the visit's morning.
    central.kill().await;
    let evening_before = date.pred_opt().unwrap().and_hms_opt(18, 0, 0).unwrap().and_utc();
    central = Central::start_with(&db, None, &["--pretend-now".into(), evening_before.to_rfc3339()]).await;
    proxy.point_at(central.addr);
    let morning = date.and_hms_opt(10, 45, 0).unwrap().and_utc();
    let mark = |j: &Journey, token: &str| {
        let request = ui::<ArrivalRequest>(json!({
            "token": token, "reference": reference, "attendance": "arrived",
        }));
        let j = j.clone();
        async move { j.staff_mark_arrival(&request, morning).await.unwrap() }
    };
    let page = |j: &Journey, token: &str| {
        let request = ui::<VisitRequest>(json!({ "token": token, "reference": reference }));
        let j = j.clone();
        async move { j.staff_booking(&request, morning).await.unwrap() }
    };
    let j = journey(a).await;
    let token = signed_in(&j, "1101", &first_pin, morning).await;
    let marked = mark(&j, &token).await;
    assert_eq!(serde_json::to_value(marked.attendance).unwrap(), "arrived");
    j.store().close().await;

    let synced = a.sync_ok().await;
    assert_eq!(synced["report"]["rejected"], 1, "{synced}");
    assert_eq!(Central::attendance(&db, &reference).await, None);
    let j = journey(a).await;
    let token = signed_in_with_own_pin(&j, morning).await;
    let shown = page(&j, &token).await;
    assert_eq!(
        shown.visit.attendance, None,
        "the kiosk kept a mark central refused"
    );
    assert!(shown.can_mark_arrival);
    let refused: Vec<_> = shown
        .history
        .iter()
        .filter(|h| h.kind == "arrival_refused")
        .map(|h| h.detail.as_deref())
        .collect();
    assert_eq!(
        refused,
        [Some("attendance_before_visit_day")],
        "{:?}",
        shown.history
    );

    // Central's day has come: the mark made again is taken, and the kiosk keeps it.
    central.kill().await;
    central = Central::start_with(&db, None, &["--pretend-now".into(), morning.to_rfc3339()]).await;
    proxy.point_at(central.addr);
    mark(&j, &token).await;
    j.store().close().await;
    let synced = a.sync_ok().await;
    assert_eq!(synced["report"]["rejected"], 0, "{synced}");
    assert_eq!(
        Central::attendance(&db, &reference).await.as_deref(),
        Some("arrived")
    );
    let j = journey(a).await;
    let token = signed_in_with_own_pin(&j, morning).await;
    let shown = page(&j, &token).await;
    assert_eq!(serde_json::to_value(shown.visit.attendance).unwrap(), "arrived");
    drop(central);
}

/// Signs in as 1101 with the PIN chosen at the first sign-in.
async fn signed_in_with_own_pin(j: &Journey, now: chrono::DateTime<Utc>) -> String {
    let request = StaffSignInRequest {
        staff_number: "1101".into(),
        pin: OWN_PIN.into(),
    };
    j.staff_sign_in(&request, now).await.unwrap().token
}
