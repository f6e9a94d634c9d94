//! A booking request as central's `POST /bookings` and a kiosk's `booking_created` event carry
//! it: read from JSON as central reads a body (serde_path_to_error), its prison found among the
//! demo prisons, parsed with `prepare` at a fixed instant, and, for a demo prisoner, judged with
//! `decide` the way central's book_in does before it touches the store.
#![no_main]

use chrono::{DateTime, Utc};
use domain::dataset::{PrisonFile, PrisonerFile};
use domain::{BookingContext, BookingRequest, PrisonRules, PrisonerRecord, decide, prepare};
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

struct Demo {
    prisons: Vec<(PrisonFile, PrisonRules)>,
    prisoners: Vec<(PrisonerFile, PrisonerRecord)>,
}

static DEMO: LazyLock<Demo> = LazyLock::new(|| {
    let prisons: Vec<PrisonFile> =
        serde_json::from_str(include_str!("../../demo/prisons.json")).expect("demo prisons parse");
    let prisoners: Vec<PrisonerFile> =
        serde_json::from_str(include_str!("../../demo/prisoners.json")).expect("demo prisoners parse");
    Demo {
        prisons: prisons
            .into_iter()
            .map(|p| {
                let rules = p.rules().expect("demo rules are valid");
                (p, rules)
            })
            .collect(),
        prisoners: prisoners
            .into_iter()
            .map(|p| {
                let record = PrisonerRecord {
                    number: p.number.clone(),
                    first_name: p.first_name.clone(),
                    last_name: p.last_name.clone(),
                    date_of_birth: p.date_of_birth,
                    custody: p.custody,
                    visiting_orders: p.visiting_orders,
                    closed_visit_restrictions: p.closed_visit_restrictions.clone(),
                    contacts: p.contacts.clone(),
                };
                (p, record)
            })
            .collect(),
    }
});

/// Inside the demo timetables' range (from 2026), one instant in winter time and one in summer.
fn instants() -> [DateTime<Utc>; 2] {
    [
        "2026-12-01T10:00:00Z".parse().expect("an instant"),
        "2027-06-14T23:30:00Z".parse().expect("an instant"),
    ]
}

fuzz_target!(|data: &[u8]| {
    let mut de = serde_json::Deserializer::from_slice(data);
    let Ok(request) = serde_path_to_error::deserialize::<_, BookingRequest>(&mut de) else {
        return;
    };
    // Central fingerprints the request re-encoded (idempotency): encoding must give the same
    // request back.
    let encoded = serde_json::to_vec(&request).expect("a request serialises");
    let again: BookingRequest = serde_json::from_slice(&encoded).expect("an encoded request reads back");
    assert_eq!(again, request);
    let Ok(code) = request.prison_code() else {
        return;
    };
    assert_eq!(code.to_string(), code.as_str());
    let Some((prison, rules)) = DEMO.prisons.iter().find(|(p, _)| p.code == code) else {
        return;
    };
    for now in instants() {
        let Ok(prepared) = prepare(&request, rules, now) else {
            continue;
        };
        assert_eq!(
            prepared.prisoner_number().as_str(),
            request.prisoner.number.trim().to_ascii_uppercase()
        );
        let Some((_, record)) = DEMO
            .prisoners
            .iter()
            .find(|(p, _)| p.prison == code && &p.number == prepared.prisoner_number())
        else {
            continue;
        };
        let ctx = BookingContext {
            rules,
            templates: &prison.templates,
            closures: &prison.closures,
            prisoner: record,
            existing_visits: &[],
            tables_taken: 0,
        };
        match decide(&prepared, &ctx, now) {
            Ok(approved) => {
                assert!(!approved.visitors().is_empty());
                assert_eq!(&approved.session().id, prepared.session());
            }
            Err(violations) => assert!(!violations.first().code().is_empty()),
        }
    }
});
