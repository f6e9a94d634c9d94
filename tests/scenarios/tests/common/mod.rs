//! What the scenarios that drive a kiosk's engine share: the engine on a kiosk's store file,
//! and staff made at central signing in there with their one-time PIN.
#![allow(dead_code)]

use chrono::{DateTime, Utc};
use kiosk::journey::{ChangePinRequest, Journey, StaffSignInRequest};
use scenarios::Kiosk;

/// The PIN every scenario's staff choose at their first sign-in.
pub const OWN_PIN: &str = "902417";

/// A staff account made at central with `visit-central staff add` on its database file (with
/// any further options in `more`, a helper's organisation, say): the one-time PIN it printed.
pub async fn staff_added_at_central(
    db: &std::path::Path,
    prison: &str,
    number: &str,
    name: &str,
    role: &str,
    more: &[&str],
) -> String {
    let mut args = vec![
        "staff", "add", "--prison", prison, "--number", number, "--name", name, "--role", role,
    ];
    args.extend_from_slice(more);
    one_time_pin(&scenarios::Central::admin(db, &args).await)
}

/// The one-time PIN `visit-central staff add` printed.
pub fn one_time_pin(out: &str) -> String {
    out.lines()
        .find_map(|l| l.strip_prefix("one-time PIN:"))
        .map(|p| p.trim().to_string())
        .unwrap_or_else(|| panic!("no one-time PIN in {out}"))
}

/// The kiosk's engine on its store file, as the app would run it.
pub async fn journey(kiosk: &Kiosk) -> Journey {
    Journey::new(
        kiosk::Store::open(&kiosk.db).await.unwrap(),
        &domain::PrisonCode::parse("CDF").unwrap(),
    )
}

/// Signs in with the one-time PIN and chooses [`OWN_PIN`]: a token that may work.
pub async fn signed_in(j: &Journey, number: &str, first_pin: &str, now: DateTime<Utc>) -> String {
    let token = j
        .staff_sign_in(
            &StaffSignInRequest {
                staff_number: number.into(),
                pin: first_pin.into(),
            },
            now,
        )
        .await
        .unwrap()
        .token;
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
    token
}

/// A prison made in-process, with one weekly Saturday session (`{code}-SAT`, 14:00 to 16:00 in
/// the Hall, `open_tables` open tables and 2 closed) and the demo prisons' rules.
pub fn saturday_prison(
    code: &str,
    name: &str,
    name_cy: &str,
    open_tables: u16,
) -> domain::dataset::PrisonFile {
    let date = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    domain::dataset::PrisonFile {
        code: domain::PrisonCode::parse(code).unwrap(),
        name: name.into(),
        name_cy: name_cy.into(),
        address: vec!["1 Test Road".into()],
        address_cy: vec!["1 Heol Prawf".into()],
        timezone: "Europe/London".parse().unwrap_or(domain::Tz::UTC),
        min_notice_days: 2,
        max_notice_days: 28,
        max_visitors: 6,
        max_adults: 3,
        max_children: 5,
        adult_age: 18,
        has_contact_list: true,
        remand_weekly_limit: 3,
        arrive_minutes_before: 30,
        templates: vec![
            domain::SessionTemplate::parse(domain::TemplateFields {
                id: format!("{code}-SAT"),
                weekday: chrono::Weekday::Sat,
                start: chrono::NaiveTime::from_hms_opt(14, 0, 0).unwrap(),
                end: chrono::NaiveTime::from_hms_opt(16, 0, 0).unwrap(),
                room: "Hall".into(),
                open_capacity: open_tables,
                closed_capacity: 2,
                valid_from: date("2026-01-01"),
                valid_to: None,
                frequency: domain::Frequency::Weekly,
            })
            .unwrap(),
        ],
        closures: vec![],
    }
}
