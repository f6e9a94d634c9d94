//! What a booking records beside the visit (issue 11): how it was requested, the helper who
//! booked it, its main contact and additional support. Stored with online and pushed bookings
//! alike and sent back by the booking's GET, the online answer and the pull; every bad detail
//! refused with its code and field, writing nothing. And a visitor cancelling their own booking
//! at a kiosk, and what a kiosk of another prison may not see or do.

use crate::helpers::*;
use crate::reception::{booked, marks, pulled};
use crate::refusals::created;
use central::store::{BookedVisitor, Channel, NewBooking, RowCounts, TableKey};
use domain::{BookedBy, BookingRequest, PersonName, SessionId, StaffNumber, VisitDetails, VisitKind};
use protocol::BookingStatus;
use serde_json::{Value, json};

const SESSION: &str = "CDF-TUE-PM/2026-12-01";

/// Rhys Evans visited by Siân (picked from his list), booked by a helper for her.
fn helper_booking() -> BookingRequest {
    for_someone_not_there(rhys(SESSION, vec![picked("C000001")]))
}

/// The details of `helper_booking` as central keeps and sends them: the phone in E.164, the
/// needs in their fixed order.
fn expected_details() -> Value {
    json!({
        "request_method": "letter",
        "booked_by": {
            "staff_number": "5001",
            "name": "Gwen Morgan",
            "organisation": "Families First Cymru",
        },
        "main_contact": {
            "name": "Siân Evans",
            "phone": "+447911123456",
            "email": "sian@example.org",
            "language": "cy",
        },
        "support": {
            "needs": ["wheelchair", "other"],
            "other": "A seat near the door, please: she cannot stand for long.",
        },
    })
}

async fn get_booking(app: &TestApp, kiosk: &TestKiosk, reference: &str) -> Value {
    app.booking_record(kiosk, reference).await
}

/// What a refusal must leave as it was: every booking row, table and visiting order.
fn booking_rows(c: RowCounts) -> (i64, i64, i64, i64) {
    (c.bookings, c.booking_visitors, c.booked_tables, c.visiting_orders)
}

#[tokio::test]
async fn an_online_booking_keeps_its_details_and_sends_them_back_everywhere() {
    let app = spawn_app().await;
    let kiosk = app.kiosk(&["CDF"]).await;
    let response = app.book(&kiosk, &key(), &json!(helper_booking())).await;
    assert_eq!(response.status(), 201);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["details"], expected_details(), "{answer}");
    let reference = answer["reference"].as_str().unwrap();

    let got = get_booking(&app, &kiosk, reference).await;
    assert_eq!(got["details"], expected_details());
    // Parsed again on the way in: the stored details are a valid request's.
    let parsed: VisitDetails = serde_json::from_value(got["details"].clone()).unwrap();
    assert_eq!(parsed.main_contact.unwrap().phone.e164(), "+447911123456");

    let page = app.pull(&kiosk, 0).await;
    let pulled = pulled(&page, reference).unwrap();
    assert_eq!(pulled["details"], expected_details());
    assert_eq!(pulled["status"], "booked");

    // The staff list (and its CSV) reads the same row.
    let date = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    let listed = app.central.bookings_on(&prison_code("CDF"), date).await.unwrap();
    let listed = listed.iter().find(|l| l.booking.reference == reference).unwrap();
    assert_eq!(json!(listed.booking.details), expected_details());
}

#[tokio::test]
async fn a_booking_without_details_sends_none() {
    let app = spawn_app().await;
    let kiosk = app.kiosk(&["CDF"]).await;
    let answer: Value = app
        .book(&kiosk, &key(), &cdf_booking())
        .await
        .json()
        .await
        .unwrap();
    assert!(answer.get("details").is_none(), "{answer}");
    let reference = answer["reference"].as_str().unwrap();
    assert!(
        get_booking(&app, &kiosk, reference)
            .await
            .get("details")
            .is_none()
    );
    let page = app.pull(&kiosk, 0).await;
    assert!(pulled(&page, reference).unwrap().get("details").is_none());
}

#[tokio::test]
async fn a_pushed_kiosk_booking_keeps_its_details() {
    let app = spawn_app().await;
    let kiosk = app.kiosk(&["CDF"]).await;
    let other = app.kiosk(&["CDF"]).await;
    let answer = app.push(&kiosk, &[created(&kiosk, 1, &helper_booking())]).await;
    assert_eq!(answer["results"][0]["outcome"], "accepted", "{answer}");
    let reference = kiosk.reference(1);

    let got = get_booking(&app, &kiosk, &reference).await;
    assert_eq!(got["details"], expected_details());
    assert_eq!(got["channel"], "kiosk");
    // Another kiosk of the prison reads and pulls it with its details too.
    assert_eq!(
        get_booking(&app, &other, &reference).await["details"],
        expected_details()
    );
    let page = app.pull(&other, 0).await;
    assert_eq!(pulled(&page, &reference).unwrap()["details"], expected_details());
}

/// A visitor booking for themselves may give a main contact and support, with no request
/// method; a helper's booking for someone here or on the phone needs no contact.
#[tokio::test]
async fn details_need_only_what_fits_the_way_the_visit_was_asked_for() {
    let app = spawn_app().await;
    let kiosk = app.kiosk(&["TST"]).await;
    let tst = |i: usize, details: Value| {
        let mut body = tst_booking(i);
        body.as_object_mut()
            .unwrap()
            .extend(details.as_object().unwrap().clone());
        body
    };
    let cases = [
        json!({ "main_contact": sian_contact(), "support": support(&"x".repeat(512)) }),
        json!({ "request_method": "phone", "booked_by": helper() }),
        json!({ "request_method": "in_person", "booked_by": helper(),
            "support": { "needs": ["hearing_loop"] } }),
    ];
    for (i, details) in cases.into_iter().enumerate() {
        let response = app.book(&kiosk, &key(), &tst(i, details.clone())).await;
        assert_eq!(response.status(), 201, "{details}");
        let answer: Value = response.json().await.unwrap();
        let reference = answer["reference"].as_str().unwrap();
        let got = get_booking(&app, &kiosk, reference).await;
        assert_eq!(got["details"], answer["details"]);
        match i {
            0 => {
                assert_eq!(got["details"]["support"]["other"].as_str().unwrap().len(), 512);
                assert_eq!(got["details"]["main_contact"]["phone"], "+447911123456");
                assert!(got["details"].get("request_method").is_none());
            }
            1 => assert_eq!(
                got["details"],
                json!({ "request_method": "phone", "booked_by": json!(helper()) })
            ),
            _ => assert_eq!(got["details"]["support"], json!({ "needs": ["hearing_loop"] })),
        }
    }
}

#[tokio::test]
async fn bad_details_are_refused_with_their_code_and_field_and_write_nothing() {
    let app = spawn_app().await;
    let kiosk = app.kiosk(&["CDF"]).await;
    let with = |change: &dyn Fn(&mut BookingRequest)| {
        let mut request = helper_booking();
        change(&mut request);
        request
    };
    let contact =
        |change: &dyn Fn(&mut domain::MainContactInput)| with(&|r| change(r.main_contact.as_mut().unwrap()));
    let cases: Vec<(&str, BookingRequest, &str, &str)> = vec![
        (
            "a number too short",
            contact(&|c| c.phone = "12345".into()),
            "phone_invalid",
            "main_contact.phone",
        ),
        (
            "an American number",
            contact(&|c| c.phone = "+1 202 555 0143".into()),
            "phone_invalid",
            "main_contact.phone",
        ),
        (
            "no number",
            contact(&|c| c.phone = " ".into()),
            "phone_empty",
            "main_contact.phone",
        ),
        (
            "support text of 513 characters",
            with(&|r| r.support = Some(support(&"x".repeat(513)))),
            "support_other_too_long",
            "support.other",
        ),
        (
            "a contact name of 51 characters",
            contact(&|c| c.name = format!("Siân {}", "e".repeat(46))),
            "name_too_long",
            "main_contact.name",
        ),
        (
            "an email without a domain",
            contact(&|c| c.email = "sian@".into()),
            "email_invalid",
            "main_contact.email",
        ),
        (
            "an email with a space",
            contact(&|c| c.email = "sian evans@example.org".into()),
            "email_invalid",
            "main_contact.email",
        ),
        (
            "an unknown request method",
            with(&|r| r.request_method = Some("carrier_pigeon".into())),
            "request_method_unknown",
            "request_method",
        ),
        (
            "a helper's booking that does not say how it was asked for",
            with(&|r| r.request_method = None),
            "request_method_required",
            "request_method",
        ),
        (
            "an unknown support need",
            with(&|r| r.support.as_mut().unwrap().needs.push("parking".into())),
            "support_unknown",
            "support.needs",
        ),
        (
            "a helper without an organisation",
            with(&|r| r.booked_by.as_mut().unwrap().organisation = String::new()),
            "booked_by_invalid",
            "booked_by",
        ),
    ];
    // Asked for by someone who is not there: a main contact is required.
    let not_here = ["by_prisoner", "email", "letter", "website"].map(|method| {
        (
            method,
            with(&|r| {
                r.request_method = Some(method.into());
                r.main_contact = None;
            }),
            "main_contact_required",
            "main_contact.name",
        )
    });
    let before = app.counts().await;
    for (what, request, code, field) in cases.into_iter().chain(not_here) {
        let response = app.book(&kiosk, &key(), &json!(request)).await;
        assert_eq!(response.status(), 422, "{what}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], code, "{what}: {body}");
        let violations = body["error"]["violations"].as_array().unwrap();
        assert!(
            violations
                .iter()
                .any(|v| v["code"] == code && v["field"] == field),
            "{what}: {body}"
        );
        // Nothing but the key's stored answer.
        assert_eq!(booking_rows(app.counts().await), booking_rows(before), "{what}");
    }
    // The refusals were about the details alone: the same visit with good ones is booked.
    assert_eq!(
        app.book(&kiosk, &key(), &json!(helper_booking())).await.status(),
        201
    );
}

/// A kiosk's booking refused for its details is on record as refused (as every refused kiosk
/// booking is), without the details, and nothing is taken.
#[tokio::test]
async fn a_pushed_booking_with_bad_details_is_refused_and_takes_nothing() {
    let app = spawn_app().await;
    let kiosk = app.kiosk(&["CDF"]).await;
    let mut request = helper_booking();
    request.main_contact.as_mut().unwrap().phone = "+1 202 555 0143".into();
    let before = app.counts().await;
    let answer = app.push(&kiosk, &[created(&kiosk, 1, &request)]).await;
    let result = &answer["results"][0];
    assert_eq!(result["outcome"], "rejected", "{answer}");
    assert_eq!(result["reason"], "phone_invalid");
    assert_eq!(result["violations"][0]["field"], "main_contact.phone");
    let after = app.counts().await;
    assert_eq!(after.booked_tables, before.booked_tables);
    assert_eq!(after.visiting_orders, before.visiting_orders);
    let got = get_booking(&app, &kiosk, &kiosk.reference(1)).await;
    assert_eq!(got["status"], "rejected");
    assert_eq!(got["status_reason"], "phone_invalid");
    assert!(got.get("details").is_none(), "{got}");

    // Refused for another rule, its good details stay with it for staff to call the contact.
    let mut banned = for_someone_not_there(rhys(SESSION, vec![picked("C000004")]));
    banned.support = None;
    let answer = app.push(&kiosk, &[created(&kiosk, 2, &banned)]).await;
    assert_eq!(answer["results"][0]["reason"], "visitor_banned", "{answer}");
    let got = get_booking(&app, &kiosk, &kiosk.reference(2)).await;
    assert_eq!(got["status"], "rejected");
    assert_eq!(got["details"]["main_contact"]["phone"], "+447911123456");
    assert!(got["details"].get("support").is_none());
}

fn self_cancel(seq: i64, reference: &str) -> Value {
    event(
        seq,
        "booking_cancelled",
        json!({ "reference": reference, "reason": "visitor_cancelled", "how": "in_person" }),
    )
}

/// A visitor cancels their own visit up to its day, as the kiosk lets them; after it the visit
/// took place or was missed, and the visiting order it spent stays spent. Judged by the
/// prison's date when they cancelled: one made on the day at a kiosk that was offline stands
/// when it comes the next morning.
#[tokio::test]
async fn a_visitors_own_cancellation_after_the_visits_day_is_refused() {
    let app = spawn_app().await;
    let kiosk = app.kiosk(&["TST"]).await;
    let in_time = booked(&app, &kiosk, 0).await;
    let too_late = booked(&app, &kiosk, 1).await;
    // The morning after TST_SESSION's day.
    app.central.clock().set(
        chrono::DateTime::parse_from_rfc3339("2026-12-02T09:00:00Z")
            .unwrap()
            .into(),
    );
    let before = app.counts().await;
    let mut on_the_day = self_cancel(1, &in_time);
    on_the_day["created_at"] = json!("2026-12-01T18:00:00Z");
    let mut next_morning = self_cancel(2, &too_late);
    next_morning["created_at"] = json!("2026-12-02T08:30:00Z");

    let answer = app.push(&kiosk, &[on_the_day, next_morning]).await;
    assert_eq!(answer["results"][0]["outcome"], "accepted", "{answer}");
    assert_eq!(answer["results"][1]["outcome"], "rejected", "{answer}");
    assert_eq!(answer["results"][1]["reason"], "visit_day_passed");
    assert_eq!(answer["results"][1]["booking"]["status"], "booked");
    let after = app.counts().await;
    assert_eq!(after.booked_tables, before.booked_tables - 1);
    assert_eq!(after.visiting_orders, before.visiting_orders + 1);
    assert_eq!(get_booking(&app, &kiosk, &too_late).await["status"], "booked");
    app.assert_capacity_kept().await;
}

#[tokio::test]
async fn a_visitor_cancels_their_own_booking_at_the_kiosk() {
    let app = spawn_app().await;
    let kiosk = app.kiosk(&["TST"]).await;
    let other = app.kiosk(&["TST"]).await;
    let reference = booked(&app, &kiosk, 0).await;
    let kept = booked(&app, &kiosk, 1).await;
    let before = app.counts().await;
    let cursor = app.pull(&other, 0).await["next_cursor"].as_i64().unwrap();

    let answer = app
        .push(
            &kiosk,
            &[
                // How the visitor asked, without a staff member, is only "here, in person"...
                event(
                    1,
                    "booking_cancelled",
                    json!({ "reference": reference, "reason": "visitor_cancelled", "how": "phone" }),
                ),
                // ...for their own cancellation, with no note.
                event(
                    2,
                    "booking_cancelled",
                    json!({ "reference": reference, "reason": "prisoner_cancelled", "how": "in_person" }),
                ),
                event(
                    3,
                    "booking_cancelled",
                    json!({ "reference": reference, "reason": "visitor_cancelled", "how": "in_person",
                        "note": "changed her mind" }),
                ),
                self_cancel(4, &reference),
            ],
        )
        .await;
    let outcomes: Vec<&str> = (0..4)
        .map(|i| {
            answer["results"][i]["reason"]
                .as_str()
                .unwrap_or(answer["results"][i]["outcome"].as_str().unwrap())
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            "invalid_payload",
            "invalid_payload",
            "invalid_payload",
            "accepted"
        ],
        "{answer}"
    );
    assert_eq!(answer["results"][3]["booking"]["status"], "cancelled");
    assert_eq!(
        answer["results"][3]["booking"]["status_reason"],
        "visitor_cancelled"
    );

    // The table is free, the visiting order back, the reason and how kept, nobody's number.
    let after = app.counts().await;
    assert_eq!(after.booked_tables, before.booked_tables - 1);
    assert_eq!(after.visiting_orders, before.visiting_orders + 1);
    app.assert_capacity_kept().await;
    let got = get_booking(&app, &kiosk, &reference).await;
    assert_eq!(got["status"], "cancelled");
    assert_eq!(got["status_reason"], "visitor_cancelled");
    let m = marks(&app, &reference).await;
    assert_eq!(m.cancelled_by, None);
    assert_eq!(m.cancel_how.as_deref(), Some("in_person"));
    assert_eq!(m.cancel_note, None);
    assert_eq!(get_booking(&app, &kiosk, &kept).await["status"], "booked");

    // The prison's other kiosks pull it as the visitor's cancellation.
    let page = app.pull(&other, cursor).await;
    let p = pulled(&page, &reference).unwrap();
    assert_eq!(p["status"], "cancelled");
    assert_eq!(p["status_reason"], "visitor_cancelled");
    assert!(p.get("cancelled_by").is_none(), "{p}");

    // The table freed is bookable again.
    assert_eq!(app.book(&kiosk, &key(), &tst_booking(2)).await.status(), 201);

    // Cancelled again (from another kiosk, say): the first cancellation stands.
    let counts = app.counts().await;
    let again = app.push(&other, &[self_cancel(1, &reference)]).await;
    assert_eq!(again["results"][0]["outcome"], "accepted");
    assert_eq!(again["results"][0]["booking"]["status"], "cancelled");
    assert_eq!(app.counts().await.booked_tables, counts.booked_tables);
    assert_eq!(app.counts().await.visiting_orders, counts.visiting_orders);
}

/// The kiosk's own cancellation form without `how` (a visit its offline booking superseded,
/// or a kiosk that does not send it) still applies.
#[tokio::test]
async fn a_cancellation_without_how_or_staff_still_applies() {
    let app = spawn_app().await;
    let kiosk = app.kiosk(&["TST"]).await;
    let reference = booked(&app, &kiosk, 0).await;
    let answer = app
        .push(
            &kiosk,
            &[event(
                1,
                "booking_cancelled",
                json!({ "reference": reference, "reason": "visitor_cancelled" }),
            )],
        )
        .await;
    assert_eq!(answer["results"][0]["outcome"], "accepted", "{answer}");
    let m = marks(&app, &reference).await;
    assert_eq!((m.cancelled_by, m.cancel_how), (None, None));
    assert_eq!(get_booking(&app, &kiosk, &reference).await["status"], "cancelled");
}

#[tokio::test]
async fn a_kiosk_cannot_cancel_or_see_another_prisons_booking() {
    let app = spawn_app().await;
    let tst = app.kiosk(&["TST"]).await;
    let cardiff = app.kiosk(&["CDF"]).await;
    let reference = booked(&app, &tst, 0).await;
    let before = app.counts().await;

    let answer = app.push(&cardiff, &[self_cancel(1, &reference)]).await;
    assert_eq!(answer["results"][0]["outcome"], "rejected", "{answer}");
    assert_eq!(answer["results"][0]["reason"], "prison_not_allowed");
    assert!(answer["results"][0].get("booking").is_none(), "{answer}");
    assert_eq!(booking_rows(app.counts().await), booking_rows(before));
    assert_eq!(get_booking(&app, &tst, &reference).await["status"], "booked");
    assert_eq!(marks(&app, &reference).await.cancel_how, None);

    // Asked for by reference, another prison's booking is not there, as one never made is not.
    let response = app.get(&cardiff, &format!("/api/v1/bookings/{reference}")).await;
    assert_eq!(response.status(), 404);
    let elsewhere: Value = response.json().await.unwrap();
    let never = tst.reference(9);
    let response = app.get(&cardiff, &format!("/api/v1/bookings/{never}")).await;
    assert_eq!(response.status(), 404);
    let missing: Value = response.json().await.unwrap();
    assert_eq!(missing["error"]["code"], "booking_not_found");
    assert_eq!(
        elsewhere.to_string(),
        missing.to_string().replace(&never, &reference)
    );
}

/// Details that no longer parse (written by an older central, or by hand) fail the read with
/// a store error, not a panic or a booking shown without them.
#[tokio::test]
async fn stored_details_that_do_not_parse_are_a_store_error() {
    let app = spawn_app().await;
    let kiosk = app.kiosk(&["CDF", "TST"]).await;
    let reference = kiosk.reference(1);
    // A helper's booking that does not say how it was asked for: the domain refuses that.
    let details = VisitDetails {
        booked_by: Some(BookedBy {
            staff_number: StaffNumber::parse("5001").unwrap(),
            name: PersonName::parse("Gwen Morgan").unwrap(),
            organisation: "Families First Cymru".into(),
        }),
        ..Default::default()
    };
    let session = SessionId::parse(SESSION).unwrap();
    let mut tx = app.central.store().begin_write().await.unwrap();
    tx.insert_booking(&NewBooking {
        reference: &reference,
        prison: &prison_code("CDF"),
        prisoner_number: "A1234BC",
        key: &TableKey::new(&session, VisitKind::Open),
        status: BookingStatus::Booked,
        status_reason: None,
        spent_visiting_order: false,
        channel: Channel::Kiosk,
        kiosk_id: Some(&kiosk.id),
        used_share: false,
        review_reason: None,
        visitors: &[BookedVisitor {
            first_name: "Siân".into(),
            last_name: "Evans".into(),
            date_of_birth: chrono::NaiveDate::from_ymd_opt(1992, 3, 14),
            contact_id: Some("C000001".into()),
        }],
        details: &details,
        booked_at: now(),
        received_at: now(),
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let response = app.get(&kiosk, &format!("/api/v1/bookings/{reference}")).await;
    assert_eq!(error_code(response).await, (503, "store_unavailable".into()));
    let err = app
        .central
        .booking(&app.central.authenticate(&kiosk.token).await.unwrap(), &reference)
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains(&format!("details of booking {reference}")),
        "{err}"
    );
    let response = app.get(&kiosk, "/api/v1/sync/pull?cursor=0").await;
    assert_eq!(error_code(response).await, (503, "store_unavailable".into()));
    // The service is still up, and other bookings read.
    let other = booked(&app, &kiosk, 0).await;
    assert_eq!(get_booking(&app, &kiosk, &other).await["status"], "booked");
}
