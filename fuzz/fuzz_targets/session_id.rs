//! A session id (`TEMPLATE/YYYY-MM-DD`), as requests, pushes and share releases carry it.
#![no_main]

use domain::SessionId;
use domain::timetable::{FIRST_SESSION_DATE, LAST_SESSION_DATE, is_template_id};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    let Ok(id) = SessionId::parse(input) else {
        return;
    };
    assert!(is_template_id(id.template_id()));
    assert!((FIRST_SESSION_DATE..=LAST_SESSION_DATE).contains(&id.date()));
    let shown = id.to_string();
    assert_eq!(SessionId::parse(&shown).as_ref(), Ok(&id));
    assert_eq!(SessionId::new(id.template_id(), id.date()).as_ref(), Ok(&id));
    // Date arithmetic on a session date cannot overflow (the reason for the date bounds).
    let _ = id.date() + chrono::Duration::days(400) - chrono::Duration::days(800);
    let json = serde_json::to_string(&id).expect("a session id serialises");
    assert_eq!(serde_json::from_str::<SessionId>(&json).ok(), Some(id));
});
