//! Staff at the kiosk, on a real store file: PIN rules, sign-in answers and their timing, the
//! lockout and the kiosk's slow-down with `now` passed in, idle sessions, roles, the first PIN
//! change, and the append-only audit log.

use chrono::{DateTime, Duration, Utc};
use domain::{NewPin, Permission, PersonName, Role, SignInPolicy, StaffNumber};
use kiosk::Store;
use kiosk::staff::accounts::{AccountChange, NewAccount, change_as_operator};
use kiosk::staff::{SessionToken, Staff, StaffFailure};
use kiosk_test_support::{count, date, demo_store, now};
use protocol::Organisation;
use std::time::Instant;

const FIRST_PIN: &str = "274915";
const OWN_PIN: &str = "902417";

fn number(n: &str) -> StaffNumber {
    StaffNumber::parse(n).unwrap()
}

fn account(n: &str, name: &str, role: Role) -> NewAccount {
    NewAccount {
        number: number(n),
        name: PersonName::parse(name).unwrap(),
        role,
        organisation: None,
        expires_on: None,
    }
}

async fn add(store: &Store, new: NewAccount) {
    change_as_operator(
        store,
        "CDF",
        &AccountChange::Add(new),
        Some(NewPin::parse(FIRST_PIN).unwrap()),
        now(),
    )
    .await
    .unwrap();
}

/// Signs in with the first PIN and chooses `OWN_PIN`, then signs out: a working account.
async fn ready(staff: &Staff, n: &str, at: DateTime<Utc>) {
    let first = staff.sign_in(n, FIRST_PIN, at).await.unwrap();
    assert!(first.must_change_pin);
    staff.change_pin(&first.token, None, OWN_PIN, at).await.unwrap();
    staff.sign_out(&first.token, at).await.unwrap();
}

async fn cardiff() -> (tempfile::TempDir, Staff) {
    let (dir, store) = demo_store().await;
    add(&store, account("1001", "Ann Jones", Role::Supervisor)).await;
    add(&store, account("1002", "Bryn Price", Role::Reception)).await;
    (dir, Staff::new(store, domain::PrisonCode::parse("CDF").unwrap()))
}

fn code<T: std::fmt::Debug>(result: Result<T, StaffFailure>) -> &'static str {
    result.unwrap_err().code()
}

async fn audit_actions(store: &Store) -> Vec<String> {
    store
        .audit_log(0, 1000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect()
}

#[tokio::test]
async fn a_first_sign_in_must_choose_a_new_pin_before_anything_else() {
    let (_dir, staff) = cardiff().await;
    let t = now();
    let first = staff.sign_in("1001", FIRST_PIN, t).await.unwrap();
    assert!(first.must_change_pin);
    assert_eq!(first.who.role, Role::Supervisor);
    assert_eq!(first.idle_timeout_seconds, 120);
    assert_eq!(first.token.expose().len(), 32);
    let token = first.token;
    assert_eq!(
        code(staff.authorise(&token, Permission::KioskHealth, t).await),
        "pin_change_required"
    );
    // The PIN rules, and not the one-time PIN again.
    assert_eq!(
        code(staff.change_pin(&token, None, "123456", t).await),
        "pin_too_simple"
    );
    assert_eq!(
        code(staff.change_pin(&token, None, "12345", t).await),
        "pin_wrong_length"
    );
    assert_eq!(
        code(staff.change_pin(&token, None, "12a456", t).await),
        "pin_not_digits"
    );
    assert_eq!(
        code(staff.change_pin(&token, None, FIRST_PIN, t).await),
        "pin_unchanged"
    );
    staff.change_pin(&token, None, OWN_PIN, t).await.unwrap();
    let who = staff.authorise(&token, Permission::ManageStaff, t).await.unwrap();
    assert_eq!(who.staff_number.as_str(), "1001");

    // Later changes need the current PIN.
    assert_eq!(
        code(staff.change_pin(&token, None, "364819", t).await),
        "current_pin_required"
    );
    assert_eq!(
        code(staff.change_pin(&token, Some("111222"), "364819", t).await),
        "pin_incorrect"
    );
    staff
        .change_pin(&token, Some(OWN_PIN), "364819", t)
        .await
        .unwrap();
    staff.sign_out(&token, t).await.unwrap();
    assert_eq!(code(staff.sign_in("1001", OWN_PIN, t).await), "sign_in_failed");
    let again = staff.sign_in("1001", "364819", t).await.unwrap();
    assert!(!again.must_change_pin);
    staff
        .authorise(&again.token, Permission::ManageStaff, t)
        .await
        .unwrap();

    // A reset makes the person choose again.
    let changed = change_as_operator(
        staff.store(),
        "CDF",
        &AccountChange::ResetPin(number("1002")),
        None,
        t,
    )
    .await
    .unwrap();
    let one_time = changed.one_time_pin.clone().unwrap();
    assert!(changed.account.must_change_pin);
    assert!(!format!("{changed:?}").contains(one_time.expose()));
    let bryn = staff.sign_in("1002", one_time.expose(), t).await.unwrap();
    assert!(bryn.must_change_pin);
    assert_eq!(
        code(staff.authorise(&bryn.token, Permission::TodaysVisits, t).await),
        "pin_change_required"
    );
}

#[tokio::test]
async fn a_wrong_pin_for_a_real_number_and_for_a_missing_one_get_the_same_answer() {
    let (_dir, staff) = cardiff().await;
    let store = staff.store().clone();
    let mut helper = account("1003", "Cai Hughes", Role::Helper);
    helper.organisation = Some(Organisation::parse("PACT").unwrap());
    helper.expires_on = Some(date("2026-11-30"));
    add(&store, helper).await;
    add(&store, account("1004", "Del Rees", Role::Reception)).await;
    change_as_operator(
        &store,
        "CDF",
        &AccountChange::Disable(number("1004")),
        None,
        now(),
    )
    .await
    .unwrap();
    let t = now();
    let later = t + Duration::days(10);
    // A real number with a wrong PIN, a missing number, a disabled account with its right PIN,
    // an expired helper with theirs: one answer.
    let attempts = [
        ("1001", "111222", t),
        ("9999", "111222", t),
        ("1004", FIRST_PIN, t),
        ("1003", FIRST_PIN, later),
    ];
    for (n, pin, at) in attempts {
        let refused = staff.sign_in(n, pin, at).await.unwrap_err();
        assert_eq!(refused.code(), "sign_in_failed", "{n}");
        assert_eq!(refused.to_string(), "the staff number or PIN is not right", "{n}");
    }
    // The helper could sign in before the expiry date passed.
    staff.sign_in("1003", FIRST_PIN, t).await.unwrap();

    // And it takes as long: one argon2id verification either way. The fastest of a few tries,
    // so a busy machine does not decide.
    let mut real = std::time::Duration::MAX;
    let mut missing = std::time::Duration::MAX;
    for _ in 0..3 {
        let start = Instant::now();
        staff.sign_in("1002", "111222", t).await.unwrap_err();
        real = real.min(start.elapsed());
        let start = Instant::now();
        staff.sign_in("8888", "111222", t).await.unwrap_err();
        missing = missing.min(start.elapsed());
    }
    assert!(
        missing * 2 > real && real * 2 > missing,
        "a wrong PIN took {real:?} for a real number, {missing:?} for a missing one"
    );
    // Every failure is on record, with the number as typed.
    let log = store.audit_log(0, 1000).await.unwrap();
    let failed: Vec<&str> = log
        .iter()
        .filter(|e| e.action == "sign_in_failed")
        .filter_map(|e| e.staff_number.as_deref())
        .collect();
    assert!(
        failed.starts_with(&["1001", "9999", "1004", "1003"]),
        "{failed:?}"
    );
    assert_eq!(failed.len(), 10);
    assert_eq!(count(&store, "SELECT COUNT(*) FROM sign_in_failures").await, 10);
}

#[tokio::test]
async fn five_wrong_pins_lock_an_account_for_fifteen_minutes() {
    let (_dir, staff) = cardiff().await;
    let t0 = now();
    ready(&staff, "1002", t0).await;
    // A good PIN clears the count: four wrong, one right, four wrong is no lock.
    for i in 0..4 {
        staff
            .sign_in("1002", "111222", t0 + Duration::seconds(i))
            .await
            .unwrap_err();
    }
    staff
        .sign_in("1002", OWN_PIN, t0 + Duration::seconds(5))
        .await
        .unwrap();
    for i in 0..4 {
        staff
            .sign_in("1002", "111222", t0 + Duration::seconds(10 + i))
            .await
            .unwrap_err();
    }
    let t = t0 + Duration::minutes(1);
    staff.sign_in("1002", OWN_PIN, t).await.unwrap();

    // Five wrong PINs in a row: the fifth is still just wrong, then the account is locked,
    // whatever PIN is typed, until fifteen minutes after the fifth.
    for i in 0..5 {
        assert_eq!(
            code(staff.sign_in("1002", "111222", t + Duration::seconds(i)).await),
            "sign_in_failed"
        );
    }
    let fifth = t + Duration::seconds(4);
    let until = fifth + Duration::minutes(15);
    match staff.sign_in("1002", OWN_PIN, t + Duration::minutes(1)).await {
        Err(StaffFailure::AccountLocked { until: said }) => assert_eq!(said, until),
        other => panic!("{other:?}"),
    }
    // Tries while locked do not lengthen the lock.
    assert_eq!(
        code(staff.sign_in("1002", "111222", t + Duration::minutes(10)).await),
        "account_locked"
    );
    assert_eq!(
        code(staff.sign_in("1002", OWN_PIN, until - Duration::seconds(1)).await),
        "account_locked"
    );
    // Another account is not locked.
    staff
        .sign_in("1001", FIRST_PIN, until - Duration::seconds(1))
        .await
        .unwrap();
    staff.sign_in("1002", OWN_PIN, until).await.unwrap();
    // A number nobody has is never "locked": the answer would say it exists.
    let t = until + Duration::hours(1);
    for i in 0..6 {
        assert_eq!(
            code(staff.sign_in("7777", "111222", t + Duration::seconds(i)).await),
            "sign_in_failed"
        );
    }

    // Locked again, then unlocked by an operator (a supervisor, on a kiosk alone): at once.
    let t = until + Duration::hours(2);
    for i in 0..5 {
        staff
            .sign_in("1002", "111222", t + Duration::seconds(i))
            .await
            .unwrap_err();
    }
    let listed = kiosk::staff::accounts::list(
        staff.store(),
        "CDF",
        &SignInPolicy::default(),
        t + Duration::minutes(1),
    )
    .await
    .unwrap();
    let bryn = listed.iter().find(|a| a.staff_number == "1002").unwrap();
    assert_eq!(
        bryn.locked_until,
        Some(t + Duration::seconds(4) + Duration::minutes(15))
    );
    assert_eq!(
        code(staff.sign_in("1002", OWN_PIN, t + Duration::minutes(1)).await),
        "account_locked"
    );
    change_as_operator(
        staff.store(),
        "CDF",
        &AccountChange::Unlock(number("1002")),
        None,
        t + Duration::minutes(2),
    )
    .await
    .unwrap();
    staff
        .sign_in("1002", OWN_PIN, t + Duration::minutes(3))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_kiosk_with_many_failed_sign_ins_slows_every_attempt() {
    let (_dir, store) = demo_store().await;
    add(&store, account("1001", "Ann Jones", Role::Supervisor)).await;
    let policy = SignInPolicy {
        slow_down: std::time::Duration::from_millis(1500),
        ..SignInPolicy::default()
    };
    let staff = Staff::new(store, domain::PrisonCode::parse("CDF").unwrap()).with_policy(policy);
    let t = now();
    // Nineteen failures in five minutes, on numbers real and not: no pause yet.
    for i in 0..19 {
        // Four wrong PINs for Ann (not enough to lock her out), the rest for nobody.
        let n = if i % 5 == 0 { "1001" } else { "5555" };
        staff
            .sign_in(n, "111222", t + Duration::seconds(i * 10))
            .await
            .unwrap_err();
    }
    let at = t + Duration::seconds(200);
    assert_eq!(staff.sign_in_pause(at).await.unwrap(), std::time::Duration::ZERO);
    staff.sign_in("5555", "111222", at).await.unwrap_err();
    assert_eq!(staff.sign_in_pause(at).await.unwrap(), policy.slow_down);
    // Every attempt waits now, a right PIN too.
    let start = Instant::now();
    let in_time = staff.sign_in("1001", FIRST_PIN, at + Duration::seconds(1)).await;
    assert!(start.elapsed() >= policy.slow_down, "{:?}", start.elapsed());
    in_time.unwrap();
    // Five minutes after the twentieth failure, the oldest have aged out of the window.
    assert_eq!(
        staff
            .sign_in_pause(t + Duration::seconds(190) + Duration::minutes(5))
            .await
            .unwrap(),
        std::time::Duration::ZERO
    );
}

#[tokio::test]
async fn a_session_ends_after_two_minutes_without_a_command() {
    let (_dir, staff) = cardiff().await;
    let t = now();
    ready(&staff, "1002", t).await;
    let token = staff.sign_in("1002", OWN_PIN, t).await.unwrap().token;
    let touch = |at| staff.authorise(&token, Permission::TodaysVisits, at);
    // Each command starts the two minutes again.
    let mut at = t;
    for _ in 0..3 {
        at += Duration::seconds(119);
        touch(at).await.unwrap();
    }
    assert_eq!(code(touch(at + Duration::minutes(2)).await), "session_expired");
    // Gone: nothing of it is left.
    assert_eq!(code(touch(at + Duration::minutes(2)).await), "not_signed_in");
    let actions = audit_actions(staff.store()).await;
    assert_eq!(actions.last().map(String::as_str), Some("session_expired"));
    // A token the kiosk never gave out.
    let forged = SessionToken::from_ui("00000000000000000000000000000000");
    assert_eq!(
        code(staff.authorise(&forged, Permission::TodaysVisits, t).await),
        "not_signed_in"
    );
    assert!(!format!("{token:?}").contains(token.expose()));
}

#[tokio::test]
async fn every_command_checks_the_role_and_the_account() {
    let (_dir, staff) = cardiff().await;
    let store = staff.store().clone();
    let mut helper = account("1003", "Cai Hughes", Role::Helper);
    helper.organisation = Some(Organisation::parse("PACT").unwrap());
    helper.expires_on = Some(date("2027-06-30"));
    add(&store, helper).await;
    let t = now();
    for n in ["1001", "1002", "1003"] {
        ready(&staff, n, t).await;
    }
    let reception = staff.sign_in("1002", OWN_PIN, t).await.unwrap().token;
    let supervisor = staff.sign_in("1001", OWN_PIN, t).await.unwrap().token;
    let helper = staff.sign_in("1003", OWN_PIN, t).await.unwrap().token;
    use Permission::*;
    for p in [
        TodaysVisits,
        MarkArrivals,
        FindBookings,
        CancelBookings,
        KioskHealth,
    ] {
        staff.authorise(&reception, p, t).await.unwrap();
        staff.authorise(&supervisor, p, t).await.unwrap();
        assert_eq!(code(staff.authorise(&helper, p, t).await), "not_allowed", "{p:?}");
    }
    for p in [
        CloseSessions,
        ChangeTables,
        ManageStaff,
        PrinterSettings,
        EnrolmentSettings,
    ] {
        assert_eq!(
            code(staff.authorise(&reception, p, t).await),
            "not_allowed",
            "{p:?}"
        );
        staff.authorise(&supervisor, p, t).await.unwrap();
    }
    staff.authorise(&helper, BookOnBehalf, t).await.unwrap();
    assert_eq!(code(staff.accounts(&reception, t).await), "not_allowed");
    assert_eq!(staff.accounts(&supervisor, t).await.unwrap().len(), 3);

    // A supervisor disables the receptionist: their session ends at its next command.
    let changed = staff
        .change_account(&supervisor, &AccountChange::Disable(number("1002")), t)
        .await
        .unwrap();
    assert!(changed.account.disabled && changed.one_time_pin.is_none());
    assert_eq!(
        code(staff.authorise(&reception, TodaysVisits, t).await),
        "not_signed_in"
    );
    // A supervisor adds someone: the kiosk makes up the one-time PIN and tells it once.
    let added = staff
        .change_account(
            &supervisor,
            &AccountChange::Add(account("1005", "Efa Lloyd", Role::Reception)),
            t,
        )
        .await
        .unwrap();
    let pin = added.one_time_pin.expect("a one-time PIN");
    assert!(
        staff
            .sign_in("1005", pin.expose(), t)
            .await
            .unwrap()
            .must_change_pin
    );
    assert_eq!(
        code(
            staff
                .change_account(
                    &supervisor,
                    &AccountChange::Add(account("1005", "Efa Lloyd", Role::Reception)),
                    t
                )
                .await
        ),
        "staff_account_exists"
    );
    assert_eq!(
        code(
            staff
                .change_account(&supervisor, &AccountChange::Unlock(number("4444")), t)
                .await
        ),
        "staff_account_not_found"
    );
    // Signed out: the token is worth nothing.
    staff.sign_out(&supervisor, t).await.unwrap();
    assert_eq!(
        code(staff.authorise(&supervisor, TodaysVisits, t).await),
        "not_signed_in"
    );
    staff.sign_out(&supervisor, t).await.unwrap();
}

#[tokio::test]
async fn the_audit_log_is_append_only_and_holds_no_secret() {
    let (_dir, staff) = cardiff().await;
    let t = now();
    ready(&staff, "1001", t).await;
    let token = staff.sign_in("1001", OWN_PIN, t).await.unwrap().token;
    staff.sign_in("1002", "111222", t).await.unwrap_err();
    staff.sign_out(&token, t).await.unwrap();
    let store = staff.store();
    assert_eq!(
        audit_actions(store).await,
        [
            "account_change",
            "account_change",
            "sign_in",
            "pin_changed",
            "sign_out",
            "sign_in",
            "sign_in_failed",
            "sign_out"
        ]
    );
    let log = store.audit_log(0, 1000).await.unwrap();
    assert_eq!(log[0].detail.as_deref(), Some("added 1001 (supervisor)"));
    assert_eq!(log[0].staff_number, None, "an operator's change");
    assert_eq!(log[2].staff_number.as_deref(), Some("1001"));
    assert_eq!(log[2].role.as_deref(), Some("supervisor"));
    assert_eq!(log[2].kiosk_id.as_deref(), Some("test-kiosk"));
    for statement in [
        "UPDATE audit_log SET detail = 'nothing happened'",
        "UPDATE audit_log SET staff_number = NULL WHERE seq = 3",
        "DELETE FROM audit_log",
        "DELETE FROM audit_log WHERE seq = 1",
    ] {
        let refused = sqlx::query(statement).execute(store.pool()).await.unwrap_err();
        assert!(
            refused.to_string().contains("audit_log is append-only"),
            "{statement}: {refused}"
        );
    }
    assert_eq!(store.audit_log(0, 1000).await.unwrap(), log);
    let text = format!("{log:?}");
    for secret in [FIRST_PIN, OWN_PIN, "111222", "$argon2", token.expose()] {
        assert!(!text.contains(secret), "{secret} in the audit log");
    }
    // A kiosk alone sends nothing anywhere: nothing in the outbox.
    assert_eq!(count(store, "SELECT COUNT(*) FROM outbox").await, 0);
}
