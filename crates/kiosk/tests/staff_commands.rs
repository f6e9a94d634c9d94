//! The staff commands as the UI calls them (`kiosk::journey`): the answers' codes and the form
//! fields they belong to, and every staff command refused without a signed-in session of a role
//! that may use it.

use domain::{NewPin, PersonName, Role, StaffNumber};
use kiosk::journey::{ChangePinRequest, Journey, StaffSignInRequest, StaffToken, UiErrors};
use kiosk::staff::accounts::{AccountChange, NewAccount, change_as_operator};
use kiosk_test_support::{demo_store, now};

const FIRST_PIN: &str = "274915";
const OWN_PIN: &str = "902417";

async fn cardiff() -> (tempfile::TempDir, Journey) {
    let (dir, store) = demo_store().await;
    for (n, name, role) in [
        ("1001", "Ann Jones", Role::Supervisor),
        ("1002", "Bryn Price", Role::Reception),
    ] {
        change_as_operator(
            &store,
            "CDF",
            &AccountChange::Add(NewAccount {
                number: StaffNumber::parse(n).unwrap(),
                name: PersonName::parse(name).unwrap(),
                role,
                organisation: None,
                expires_on: None,
            }),
            Some(NewPin::parse(FIRST_PIN).unwrap()),
            now(),
        )
        .await
        .unwrap();
    }
    (
        dir,
        Journey::new(store, &domain::PrisonCode::parse("CDF").unwrap()),
    )
}

fn sign_in(number: &str, pin: &str) -> StaffSignInRequest {
    StaffSignInRequest {
        staff_number: number.into(),
        pin: pin.into(),
    }
}

fn one(e: UiErrors) -> (String, Option<String>) {
    assert_eq!(e.errors.len(), 1, "{e:?}");
    (e.errors[0].code.clone(), e.errors[0].field.clone())
}

#[tokio::test]
async fn sign_in_answers_who_and_what_they_may_do_and_first_asks_for_a_new_pin() {
    let (_dir, j) = cardiff().await;
    let first = j.staff_sign_in(&sign_in("1002", FIRST_PIN), now()).await.unwrap();
    assert_eq!(first.name, "Bryn Price");
    assert_eq!(first.role, Role::Reception);
    assert!(first.must_change_pin);
    assert_eq!(first.token.len(), 32);
    assert!(first.may.contains(&domain::Permission::CancelBookings));
    assert!(!first.may.contains(&domain::Permission::CloseSessions));

    // The new PIN's own rules belong to its field.
    let e = j
        .staff_change_pin(
            &ChangePinRequest {
                token: first.token.clone(),
                current_pin: None,
                new_pin: "111111".into(),
            },
            now(),
        )
        .await
        .unwrap_err();
    assert_eq!(one(e), ("pin_too_simple".into(), Some("new_pin".into())));
    j.staff_change_pin(
        &ChangePinRequest {
            token: first.token.clone(),
            current_pin: None,
            new_pin: OWN_PIN.into(),
        },
        now(),
    )
    .await
    .unwrap();

    // Once chosen, another change needs the current PIN, on its own field.
    let e = j
        .staff_change_pin(
            &ChangePinRequest {
                token: first.token.clone(),
                current_pin: Some("583920".into()),
                new_pin: "640218".into(),
            },
            now(),
        )
        .await
        .unwrap_err();
    assert_eq!(one(e), ("pin_incorrect".into(), Some("current_pin".into())));
    // A current PIN that is not a PIN at all is that field's error too.
    let e = j
        .staff_change_pin(
            &ChangePinRequest {
                token: first.token.clone(),
                current_pin: Some("12".into()),
                new_pin: "640218".into(),
            },
            now(),
        )
        .await
        .unwrap_err();
    assert_eq!(one(e), ("pin_wrong_length".into(), Some("current_pin".into())));

    j.staff_sign_out(
        &StaffToken {
            token: first.token.clone(),
        },
        now(),
    )
    .await
    .unwrap();
    // Signing out twice is fine: the page goes back to the start screen either way.
    j.staff_sign_out(&StaffToken { token: first.token }, now())
        .await
        .unwrap();
    let again = j.staff_sign_in(&sign_in("1002", OWN_PIN), now()).await.unwrap();
    assert!(!again.must_change_pin);
}

#[tokio::test]
async fn a_wrong_pin_and_an_unknown_number_get_the_same_page_level_answer() {
    let (_dir, j) = cardiff().await;
    let wrong = j
        .staff_sign_in(&sign_in("1002", "583920"), now())
        .await
        .unwrap_err();
    let missing = j
        .staff_sign_in(&sign_in("9999", "583920"), now())
        .await
        .unwrap_err();
    assert_eq!(wrong, missing);
    assert_eq!(one(wrong), ("sign_in_failed".into(), None));

    let e = j
        .staff_sign_in(&sign_in("12", FIRST_PIN), now())
        .await
        .unwrap_err();
    assert_eq!(
        one(e),
        ("staff_number_invalid".into(), Some("staff_number".into()))
    );
    let e = j
        .staff_sign_in(&sign_in("1002", "12a456"), now())
        .await
        .unwrap_err();
    assert_eq!(one(e), ("pin_not_digits".into(), Some("pin".into())));
}

#[tokio::test]
async fn five_wrong_pins_lock_the_account_and_say_until_when() {
    let (_dir, j) = cardiff().await;
    for _ in 0..5 {
        j.staff_sign_in(&sign_in("1002", "583920"), now())
            .await
            .unwrap_err();
    }
    let e = j
        .staff_sign_in(&sign_in("1002", FIRST_PIN), now())
        .await
        .unwrap_err();
    assert_eq!(e.errors[0].code, "account_locked");
    assert!(e.errors[0].params.contains_key("until"), "{e:?}");
}
