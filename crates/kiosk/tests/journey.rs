//! The visitor's journey as the UI calls it, on a real store with the demo data: each command's
//! answers and its errors as the UI receives them (a stable code and the field it is about).

use chrono::NaiveDate;
use domain::dataset::PrisonerFile;
use domain::{BookingReference, BookingRequest, Custody, PrisonerInput, VisitKind, VisitorInput};
use kiosk::Store;
use kiosk::journey::{
    ContactChoice, Journey, PartyRequest, SessionOption, SlipRequest, UiErrors, VisitorName,
};
use kiosk::slip::Language;
use kiosk_test_support::{date, demo_store, demo_store_in, kwame, now, picked, prison_code, rhys, typed};
use tempfile::TempDir;

async fn journey(prison: &str) -> (TempDir, Journey) {
    let (dir, store) = demo_store().await;
    (dir, Journey::new(store, &prison_code(prison)))
}

/// Rhys as a visitor types him: any case, no care for the number's letters.
fn rhys_typed_loosely() -> PrisonerInput {
    PrisonerInput {
        number: "a1234bc".into(),
        surname: "EVANS".into(),
        ..rhys()
    }
}

/// An error's code and field, as compared in these tests.
type CodeAt = (String, Option<String>);

fn fields(e: &UiErrors) -> Vec<CodeAt> {
    e.errors
        .iter()
        .map(|e| (e.code.clone(), e.field.clone()))
        .collect()
}

fn err(code: &str, field: &str) -> CodeAt {
    (code.to_string(), Some(field.to_string()))
}

#[tokio::test]
async fn kiosk_info_gives_both_names_and_the_rules() {
    let (_dir, j) = journey("cdf").await;
    let info = j.kiosk_info(now()).await.unwrap();
    assert_eq!(info.prison.code, "CDF");
    assert_eq!(info.prison.name.en, "HMP Cardiff");
    // The Welsh name comes from the data set (CEF, Carchar Ei Fawrhydi, for HMP).
    assert!(
        info.prison.name.cy.ends_with(" Caerdydd"),
        "{}",
        info.prison.name.cy
    );
    assert_eq!(info.idle_timeout_seconds, 90);
    assert!(info.has_contact_list);
    assert_eq!(info.party.max_visitors, 6);
    assert_eq!(info.today.to_string(), "2026-11-25");
    assert_eq!(info.first_bookable_date.to_string(), "2026-11-27");
    let json = serde_json::to_value(&info).unwrap();
    assert_eq!(json["prison"]["name"]["cy"], info.prison.name.cy.as_str());
    let short = j.clone().with_idle_timeout(5).kiosk_info(now()).await.unwrap();
    assert_eq!(short.idle_timeout_seconds, 5);
}

/// Night blanking is decided from `now` in the prison's own time (London: GMT in November,
/// BST in June), and only when the configuration sets it.
#[tokio::test]
async fn the_screen_is_dark_in_the_configured_night_hours_of_the_prison() {
    let (_dir, j) = journey("cdf").await;
    let config = kiosk::config::KioskConfig::parse(
        "[screen]\nblank_from = \"21:00\"\nblank_until = \"07:00\"\n",
        std::path::Path::new("kiosk.toml"),
    )
    .unwrap();
    let night = j.clone().with_blanking(config.screen.blanking);
    let at = kiosk_test_support::at;
    for (instant, dark) in [
        ("2026-11-25T20:59:00Z", false),
        ("2026-11-25T21:00:00Z", true),
        ("2026-11-26T03:00:00Z", true),
        ("2026-11-26T06:59:00Z", true),
        ("2026-11-26T07:00:00Z", false),
        ("2026-11-26T12:00:00Z", false),
        // 20:30 UTC is 21:30 in London in summer.
        ("2026-06-10T20:30:00Z", true),
        ("2026-06-11T06:30:00Z", false),
    ] {
        let info = night.kiosk_info(at(instant)).await.unwrap();
        assert_eq!(info.screen_dark, dark, "at {instant}");
    }
    assert!(
        !j.kiosk_info(at("2026-11-26T03:00:00Z"))
            .await
            .unwrap()
            .screen_dark
    );
}

#[tokio::test]
async fn an_unknown_prison_is_a_code_not_a_message() {
    let (_dir, j) = journey("XYZ").await;
    let e = j.kiosk_info(now()).await.unwrap_err();
    assert_eq!(
        serde_json::to_value(&e).unwrap(),
        serde_json::json!({"errors": [{"code": "unknown_prison", "params": {}}]})
    );
}

#[tokio::test]
async fn check_prisoner_answers_with_the_contact_list() {
    let (_dir, j) = journey("CDF").await;
    let ok = j.check_prisoner(&rhys_typed_loosely(), now()).await.unwrap();
    assert_eq!(ok.prisoner_number, "A1234BC");
    let contacts = ok.contacts.unwrap();
    assert_eq!(contacts.len(), 4);
    assert_eq!(
        contacts[0],
        ContactChoice {
            id: "C000001".into(),
            name: "Siân E.".into(),
        }
    );
    // No dates of birth, bans or contacts' surnames in what the page receives: a stranger who
    // knows a prisoner's details learns too little to know who visits them.
    let json = serde_json::to_string(&j.check_prisoner(&rhys_typed_loosely(), now()).await.unwrap()).unwrap();
    assert!(!json.contains("1992") && !json.contains("banned"), "{json}");
    assert!(!json.contains("Evans"), "{json}");
}

#[tokio::test]
async fn many_prisoner_checks_that_match_nobody_slow_every_check_until_they_age() {
    let (_dir, j) = journey("CDF").await;
    let policy = domain::SignInPolicy {
        kiosk_failures_before_slowing: 3,
        slow_down: std::time::Duration::from_millis(800),
        ..domain::SignInPolicy::default()
    };
    let j = j.with_lookup_policy(policy);
    let stranger = PrisonerInput {
        surname: "Jones".into(),
        ..rhys_typed_loosely()
    };
    let t = now();
    for i in 0..3 {
        let e = j
            .check_prisoner(&stranger, t + chrono::Duration::seconds(i))
            .await
            .unwrap_err();
        assert_eq!(fields(&e), [err("prisoner_not_found", "prisoner.number")]);
    }
    // Shape errors are not guesses at a prisoner: they are not counted.
    let bad = PrisonerInput {
        number: "12".into(),
        ..rhys_typed_loosely()
    };
    j.check_prisoner(&bad, t).await.unwrap_err();
    let later = t + chrono::Duration::seconds(4);
    // Every check waits, the right one too, and the visitor's booking lookups are not slowed.
    let start = std::time::Instant::now();
    j.check_prisoner(&rhys_typed_loosely(), later).await.unwrap();
    assert!(start.elapsed() >= policy.slow_down, "{:?}", start.elapsed());
    assert_eq!(j.lookup_pause(later).await.unwrap(), std::time::Duration::ZERO);
    // Once the window has passed, no pause.
    let start = std::time::Instant::now();
    j.check_prisoner(&rhys_typed_loosely(), later + policy.kiosk_window)
        .await
        .unwrap();
    assert!(start.elapsed() < policy.slow_down, "{:?}", start.elapsed());
}

#[tokio::test]
async fn check_prisoner_errors() {
    let (_dir, j) = journey("CDF").await;
    let bad = PrisonerInput {
        number: "12".into(),
        date_of_birth: "2030-01-01".into(),
        surname: "".into(),
    };
    let e = j.check_prisoner(&bad, now()).await.unwrap_err();
    assert_eq!(
        fields(&e),
        [
            err("prisoner_number_invalid", "prisoner.number"),
            err("date_of_birth_in_future", "prisoner.date_of_birth"),
            err("name_empty", "prisoner.surname"),
        ]
    );
    let mut wrong_dob = rhys_typed_loosely();
    wrong_dob.date_of_birth = "1990-05-06".into();
    assert_eq!(
        fields(&j.check_prisoner(&wrong_dob, now()).await.unwrap_err()),
        [err("prisoner_not_found", "prisoner.number")]
    );
    // Held at Leeds, not here: the same answer as a prisoner who does not exist.
    let elsewhere = PrisonerInput {
        number: "C3456DE".into(),
        date_of_birth: "1979-12-12".into(),
        surname: "O'Connor".into(),
    };
    assert_eq!(
        j.check_prisoner(&elsewhere, now()).await.unwrap_err().codes(),
        ["prisoner_not_found"]
    );
}

#[tokio::test]
async fn a_prisoner_with_no_visiting_orders_is_stopped_early() {
    let (_dir, j) = journey("LDS").await;
    let daniel = PrisonerInput {
        number: "C3456DE".into(),
        date_of_birth: "1979-12-12".into(),
        surname: "o’connor".into(),
    };
    let e = j.check_prisoner(&daniel, now()).await.unwrap_err();
    assert_eq!(fields(&e), [("no_visiting_order".to_string(), None)]);
    let party = PartyRequest {
        prisoner: daniel,
        visitors: vec![picked("C000007")],
    };
    assert_eq!(
        fields(&j.available_sessions(&party, now()).await.unwrap_err()),
        [err("no_visiting_order", "session")]
    );
}

#[tokio::test]
async fn check_visitors_applies_the_party_rules() {
    let (_dir, j) = journey("CDF").await;
    let ok = PartyRequest {
        prisoner: rhys_typed_loosely(),
        visitors: vec![picked("C000001"), picked("C000002")],
    };
    let names = j.check_visitors(&ok, now()).await.unwrap();
    assert_eq!(
        names.visitors[1],
        VisitorName {
            first_name: "Megan".into(),
            last_name: "Evans".into()
        }
    );
    // Typed details that match the list are accepted too.
    let typed_ok = PartyRequest {
        prisoner: rhys_typed_loosely(),
        visitors: vec![typed("siân", "evans", "1992-03-14")],
    };
    assert!(j.check_visitors(&typed_ok, now()).await.is_ok());

    let cases: Vec<(Vec<VisitorInput>, Vec<CodeAt>)> = vec![
        (vec![], vec![err("no_visitors", "visitors")]),
        (
            vec![typed("", "Ev4ns", "2026-13-01")],
            vec![
                err("name_empty", "visitors[0].first_name"),
                err("name_invalid_characters", "visitors[0].last_name"),
                err("date_of_birth_invalid", "visitors[0].date_of_birth"),
            ],
        ),
        (
            vec![picked("C000002"), picked("C000001")],
            vec![err("lead_visitor_under_age", "visitors[0]")],
        ),
        (
            vec![picked("C000001"), typed("Stranger", "Danger", "1980-01-01")],
            vec![err("visitor_not_on_list", "visitors[1]")],
        ),
        (
            vec![picked("C000001"), picked("C000004")],
            vec![err("visitor_banned", "visitors[1]")],
        ),
        (
            vec![picked("C000001"), picked("C000001")],
            vec![err("duplicate_visitor", "visitors[1]")],
        ),
        (
            vec![picked("C999999")],
            vec![err("visitor_not_on_list", "visitors[0]")],
        ),
    ];
    for (visitors, expected) in cases {
        let req = PartyRequest {
            prisoner: rhys_typed_loosely(),
            visitors: visitors.clone(),
        };
        let e = j.check_visitors(&req, now()).await.unwrap_err();
        assert_eq!(fields(&e), expected, "{visitors:?}");
    }
    let banned = PartyRequest {
        prisoner: rhys_typed_loosely(),
        visitors: vec![picked("C000001"), picked("C000004")],
    };
    let e = j.check_visitors(&banned, now()).await.unwrap_err();
    // A ban's end date is about a named person: the page is told only that they cannot visit.
    assert_eq!(e.codes(), ["visitor_banned"]);
    assert!(e.errors[0].params.is_empty(), "{:?}", e.errors[0].params);
}

#[tokio::test]
async fn too_many_adults_where_there_is_no_list() {
    let (_dir, j) = journey("STY").await;
    let info = j.kiosk_info(now()).await.unwrap();
    assert!(!info.has_contact_list);
    assert_eq!(info.party.max_adults, 2);
    let prisoner = sty_prisoner();
    let checked = j.check_prisoner(&prisoner, now()).await.unwrap();
    assert_eq!(checked.contacts, None);
    let three = vec![
        typed("Ann", "Jones", "1980-01-01"),
        typed("Bea", "Jones", "1981-01-01"),
        typed("Cat", "Jones", "1982-01-01"),
    ];
    let e = j
        .check_visitors(
            &PartyRequest {
                prisoner: prisoner.clone(),
                visitors: three,
            },
            now(),
        )
        .await
        .unwrap_err();
    assert_eq!(fields(&e), [err("too_many_adults", "visitors")]);
    assert_eq!(e.errors[0].params.get("max").map(String::as_str), Some("2"));
    let strangers = vec![typed("Ann", "Jones", "1980-01-01")];
    assert!(
        j.check_visitors(
            &PartyRequest {
                prisoner,
                visitors: strangers
            },
            now()
        )
        .await
        .is_ok()
    );
}

/// The first Styal prisoner in the demo data who can be visited.
fn sty_prisoner() -> PrisonerInput {
    let prisoners = kiosk::demo::prisoners().unwrap();
    let p = prisoners
        .iter()
        .find(|p| p.prison == "STY" && p.custody == Custody::Remand && p.closed_visit_restrictions.is_empty())
        .expect("the demo data has a remand prisoner at Styal with no restriction");
    PrisonerInput {
        number: p.number.to_string(),
        date_of_birth: p.date_of_birth.to_string(),
        surname: p.last_name.to_string(),
    }
}

#[tokio::test]
async fn sessions_are_grouped_by_day_inside_the_window() {
    let (_dir, j) = journey("CDF").await;
    let party = PartyRequest {
        prisoner: rhys_typed_loosely(),
        visitors: vec![picked("C000001"), picked("C000002")],
    };
    let choice = j.available_sessions(&party, now()).await.unwrap();
    assert_eq!(choice.first_date.to_string(), "2026-11-27");
    assert_eq!(choice.last_date.to_string(), "2026-12-23");
    // Several days, so the order below is checked on something.
    assert!(choice.days.len() > 1, "{:?}", choice.days);
    assert!(choice.days.windows(2).all(|w| w[0].date < w[1].date));
    for day in &choice.days {
        assert!(day.date >= choice.first_date && day.date <= choice.last_date);
        for s in &day.sessions {
            assert_eq!(s.kind, VisitKind::Open);
            assert!(s.tables_left > 0);
        }
    }
    // The staff-training closure is not offered.
    assert!(
        !choice
            .days
            .iter()
            .flat_map(|d| &d.sessions)
            .any(|s| s.id == "CDF-TUE-PM/2026-12-08")
    );
    let tue = choice
        .days
        .iter()
        .flat_map(|d| &d.sessions)
        .find(|s| s.id == "CDF-TUE-PM/2026-12-01")
        .unwrap();
    assert_eq!(
        (tue.start.as_str(), tue.end.as_str(), tue.arrive_by.as_str()),
        ("14:00", "16:00", "13:15")
    );

    // Once booked, that session is not offered to this prisoner again.
    let request = BookingRequest {
        prison: "elsewhere".into(),
        prisoner: rhys_typed_loosely(),
        visitors: party.visitors.clone(),
        session: "CDF-TUE-PM/2026-12-01".into(),
        ..Default::default()
    };
    let booked = j.book(&request, now()).await.unwrap();
    assert_eq!(booked.reference.len(), 9);
    assert_eq!(booked.arrive_by, "13:15");
    assert_eq!(booked.visitors[0].first_name, "Siân");
    assert_eq!(booked.prison.code, "CDF");
    let again = j.available_sessions(&party, now()).await.unwrap();
    assert!(
        !again
            .days
            .iter()
            .flat_map(|d| &d.sessions)
            .any(|s| s.id == "CDF-TUE-PM/2026-12-01")
    );
    assert_eq!(
        fields(&j.book(&request, now()).await.unwrap_err()),
        [err("duplicate_visit", "session")]
    );
    // The outbox has the event, for the end-to-end tests' sake.
    let events = j.store().outbox(0, 10).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(
        events[0].booking_reference.as_deref(),
        Some(booked.reference.replace('-', "").as_str())
    );
}

#[tokio::test]
async fn a_closed_visit_restriction_offers_only_closed_tables() {
    let (_dir, j) = journey("LDS").await;
    let party = PartyRequest {
        prisoner: kwame(),
        visitors: vec![picked("C000008")],
    };
    let choice = j.available_sessions(&party, now()).await.unwrap();
    let all: Vec<&SessionOption> = choice.days.iter().flat_map(|d| &d.sessions).collect();
    assert!(!all.is_empty());
    assert!(
        all.iter()
            .all(|s| s.kind == VisitKind::Closed && s.tables_left > 0)
    );
    // LDS-SUN-PM has no closed tables, so it is never offered.
    assert!(!all.iter().any(|s| s.id.starts_with("LDS-SUN-PM/")));
}

/// A ban that ends inside the booking window: the visitor may come, but only after it ends. The
/// demo data has no such ban at Cardiff, so this test puts one on Gareth (C000003), Rhys's father.
#[tokio::test]
async fn a_ban_ending_inside_the_window_limits_the_dates() {
    let dir = TempDir::new().unwrap();
    let store: Store = demo_store_in(dir.path()).await;
    let until = date("2026-12-05");
    let mut prisoners: Vec<PrisonerFile> = kiosk::demo::prisoners().unwrap();
    let gareth = prisoners
        .iter_mut()
        .filter(|p| p.number.as_str() == "A1234BC")
        .flat_map(|p| p.contacts.iter_mut())
        .find(|c| c.id == "C000003")
        .expect("Gareth is on Rhys's list in the demo data");
    gareth.banned_until = Some(until);
    store
        .import(&kiosk::demo::prisons().unwrap(), &prisoners)
        .await
        .unwrap();
    let j = Journey::new(store, &prison_code("CDF"));

    let with_gareth = PartyRequest {
        prisoner: rhys(),
        visitors: vec![picked("C000003")],
    };
    assert!(
        j.check_visitors(&with_gareth, now()).await.is_ok(),
        "a ban that ends inside the window is no error before a date is chosen"
    );
    let dates: Vec<NaiveDate> = j
        .available_sessions(&with_gareth, now())
        .await
        .unwrap()
        .days
        .iter()
        .map(|d| d.date)
        .collect();
    assert!(!dates.is_empty(), "no date after the ban is offered");
    assert!(
        dates.iter().all(|d| *d > until),
        "{dates:?} has dates of the ban, which ends {until}"
    );
    // Someone not banned is offered dates the ban covers: the limit above is the ban's.
    let with_sian = PartyRequest {
        prisoner: rhys(),
        visitors: vec![picked("C000001")],
    };
    let choice = j.available_sessions(&with_sian, now()).await.unwrap();
    assert!(choice.days.iter().any(|d| d.date <= until));
}

#[tokio::test]
async fn print_slip_finds_the_booking_then_says_no_printer_is_configured() {
    let (_dir, j) = journey("CDF").await;
    let e = j
        .print_slip(
            &SlipRequest {
                reference: "ABCD-EFG!".into(),
                lang: Language::English,
            },
            now(),
        )
        .await
        .unwrap_err();
    assert_eq!(fields(&e), [err("reference_invalid_character", "reference")]);
    let request = BookingRequest {
        prison: "CDF".into(),
        prisoner: rhys_typed_loosely(),
        visitors: vec![picked("C000003")],
        session: "CDF-WED-AM/2026-12-02".into(),
        ..Default::default()
    };
    let booked = j.book(&request, now()).await.unwrap();
    let e = j
        .print_slip(
            &SlipRequest {
                reference: booked.reference.clone(),
                lang: Language::Welsh,
            },
            now(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.codes(), ["printer_not_configured"]);
    // The failed print leaves the booking saved and findable.
    let reference = BookingReference::parse(&booked.reference).unwrap();
    assert_eq!(j.store().booking(&reference).await.unwrap().prison_code, "CDF");
}

/// The letters the kiosk's on-screen keyboard has (ui/src/kiosk/keyboard.ts: the alphabet, its
/// accents page, hyphen, apostrophe and space), in lower case.
const KEYBOARD_LETTERS: &str = "abcdefghijklmnopqrstuvwxyzâêîôûŵŷáéíóúẃýàèìòùẁỳäëïöüẅÿ-' ";

/// A name as a visitor types it on the kiosk: a letter the keyboard does not have is typed
/// as the same letter without its mark.
fn typed_on_the_kiosk(name: &str) -> String {
    name.chars()
        .map(|c| {
            let lower: String = c.to_lowercase().collect();
            if lower.chars().all(|l| KEYBOARD_LETTERS.contains(l)) {
                return lower;
            }
            match c.to_lowercase().next().unwrap_or(c) {
                'ą' | 'ã' | 'ă' => "a",
                'ç' | 'ć' => "c",
                'ę' => "e",
                'ł' => "l",
                'ń' | 'ñ' => "n",
                'ś' | 'ș' | 'ş' => "s",
                'ț' | 'ţ' => "t",
                'ż' | 'ź' => "z",
                'õ' | 'ø' => "o",
                '\u{2019}' => "'",
                other => panic!("the kiosk's keyboard has no way to type {other:?} (in {name:?})"),
            }
            .to_string()
        })
        .collect()
}

/// Every prisoner in the demo data, at every prison, can be found by a visitor typing their
/// surname on the kiosk's keyboard: names with letters it lacks (Gonçalves, Dąbrowski,
/// Ștefan) are matched without their accents.
#[tokio::test]
async fn every_prisoner_can_be_found_with_the_kiosk_keyboard() {
    let prisoners = kiosk::demo::prisoners().unwrap();
    let mut lacking = 0;
    for prison in ["BMI", "CDF", "LDS", "STY"] {
        let (_dir, j) = journey(prison).await;
        for p in prisoners.iter().filter(|p| p.prison.as_str() == prison) {
            let typed = typed_on_the_kiosk(p.last_name.as_str());
            lacking += usize::from(typed != p.last_name.as_str().to_lowercase());
            let input = PrisonerInput {
                number: p.number.as_str().to_string(),
                date_of_birth: p.date_of_birth.to_string(),
                surname: typed.clone(),
            };
            // Found: either the prisoner's answer, or a rule about them (no visiting order left).
            if let Err(e) = j.check_prisoner(&input, now()).await {
                let codes: Vec<&str> = e.errors.iter().map(|e| e.code.as_str()).collect();
                assert!(
                    !codes.contains(&"prisoner_not_found"),
                    "{} typed as {typed:?}: {codes:?}",
                    p.last_name.as_str()
                );
            }
        }
    }
    // The demo data does have such names, so this test tries what it says.
    assert!(lacking > 0, "no demo surname needs a letter the keyboard lacks");
}
