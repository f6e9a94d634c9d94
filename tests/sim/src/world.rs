//! The simulated prison: a small timetable with few tables and a handful of prisoners, so that
//! kiosks fight over the same tables, prisoners and visiting orders within a few dozen steps.

use domain::dataset::{PrisonFile, PrisonerFile};
use serde_json::json;

/// The simulation starts here: a Saturday night in London, 14 hours before the kiosks' shares
/// of Tuesday 1 December's session expire (a run's ticks add up to about as much). The booking
/// window is then 30 November to 26 December 2026.
pub const START: &str = "2026-11-28T22:00:00Z";
pub const PRISON: &str = "SIM";
/// The reception account central has at the prison; staff cancellations act as it.
pub const STAFF: &str = "1002";

/// The sessions a visitor may ask for: every one in the window, and one before it.
pub const SESSIONS: &[&str] = &[
    "SIM-TUE/2026-12-01",
    "SIM-TUE/2026-12-08",
    "SIM-TUE/2026-12-15",
    "SIM-THU/2026-12-03",
    "SIM-THU/2026-12-10",
    "SIM-THU/2026-12-17",
    "SIM-THU/2026-11-26",
];

pub struct Prisoner {
    pub number: &'static str,
    pub date_of_birth: &'static str,
    pub surname: &'static str,
    /// Contact ids of adults on the approved list (the last one of some prisoners is banned).
    pub contacts: &'static [&'static str],
}

pub const PRISONERS: &[Prisoner] = &[
    Prisoner {
        number: "S0001AA",
        date_of_birth: "1985-01-01",
        surname: "Morgan",
        contacts: &["SC0101", "SC0102"],
    },
    Prisoner {
        number: "S0002AA",
        date_of_birth: "1986-02-02",
        surname: "Hughes",
        contacts: &["SC0201", "SC0202"],
    },
    Prisoner {
        number: "S0003AA",
        date_of_birth: "1987-03-03",
        surname: "Price",
        contacts: &["SC0301", "SC0302"],
    },
    Prisoner {
        number: "S0004AA",
        date_of_birth: "1988-04-04",
        surname: "Rees",
        contacts: &["SC0401", "SC0402"],
    },
    Prisoner {
        number: "S0005AA",
        date_of_birth: "1989-05-05",
        surname: "Lloyd",
        contacts: &["SC0501", "SC0502"],
    },
    Prisoner {
        number: "S0006AA",
        date_of_birth: "1990-06-06",
        surname: "Powell",
        contacts: &["SC0601", "SC0602"],
    },
];

pub fn prison() -> anyhow::Result<PrisonFile> {
    Ok(serde_json::from_value(json!({
        "code": PRISON,
        "name": "HMP Simulation",
        "name_cy": "CEF Efelychiad",
        "address": ["1 Test Road", "Cardiff", "CF1 1AA"],
        "address_cy": ["1 Ffordd Prawf", "Caerdydd", "CF1 1AA"],
        "timezone": "Europe/London",
        "min_notice_days": 2,
        "max_notice_days": 28,
        "max_visitors": 6,
        "max_adults": 3,
        "max_children": 5,
        "adult_age": 18,
        "has_contact_list": true,
        "remand_weekly_limit": 2,
        "arrive_minutes_before": 30,
        "templates": [
            { "id": "SIM-TUE", "weekday": "tuesday", "start": "14:00:00", "end": "16:00:00", "room": "Visits hall",
              "open_capacity": 3, "closed_capacity": 1, "valid_from": "2026-01-01", "frequency": "weekly" },
            { "id": "SIM-THU", "weekday": "thursday", "start": "18:00:00", "end": "19:30:00", "room": "Family room",
              "open_capacity": 2, "closed_capacity": 1, "valid_from": "2026-01-01", "frequency": "weekly" }
        ],
        "closures": [{ "date": "2026-12-10", "template_id": "SIM-THU", "reason": "staff training" }]
    }))?)
}

pub fn prisoners() -> anyhow::Result<Vec<PrisonerFile>> {
    PRISONERS
        .iter()
        .enumerate()
        .map(|(i, p)| {
            // Two convicted prisoners with few visiting orders, two on remand (a weekly limit),
            // one restricted to closed visits, and some banned contacts.
            let custody = if i % 3 == 1 { "remand" } else { "convicted" };
            let restrictions = if i == 4 {
                json!([{ "from": "2026-12-01" }])
            } else {
                json!([])
            };
            let contacts: Vec<_> = p
                .contacts
                .iter()
                .enumerate()
                .map(|(j, id)| {
                    let banned = (i % 2 == 0 && j == 1).then_some("2026-12-09");
                    let first_name = ["Alys", "Bryn", "Cerys", "Dylan", "Efa", "Gethin"][(i + j) % 6];
                    json!({
                        "id": id,
                        "first_name": first_name,
                        "last_name": p.surname,
                        "date_of_birth": format!("19{}-0{}-1{}", 60 + i, j + 1, i),
                        "banned_until": banned,
                    })
                })
                .collect();
            Ok(serde_json::from_value(json!({
                "number": p.number,
                "prison": PRISON,
                "first_name": "Prisoner",
                "last_name": p.surname,
                "date_of_birth": p.date_of_birth,
                "custody": custody,
                "visiting_orders": 1 + (i % 3),
                "closed_visit_restrictions": restrictions,
                "contacts": contacts,
            }))?)
        })
        .collect()
}
