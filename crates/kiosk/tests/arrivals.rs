//! Who came to a visit, and what that settles: arrivals are marked on the visit's day (the
//! refusal before it is in `desk.rs`), and a visit its visitors came to took place, so neither
//! staff nor its visitor can cancel or move it afterwards. On a real store file, as the UI
//! calls the engine.

mod common;

use kiosk::booking::book;
use kiosk::journey::{ArrivalRequest, FindBookingRequest, ManageBookingRequest, MoveRequest, VisitRequest};
use kiosk_test_support::{at, now, rhys_request};
use protocol::Attendance;

use common::*;

#[tokio::test]
async fn a_visit_its_visitors_came_to_cannot_be_cancelled_or_moved_by_staff_or_by_its_visitor() {
    let (_dir, store, j) = cardiff().await;
    let visit = book(&store, &rhys_request(PM), now()).await.unwrap();
    let reference = visit.reference.to_string();
    signed_in(&j, "1002").await;
    let on_the_day = at("2026-11-28T13:45:00Z");
    let token = signed_in_again(&j, "1002", on_the_day).await;
    j.staff_mark_arrival(
        &ArrivalRequest {
            token: token.clone(),
            reference: reference.clone(),
            attendance: Attendance::Arrived,
        },
        on_the_day,
    )
    .await
    .unwrap();
    let orders = kiosk_test_support::visiting_orders(&store, "A1234BC").await;
    let events = outbox_kinds(&store).await;
    let bookings = kiosk_test_support::count(&store, "SELECT COUNT(*) FROM bookings").await;

    // Moving it would make a second visit, and the first could not be cancelled.
    let to_move = VisitRequest {
        token: token.clone(),
        reference: reference.clone(),
    };
    let e = j.staff_move_options(&to_move, on_the_day).await.unwrap_err();
    assert_eq!(code(e), "booking_arrived");
    let e = j
        .staff_move(
            &MoveRequest {
                token: token.clone(),
                reference: reference.clone(),
                session: "CDF-SAT-PM/2026-12-05".into(),
            },
            on_the_day,
        )
        .await
        .unwrap_err();
    assert_eq!(code(e), "booking_arrived");

    // Its visitor, at the kiosk the same afternoon, is not offered a cancellation and cannot make one.
    let found = j
        .visitor_find_booking(
            &FindBookingRequest {
                reference: reference.clone(),
                date_of_birth: "1992-03-14".into(),
            },
            on_the_day,
        )
        .await
        .unwrap();
    assert!(!found.can_cancel);
    let e = j
        .visitor_cancel_booking(
            &ManageBookingRequest {
                reference: reference.clone(),
                date_of_birth: "1992-03-14".into(),
                lang: Default::default(),
            },
            on_the_day,
        )
        .await
        .unwrap_err();
    assert_eq!(code(e), "booking_not_cancellable");

    // None of it changed anything.
    assert_eq!(
        store.booking(&visit.reference).await.unwrap().status,
        kiosk::BookingStatus::Booked
    );
    assert_eq!(
        kiosk_test_support::visiting_orders(&store, "A1234BC").await,
        orders
    );
    assert_eq!(outbox_kinds(&store).await, events);
    assert_eq!(
        kiosk_test_support::count(&store, "SELECT COUNT(*) FROM bookings").await,
        bookings
    );
}
