//! What the scenarios that drive a kiosk's engine share: the engine on a kiosk's store file,
//! and staff made at central signing in there with their one-time PIN.
#![allow(dead_code)]

use chrono::{DateTime, Utc};
use kiosk::journey::{ChangePinRequest, Journey, StaffSignInRequest};
use scenarios::Kiosk;

/// The PIN every scenario's staff choose at their first sign-in.
pub const OWN_PIN: &str = "902417";

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
