//! A decided booking's write, straight on the store: it takes the session's table only while
//! the session has one, keeps the answer only where its key has none, and writes nothing after
//! either fails. The service's rules refuse a full session before the write on SQLite (its one
//! writer reads the counts as they stand), so only a write made here shows its guard there.

use crate::helpers::*;
use central::store::{
    BookedVisitor, BookingWrite, Channel, NewBooking, RowCounts, StoreTx, TableKey, Written,
};
use domain::{PrisonerNumber, SessionId, VisitKind};
use protocol::BookingStatus;

/// A booking for TST's test prisoner 9 in `session`, spending a visiting order, with one visitor.
async fn write(
    tx: &mut dyn StoreTx,
    session: &str,
    reference: &str,
    answer: Option<(&str, &str)>,
) -> Written {
    let session = SessionId::parse(session).unwrap();
    let key = TableKey::new(&session, VisitKind::Open);
    let prison = prison_code("TST");
    let visitors = [BookedVisitor {
        first_name: "Visitor".into(),
        last_name: "Familyj".into(),
        date_of_birth: Some(chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()),
        contact_id: Some("TC00009".into()),
    }];
    let details = Default::default();
    let prisoner = PrisonerNumber::parse("T0009AA").unwrap();
    let stored = central::store::StoredAnswer {
        fingerprint: "f".into(),
        status_code: 201,
        body: "{}".into(),
    };
    let w = BookingWrite {
        booking: NewBooking {
            reference,
            prison: &prison,
            prisoner_number: prisoner.as_str(),
            key: &key,
            status: BookingStatus::Booked,
            status_reason: None,
            spent_visiting_order: true,
            channel: Channel::Online,
            kiosk_id: answer.map(|(kiosk, _)| kiosk),
            used_share: false,
            review_reason: None,
            visitors: &visitors,
            details: &details,
            booked_at: now(),
            received_at: now(),
        },
        prisoner: &prisoner,
        capacity: Some(TST_OPEN_TABLES as u32),
        answer: answer.map(|(kiosk_id, key)| central::store::AnswerToKeep {
            kiosk_id,
            key,
            answer: &stored,
            now: now(),
            keep_until: now() + chrono::Duration::days(1),
        }),
    };
    tx.write_booking(&w).await.unwrap()
}

/// What a write leaves, read in its own transaction: the booking, its visiting order.
async fn written_in(tx: &mut dyn StoreTx, reference: &str) -> (bool, u32) {
    let booking = tx.booking(reference).await.unwrap();
    let number = PrisonerNumber::parse("T0009AA").unwrap();
    let (_, prisoner) = tx.prisoner(&number, false).await.unwrap().unwrap();
    (booking.is_some(), prisoner.visiting_orders)
}

#[tokio::test]
async fn a_write_to_a_full_session_or_for_an_answered_key_writes_nothing_after_it() {
    let app = spawn_app().await;
    let enrolled = app.kiosk(&["TST"]).await;
    let kiosk = app.central.authenticate(&enrolled.token).await.unwrap();
    let answered = key();
    for i in 0..TST_OPEN_TABLES {
        let request = serde_json::from_value(tst_booking(i)).unwrap();
        let k = if i == 0 { answered.clone() } else { key() };
        let booked = app.central.book_online(&kiosk, &k, &request).await.unwrap();
        assert_eq!(booked.status, 201, "{}", booked.body);
    }
    let full: RowCounts = app.counts().await;

    // The session is full: nothing is written, so its caller may keep its refusal and commit.
    let mut tx = app.central.store().begin_write().await.unwrap();
    let fresh = key();
    let written = write(&mut *tx, TST_SESSION, "WRITE-FULL", Some((&kiosk.id, &fresh))).await;
    assert_eq!(written, Written::SessionFull);
    assert_eq!(written_in(&mut *tx, "WRITE-FULL").await, (false, 5));
    tx.commit().await.unwrap();
    assert_eq!(app.counts().await, full, "a full session's write left nothing");

    // Next week has tables, but the key already has an answer: the booking, its visitors and
    // its visiting order are not written (the table taken is undone by the caller's rollback).
    let next_week = "TST-TUE/2026-12-08";
    let mut tx = app.central.store().begin_write().await.unwrap();
    let written = write(&mut *tx, next_week, "WRITE-KEY", Some((&kiosk.id, &answered))).await;
    assert_eq!(written, Written::KeyAnswered);
    assert_eq!(written_in(&mut *tx, "WRITE-KEY").await, (false, 5));
    tx.rollback().await.unwrap();
    assert_eq!(app.counts().await, full);

    // With a table and a new key, everything is written.
    let mut tx = app.central.store().begin_write().await.unwrap();
    let written = write(&mut *tx, next_week, "WRITE-OK", Some((&kiosk.id, &fresh))).await;
    assert_eq!(written, Written::Booked);
    assert_eq!(written_in(&mut *tx, "WRITE-OK").await, (true, 4));
    tx.commit().await.unwrap();
    let after = app.counts().await;
    assert_eq!(
        (
            after.bookings,
            after.booking_visitors,
            after.idempotency,
            after.booked_tables
        ),
        (
            full.bookings + 1,
            full.booking_visitors + 1,
            full.idempotency + 1,
            full.booked_tables + 1
        )
    );
    app.assert_capacity_kept().await;
}
