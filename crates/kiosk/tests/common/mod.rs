//! What the reception tests share: Cardiff's demo store with a supervisor (1001), reception
//! (1002) and a helper (1003), signing in with a PIN of their own, and reading errors and the
//! audit log.
#![allow(dead_code)]

use domain::{NewPin, PersonName, Role, StaffNumber};
use kiosk::Store;
use kiosk::journey::{ChangePinRequest, Journey, StaffSignInRequest, UiErrors};
use kiosk::staff::accounts::{AccountChange, NewAccount, change_as_operator};
use kiosk_test_support::{date, demo_store, now, prison_code};

pub const PIN: &str = "274915";
pub const OWN_PIN: &str = "902417";
pub const PM: &str = "CDF-SAT-PM/2026-11-28";

pub async fn add(store: &Store, number: &str, name: &str, role: Role) {
    change_as_operator(
        store,
        "CDF",
        &AccountChange::Add(NewAccount {
            number: StaffNumber::parse(number).unwrap(),
            name: PersonName::parse(name).unwrap(),
            role,
            organisation: (role == Role::Helper)
                .then(|| protocol::Organisation::parse("Visitor Centre Trust").unwrap()),
            expires_on: (role == Role::Helper).then(|| date("2027-06-30")),
        }),
        Some(NewPin::parse(PIN).unwrap()),
        now(),
    )
    .await
    .unwrap();
}

/// Cardiff's demo store with a supervisor (1001), reception (1002) and a helper (1003).
pub async fn cardiff() -> (tempfile::TempDir, Store, Journey) {
    let (dir, store) = demo_store().await;
    add(&store, "1001", "Ann Jones", Role::Supervisor).await;
    add(&store, "1002", "Bryn Price", Role::Reception).await;
    add(&store, "1003", "Cai Morgan", Role::Helper).await;
    let j = Journey::new(store.clone(), &prison_code("CDF"));
    (dir, store, j)
}

/// Signs in, choosing a PIN of their own first: a token ready for any command.
pub async fn signed_in(j: &Journey, number: &str) -> String {
    let first = j
        .staff_sign_in(
            &StaffSignInRequest {
                staff_number: number.into(),
                pin: PIN.into(),
            },
            now(),
        )
        .await
        .unwrap();
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
    first.token
}

/// Signs `number` in again at `at` with the PIN [`signed_in`] chose: a later day's session.
pub async fn signed_in_again(j: &Journey, number: &str, at: chrono::DateTime<chrono::Utc>) -> String {
    j.staff_sign_in(
        &StaffSignInRequest {
            staff_number: number.into(),
            pin: OWN_PIN.into(),
        },
        at,
    )
    .await
    .unwrap()
    .token
}

/// The kinds of the events waiting in the store's outbox, oldest first.
pub async fn outbox_kinds(store: &Store) -> Vec<String> {
    store
        .outbox(0, 1000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect()
}

pub fn code(e: UiErrors) -> String {
    e.errors[0].code.clone()
}

pub async fn audit_actions(store: &Store) -> Vec<(String, Option<String>)> {
    store
        .audit_log(0, 1000)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.action, r.booking_reference))
        .collect()
}

/// What a pull leaves for a visit of Cardiff's Saturday afternoon session (`PM`) booked at
/// another kiosk: central's copy of it (`booking`) and its visitors' surnames as the pull keeps
/// them (`|a||b|`).
pub async fn insert_pulled(
    store: &Store,
    reference: &domain::BookingReference,
    prisoner: &str,
    surnames: &str,
    booking: &serde_json::Value,
) {
    sqlx::query(
        "INSERT INTO pulled_bookings (reference, prison_code, prisoner_number, template_id, session_date, status,
            surnames, booking, pulled_at)
         VALUES (?, 'CDF', ?, 'CDF-SAT-PM', '2026-11-28', 'booked', ?, ?, ?)",
    )
    .bind(reference.compact())
    .bind(prisoner)
    .bind(surnames)
    .bind(booking.to_string())
    .bind(now())
    .execute(store.pool())
    .await
    .unwrap();
}
