//! The standard requests: the demo prisoners and visitors the tests book for.
//!
//! | who | prison | what the demo data makes them |
//! |---|---|---|
//! | Rhys Evans, A1234BC | CDF | convicted, 4 visiting orders; contacts Siân (C000001), Megan, 11 (C000002), Gareth (C000003), Dylan, banned (C000004) |
//! | Llŷr ap Gruffudd, B2345CD | CDF | on remand (weekly limit); contacts Ffion (C000005), Ioan, 14 (C000006) |
//! | Kwame Mensah, D4567EF | LDS | convicted, closed visits only; contact Abena (C000008) |

use domain::{BookingRequest, PrisonCode, PrisonerInput, VisitorInput};

/// A prison code the demo data uses (`CDF`, `LDS`...), for the store's and the journey's
/// functions that take a parsed one.
pub fn prison_code(code: &str) -> PrisonCode {
    PrisonCode::parse(code).unwrap_or_else(|e| panic!("{e}"))
}

fn prisoner(number: &str, date_of_birth: &str, surname: &str) -> PrisonerInput {
    PrisonerInput {
        number: number.into(),
        date_of_birth: date_of_birth.into(),
        surname: surname.into(),
    }
}

/// Rhys Evans, held at Cardiff.
pub fn rhys() -> PrisonerInput {
    prisoner("A1234BC", "1990-05-05", "Evans")
}

/// Llŷr ap Gruffudd, on remand at Cardiff.
pub fn llyr() -> PrisonerInput {
    prisoner("B2345CD", "1985-01-31", "ap Gruffudd")
}

/// Kwame Mensah, restricted to closed visits at Leeds.
pub fn kwame() -> PrisonerInput {
    prisoner("D4567EF", "1995-06-15", "Mensah")
}

/// A visitor picked from the prisoner's approved list by id.
pub fn picked(contact_id: &str) -> VisitorInput {
    VisitorInput {
        contact_id: Some(contact_id.into()),
        ..Default::default()
    }
}

/// A visitor typed in.
pub fn typed(first_name: &str, last_name: &str, date_of_birth: &str) -> VisitorInput {
    VisitorInput {
        contact_id: None,
        first_name: first_name.into(),
        last_name: last_name.into(),
        date_of_birth: date_of_birth.into(),
    }
}

/// Siân Evans, Rhys's partner, typed in as on his approved list.
pub fn sian() -> VisitorInput {
    typed("Siân", "Evans", "1992-03-14")
}

pub fn request(
    prison: &str,
    prisoner: PrisonerInput,
    visitors: Vec<VisitorInput>,
    session: &str,
) -> BookingRequest {
    BookingRequest {
        prison: prison.into(),
        prisoner,
        visitors,
        session: session.into(),
        ..Default::default()
    }
}

/// Siân visiting Rhys at Cardiff in `session`, e.g. `CDF-SAT-PM/2026-11-28`.
pub fn rhys_request(session: &str) -> BookingRequest {
    request("CDF", rhys(), vec![sian()], session)
}
