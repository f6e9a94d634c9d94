//! A helper books on someone's behalf: how the visit was asked for, the main contact (required
//! when the visitor is not there), additional support, and the helper named from the session,
//! never from the page; a visitor may give a contact and support but not claim a helper.

mod common;

use common::*;
use domain::{BookedByInput, BookingRequest, MainContactInput, SupportInput};
use kiosk::journey::{DayRequest, HelperBookRequest, Journey, StaffSignInRequest, StaffToken, UiErrors};
use kiosk_test_support::{now, rhys_request};

fn contact(phone: &str) -> MainContactInput {
    MainContactInput {
        name: "Siân Evans".into(),
        phone: phone.into(),
        email: "sian@example.org".into(),
        language: "cy".into(),
    }
}

fn on_behalf(method: &str, main_contact: Option<MainContactInput>) -> BookingRequest {
    BookingRequest {
        request_method: Some(method.into()),
        main_contact,
        support: Some(SupportInput {
            needs: vec!["wheelchair".into(), "other".into()],
            other: "Needs a seat near the door".into(),
        }),
        ..rhys_request(PM)
    }
}

async fn helper_book(
    j: &Journey,
    token: &str,
    request: BookingRequest,
) -> Result<kiosk::journey::BookingConfirmation, UiErrors> {
    j.helper_book(
        &HelperBookRequest {
            token: token.into(),
            request,
        },
        now(),
    )
    .await
}

fn fields(e: &UiErrors) -> Vec<(&str, Option<&str>)> {
    e.errors
        .iter()
        .map(|e| (e.code.as_str(), e.field.as_deref()))
        .collect()
}

#[tokio::test]
async fn a_helper_books_for_someone_not_here_with_a_main_contact_and_is_named_on_the_booking() {
    let (_dir, store, j) = cardiff().await;
    let helper = signed_in(&j, "1003").await;
    // The sign-in names a helper's organisation, for their home screen; staff have none.
    let reception = signed_in(&j, "1002").await;
    for (number, organisation) in [("1003", Some("Visitor Centre Trust")), ("1002", None)] {
        let again = j
            .staff_sign_in(
                &StaffSignInRequest {
                    staff_number: number.into(),
                    pin: OWN_PIN.into(),
                },
                now(),
            )
            .await
            .unwrap();
        assert_eq!(again.organisation.as_deref(), organisation, "{number}");
    }
    // The page claims another helper: the session's wins.
    let mut request = on_behalf("by_prisoner", Some(contact("07911 123456")));
    request.booked_by = Some(BookedByInput {
        staff_number: "9999".into(),
        name: "Someone Else".into(),
        organisation: "Nobody".into(),
    });
    let booked = helper_book(&j, &helper, request).await.unwrap();
    let by = booked.details.booked_by.as_ref().unwrap();
    assert_eq!(
        (by.name.as_str(), by.organisation.as_str()),
        ("Cai Morgan", "Visitor Centre Trust")
    );
    assert_eq!(booked.details.request_method.as_deref(), Some("by_prisoner"));
    let c = booked.details.main_contact.as_ref().unwrap();
    assert_eq!((c.phone.as_str(), c.language.as_str()), ("07911 123456", "cy"));
    assert_eq!(booked.details.support, ["wheelchair", "other"]);
    assert_eq!(
        booked.details.support_other.as_deref(),
        Some("Needs a seat near the door")
    );

    // The outbox event carries the request to central, which parses it again as its own.
    let events = store.outbox(0, 100).await.unwrap();
    let created = events.iter().find(|e| e.kind == "booking_created").unwrap();
    let request = &created.payload["request"];
    assert_eq!(request["booked_by"]["staff_number"], "1003");
    assert_eq!(request["booked_by"]["organisation"], "Visitor Centre Trust");
    assert_eq!(request["main_contact"]["phone"], "07911 123456");
    assert_eq!(request["request_method"], "by_prisoner");

    // The helper's own list, reception's day list and the audit log show it.
    let mine = j
        .helper_bookings(
            &StaffToken {
                token: helper.clone(),
            },
            now(),
        )
        .await
        .unwrap();
    assert_eq!(mine.visits.len(), 1);
    assert_eq!(mine.visits[0].reference, booked.reference);
    assert_eq!(mine.visits[0].details.support, ["wheelchair", "other"]);
    let day = j
        .staff_today(
            &DayRequest {
                token: reception.clone(),
                date: Some(booked.date),
            },
            now(),
        )
        .await
        .unwrap();
    let row = day
        .sessions
        .iter()
        .flat_map(|s| &s.visits)
        .find(|v| v.reference == booked.reference)
        .unwrap();
    assert_eq!(row.details.booked_by.as_ref().unwrap().name, "Cai Morgan");
    assert!(
        audit_actions(&store)
            .await
            .contains(&("book".to_string(), Some(booked.reference.clone())))
    );
    // Another helper's list does not hold it.
    add(&store, "1004", "Dewi Rees", domain::Role::Helper).await;
    let other = signed_in(&j, "1004").await;
    let theirs = j
        .helper_bookings(&StaffToken { token: other }, now())
        .await
        .unwrap();
    assert!(theirs.visits.is_empty());
}

#[tokio::test]
async fn a_booking_for_someone_not_here_needs_a_main_contact_and_a_bad_one_is_refused_whole() {
    let (_dir, store, j) = cardiff().await;
    let helper = signed_in(&j, "1003").await;
    for method in ["by_prisoner", "email", "letter", "website"] {
        let refused = helper_book(&j, &helper, on_behalf(method, None))
            .await
            .unwrap_err();
        assert_eq!(
            fields(&refused),
            [("main_contact_required", Some("main_contact.name"))],
            "{method}"
        );
    }
    let refused = helper_book(&j, &helper, on_behalf("letter", Some(contact("+1 202 555 0143"))))
        .await
        .unwrap_err();
    assert_eq!(fields(&refused), [("phone_invalid", Some("main_contact.phone"))]);
    let mut too_long = on_behalf("phone", None);
    too_long.support = Some(SupportInput {
        needs: vec!["other".into()],
        other: "a".repeat(513),
    });
    let refused = helper_book(&j, &helper, too_long).await.unwrap_err();
    assert_eq!(
        fields(&refused),
        [("support_other_too_long", Some("support.other"))]
    );
    // A helper must say how the visit was asked for.
    let refused = helper_book(&j, &helper, rhys_request(PM)).await.unwrap_err();
    assert_eq!(
        fields(&refused),
        [("request_method_required", Some("request_method"))]
    );
    // Nothing was written by any of them.
    assert!(store.outbox(0, 100).await.unwrap().is_empty());
    let mine = j
        .helper_bookings(
            &StaffToken {
                token: helper.clone(),
            },
            now(),
        )
        .await
        .unwrap();
    assert!(mine.visits.is_empty());
    // On the phone, the visitor answers for themselves: no main contact needed.
    helper_book(&j, &helper, on_behalf("phone", None)).await.unwrap();
}

#[tokio::test]
async fn a_visitor_may_give_a_contact_and_support_but_not_claim_a_helper() {
    let (_dir, store, j) = cardiff().await;
    let mut claimed = rhys_request(PM);
    claimed.request_method = Some("phone".into());
    let refused = j.book(&claimed, now()).await.unwrap_err();
    assert_eq!(fields(&refused), [("helper_only", Some("request_method"))]);
    let mut claimed = rhys_request(PM);
    claimed.booked_by = Some(BookedByInput {
        staff_number: "1003".into(),
        name: "Cai Morgan".into(),
        organisation: "Visitor Centre Trust".into(),
    });
    assert_eq!(code(j.book(&claimed, now()).await.unwrap_err()), "helper_only");
    assert!(store.outbox(0, 100).await.unwrap().is_empty());

    let own = BookingRequest {
        main_contact: Some(contact("029 2087 2087")),
        support: Some(SupportInput {
            needs: vec!["hearing_loop".into()],
            other: String::new(),
        }),
        ..rhys_request(PM)
    };
    let booked = j.book(&own, now()).await.unwrap();
    assert_eq!(booked.details.booked_by, None);
    assert_eq!(booked.details.main_contact.unwrap().phone, "029 2087 2087");
    assert_eq!(booked.details.support, ["hearing_loop"]);
}
