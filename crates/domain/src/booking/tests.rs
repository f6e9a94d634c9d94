//! Tests of `booking.rs`, kept apart so the rules read on their own.

use super::*;
use crate::prison::RulesFields;
use crate::timetable::{Frequency, TemplateFields};
use chrono::{NaiveTime, Weekday};
use chrono_tz::Europe::London;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-25T10:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn rules() -> PrisonRules {
    PrisonRules::new(RulesFields {
        timezone: London,
        min_notice_days: 2,
        max_notice_days: 28,
        max_visitors: 6,
        max_adults: 3,
        max_children: 5,
        adult_age: 18,
        has_contact_list: true,
        remand_weekly_limit: 3,
    })
    .unwrap()
}

fn templates() -> Vec<SessionTemplate> {
    [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu]
        .iter()
        .map(|w| {
            SessionTemplate::parse(TemplateFields {
                id: format!("T-{w}"),
                weekday: *w,
                start: NaiveTime::from_hms_opt(14, 0, 0).unwrap(),
                end: NaiveTime::from_hms_opt(16, 0, 0).unwrap(),
                room: "Hall".into(),
                open_capacity: 10,
                closed_capacity: 1,
                valid_from: d("2026-01-01"),
                valid_to: None,
                frequency: Frequency::Weekly,
            })
            .unwrap()
        })
        .collect()
}

fn record(custody: Custody, vos: u32) -> PrisonerRecord {
    PrisonerRecord {
        number: PrisonerNumber::parse("A1234BC").unwrap(),
        first_name: PersonName::parse("Tom").unwrap(),
        last_name: PersonName::parse("Evans").unwrap(),
        date_of_birth: d("1990-05-05"),
        custody,
        visiting_orders: vos,
        closed_visit_restrictions: vec![],
        contacts: vec![Contact {
            id: "C1".into(),
            first_name: PersonName::parse("Ann").unwrap(),
            last_name: PersonName::parse("Evans").unwrap(),
            date_of_birth: d("1970-01-01"),
            banned_until: None,
        }],
    }
}

fn request(session: &str) -> BookingRequest {
    BookingRequest {
        prison: "cdf".into(),
        prisoner: PrisonerInput {
            number: "a1234bc".into(),
            date_of_birth: "1990-05-05".into(),
            surname: "evans".into(),
        },
        visitors: vec![VisitorInput {
            contact_id: None,
            first_name: "Ann".into(),
            last_name: "Evans".into(),
            date_of_birth: "1970-01-01".into(),
        }],
        session: session.into(),
        ..Default::default()
    }
}

fn run(
    req: &BookingRequest,
    prisoner: &PrisonerRecord,
    existing: &[ExistingVisit],
    taken: u32,
) -> Result<Approved, Vec<&'static str>> {
    run_with(&templates(), req, prisoner, existing, taken)
}

fn run_with(
    t: &[SessionTemplate],
    req: &BookingRequest,
    prisoner: &PrisonerRecord,
    existing: &[ExistingVisit],
    taken: u32,
) -> Result<Approved, Vec<&'static str>> {
    let r = rules();
    let parsed =
        prepare(req, &r, now()).map_err(|v| v.as_slice().iter().map(Violation::code).collect::<Vec<_>>())?;
    let closures = vec![Closure {
        date: d("2026-12-08"),
        template_id: None,
        reason: "training".into(),
    }];
    let ctx = BookingContext {
        rules: &r,
        templates: t,
        closures: &closures,
        prisoner,
        existing_visits: existing,
        tables_taken: taken,
    };
    decide(&parsed, &ctx, now()).map_err(|v| v.as_slice().iter().map(Violation::code).collect())
}

#[test]
fn a_valid_request_is_approved() {
    let ok = run(
        &request("T-Tue/2026-12-01"),
        &record(Custody::Convicted, 2),
        &[],
        9,
    )
    .unwrap();
    assert_eq!(ok.kind, VisitKind::Open);
    assert!(ok.spends_visiting_order);
    assert_eq!(ok.session.id.to_string(), "T-Tue/2026-12-01");
}

#[test]
fn parse_reports_every_bad_field() {
    let mut req = request("nonsense");
    req.prisoner.number = "123".into();
    req.prisoner.date_of_birth = "1990-02-31".into();
    req.visitors[0].first_name = "".into();
    req.visitors.push(VisitorInput {
        contact_id: None,
        first_name: "B0b".into(),
        last_name: "X".into(),
        date_of_birth: "2030-01-01".into(),
    });
    let v = req.parse(d("2026-11-25")).unwrap_err();
    let got: Vec<String> = v
        .as_slice()
        .iter()
        .map(|v| format!("{} {}", v.field, v.code()))
        .collect();
    assert_eq!(
        got,
        [
            "prisoner.number prisoner_number_invalid",
            "prisoner.date_of_birth date_of_birth_invalid",
            "visitors[0].first_name name_empty",
            "visitors[1].first_name name_invalid_characters",
            "visitors[1].date_of_birth date_of_birth_in_future",
            "session session_not_found",
        ]
    );
    let mut empty = request("T-Tue/2026-12-01");
    empty.visitors.clear();
    assert_eq!(
        empty.parse(d("2026-11-25")).unwrap_err().first().code(),
        "no_visitors"
    );
}

#[test]
fn prisoner_must_match_on_number_birth_date_and_surname() {
    let rec = record(Custody::Convicted, 1);
    let mut req = request("T-Tue/2026-12-01");
    req.prisoner.surname = "Evan".into();
    assert_eq!(run(&req, &rec, &[], 0).unwrap_err(), ["prisoner_not_found"]);
    let mut req = request("T-Tue/2026-12-01");
    req.prisoner.date_of_birth = "1990-05-06".into();
    assert_eq!(run(&req, &rec, &[], 0).unwrap_err(), ["prisoner_not_found"]);
}

#[test]
fn session_rules() {
    let rec = record(Custody::Convicted, 1);
    assert_eq!(
        run(&request("T-Tue/2026-12-08"), &rec, &[], 0).unwrap_err(),
        ["session_closed"]
    );
    assert_eq!(
        run(&request("T-Fri/2026-12-04"), &rec, &[], 0).unwrap_err(),
        ["session_not_found"]
    );
    assert_eq!(
        run(&request("T-Thu/2026-11-26"), &rec, &[], 0).unwrap_err(),
        ["session_too_soon"]
    );
    assert_eq!(
        run(&request("T-Thu/2026-12-24"), &rec, &[], 0).unwrap_err(),
        ["session_too_far_ahead"]
    );
    assert!(run(&request("T-Wed/2026-12-23"), &rec, &[], 0).is_ok());
    assert!(run(&request("T-Fri/2026-11-27"), &rec, &[], 0).is_err());
    assert_eq!(
        run(&request("T-Tue/2026-12-01"), &rec, &[], 10).unwrap_err(),
        ["session_full"]
    );
}

#[test]
fn closed_visit_restriction_forces_closed_capacity() {
    let mut rec = record(Custody::Convicted, 1);
    rec.closed_visit_restrictions.push(ClosedVisitRestriction {
        from: d("2026-11-01"),
        until: Some(d("2026-12-01")),
    });
    let ok = run(&request("T-Tue/2026-12-01"), &rec, &[], 0).unwrap();
    assert_eq!(ok.kind, VisitKind::Closed);
    // One closed table, already taken, although open tables are free.
    assert_eq!(
        run(&request("T-Tue/2026-12-01"), &rec, &[], 1).unwrap_err(),
        ["session_full"]
    );
    // The day after the restriction ends the visit is open again.
    assert_eq!(
        run(&request("T-Wed/2026-12-02"), &rec, &[], 1).unwrap().kind,
        VisitKind::Open
    );
}

#[test]
fn a_session_without_closed_tables_needs_an_open_visit() {
    let mut rec = record(Custody::Convicted, 1);
    rec.closed_visit_restrictions.push(ClosedVisitRestriction {
        from: d("2026-11-01"),
        until: None,
    });
    let t: Vec<SessionTemplate> = templates()
        .into_iter()
        .map(|t| {
            let mut fields = TemplateFields::from(t);
            if fields.id == "T-Tue" {
                fields.closed_capacity = 0;
            }
            SessionTemplate::parse(fields).unwrap()
        })
        .collect();
    // Not full (every open table is free) but of the wrong kind for this prisoner.
    assert_eq!(
        run_with(&t, &request("T-Tue/2026-12-01"), &rec, &[], 0).unwrap_err(),
        ["closed_visit_required"]
    );
    // Its other rules are still reported alongside.
    assert_eq!(
        run_with(
            &t,
            &request("T-Tue/2026-12-01"),
            &rec,
            &[ExistingVisit {
                session: SessionId::parse("T-Tue/2026-12-01").unwrap()
            }],
            0
        )
        .unwrap_err(),
        ["closed_visit_required", "duplicate_visit"]
    );
    // A session that has closed tables, all taken, is full.
    assert_eq!(
        run_with(&t, &request("T-Wed/2026-12-02"), &rec, &[], 1).unwrap_err(),
        ["session_full"]
    );
    // A prisoner without the restriction books the same session's open tables.
    let open = run_with(
        &t,
        &request("T-Tue/2026-12-01"),
        &record(Custody::Convicted, 1),
        &[],
        0,
    );
    assert_eq!(open.unwrap().kind, VisitKind::Open);
}

#[test]
fn visiting_orders_for_convicted_prisoners() {
    assert_eq!(
        run(
            &request("T-Tue/2026-12-01"),
            &record(Custody::Convicted, 0),
            &[],
            0
        )
        .unwrap_err(),
        ["no_visiting_order"]
    );
    let remand = run(&request("T-Tue/2026-12-01"), &record(Custody::Remand, 0), &[], 0).unwrap();
    assert!(!remand.spends_visiting_order);
}

#[test]
fn remand_weekly_limit_uses_monday_weeks() {
    let rec = record(Custody::Remand, 0);
    let visit = |s: &str| ExistingVisit {
        session: SessionId::parse(s).unwrap(),
    };
    // Mon 30 Nov, Tue 1 Dec, Wed 2 Dec are one week; Thu 3 Dec is the fourth visit.
    let week = [
        visit("T-Mon/2026-11-30"),
        visit("T-Tue/2026-12-01"),
        visit("T-Wed/2026-12-02"),
    ];
    assert_eq!(
        run(&request("T-Thu/2026-12-03"), &rec, &week, 0).unwrap_err(),
        ["weekly_limit_reached"]
    );
    // The following Monday starts a new week.
    assert!(run(&request("T-Mon/2026-12-07"), &rec, &week, 0).is_ok());
    // Visits in the previous week do not count.
    let last_week = [
        visit("T-Mon/2026-11-23"),
        visit("T-Tue/2026-11-24"),
        visit("T-Wed/2026-11-25"),
    ];
    assert!(run(&request("T-Mon/2026-11-30"), &rec, &last_week, 0).is_ok());
}

#[test]
fn one_visit_per_session() {
    let rec = record(Custody::Convicted, 5);
    let existing = [ExistingVisit {
        session: SessionId::parse("T-Tue/2026-12-01").unwrap(),
    }];
    assert_eq!(
        run(&request("T-Tue/2026-12-01"), &rec, &existing, 0).unwrap_err(),
        ["duplicate_visit"]
    );
}

#[test]
fn party_rules_are_applied_on_the_visit_date() {
    let rec = record(Custody::Convicted, 1);
    let mut req = request("T-Tue/2026-12-01");
    req.visitors.push(VisitorInput {
        contact_id: None,
        first_name: "Stranger".into(),
        last_name: "Evans".into(),
        date_of_birth: "1980-01-01".into(),
    });
    assert_eq!(run(&req, &rec, &[], 0).unwrap_err(), ["visitor_not_on_list"]);
}

#[test]
fn picked_contacts_take_their_details_from_the_list() {
    let rec = record(Custody::Convicted, 1);
    let mut req = request("T-Tue/2026-12-01");
    // What was typed for a picked visitor is ignored: the list is the source.
    req.visitors = vec![VisitorInput {
        contact_id: Some("C1".into()),
        first_name: "Not".into(),
        last_name: "Used".into(),
        date_of_birth: "2001-01-01".into(),
    }];
    let ok = run(&req, &rec, &[], 0).unwrap();
    assert_eq!(ok.visitors.len(), 1);
    assert_eq!(ok.visitors[0].contact_id.as_deref(), Some("C1"));
    assert_eq!(ok.visitors[0].visitor.first_name.as_str(), "Ann");
    assert_eq!(ok.visitors[0].visitor.date_of_birth.date(), d("1970-01-01"));

    // An id not on this prisoner's list is refused at that visitor, and the other rules
    // are still judged.
    req.visitors[0].contact_id = Some("C999".into());
    assert_eq!(
        run(&req, &rec, &[], 10).unwrap_err(),
        ["visitor_not_on_list", "session_full"]
    );
    let members = req.parse(d("2026-11-25")).unwrap().visitors;
    let err = resolve_party(&members, &rec.contacts, d("2026-11-25")).unwrap_err();
    assert_eq!(err.first().field, Field::Visitor { index: 0 });
}

#[test]
fn picked_visitors_are_never_checked_as_typed_ones() {
    let picked = |id: &str| VisitorInput {
        contact_id: Some(id.into()),
        ..Default::default()
    };
    let mut req = request("T-Tue/2026-12-01");
    req.visitors = vec![picked("C1"), picked("C2")];
    // A bad prisoner field is the only error: the picked visitors have no typed fields.
    req.prisoner.surname = "Ev4ns".into();
    let v = req.parse(d("2026-11-25")).unwrap_err();
    let got: Vec<String> = v
        .as_slice()
        .iter()
        .map(|v| format!("{} {}", v.field, v.code()))
        .collect();
    assert_eq!(got, ["prisoner.surname name_invalid_characters"]);
    req.prisoner.surname = String::new();
    req.prisoner.date_of_birth = "yesterday".into();
    assert_eq!(
        req.parse(d("2026-11-25"))
            .unwrap_err()
            .as_slice()
            .iter()
            .map(Violation::code)
            .collect::<Vec<_>>(),
        ["date_of_birth_invalid", "name_empty"]
    );
    // A typed visitor next to a picked one is still checked field by field.
    let mut req = request("T-Tue/2026-12-01");
    req.visitors.push(picked("C1"));
    req.visitors.push(VisitorInput::default());
    let v = req.parse(d("2026-11-25")).unwrap_err();
    let fields: Vec<String> = v.as_slice().iter().map(|v| v.field.to_string()).collect();
    assert_eq!(
        fields,
        [
            "visitors[2].first_name",
            "visitors[2].last_name",
            "visitors[2].date_of_birth"
        ]
    );
    // With a well-formed prisoner, a prisoner who is not found is just that.
    let mut req = request("T-Tue/2026-12-01");
    req.visitors = vec![picked("C1")];
    req.prisoner.surname = "Jones".into();
    assert_eq!(
        run(&req, &record(Custody::Convicted, 1), &[], 0).unwrap_err(),
        ["prisoner_not_found"]
    );
}

#[test]
fn week_start_is_monday() {
    assert_eq!(week_start(d("2026-12-06")), d("2026-11-30"));
    assert_eq!(week_start(d("2026-11-30")), d("2026-11-30"));
}

fn honour(req: &BookingRequest, prisoner: &PrisonerRecord, existing: &[ExistingVisit]) -> Option<Honoured> {
    let r = rules();
    let t = templates();
    let prepared = prepare(req, &r, now()).unwrap();
    let ctx = BookingContext {
        rules: &r,
        templates: &t,
        closures: &[],
        prisoner,
        existing_visits: existing,
        tables_taken: 0,
    };
    let refused = decide(&prepared, &ctx, now()).unwrap_err();
    honour_confirmed(&prepared, &ctx, &refused)
}

#[test]
fn a_confirmed_visit_is_honoured_for_review_when_only_central_knew_better() {
    let session = SessionId::parse("T-Tue/2026-12-01").unwrap();
    let twice = honour(
        &request("T-Tue/2026-12-01"),
        &record(Custody::Convicted, 2),
        &[ExistingVisit { session }],
    )
    .unwrap();
    assert_eq!(twice.review_reason(), "duplicate_visit");
    assert!(twice.spends_visiting_order());
    assert_eq!(twice.visitors().len(), 1);
    let no_order = honour(&request("T-Tue/2026-12-01"), &record(Custody::Convicted, 0), &[]).unwrap();
    assert_eq!(no_order.review_reason(), "no_visiting_order");
    assert!(!no_order.spends_visiting_order(), "none is left to spend");
    assert_eq!(no_order.session().unwrap().id.to_string(), "T-Tue/2026-12-01");
}

#[test]
fn a_confirmed_visit_that_cannot_take_place_is_not_honoured() {
    // The prisoner's details no longer match the record the kiosk identified.
    let mut other = record(Custody::Convicted, 0);
    other.date_of_birth = d("1991-01-01");
    assert_eq!(honour(&request("T-Tue/2026-12-01"), &other, &[]), None);
    // A picked visitor central can no longer find on the list.
    let mut picked = request("T-Tue/2026-12-01");
    picked.visitors = vec![VisitorInput {
        contact_id: Some("C9".into()),
        ..Default::default()
    }];
    assert_eq!(honour(&picked, &record(Custody::Convicted, 0), &[]), None);
}
