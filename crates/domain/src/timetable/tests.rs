//! Tests of `timetable.rs`, kept apart so the rules read on their own.

use super::*;
use chrono_tz::Europe::London;
use proptest::prelude::*;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn t(s: &str) -> NaiveTime {
    NaiveTime::parse_from_str(s, "%H:%M").unwrap()
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn template(id: &str, weekday: Weekday, frequency: Frequency) -> SessionTemplate {
    SessionTemplate {
        id: id.into(),
        weekday,
        start: t("14:00"),
        end: t("16:00"),
        room: "Main hall".into(),
        open_capacity: 20,
        closed_capacity: 2,
        valid_from: d("2026-01-01"),
        valid_to: None,
        frequency,
    }
}

#[test]
fn weekly_templates_run_on_their_weekday_within_validity() {
    let mut tpl = template("T", Weekday::Tue, Frequency::Weekly);
    tpl.valid_to = Some(d("2026-12-31"));
    assert!(tpl.runs_on(d("2026-12-01")));
    assert!(!tpl.runs_on(d("2026-12-02")));
    assert!(!tpl.runs_on(d("2025-12-30")));
    assert!(!tpl.runs_on(d("2027-01-05")));
    assert!(tpl.runs_on(d("2026-12-29")));
}

#[test]
fn fortnightly_templates_skip_every_other_week() {
    // 2026-01-01 is a Thursday, so the first Saturday is 3 January.
    let tpl = template("T", Weekday::Sat, Frequency::Fortnightly);
    assert!(tpl.runs_on(d("2026-01-03")));
    assert!(!tpl.runs_on(d("2026-01-10")));
    assert!(tpl.runs_on(d("2026-01-17")));
    assert!(tpl.runs_on(d("2026-11-21")));
    assert!(!tpl.runs_on(d("2026-11-28")));
    assert!(tpl.runs_on(d("2026-12-05")));
}

#[test]
fn closures_remove_sessions_prison_wide_or_one_at_a_time() {
    let templates = vec![
        template("A", Weekday::Tue, Frequency::Weekly),
        template("B", Weekday::Tue, Frequency::Weekly),
    ];
    let closures = vec![
        Closure {
            date: d("2026-12-01"),
            template_id: Some("A".into()),
            reason: "staff training".into(),
        },
        Closure {
            date: d("2026-12-08"),
            template_id: None,
            reason: "lockdown".into(),
        },
    ];
    let sessions = sessions_between(&templates, &closures, d("2026-12-01"), d("2026-12-15"));
    let ids: Vec<String> = sessions.iter().map(|s| s.id.to_string()).collect();
    assert_eq!(ids, ["B/2026-12-01", "A/2026-12-15", "B/2026-12-15"]);
    assert_eq!(
        find_session(
            &templates,
            &closures,
            &SessionId::new("A", d("2026-12-01")).unwrap()
        ),
        Err(RuleError::SessionClosed)
    );
    assert_eq!(
        find_session(
            &templates,
            &closures,
            &SessionId::new("A", d("2026-12-02")).unwrap()
        ),
        Err(RuleError::SessionNotFound)
    );
    assert_eq!(
        find_session(
            &templates,
            &closures,
            &SessionId::new("Z", d("2026-12-01")).unwrap()
        ),
        Err(RuleError::SessionNotFound)
    );
    assert!(
        find_session(
            &templates,
            &closures,
            &SessionId::new("B", d("2026-12-01")).unwrap()
        )
        .is_ok()
    );
}

#[test]
fn window_counts_days_in_london_time_not_utc() {
    let w = BookingWindow::default();
    // 23:30 UTC on 1 July is 00:30 on 2 July in London (BST).
    assert_eq!(
        w.dates(utc("2026-07-01T23:30:00Z"), London),
        (d("2026-07-04"), d("2026-07-30"))
    );
    // In winter London is on UTC.
    assert_eq!(
        w.dates(utc("2026-12-01T23:30:00Z"), London),
        (d("2026-12-03"), d("2026-12-29"))
    );
}

#[test]
fn window_across_the_march_clock_change() {
    let w = BookingWindow::default();
    // Clocks go forward at 01:00 UTC on Sunday 29 March 2026.
    assert_eq!(w.dates(utc("2026-03-28T23:59:59Z"), London).0, d("2026-03-30"));
    assert_eq!(w.dates(utc("2026-03-29T00:59:59Z"), London).0, d("2026-03-31"));
    assert_eq!(w.dates(utc("2026-03-29T23:00:00Z"), London).0, d("2026-04-01"));
    assert_eq!(w.dates(utc("2026-03-29T22:59:59Z"), London).0, d("2026-03-31"));
    assert_eq!(
        w.check(d("2026-03-31"), utc("2026-03-29T22:59:59Z"), London),
        Ok(())
    );
    assert_eq!(
        w.check(d("2026-03-31"), utc("2026-03-29T23:00:00Z"), London),
        Err(RuleError::SessionTooSoon { min_days: 2 })
    );
}

#[test]
fn window_across_the_october_clock_change() {
    let w = BookingWindow::default();
    // Clocks go back at 01:00 UTC on Sunday 25 October 2026.
    assert_eq!(w.dates(utc("2026-10-24T22:59:59Z"), London).0, d("2026-10-26"));
    assert_eq!(w.dates(utc("2026-10-24T23:00:00Z"), London).0, d("2026-10-27"));
    assert_eq!(w.dates(utc("2026-10-25T23:59:59Z"), London).0, d("2026-10-27"));
    assert_eq!(w.dates(utc("2026-10-26T00:00:00Z"), London).0, d("2026-10-28"));
    assert_eq!(
        w.check(d("2026-11-23"), utc("2026-10-25T00:30:00Z"), London),
        Err(RuleError::SessionTooFarAhead { max_days: 28 })
    );
}

#[test]
fn session_start_instants_follow_the_clock_change() {
    let mut tpl = template("S", Weekday::Sun, Frequency::Weekly);
    tpl.start = t("01:30");
    let sessions = sessions_between(&[tpl], &[], d("2026-03-29"), d("2026-10-25"));
    let first = sessions.first().unwrap();
    // 01:30 does not exist on 29 March: the session starts at 02:30 BST, 01:30 UTC.
    assert_eq!(first.starts_at(London), utc("2026-03-29T01:30:00Z"));
    let last = sessions.last().unwrap();
    // 01:30 happens twice on 25 October: the first, BST, is 00:30 UTC.
    assert_eq!(last.starts_at(London), utc("2026-10-25T00:30:00Z"));
}

#[test]
fn session_ids_round_trip() {
    let id = SessionId::parse("CDF-TUE-PM/2026-12-01").unwrap();
    assert_eq!(id.template_id(), "CDF-TUE-PM");
    assert_eq!(id.to_string(), "CDF-TUE-PM/2026-12-01");
    for bad in ["", "X", "X/2026-13-01", "/2026-12-01", "a b/2026-12-01"] {
        assert_eq!(SessionId::parse(bad), Err(RuleError::SessionNotFound), "{bad}");
    }
}

proptest! {
    #[test]
    fn window_is_always_min_to_max_days_after_the_local_date(
        secs in 1_735_689_600i64..1_830_297_600, min in 0u16..7, extra in 0u16..60
    ) {
        let now = DateTime::from_timestamp(secs, 0).unwrap();
        let w = BookingWindow::new(min, min + extra).unwrap();
        let (first, last) = w.dates(now, London);
        let today = now.with_timezone(&London).date_naive();
        prop_assert_eq!((first - today).num_days(), i64::from(min));
        prop_assert_eq!((last - first).num_days(), i64::from(extra));
        prop_assert!(w.check(first, now, London).is_ok());
        prop_assert!(w.check(first.pred_opt().unwrap(), now, London).is_err());
        prop_assert!(w.check(last.succ_opt().unwrap(), now, London).is_err());
    }

    #[test]
    fn generated_sessions_are_on_the_template_day_and_never_closed(
        start in 0i64..700, len in 0i64..120, weekday in 0u8..7, fortnightly: bool, closed_offset in 0i64..120
    ) {
        let weekday = Weekday::try_from(weekday).unwrap();
        let tpl = template("P", weekday, if fortnightly { Frequency::Fortnightly } else { Frequency::Weekly });
        let from = d("2026-01-01") + Duration::days(start);
        let to = from + Duration::days(len);
        let closures = vec![Closure { date: from + Duration::days(closed_offset), template_id: None, reason: "x".into() }];
        let sessions = sessions_between(std::slice::from_ref(&tpl), &closures, from, to);
        for s in &sessions {
            prop_assert_eq!(s.date().weekday(), weekday);
            prop_assert!(s.date() != closures[0].date);
        }
        let period = if fortnightly { 14 } else { 7 };
        for pair in sessions.windows(2) {
            let gap = (pair[1].date() - pair[0].date()).num_days();
            let closure_between = pair[0].date() < closures[0].date && closures[0].date < pair[1].date();
            prop_assert!(gap == period || (closure_between && gap == 2 * period), "gap {}", gap);
        }
    }

    #[test]
    fn any_session_id_parses_or_is_refused_without_panicking(year in -300_000i32..300_000, day in 0u32..400) {
        let Some(date) = NaiveDate::from_yo_opt(year, day) else { return Ok(()) };
        match SessionId::parse(&format!("T/{date}")) {
            Ok(id) => {
                prop_assert!((FIRST_SESSION_DATE..=LAST_SESSION_DATE).contains(&id.date()));
                // What the booking rules do with a session's date cannot overflow.
                let _ = crate::booking::week_start(id.date());
                let _ = BookingWindow::default().dates(id.date().and_hms_opt(12, 0, 0).unwrap().and_utc(), London);
            }
            Err(e) => prop_assert_eq!(e, RuleError::SessionNotFound),
        }
    }
}

#[test]
fn session_ids_outside_the_calendar_the_kiosk_serves_are_refused() {
    for bad in [
        "T/0001-01-01",
        "T/1999-12-31",
        "T/2200-01-01",
        "T/+262143-12-31",
        "/2026-12-01",
        "T T/2026-12-01",
    ] {
        assert_eq!(SessionId::parse(bad), Err(RuleError::SessionNotFound), "{bad}");
    }
    assert!(SessionId::parse("T/2000-01-01").is_ok());
    assert!(SessionId::new("T", NaiveDate::MIN).is_err());
    // Whatever date reaches it, the week's Monday is found without overflow.
    assert_eq!(crate::booking::week_start(NaiveDate::MIN), NaiveDate::MIN);
    assert_eq!(add_days(NaiveDate::MAX, 1), NaiveDate::MAX);
}

#[test]
fn a_session_id_in_a_year_out_of_range_is_refused_without_panicking() {
    // chrono parses all of these; the first is the earliest date it can hold.
    for bad in [
        "CDF-SAT-PM/-262143-01-01",
        "CDF-SAT-PM/0000-01-01",
        "CDF-SAT-PM/1900-01-06",
        "CDF-SAT-PM/2200-01-04",
    ] {
        assert_eq!(SessionId::parse(bad), Err(RuleError::SessionNotFound), "{bad}");
    }
    assert_eq!(
        SessionId::parse("CDF-SAT-PM/2199-12-28").map(|s| s.date()),
        Ok(d("2199-12-28"))
    );
}

#[test]
fn a_booking_window_never_opens_after_it_closes() {
    assert!(BookingWindow::new(2, 28).is_ok());
    assert!(BookingWindow::new(5, 5).is_ok());
    assert_eq!(BookingWindow::new(6, 5), Err(WindowError { min: 6, max: 5 }));
}

#[test]
fn templates_are_checked_as_they_are_made() {
    let good = TemplateFields::from(template("T", Weekday::Tue, Frequency::Weekly));
    assert!(SessionTemplate::parse(good.clone()).is_ok());
    let mut ends_first = good.clone();
    ends_first.end = t("13:00");
    assert!(matches!(
        SessionTemplate::parse(ends_first),
        Err(TemplateError::EndsBeforeStart(_))
    ));
    let mut no_tables = good.clone();
    no_tables.open_capacity = 0;
    no_tables.closed_capacity = 0;
    assert!(matches!(
        SessionTemplate::parse(no_tables),
        Err(TemplateError::NoTables(_))
    ));
    let mut backwards = good.clone();
    backwards.valid_to = Some(d("2025-01-01"));
    assert!(matches!(
        SessionTemplate::parse(backwards),
        Err(TemplateError::ValidToBeforeFrom(_))
    ));
    let mut bad_id = good;
    bad_id.id = "has space".into();
    assert!(matches!(
        SessionTemplate::parse(bad_id),
        Err(TemplateError::BadId(_))
    ));
    let json = r#"{"id":"T","weekday":"tuesday","start":"14:00:00","end":"13:00:00","room":"R",
        "open_capacity":1,"closed_capacity":0,"valid_from":"2026-01-01","frequency":"weekly"}"#;
    assert!(serde_json::from_str::<SessionTemplate>(json).is_err());
}
