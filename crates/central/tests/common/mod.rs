//! What both test binaries of central (`api` and `cli`) start from: the tests' "now", the demo
//! files, a kiosk enrolled without HTTP, and Rhys Evans's request as a kiosk pushes it.
//! `cli` includes it with `mod common;`, `api` with a `#[path]`.

use central::Central;
use chrono::{DateTime, Utc};
use domain::{BookingRequest, PrisonerInput, VisitorInput};
use protocol::Credential;

/// The tests' "now": Wednesday 25 November 2026, 10:00 in London. The demo set's booking
/// window is then 27 November to 23 December.
pub const NOW: &str = "2026-11-25T10:00:00Z";

/// The demo data set: prisons.json and prisoners.json.
pub const DEMO_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo");

pub fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(NOW).unwrap().with_timezone(&Utc)
}

/// Makes an enrolment code for `prisons` and exchanges it in process, for tests in which an
/// HTTP enrolment is not possible (a timeout of a nanosecond) or there is no server.
pub async fn enrol_in_process(central: &Central, prisons: &[&str]) -> Credential {
    let prisons: Vec<domain::PrisonCode> = prisons
        .iter()
        .map(|p| domain::PrisonCode::parse(p).unwrap())
        .collect();
    let enrolment = central.create_enrolment(&prisons, None).await.unwrap();
    central.enrol(&enrolment.code).await.unwrap()
}

/// A visitor as the kiosk journey sends one picked from the contact list: the id, and the
/// other fields empty.
pub fn picked(id: &str) -> VisitorInput {
    VisitorInput {
        contact_id: Some(id.into()),
        ..Default::default()
    }
}

/// Rhys Evans's request as a kiosk pushes it, with the given visitors.
pub fn rhys(session: &str, visitors: Vec<VisitorInput>) -> BookingRequest {
    BookingRequest {
        prison: "CDF".into(),
        prisoner: PrisonerInput {
            number: "A1234BC".into(),
            date_of_birth: "1990-05-05".into(),
            surname: "Evans".into(),
        },
        visitors,
        session: session.into(),
        ..Default::default()
    }
}
