//! Staff accounts and the audit log end to end, with the real processes: an administrator makes
//! the first supervisor with `visit-central staff add`, enrolled kiosks pull the accounts of
//! their prison (and only theirs), a supervisor signs in at a kiosk's engine, chooses a PIN and
//! adds a receptionist, and after `kioskctl sync` central has the new PIN hash, the new account
//! and the kiosk's audit log, and another kiosk of the prison lets the receptionist in.
//!
//! Needs the binaries built first: `cargo build -p visit-central -p visit-kioskctl`.

mod common;

use common::*;

use chrono::Utc;
use domain::{PersonName, Role, StaffNumber};
use kiosk::staff::Staff;
use kiosk::staff::accounts::{AccountChange, NewAccount};
use scenarios::{Central, Kiosk};
use tempfile::TempDir;

async fn engine(kiosk: &Kiosk, prison: &str) -> Staff {
    Staff::new(
        kiosk::Store::open(&kiosk.db).await.unwrap(),
        domain::PrisonCode::parse(prison).unwrap(),
    )
}

fn staff_numbers(list: &serde_json::Value) -> Vec<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|a| a["staff_number"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_reach_their_prisons_kiosks_and_what_staff_do_reaches_central() {
    let dir = TempDir::new().unwrap();
    let central = Central::with_demo(dir.path()).await;
    let db = dir.path().join("central.sqlite");
    let ann_first = staff_added_at_central(&db, "CDF", "1001", "Ann Jones", "supervisor", &[]).await;
    staff_added_at_central(&db, "LDS", "2001", "Lee Shaw", "supervisor", &[]).await;

    let kiosks = Kiosk::fleet(dir.path(), &["cardiff1", "cardiff2", "leeds"]);
    let r = kiosks[0].enrol(&central, &central.url(), 0).await;
    assert_eq!(r.json["sync"]["pulled_staff_accounts"], 1, "{}", r.json);
    let list = kiosks[0]
        .run(None, &["staff", "list", "--prison", "CDF"], None)
        .await;
    assert_eq!(staff_numbers(&list.json), ["1001"]);
    assert!(!list.json.to_string().contains("argon2"));
    // Central is the authority: the kiosk's operator cannot make accounts any more.
    let refused = kiosks[0]
        .run(
            None,
            &[
                "staff",
                "add",
                "--prison",
                "CDF",
                "--number",
                "1009",
                "--name",
                "Zed",
                "--role",
                "supervisor",
            ],
            None,
        )
        .await;
    assert_ne!(refused.code, 0);
    assert_eq!(refused.json["error"]["code"], "staff_managed_by_central");

    // A Leeds kiosk gets Leeds's accounts, never Cardiff's.
    let code = Central::admin(&db, &["kiosk", "enrol", "--prison", "LDS"]).await;
    let code = code
        .lines()
        .find_map(|l| l.strip_prefix("enrolment code:"))
        .unwrap()
        .trim()
        .to_string();
    let r = kiosks[2]
        .run(
            Some(&central.url()),
            &["enrol", "--code", &code, "--share-open", "0"],
            None,
        )
        .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let leeds = kiosks[2]
        .run(None, &["staff", "list", "--prison", "LDS"], None)
        .await;
    assert_eq!(staff_numbers(&leeds.json), ["2001"]);
    let none = kiosks[2]
        .run(None, &["staff", "list", "--prison", "CDF"], None)
        .await;
    assert_eq!(staff_numbers(&none.json), Vec::<String>::new());

    // At the Cardiff kiosk: Ann signs in, must choose her own PIN, adds Bryn, signs out; someone
    // tries a number nobody has.
    let now = Utc::now();
    let staff = engine(&kiosks[0], "CDF").await;
    let signed_in = staff.sign_in("1001", &ann_first, now).await.unwrap();
    assert!(signed_in.must_change_pin);
    staff
        .change_pin(&signed_in.token, None, "902417", now)
        .await
        .unwrap();
    let bryn = staff
        .change_account(
            &signed_in.token,
            &AccountChange::Add(NewAccount {
                number: StaffNumber::parse("1002").unwrap(),
                name: PersonName::parse("Bryn Price").unwrap(),
                role: Role::Reception,
                organisation: None,
                expires_on: None,
            }),
            now,
        )
        .await
        .unwrap();
    let bryn_first = bryn.one_time_pin.unwrap().expose().to_string();
    staff.sign_out(&signed_in.token, now).await.unwrap();
    assert_eq!(
        staff.sign_in("9999", "111222", now).await.unwrap_err().code(),
        "sign_in_failed"
    );
    staff.store().close().await;

    let synced = kiosks[0].sync_ok().await;
    let report = &synced["report"];
    assert_eq!(report["rejected"], 0, "{synced}");
    // sign-in, PIN change (audit and account), added (audit and account), sign-out, failure.
    assert_eq!(report["accepted"], 7, "{synced}");

    // Central has Ann's own PIN and Bryn's account...
    let listed = Central::admin(&db, &["staff", "list", "--prison", "CDF"]).await;
    assert!(
        listed.contains("\n1001,Ann Jones,supervisor,false,false,"),
        "{listed}"
    );
    assert!(
        listed.contains("\n1002,Bryn Price,reception,true,false,"),
        "{listed}"
    );
    // ...and the kiosk's audit log, with no PIN or hash in it.
    let today = now.date_naive();
    let (from, to) = (
        today.pred_opt().unwrap().to_string(),
        today.succ_opt().unwrap().to_string(),
    );
    let audit = Central::admin(&db, &["audit", "--prison", "CDF", "--from", &from, "--to", &to]).await;
    let from_kiosk: Vec<&str> = audit
        .lines()
        .skip(1)
        .filter(|l| !l.contains("visit-central:"))
        .collect();
    let actions: Vec<String> = from_kiosk
        .iter()
        .map(|l| l.split(',').nth(4).unwrap().to_string())
        .collect();
    assert_eq!(
        actions,
        [
            "sign_in",
            "pin_changed",
            "account_change",
            "sign_out",
            "sign_in_failed"
        ],
        "{audit}"
    );
    assert!(from_kiosk[2].contains(",1001,supervisor,account_change,,added 1002 (reception),"));
    assert!(from_kiosk[4].contains(",9999,,sign_in_failed,"));
    for secret in [ann_first.as_str(), "902417", bryn_first.as_str(), "argon2"] {
        assert!(!audit.contains(secret), "{secret} in {audit}");
    }

    // Another Cardiff kiosk lets Bryn in with the PIN Ann was given for him, and Ann with hers.
    let r = kiosks[1].enrol(&central, &central.url(), 0).await;
    assert_eq!(r.json["sync"]["pulled_staff_accounts"], 2, "{}", r.json);
    let staff = engine(&kiosks[1], "CDF").await;
    let now = Utc::now();
    assert!(
        staff
            .sign_in("1002", &bryn_first, now)
            .await
            .unwrap()
            .must_change_pin
    );
    assert!(
        !staff
            .sign_in("1001", "902417", now)
            .await
            .unwrap()
            .must_change_pin
    );
    staff.store().close().await;

    // Disabled at central: the kiosk refuses Bryn after its next pull, with the usual answer.
    Central::admin(&db, &["staff", "disable", "--prison", "CDF", "--number", "1002"]).await;
    kiosks[1].sync_ok().await;
    let staff = engine(&kiosks[1], "CDF").await;
    assert_eq!(
        staff
            .sign_in("1002", &bryn_first, Utc::now())
            .await
            .unwrap_err()
            .code(),
        "sign_in_failed"
    );

    // Ann is disabled at central while she is signed in at a kiosk that has not heard yet: what
    // she does there is refused at the push and undone by the round's pull.
    let now = Utc::now();
    let ann = staff.sign_in("1001", "902417", now).await.unwrap().token;
    Central::admin(&db, &["staff", "disable", "--prison", "CDF", "--number", "1001"]).await;
    let cai = NewAccount {
        number: StaffNumber::parse("1003").unwrap(),
        name: PersonName::parse("Cai Hughes").unwrap(),
        role: Role::Reception,
        organisation: None,
        expires_on: None,
    };
    let cai_pin = staff
        .change_account(&ann, &AccountChange::Add(cai), now)
        .await
        .unwrap()
        .one_time_pin
        .unwrap();
    staff
        .change_account(
            &ann,
            &AccountChange::Enable(StaffNumber::parse("1002").unwrap()),
            now,
        )
        .await
        .unwrap();
    let synced = kiosks[1].sync_ok().await;
    // Refused: the new account and the enabling; the audit entries are kept.
    assert_eq!(synced["report"]["rejected"], 2, "{synced}");
    let listed = kiosks[1]
        .run(None, &["staff", "list", "--prison", "CDF"], None)
        .await
        .json;
    assert_eq!(staff_numbers(&listed), ["1001", "1002"], "{listed}");
    assert_eq!(listed[0]["disabled"], true);
    assert_eq!(listed[1]["disabled"], true);
    let now = Utc::now();
    assert_eq!(
        staff
            .sign_in("1003", cai_pin.expose(), now)
            .await
            .unwrap_err()
            .code(),
        "sign_in_failed"
    );
    assert_eq!(
        staff
            .authorise(&ann, domain::Permission::TodaysVisits, now)
            .await
            .unwrap_err()
            .code(),
        "not_signed_in"
    );
    staff.store().close().await;
    let central_list = Central::admin(&db, &["staff", "list", "--prison", "CDF"]).await;
    assert!(!central_list.contains("\n1003,"), "{central_list}");
    assert!(
        central_list.contains("\n1002,Bryn Price,reception,true,true,"),
        "{central_list}"
    );
}
