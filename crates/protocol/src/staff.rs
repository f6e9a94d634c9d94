//! Staff accounts and the audit log on the wire (docs/STAFF.md): the accounts a kiosk pulls for
//! its prisons (PIN hashes only), the `staff_account_changed` event a kiosk pushes when a
//! supervisor (or the person themselves, for a new PIN) changes an account in the app, and the
//! `audit` event that carries one entry of the kiosk's audit log to central.
//!
//! A PIN never travels: only its argon2id hash ([`PinHash`]), whose `Debug` hides it too.

use chrono::{DateTime, NaiveDate, Utc};
use domain::{PersonName, Role, StaffNote, StaffNumber};
use serde::{Deserialize, Serialize};
use std::fmt;
use utoipa::ToSchema;

/// Why a value of this module does not parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum StaffValueError {
    #[error(
        "a PIN hash is an argon2id PHC string ($argon2id$v=19$m=...,t=...,p=...$salt$hash) with modest costs"
    )]
    PinHashInvalid,
    #[error("an organisation is 1 to 100 characters, with no control characters")]
    OrganisationInvalid,
    #[error("a helper's account needs an organisation and an expiry date")]
    HelperNeedsOrganisationAndExpiry,
    #[error("only a helper's account has an organisation and an expiry date")]
    OnlyHelpersExpire,
    #[error("a helper's account expires between today and a year from today")]
    ExpiryOutOfRange,
}

impl StaffValueError {
    /// The stable code the UI and scripts match on.
    pub fn code(self) -> &'static str {
        match self {
            StaffValueError::PinHashInvalid => "pin_hash_invalid",
            StaffValueError::OrganisationInvalid => "organisation_invalid",
            StaffValueError::HelperNeedsOrganisationAndExpiry => "helper_needs_organisation_and_expiry",
            StaffValueError::OnlyHelpersExpire => "only_helpers_expire",
            StaffValueError::ExpiryOutOfRange => "expiry_out_of_range",
        }
    }
}

/// The rule for a new account's helper fields, wherever it is made (central's command line,
/// a kiosk alone, a supervisor's change pushed to central): a helper has an organisation and
/// an expiry date from `today` to a year ahead; nobody else has either.
pub fn check_helper_fields(
    role: Role,
    organisation: Option<&Organisation>,
    expires_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<(), StaffValueError> {
    match (role, organisation, expires_on) {
        (Role::Helper, Some(_), Some(until)) => {
            let latest = today
                .checked_add_months(chrono::Months::new(12))
                .unwrap_or(NaiveDate::MAX);
            if until < today || until > latest {
                Err(StaffValueError::ExpiryOutOfRange)
            } else {
                Ok(())
            }
        }
        (Role::Helper, _, _) => Err(StaffValueError::HelperNeedsOrganisationAndExpiry),
        (_, None, None) => Ok(()),
        (_, _, _) => Err(StaffValueError::OnlyHelpersExpire),
    }
}

/// The highest argon2 costs a kiosk will verify: memory in KiB, passes, lanes. A hash with
/// higher costs would make every sign-in at every kiosk slow, so it is refused where it enters.
pub const MAX_PIN_HASH_MEMORY_KIB: u32 = 64 * 1024;
pub const MAX_PIN_HASH_PASSES: u32 = 10;
pub const MAX_PIN_HASH_LANES: u32 = 4;

/// An argon2id PIN hash as a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`), with
/// costs a kiosk can afford to verify. Parsed by shape here (the protocol does no hashing);
/// central and the kiosk hash and verify with the `argon2` crate. Its `Debug` hides the value.
#[derive(Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = String, example = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g")]
pub struct PinHash(String);

impl PinHash {
    pub fn parse(input: &str) -> Result<Self, StaffValueError> {
        let bad = StaffValueError::PinHashInvalid;
        if input.len() > 256 {
            return Err(bad);
        }
        let parts: Vec<&str> = input.split('$').collect();
        let ["", "argon2id", "v=19", params, salt, hash] = parts.as_slice() else {
            return Err(bad);
        };
        let mut costs = params.split(',');
        let mut cost = |name: &str, range: std::ops::RangeInclusive<u32>| {
            costs
                .next()
                .and_then(|p| p.strip_prefix(name))
                .and_then(|v| v.strip_prefix('='))
                .filter(|v| !v.starts_with('0') && v.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|v| v.parse::<u32>().ok())
                .filter(|v| range.contains(v))
        };
        let memory = cost("m", 8..=MAX_PIN_HASH_MEMORY_KIB).ok_or(bad)?;
        let _passes = cost("t", 1..=MAX_PIN_HASH_PASSES).ok_or(bad)?;
        let lanes = cost("p", 1..=MAX_PIN_HASH_LANES).ok_or(bad)?;
        if costs.next().is_some() || memory < 8 * lanes {
            return Err(bad);
        }
        // Unpadded standard base64, as PHC strings spell salts and outputs.
        let b64 = |s: &str, len: std::ops::RangeInclusive<usize>| {
            len.contains(&s.len())
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
        };
        if !b64(salt, 11..=64) || !b64(hash, 16..=128) {
            return Err(bad);
        }
        Ok(Self(input.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PinHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PinHash(redacted)")
    }
}

impl<'de> Deserialize<'de> for PinHash {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// The organisation an assisted-digital helper works for: 1 to 100 characters, no control
/// characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = String)]
pub struct Organisation(String);

impl Organisation {
    pub fn parse(input: &str) -> Result<Self, StaffValueError> {
        let s = input.trim();
        if s.is_empty() || s.chars().count() > 100 || s.chars().any(char::is_control) {
            return Err(StaffValueError::OrganisationInvalid);
        }
        Ok(Self(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Organisation {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A staff account as kiosks pull it: everything a kiosk needs to let someone sign in, and
/// nothing more. Pulled whole whenever it changes, disabled accounts included (so a kiosk stops
/// taking them); apply as a replacement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StaffAccount {
    pub prison: String,
    #[schema(value_type = String, example = "1001")]
    pub staff_number: StaffNumber,
    #[schema(value_type = String)]
    pub name: PersonName,
    /// `reception`, `supervisor` or `helper`
    #[schema(value_type = String, example = "supervisor")]
    pub role: Role,
    pub pin_hash: PinHash,
    /// The PIN was set by someone else (first PIN, reset): choose a new one before anything
    /// else.
    pub must_change_pin: bool,
    pub disabled: bool,
    /// Helpers only: who they work for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<Organisation>,
    /// Helpers only: the last day the account may sign in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_on: Option<NaiveDate>,
    /// When a supervisor last unlocked the account: wrong PINs before this no longer count
    /// towards a lock. Lockouts are counted by each kiosk, where the PINs are typed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unlocked_at: Option<DateTime<Utc>>,
}

/// `staff_account_changed`: a change to a staff account made in the app. `actor` signed in at
/// the kiosk and made it: a supervisor of `prison`, or the account's own holder choosing a new
/// PIN. Central checks that again before applying it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffAccountChanged {
    pub prison: String,
    #[schema(value_type = String, example = "1001")]
    pub actor: StaffNumber,
    #[schema(value_type = String, example = "1002")]
    pub staff_number: StaffNumber,
    pub change: StaffChange,
}

/// What changed, tagged by `action`. A PIN travels only as its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum StaffChange {
    /// A new account, with a one-time PIN the person must change at their first sign-in.
    Added {
        #[schema(value_type = String)]
        name: PersonName,
        #[schema(value_type = String, example = "reception")]
        role: Role,
        pin_hash: PinHash,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        organisation: Option<Organisation>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expires_on: Option<NaiveDate>,
    },
    Disabled,
    Enabled,
    /// Wrong PINs so far no longer count towards a lock.
    Unlocked,
    /// A supervisor set a one-time PIN: the person must change it at their next sign-in.
    PinReset {
        pin_hash: PinHash,
    },
    /// The account's holder chose a new PIN.
    PinChanged {
        pin_hash: PinHash,
    },
}

impl StaffChange {
    /// The change's name, as the audit log and logs spell it.
    pub fn action(&self) -> &'static str {
        match self {
            StaffChange::Added { .. } => "added",
            StaffChange::Disabled => "disabled",
            StaffChange::Enabled => "enabled",
            StaffChange::Unlocked => "unlocked",
            StaffChange::PinReset { .. } => "pin_reset",
            StaffChange::PinChanged { .. } => "pin_changed",
        }
    }

    /// The account an `Added` change makes; `None` for any other change. Central and every kiosk
    /// make it through here, so they agree field by field.
    pub fn new_account(&self, prison: &str, staff_number: &StaffNumber) -> Option<StaffAccount> {
        let StaffChange::Added {
            name,
            role,
            pin_hash,
            organisation,
            expires_on,
        } = self
        else {
            return None;
        };
        Some(StaffAccount {
            prison: prison.to_string(),
            staff_number: staff_number.clone(),
            name: name.clone(),
            role: *role,
            pin_hash: pin_hash.clone(),
            must_change_pin: true,
            disabled: false,
            organisation: organisation.clone(),
            expires_on: *expires_on,
            unlocked_at: None,
        })
    }

    /// Applies the change to an existing account, as central and every kiosk apply it. `Added`
    /// changes nothing here: an account that exists is not made again.
    pub fn apply_to(&self, account: &mut StaffAccount, now: DateTime<Utc>) {
        match self {
            StaffChange::Added { .. } => {}
            StaffChange::Disabled => account.disabled = true,
            StaffChange::Enabled => account.disabled = false,
            StaffChange::Unlocked => account.unlocked_at = Some(now),
            StaffChange::PinReset { pin_hash } => {
                account.pin_hash = pin_hash.clone();
                account.must_change_pin = true;
                account.unlocked_at = Some(now);
            }
            StaffChange::PinChanged { pin_hash } => {
                account.pin_hash = pin_hash.clone();
                account.must_change_pin = false;
            }
        }
    }

    /// Whether the change lifts a lock: wrong PINs before it no longer count.
    pub fn unlocks(&self) -> bool {
        matches!(self, StaffChange::Unlocked | StaffChange::PinReset { .. })
    }
}

/// What a staff member did, as the audit log records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    SignIn,
    SignInFailed,
    SignOut,
    /// Signed out after two minutes without a command.
    SessionExpired,
    PinChanged,
    Search,
    View,
    Print,
    Cancel,
    Arrival,
    Closure,
    AccountChange,
    /// Closed a visit's review (told the visitor).
    Review,
    /// Changed the kiosk's printer or enrolled it with central.
    Settings,
    /// A supervisor changed a session date's tables.
    TablesChanged,
    /// A helper booked a visit on someone's behalf.
    Book,
}

impl AuditAction {
    pub const ALL: &[AuditAction] = &[
        AuditAction::SignIn,
        AuditAction::SignInFailed,
        AuditAction::SignOut,
        AuditAction::SessionExpired,
        AuditAction::PinChanged,
        AuditAction::Search,
        AuditAction::View,
        AuditAction::Print,
        AuditAction::Cancel,
        AuditAction::Arrival,
        AuditAction::Closure,
        AuditAction::AccountChange,
        AuditAction::Review,
        AuditAction::Settings,
        AuditAction::TablesChanged,
        AuditAction::Book,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::SignIn => "sign_in",
            AuditAction::SignInFailed => "sign_in_failed",
            AuditAction::SignOut => "sign_out",
            AuditAction::SessionExpired => "session_expired",
            AuditAction::PinChanged => "pin_changed",
            AuditAction::Search => "search",
            AuditAction::View => "view",
            AuditAction::Print => "print",
            AuditAction::Cancel => "cancel",
            AuditAction::Arrival => "arrival",
            AuditAction::Closure => "closure",
            AuditAction::AccountChange => "account_change",
            AuditAction::Review => "review",
            AuditAction::Settings => "settings",
            AuditAction::TablesChanged => "tables_changed",
            AuditAction::Book => "book",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|a| a.as_str() == s)
    }
}

/// `audit`: one entry of the kiosk's audit log. Who (`staff_number` as typed, with the role of
/// the signed-in account when there is one), what, when, which booking; the kiosk is the one
/// pushing it. Never a PIN, a hash or a session token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditEntry {
    pub prison: String,
    pub at: DateTime<Utc>,
    #[schema(value_type = String, example = "1001")]
    pub staff_number: StaffNumber,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, example = "reception")]
    pub role: Option<Role>,
    pub action: AuditAction,
    /// The booking acted on, as printed (`ABCD-EFGH`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// At most 512 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub detail: Option<StaffNote>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const HASH: &str =
        "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$0a0ZXa1I8I2Mz1XnOcYZ0P2E7bjnN5E8G+ZgYyI3O0o";

    #[test]
    fn pin_hashes_are_argon2id_phc_strings_with_affordable_costs() {
        assert_eq!(PinHash::parse(HASH).unwrap().as_str(), HASH);
        for bad in [
            "",
            "123456",
            "$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$0a0ZXa1I8I2Mz1XnOcYZ0P2E7bjnN5E8G+ZgYyI3O0o",
            "$argon2id$v=16$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$0a0ZXa1I8I2Mz1XnOcYZ0P2E7bjnN5E8G+ZgYyI3O0o",
            "$argon2id$v=19$m=4194304,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$0a0ZXa1I8I2Mz1XnOcYZ0P2E7bjnN5E8G+ZgYyI3O0o",
            "$argon2id$v=19$m=19456,t=99,p=1$c2FsdHNhbHRzYWx0c2FsdA$0a0ZXa1I8I2Mz1XnOcYZ0P2E7bjnN5E8G+ZgYyI3O0o",
            "$argon2id$v=19$t=2,m=19456,p=1$c2FsdHNhbHRzYWx0c2FsdA$0a0ZXa1I8I2Mz1XnOcYZ0P2E7bjnN5E8G+ZgYyI3O0o",
            "$argon2id$v=19$m=19456,t=2,p=1,k=1$c2FsdHNhbHRzYWx0c2FsdA$0a0ZXa1I8I2Mz1XnOcYZ0P2E7bjnN5E8G+ZgYyI3O0o",
            "$argon2id$v=19$m=19456,t=2,p=1$short$0a0ZXa1I8I2Mz1XnOcYZ0P2E7bjnN5E8G+ZgYyI3O0o",
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$not-base64!",
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$0a0ZXa1I8I2Mz1XnOcYZ0P2E7bjnN5E8G+ZgYyI3O0o$",
        ] {
            assert_eq!(PinHash::parse(bad), Err(StaffValueError::PinHashInvalid), "{bad}");
        }
        assert!(!format!("{:?}", PinHash::parse(HASH).unwrap()).contains("argon2"));
    }

    #[test]
    fn changes_are_tagged_by_action_and_strict() {
        let change = StaffAccountChanged {
            prison: "CDF".into(),
            actor: StaffNumber::parse("1001").unwrap(),
            staff_number: StaffNumber::parse("1002").unwrap(),
            change: StaffChange::PinReset {
                pin_hash: PinHash::parse(HASH).unwrap(),
            },
        };
        let wire = serde_json::to_value(&change).unwrap();
        assert_eq!(
            wire,
            json!({ "prison": "CDF", "actor": "1001", "staff_number": "1002",
                "change": { "action": "pin_reset", "pin_hash": HASH } })
        );
        assert_eq!(
            serde_json::from_value::<StaffAccountChanged>(wire).unwrap(),
            change
        );
        let added: StaffChange = serde_json::from_value(json!({
            "action": "added", "name": "Ann Jones", "role": "reception", "pin_hash": HASH,
        }))
        .unwrap();
        assert_eq!(added.action(), "added");
        for bad in [
            json!({ "action": "added", "name": "Ann Jones", "role": "admin", "pin_hash": HASH }),
            json!({ "action": "added", "name": "Ann Jones", "role": "reception", "pin_hash": "274915" }),
            json!({ "action": "pin_changed", "pin": "274915" }),
            json!({ "action": "pin_changed", "pin_hash": HASH, "pin": "274915" }),
            json!({ "action": "promoted" }),
        ] {
            assert!(
                serde_json::from_value::<StaffChange>(bad.clone()).is_err(),
                "{bad}"
            );
        }
        assert!(serde_json::from_value::<StaffChange>(json!({ "action": "disabled" })).is_ok());
    }

    #[test]
    fn audit_entries_and_actions() {
        for action in AuditAction::ALL {
            assert_eq!(serde_json::to_value(action).unwrap(), action.as_str());
            assert_eq!(AuditAction::parse(action.as_str()), Some(*action));
        }
        let entry: AuditEntry = serde_json::from_value(json!({
            "prison": "CDF", "at": "2026-12-01T10:00:00Z", "staff_number": "1001",
            "role": "reception", "action": "sign_in",
        }))
        .unwrap();
        assert_eq!(entry.action, AuditAction::SignIn);
        assert!(
            serde_json::from_value::<AuditEntry>(json!({
                "prison": "CDF", "at": "2026-12-01T10:00:00Z", "staff_number": "1001",
                "action": "sign_in", "detail": "x".repeat(513),
            }))
            .is_err()
        );
    }

    #[test]
    fn only_helpers_have_an_organisation_and_expire_within_a_year() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let org = Organisation::parse("  Prison Advice and Care Trust ").unwrap();
        assert_eq!(org.as_str(), "Prison Advice and Care Trust");
        let on = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(
            check_helper_fields(Role::Helper, Some(&org), on(2027, 12, 1), today),
            Ok(())
        );
        assert_eq!(
            check_helper_fields(Role::Helper, Some(&org), on(2026, 12, 1), today),
            Ok(())
        );
        assert_eq!(
            check_helper_fields(Role::Helper, Some(&org), on(2027, 12, 2), today),
            Err(StaffValueError::ExpiryOutOfRange)
        );
        assert_eq!(
            check_helper_fields(Role::Helper, Some(&org), on(2026, 11, 30), today),
            Err(StaffValueError::ExpiryOutOfRange)
        );
        assert_eq!(
            check_helper_fields(Role::Helper, None, on(2027, 1, 1), today),
            Err(StaffValueError::HelperNeedsOrganisationAndExpiry)
        );
        assert_eq!(check_helper_fields(Role::Reception, None, None, today), Ok(()));
        assert_eq!(
            check_helper_fields(Role::Supervisor, Some(&org), None, today),
            Err(StaffValueError::OnlyHelpersExpire)
        );
        assert!(Organisation::parse(" ").is_err() && Organisation::parse("a\tb").is_err());
    }

    #[test]
    fn pulled_accounts_tolerate_fields_added_later() {
        let account: StaffAccount = serde_json::from_value(json!({
            "prison": "CDF", "staff_number": "1001", "name": "Ann Jones", "role": "supervisor",
            "pin_hash": HASH, "must_change_pin": true, "disabled": false, "something_new": 1,
        }))
        .unwrap();
        assert_eq!(account.role, Role::Supervisor);
        assert_eq!(account.organisation, None);
    }
}
