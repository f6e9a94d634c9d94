//! Staff sign-in, sign-out and PIN change as UI commands over [`crate::staff::Staff`]. The
//! session token goes back to the page, which keeps it in a variable only and sends it with every
//! staff command; everything a staff command may do is decided here in the engine, from the
//! account as it is now, never from what the page shows.

use super::{UiError, UiErrors, UiResult};
use crate::staff::{SessionToken, SignedIn, StaffFailure};
use chrono::{DateTime, Utc};
use domain::{Permission, Role};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use ts_rs::TS;

/// `staff_sign_in`: a staff number and PIN typed on the keypad.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct StaffSignInRequest {
    pub staff_number: String,
    pub pin: String,
}

/// What the page may show of who is signed in. `may` lists the permissions of the role, so the
/// page offers only screens the engine would allow; the engine checks again on every command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct StaffSignedIn {
    pub token: String,
    pub staff_number: String,
    pub name: String,
    #[ts(type = "\"reception\" | \"supervisor\" | \"helper\"")]
    pub role: Role,
    /// Choose a new PIN before anything else (a first sign-in, or after a reset).
    pub must_change_pin: bool,
    /// Signed out after this long without a touch.
    pub idle_timeout_seconds: u32,
    #[ts(type = "Array<string>")]
    pub may: Vec<Permission>,
    /// A helper's organisation, for the helper's home and "Booked for you by ...".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub organisation: Option<String>,
}

/// Any staff command that needs only the session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct StaffToken {
    pub token: String,
}

/// `staff_change_pin`: the current PIN is not asked for right after a first sign-in or a reset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ChangePinRequest {
    pub token: String,
    #[serde(default)]
    #[ts(optional)]
    pub current_pin: Option<String>,
    pub new_pin: String,
}

/// An answer with nothing to say but that it worked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Done {
    pub done: bool,
}

impl Done {
    pub const YES: Done = Done { done: true };
}

/// Every permission, so `may` can list a role's.
const PERMISSIONS: &[Permission] = &[
    Permission::TodaysVisits,
    Permission::MarkArrivals,
    Permission::FindBookings,
    Permission::ReprintSlips,
    Permission::CancelBookings,
    Permission::ReviewQueue,
    Permission::KioskHealth,
    Permission::CloseSessions,
    Permission::ChangeTables,
    Permission::ManageStaff,
    Permission::PrinterSettings,
    Permission::EnrolmentSettings,
    Permission::BookOnBehalf,
    Permission::OwnBookingsToday,
];

pub(crate) fn permissions_of(role: Role) -> Vec<Permission> {
    PERMISSIONS.iter().copied().filter(|p| role.may(*p)).collect()
}

/// A staff failure as the UI receives it, with the form field it belongs to on the screen that
/// `field_of` describes.
pub(crate) fn staff_errors(
    e: StaffFailure,
    field_of: impl Fn(&StaffFailure) -> Option<&'static str>,
) -> UiErrors {
    let field = field_of(&e).map(str::to_string);
    let mut params = BTreeMap::new();
    match &e {
        StaffFailure::AccountLocked { until } => {
            params.insert("until".to_string(), until.to_rfc3339());
        }
        StaffFailure::Kiosk(_) | StaffFailure::Internal(_) => {
            tracing::error!(error = %e, code = e.code(), "staff command failed");
        }
        _ => {}
    }
    UiErrors {
        errors: vec![UiError {
            code: e.code().to_string(),
            field,
            params,
        }],
    }
}

/// Errors of commands whose only input is the session: all page-level.
pub(crate) fn page_errors(e: StaffFailure) -> UiErrors {
    staff_errors(e, |_| None)
}

impl From<StaffFailure> for UiErrors {
    fn from(e: StaffFailure) -> Self {
        page_errors(e)
    }
}

fn signed_in(token: SessionToken, who: SignedIn, must_change_pin: bool, idle: u32) -> StaffSignedIn {
    StaffSignedIn {
        token: token.expose().to_string(),
        staff_number: who.staff_number.to_string(),
        name: who.name.to_string(),
        role: who.role,
        must_change_pin,
        idle_timeout_seconds: idle,
        may: permissions_of(who.role),
        organisation: None,
    }
}

impl super::Journey {
    /// `staff_sign_in`: one answer, `sign_in_failed`, for a wrong PIN and an unknown number.
    pub async fn staff_sign_in(
        &self,
        request: &StaffSignInRequest,
        now: DateTime<Utc>,
    ) -> UiResult<StaffSignedIn> {
        let answer = self
            .staff
            .sign_in(&request.staff_number, &request.pin, now)
            .await
            .map_err(|e| {
                staff_errors(e, |e| match e {
                    StaffFailure::Invalid(domain::staff::StaffError::StaffNumberInvalid) => {
                        Some("staff_number")
                    }
                    StaffFailure::Invalid(_) => Some("pin"),
                    _ => None,
                })
            })?;
        let mut conn = self.store.conn().await?;
        let organisation =
            crate::store::staff_account(&mut conn, &answer.who.prison, &answer.who.staff_number)
                .await?
                .and_then(|kept| kept.account.organisation)
                .map(|o| o.as_str().to_string());
        drop(conn);
        Ok(StaffSignedIn {
            organisation,
            ..signed_in(
                answer.token,
                answer.who,
                answer.must_change_pin,
                answer.idle_timeout_seconds,
            )
        })
    }

    /// `staff_sign_out`: always succeeds, so the page always gets back to the start screen.
    pub async fn staff_sign_out(&self, request: &StaffToken, now: DateTime<Utc>) -> UiResult<Done> {
        self.staff
            .sign_out(&SessionToken::from_ui(&request.token), now)
            .await?;
        Ok(Done::YES)
    }

    /// `staff_change_pin`.
    pub async fn staff_change_pin(&self, request: &ChangePinRequest, now: DateTime<Utc>) -> UiResult<Done> {
        // A current PIN that is not a PIN at all is that field's error, not the new PIN's.
        if let Some(current) = request.current_pin.as_deref()
            && let Err(e) = domain::PinAttempt::parse(current)
        {
            return Err(staff_errors(StaffFailure::Invalid(e), |_| Some("current_pin")));
        }
        self.staff
            .change_pin(
                &SessionToken::from_ui(&request.token),
                request.current_pin.as_deref(),
                &request.new_pin,
                now,
            )
            .await
            .map_err(|e| {
                staff_errors(e, |e| match e {
                    StaffFailure::CurrentPinRequired | StaffFailure::PinIncorrect => Some("current_pin"),
                    StaffFailure::Invalid(_) | StaffFailure::PinUnchanged => Some("new_pin"),
                    _ => None,
                })
            })?;
        Ok(Done::YES)
    }

    /// Writes an audit entry (and its event, on an enrolled kiosk) of a staff action that is not
    /// about one visit.
    pub(crate) async fn audit_staff(
        &self,
        who: &SignedIn,
        action: protocol::AuditAction,
        detail: &str,
        now: DateTime<Utc>,
    ) -> UiResult<()> {
        let mut tx = self.store.begin().await?;
        crate::staff::audit(&mut tx, &who.audit_entry(action, None, Some(detail), now)).await?;
        tx.commit().await.map_err(crate::error::KioskError::from)?;
        Ok(())
    }

    /// Who is signed in with `token`, if their role may do `permission`: the first step of every
    /// staff command.
    pub(crate) async fn authorise(
        &self,
        token: &str,
        permission: Permission,
        now: DateTime<Utc>,
    ) -> UiResult<SignedIn> {
        Ok(self
            .staff
            .authorise(&SessionToken::from_ui(token), permission, now)
            .await?)
    }
}
