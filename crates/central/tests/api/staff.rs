//! Staff accounts and the audit log over the API: what kiosks pull (their prisons' accounts,
//! hashes only), the `staff_account_changed` and `audit` events they push, and every refusal.

use crate::helpers::*;
use central::NewStaff;
use chrono::NaiveDate;
use domain::{NewPin, PersonName, Role, StaffNumber};
use serde_json::{Value, json};

fn number(n: &str) -> StaffNumber {
    StaffNumber::parse(n).unwrap()
}

async fn add(app: &TestApp, prison: &str, n: &str, name: &str, role: Role) {
    let new = NewStaff {
        prison: prison.into(),
        number: number(n),
        name: PersonName::parse(name).unwrap(),
        role,
        organisation: None,
        expires_on: None,
    };
    app.central
        .add_staff(&new, &NewPin::parse("274915").unwrap())
        .await
        .unwrap();
}

async fn hash() -> String {
    central::service::hash_pin(&NewPin::parse("902417").unwrap())
        .await
        .unwrap()
        .as_str()
        .to_string()
}

fn staff_numbers(page: &Value) -> Vec<(String, String)> {
    page["staff_accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["prison"].as_str().unwrap().to_string(),
                a["staff_number"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn changed(seq: i64, prison: &str, actor: &str, target: &str, change: Value) -> Value {
    event(
        seq,
        "staff_account_changed",
        json!({ "prison": prison, "actor": actor, "staff_number": target, "change": change }),
    )
}

fn outcome(answer: &Value, i: usize) -> (String, String) {
    let r = &answer["results"][i];
    (
        r["outcome"].as_str().unwrap().to_string(),
        r["reason"].as_str().unwrap_or("").to_string(),
    )
}

fn accepted() -> (String, String) {
    ("accepted".into(), String::new())
}

fn refused(reason: &str) -> (String, String) {
    ("rejected".into(), reason.into())
}

#[tokio::test]
async fn a_kiosk_pulls_the_accounts_of_its_prisons_and_never_another_prisons() {
    let app = spawn_app().await;
    add(&app, "CDF", "1001", "Ann Jones", Role::Supervisor).await;
    add(&app, "cdf", "1002", "Bryn Price", Role::Reception).await;
    add(&app, "LDS", "1001", "Lee Shaw", Role::Supervisor).await;
    let cardiff = app.kiosk(&["CDF"]).await;
    let page = app.pull(&cardiff, 0).await;
    assert_eq!(
        staff_numbers(&page),
        [("CDF".into(), "1001".into()), ("CDF".into(), "1002".into())]
    );
    let ann = &page["staff_accounts"][0];
    assert_eq!(ann["name"], "Ann Jones");
    assert_eq!(ann["role"], "supervisor");
    assert_eq!(ann["must_change_pin"], true);
    assert_eq!(ann["disabled"], false);
    assert!(ann["pin_hash"].as_str().unwrap().starts_with("$argon2id$v=19$"));
    // Hashes only: nothing else of the PIN, and no field the kiosk does not need.
    let mut fields: Vec<&str> = ann.as_object().unwrap().keys().map(String::as_str).collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        [
            "disabled",
            "must_change_pin",
            "name",
            "pin_hash",
            "prison",
            "role",
            "staff_number"
        ]
    );
    assert!(!page.to_string().contains("274915"));

    let leeds = app.kiosk(&["LDS"]).await;
    assert_eq!(
        staff_numbers(&app.pull(&leeds, 0).await),
        [("LDS".into(), "1001".into())]
    );
    let both = app.kiosk(&["CDF", "LDS"]).await;
    assert_eq!(staff_numbers(&app.pull(&both, 0).await).len(), 3);

    // A change reaches the kiosk in its next incremental pull, disabled accounts included.
    let cursor = page["next_cursor"].as_i64().unwrap();
    app.central.disable_staff("CDF", &number("1002")).await.unwrap();
    app.central.unlock_staff("LDS", &number("1001")).await.unwrap();
    let next = app.pull(&cardiff, cursor).await;
    let pulled = staff_numbers(&next);
    assert!(pulled.contains(&("CDF".into(), "1002".into())), "{pulled:?}");
    assert!(pulled.iter().all(|(prison, _)| prison == "CDF"), "{pulled:?}");
    let bryn = next["staff_accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["staff_number"] == "1002")
        .unwrap();
    assert_eq!(bryn["disabled"], true);
    if app.backend == "sqlite" {
        assert_eq!(pulled, [("CDF".into(), "1002".into())]);
    }
    let leeds_next = app.pull(&leeds, cursor).await;
    let lee = &leeds_next["staff_accounts"][0];
    assert_eq!(lee["staff_number"], "1001");
    assert!(lee["unlocked_at"].is_string());
}

#[tokio::test]
async fn a_supervisor_changes_accounts_from_a_kiosk_and_others_may_not() {
    let app = spawn_app().await;
    add(&app, "CDF", "1001", "Ann Jones", Role::Supervisor).await;
    add(&app, "CDF", "1003", "Cai Hughes", Role::Reception).await;
    add(&app, "LDS", "2001", "Lee Shaw", Role::Supervisor).await;
    let kiosk = app.kiosk(&["CDF"]).await;
    let pin_hash = hash().await;
    let added = changed(
        1,
        "CDF",
        "1001",
        "1002",
        json!({ "action": "added", "name": "Bryn Price", "role": "reception", "pin_hash": pin_hash }),
    );
    let answer = app.push(&kiosk, std::slice::from_ref(&added)).await;
    assert_eq!(outcome(&answer, 0), accepted());
    let bryn = app
        .central
        .staff("CDF")
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.staff_number.as_str() == "1002")
        .unwrap();
    assert_eq!(bryn.role, Role::Reception);
    assert!(bryn.must_change_pin);
    assert_eq!(bryn.pin_hash.as_str(), pin_hash);

    // The same event again: its stored answer, applied once.
    let again = app.push(&kiosk, &[added]).await;
    assert_eq!(outcome(&again, 0), accepted());
    assert_eq!(again["results"][0]["replayed"], true);

    let new_hash = hash().await;
    let events = [
        // Bryn chooses their own PIN: the holder of the account may.
        changed(
            2,
            "CDF",
            "1002",
            "1002",
            json!({ "action": "pin_changed", "pin_hash": new_hash }),
        ),
        // A receptionist may not manage accounts, not even to unlock someone.
        changed(3, "CDF", "1003", "1001", json!({ "action": "unlocked" })),
        // Nor choose another person's PIN.
        changed(
            4,
            "CDF",
            "1003",
            "1002",
            json!({ "action": "pin_changed", "pin_hash": new_hash }),
        ),
        // Nobody of that number at the prison.
        changed(5, "CDF", "9999", "1002", json!({ "action": "disabled" })),
        // A supervisor of another prison is nobody here.
        changed(6, "CDF", "2001", "1002", json!({ "action": "disabled" })),
        // The kiosk does not act for Leeds, whoever the actor is.
        changed(7, "LDS", "2001", "2001", json!({ "action": "unlocked" })),
        changed(8, "CDF", "1001", "4444", json!({ "action": "unlocked" })),
        // Taken, with other details.
        changed(
            9,
            "CDF",
            "1001",
            "1003",
            json!({ "action": "added", "name": "Someone Else", "role": "reception", "pin_hash": new_hash }),
        ),
        changed(
            10,
            "CDF",
            "1001",
            "1003",
            json!({ "action": "pin_reset", "pin_hash": new_hash }),
        ),
        changed(11, "CDF", "1001", "1003", json!({ "action": "disabled" })),
        // Disabled, Cai may no longer act, even on their own PIN.
        changed(
            12,
            "CDF",
            "1003",
            "1003",
            json!({ "action": "pin_changed", "pin_hash": new_hash }),
        ),
    ];
    let answer = app.push(&kiosk, &events).await;
    let outcomes: Vec<_> = (0..events.len()).map(|i| outcome(&answer, i)).collect();
    assert_eq!(
        outcomes,
        [
            accepted(),
            refused("actor_not_allowed"),
            refused("actor_not_allowed"),
            refused("actor_not_allowed"),
            refused("actor_not_allowed"),
            refused("prison_not_allowed"),
            refused("staff_account_not_found"),
            refused("staff_account_exists"),
            accepted(),
            accepted(),
            refused("actor_not_allowed"),
        ]
    );
    let accounts = app.central.staff("CDF").await.unwrap();
    let get = |n: &str| accounts.iter().find(|a| a.staff_number.as_str() == n).unwrap();
    assert_eq!(get("1002").pin_hash.as_str(), new_hash);
    assert!(!get("1002").must_change_pin);
    assert!(get("1002").unlocked_at.is_none() && !get("1002").disabled);
    let cai = get("1003");
    assert!(cai.disabled && cai.must_change_pin && cai.unlocked_at.is_some());
    assert_eq!(cai.pin_hash.as_str(), new_hash);
    assert_eq!(cai.name.as_str(), "Cai Hughes");
    let lee = &app.central.staff("LDS").await.unwrap()[0];
    assert!(lee.unlocked_at.is_none(), "another prison's account was touched");
}

#[tokio::test]
async fn bad_staff_changes_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    add(&app, "CDF", "1001", "Ann Jones", Role::Supervisor).await;
    let kiosk = app.kiosk(&["CDF"]).await;
    let pin_hash = hash().await;
    let added = |extra: Value| {
        let mut change =
            json!({ "action": "added", "name": "Bryn Price", "role": "reception", "pin_hash": pin_hash });
        for (k, v) in extra.as_object().unwrap() {
            change[k] = v.clone();
        }
        change
    };
    let events = [
        changed(1, "CDF", "1001", "1002", added(json!({ "role": "admin" }))),
        changed(2, "CDF", "1001", "1002", added(json!({ "pin_hash": "274915" }))),
        changed(3, "CDF", "1001", "1002", added(json!({ "pin": "274915" }))),
        changed(4, "CDF", "1001", "1002", added(json!({ "name": "R2-D2" }))),
        changed(5, "CDF", "1001", "12", added(json!({}))),
        // A helper needs an organisation and an expiry date at most a year ahead.
        changed(6, "CDF", "1001", "1002", added(json!({ "role": "helper" }))),
        changed(
            7,
            "CDF",
            "1001",
            "1002",
            added(json!({ "role": "helper", "organisation": "PACT", "expires_on": "2028-01-01" })),
        ),
        changed(
            8,
            "CDF",
            "1001",
            "1002",
            added(json!({ "organisation": "PACT", "expires_on": "2027-01-01" })),
        ),
        changed(9, "CDF", "1001", "1002", json!({ "action": "promoted" })),
        changed(10, "CDF", "1001", "1001", json!({ "action": "pin_changed" })),
        event(
            11,
            "staff_account_changed",
            json!({ "prison": "CDF", "actor": "1001" }),
        ),
        event(12, "staff_account_changed.v2", json!({})),
    ];
    let answer = app.push(&kiosk, &events).await;
    for i in 0..10 {
        assert_eq!(outcome(&answer, i), refused("invalid_payload"), "event {}", i + 1);
    }
    assert_eq!(outcome(&answer, 10), refused("invalid_payload"));
    assert_eq!(outcome(&answer, 11), refused("unknown_event_kind"));
    let accounts = app.central.staff("CDF").await.unwrap();
    assert_eq!(accounts.len(), 1);
    assert!(accounts[0].must_change_pin, "Ann's PIN was not changed");

    // A helper within a year is fine.
    let ok = changed(
        13,
        "CDF",
        "1001",
        "1002",
        added(json!({ "role": "helper", "organisation": "PACT", "expires_on": "2027-06-30" })),
    );
    assert_eq!(outcome(&app.push(&kiosk, &[ok]).await, 0), accepted());
    let helper = app
        .central
        .staff("CDF")
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.role == Role::Helper)
        .unwrap();
    assert_eq!(helper.organisation.unwrap().as_str(), "PACT");
    assert_eq!(helper.expires_on, NaiveDate::from_ymd_opt(2027, 6, 30));
}

fn audit(seq: i64, prison: &str, extra: Value) -> Value {
    let mut entry = json!({
        "prison": prison, "at": "2026-11-25T09:30:00Z", "staff_number": "1001",
        "role": "reception", "action": "view", "reference": null,
    });
    for (k, v) in extra.as_object().unwrap() {
        entry[k] = v.clone();
    }
    if entry["reference"].is_null() {
        entry.as_object_mut().unwrap().remove("reference");
    }
    event(seq, "audit", entry)
}

#[tokio::test]
async fn audit_entries_are_kept_for_the_kiosks_prisons_only() {
    let app = spawn_app().await;
    let kiosk = app.kiosk(&["CDF"]).await;
    let reference = kiosk.reference(1);
    // One character mistyped: the check character catches it.
    let mut typo = reference.clone();
    let last = typo.pop().unwrap();
    typo.push(if last == 'A' { 'B' } else { 'A' });
    let events = [
        audit(1, "CDF", json!({ "action": "sign_in" })),
        audit(
            2,
            "CDF",
            json!({ "action": "print", "reference": reference.to_lowercase().replace('-', ""),
                "detail": "reprinted on A4" }),
        ),
        audit(
            3,
            "CDF",
            json!({ "action": "sign_in_failed", "staff_number": "9999", "role": null }),
        ),
        // Not the kiosk's prison.
        audit(4, "LDS", json!({})),
        audit(5, "CDF", json!({ "reference": typo })),
        audit(6, "CDF", json!({ "action": "teleport" })),
        audit(7, "CDF", json!({ "detail": "x".repeat(513) })),
        audit(8, "CDF", json!({ "pin": "274915" })),
        audit(9, "CDF", json!({ "staff_number": "12" })),
        audit(10, "CDF", json!({ "at": "yesterday" })),
    ];
    let answer = app.push(&kiosk, &events).await;
    let outcomes: Vec<_> = (0..events.len()).map(|i| outcome(&answer, i)).collect();
    assert_eq!(
        outcomes,
        [
            accepted(),
            accepted(),
            accepted(),
            refused("prison_not_allowed"),
            refused("reference_invalid"),
            refused("invalid_payload"),
            refused("invalid_payload"),
            refused("invalid_payload"),
            refused("invalid_payload"),
            refused("invalid_payload"),
        ]
    );
    // Replayed, kept once.
    let replay = app.push(&kiosk, &events[..1]).await;
    assert_eq!(replay["results"][0]["replayed"], true);

    let day = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    let log = app.central.audit("CDF", day, day).await.unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["sign_in", "print", "sign_in_failed"]);
    assert!(
        log.iter()
            .all(|e| e.kiosk_id.as_deref() == Some(kiosk.id.as_str()))
    );
    assert_eq!(log[1].booking_reference.as_deref(), Some(reference.as_str()));
    assert_eq!(log[1].detail.as_deref(), Some("reprinted on A4"));
    assert_eq!(log[2].staff_number.as_deref(), Some("9999"));
    assert_eq!(log[2].role, None);
    assert!(app.central.audit("LDS", day, day).await.unwrap().is_empty());
    let next_day = day.succ_opt().unwrap();
    assert!(
        app.central
            .audit("CDF", next_day, next_day)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn administrators_changes_are_audited_and_refused_when_wrong() {
    let app = spawn_app().await;
    add(&app, "CDF", "1001", "Ann Jones", Role::Supervisor).await;
    let pin = NewPin::parse("274915").unwrap();
    let new = |prison: &str, n: &str, role: Role| NewStaff {
        prison: prison.into(),
        number: number(n),
        name: PersonName::parse("Bryn Price").unwrap(),
        role,
        organisation: None,
        expires_on: None,
    };
    let code = |e: central::CentralError| e.code();
    assert_eq!(
        code(
            app.central
                .add_staff(&new("CDF", "1001", Role::Reception), &pin)
                .await
                .unwrap_err()
        ),
        "staff_account_exists"
    );
    assert_eq!(
        code(
            app.central
                .add_staff(&new("XYZ", "1002", Role::Reception), &pin)
                .await
                .unwrap_err()
        ),
        "unknown_prison"
    );
    assert_eq!(
        code(
            app.central
                .add_staff(&new("CDF", "1002", Role::Helper), &pin)
                .await
                .unwrap_err()
        ),
        "staff_account_invalid"
    );
    assert_eq!(
        code(
            app.central
                .disable_staff("CDF", &number("1002"))
                .await
                .unwrap_err()
        ),
        "staff_account_not_found"
    );
    let reset = app
        .central
        .reset_staff_pin("CDF", &number("1001"), &NewPin::parse("902417").unwrap())
        .await
        .unwrap();
    assert!(reset.must_change_pin && reset.unlocked_at.is_some());
    let day = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    let log = app.central.audit("CDF", day, day).await.unwrap();
    let details: Vec<&str> = log.iter().filter_map(|e| e.detail.as_deref()).collect();
    assert_eq!(
        details,
        [
            "visit-central: added 1001 (supervisor)",
            "visit-central: pin_reset 1001"
        ]
    );
    assert!(
        log.iter()
            .all(|e| e.kiosk_id.is_none() && e.staff_number.is_none())
    );
    assert!(!format!("{log:?}").contains("argon2"));
}

/// A kiosk applies a change before pushing it: when central refuses it, the account comes again
/// in the next pull, so the kiosk puts central's back in place of its own.
#[tokio::test]
async fn a_refused_change_sends_centrals_account_again() {
    let app = spawn_app().await;
    add(&app, "CDF", "1001", "Ann Jones", Role::Supervisor).await;
    add(&app, "CDF", "1002", "Bryn Price", Role::Reception).await;
    add(&app, "CDF", "1003", "Cai Hughes", Role::Reception).await;
    let kiosk = app.kiosk(&["CDF"]).await;
    let cursor = app.pull(&kiosk, 0).await["next_cursor"].as_i64().unwrap();
    let pin_hash = hash().await;
    let events = [
        // Bryn may not disable Cai.
        changed(1, "CDF", "1002", "1003", json!({ "action": "disabled" })),
        // Ann may, but Bryn's number is taken by someone else.
        changed(
            2,
            "CDF",
            "1001",
            "1002",
            json!({ "action": "added", "name": "Dai Evans", "role": "supervisor", "pin_hash": pin_hash }),
        ),
    ];
    let answer = app.push(&kiosk, &events).await;
    assert_eq!(outcome(&answer, 0), refused("actor_not_allowed"));
    assert_eq!(outcome(&answer, 1), refused("staff_account_exists"));
    let page = app.pull(&kiosk, cursor).await;
    let pulled = staff_numbers(&page);
    for n in ["1002", "1003"] {
        assert!(
            pulled.contains(&("CDF".into(), n.into())),
            "{n} not sent again: {pulled:?}"
        );
    }
    if app.backend == "sqlite" {
        assert_eq!(pulled.len(), 2, "{pulled:?}");
    }
    let accounts = app.central.staff("CDF").await.unwrap();
    assert!(accounts.iter().all(|a| !a.disabled));
    assert_eq!(accounts[1].name.as_str(), "Bryn Price");
}
