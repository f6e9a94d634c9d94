//! The supervisor's staff accounts screen as UI commands over [`crate::staff::accounts`]: list,
//! add (the kiosk makes up the one-time PIN, shown once), disable, enable, unlock, reset PIN.

use super::staff::{StaffToken, staff_errors};
use super::{Journey, UiError, UiErrors, UiResult};
use crate::staff::accounts::{AccountChange, AccountView, NewAccount};
use crate::staff::{SessionToken, StaffFailure};
use chrono::{DateTime, NaiveDate, Utc};
use domain::{PersonName, Role, StaffNumber};
use protocol::{Organisation, StaffValueError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct StaffAccounts {
    pub accounts: Vec<AccountRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AccountRow {
    pub staff_number: String,
    pub name: String,
    #[ts(type = "\"reception\" | \"supervisor\" | \"helper\"")]
    pub role: Role,
    pub must_change_pin: bool,
    pub disabled: bool,
    #[ts(optional)]
    pub organisation: Option<String>,
    #[ts(optional)]
    pub expires_on: Option<NaiveDate>,
    /// Locked after too many wrong PINs, until then.
    #[ts(optional)]
    pub locked_until: Option<DateTime<Utc>>,
}

/// `staff_account_change`: `action` is `add`, `disable`, `enable`, `unlock` or `reset_pin`;
/// `name`, `role` (and for a helper `organisation` and `expires_on`) only for `add`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct AccountChangeRequest {
    pub token: String,
    pub action: String,
    pub staff_number: String,
    #[serde(default)]
    #[ts(optional)]
    pub name: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub role: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub organisation: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub expires_on: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AccountChangedAnswer {
    pub account: AccountRow,
    /// For `add` and `reset_pin`: the one-time PIN to give the person, shown once.
    #[ts(optional)]
    pub one_time_pin: Option<String>,
}

fn row(v: AccountView) -> AccountRow {
    AccountRow {
        staff_number: v.staff_number,
        name: v.name,
        role: v.role,
        must_change_pin: v.must_change_pin,
        disabled: v.disabled,
        organisation: v.organisation,
        expires_on: v.expires_on,
        locked_until: v.locked_until,
    }
}

fn on(field: &str, code: &str) -> UiErrors {
    UiErrors {
        errors: vec![UiError {
            code: code.to_string(),
            field: Some(field.to_string()),
            params: BTreeMap::new(),
        }],
    }
}

/// Every field of the add form at once, in the form's order.
fn new_account(r: &AccountChangeRequest, number: StaffNumber) -> UiResult<NewAccount> {
    let mut errors = Vec::new();
    let name = PersonName::parse(r.name.as_deref().unwrap_or(""))
        .map_err(|e| errors.push(on("name", e.code()).errors.remove(0)))
        .ok();
    let role = Role::parse(r.role.as_deref().unwrap_or(""))
        .map_err(|e| errors.push(on("role", e.code()).errors.remove(0)))
        .ok();
    let helper = role == Some(Role::Helper);
    let organisation = match r.organisation.as_deref().filter(|o| !o.trim().is_empty()) {
        Some(o) if helper => Organisation::parse(o)
            .map_err(|e| errors.push(on("organisation", e.code()).errors.remove(0)))
            .ok(),
        None if helper => {
            errors.push(
                on(
                    "organisation",
                    StaffValueError::HelperNeedsOrganisationAndExpiry.code(),
                )
                .errors
                .remove(0),
            );
            None
        }
        _ => None,
    };
    let expires_on = match r.expires_on.as_deref().filter(|d| !d.trim().is_empty()) {
        Some(d) if helper => NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d")
            .map_err(|_| errors.push(on("expires_on", "date_invalid").errors.remove(0)))
            .ok(),
        None if helper => {
            errors.push(
                on(
                    "expires_on",
                    StaffValueError::HelperNeedsOrganisationAndExpiry.code(),
                )
                .errors
                .remove(0),
            );
            None
        }
        _ => None,
    };
    match (name, role) {
        (Some(name), Some(role)) if errors.is_empty() => Ok(NewAccount {
            number,
            name,
            role,
            organisation,
            expires_on,
        }),
        _ => Err(UiErrors { errors }),
    }
}

impl Journey {
    /// `staff_accounts`
    pub async fn staff_accounts(&self, request: &StaffToken, now: DateTime<Utc>) -> UiResult<StaffAccounts> {
        let accounts = self
            .staff
            .accounts(&SessionToken::from_ui(&request.token), now)
            .await?;
        Ok(StaffAccounts {
            accounts: accounts.into_iter().map(row).collect(),
        })
    }

    /// `staff_account_change`
    pub async fn staff_account_change(
        &self,
        request: &AccountChangeRequest,
        now: DateTime<Utc>,
    ) -> UiResult<AccountChangedAnswer> {
        // The session first: a stranger learns nothing from the form's errors.
        self.authorise(&request.token, domain::Permission::ManageStaff, now)
            .await?;
        let number = StaffNumber::parse(&request.staff_number).map_err(|e| on("staff_number", e.code()))?;
        let change = match request.action.as_str() {
            "add" => AccountChange::Add(new_account(request, number)?),
            "disable" => AccountChange::Disable(number),
            "enable" => AccountChange::Enable(number),
            "unlock" => AccountChange::Unlock(number),
            "reset_pin" => AccountChange::ResetPin(number),
            _ => return Err(on("action", "account_action_unknown")),
        };
        let changed = self
            .staff
            .change_account(&SessionToken::from_ui(&request.token), &change, now)
            .await
            .map_err(|e| {
                staff_errors(e, |e| match e {
                    StaffFailure::AccountExists { .. } | StaffFailure::AccountNotFound { .. } => {
                        Some("staff_number")
                    }
                    StaffFailure::InvalidAccount(StaffValueError::ExpiryOutOfRange) => Some("expires_on"),
                    _ => None,
                })
            })?;
        Ok(AccountChangedAnswer {
            account: row(changed.account),
            one_time_pin: changed.one_time_pin.map(|p| p.expose().to_string()),
        })
    }
}
