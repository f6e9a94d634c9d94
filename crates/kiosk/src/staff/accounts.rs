//! Staff accounts at the kiosk: listed and changed by a supervisor signed in at the kiosk (the
//! change goes to central as a `staff_account_changed` event when the kiosk is enrolled), or by
//! an operator with `kioskctl staff` on a kiosk that works alone. On an enrolled kiosk central
//! is the authority, and an operator's change is refused.
//!
//! A change is applied here exactly as central applies the event (see
//! `visit-central`'s `service/staff.rs`), so the kiosk and central agree after the push.

use super::{SignedIn, Staff, StaffFailure, audit, pin, queue_change};
use crate::error::KioskError;
use crate::store::{self, KeptAccount, NewAudit, Store};
use chrono::{DateTime, NaiveDate, Utc};
use domain::booking::prison_today;
use domain::{NewPin, Permission, PersonName, PrisonCode, Role, SignInPolicy, StaffNumber};
use protocol::{AuditAction, Organisation, StaffAccount, StaffChange, check_helper_fields};
use serde::Serialize;
use sqlx::SqliteConnection;
use std::fmt;

/// Who makes a change.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Actor<'a> {
    /// An operator with `kioskctl` on a kiosk that works alone.
    Operator,
    Staff(&'a SignedIn),
}

/// A new account, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccount {
    pub number: StaffNumber,
    pub name: PersonName,
    pub role: Role,
    /// Helpers only.
    pub organisation: Option<Organisation>,
    /// Helpers only: the last day they may sign in, at most a year ahead.
    pub expires_on: Option<NaiveDate>,
}

/// What a supervisor or an operator does to an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountChange {
    /// With a one-time PIN the person changes at their first sign-in.
    Add(NewAccount),
    Disable(StaffNumber),
    Enable(StaffNumber),
    /// Wrong PINs so far stop counting towards a lock.
    Unlock(StaffNumber),
    /// A new one-time PIN; also unlocks.
    ResetPin(StaffNumber),
}

impl AccountChange {
    fn number(&self) -> &StaffNumber {
        match self {
            AccountChange::Add(new) => &new.number,
            AccountChange::Disable(n)
            | AccountChange::Enable(n)
            | AccountChange::Unlock(n)
            | AccountChange::ResetPin(n) => n,
        }
    }

    fn needs_pin(&self) -> bool {
        matches!(self, AccountChange::Add(_) | AccountChange::ResetPin(_))
    }
}

/// An account as a supervisor's screen or `kioskctl staff list` shows it: never its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountView {
    pub prison: String,
    pub staff_number: String,
    pub name: String,
    pub role: Role,
    pub must_change_pin: bool,
    pub disabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organisation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_on: Option<NaiveDate>,
    /// Locked after too many wrong PINs at this kiosk, until then.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locked_until: Option<DateTime<Utc>>,
}

/// A one-time PIN made for a new account or a reset: shown once to whoever made the change.
/// Its `Debug` hides it; it serialises as its digits, for that one screen.
#[derive(Clone, PartialEq, Eq)]
pub struct OneTimePin(NewPin);

impl OneTimePin {
    pub fn expose(&self) -> &str {
        self.0.expose()
    }
}

impl fmt::Debug for OneTimePin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OneTimePin(redacted)")
    }
}

impl Serialize for OneTimePin {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.expose())
    }
}

/// The answer to a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountChanged {
    pub account: AccountView,
    /// The one-time PIN the kiosk made up (never one it was given).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub one_time_pin: Option<OneTimePin>,
}

impl Staff {
    /// `staff_accounts`: the prison's accounts, for a supervisor.
    pub async fn accounts(
        &self,
        token: &super::SessionToken,
        now: DateTime<Utc>,
    ) -> Result<Vec<AccountView>, StaffFailure> {
        self.authorise(token, Permission::ManageStaff, now).await?;
        list(&self.store, self.prison.as_str(), &self.policy, now).await
    }

    /// `staff_account_change`: a supervisor adds, disables, enables, unlocks an account or resets
    /// its PIN. The kiosk makes up the one-time PIN of a new account or a reset.
    pub async fn change_account(
        &self,
        token: &super::SessionToken,
        change: &AccountChange,
        now: DateTime<Utc>,
    ) -> Result<AccountChanged, StaffFailure> {
        let who = self.authorise(token, Permission::ManageStaff, now).await?;
        make_change(
            &self.store,
            self.prison.as_str(),
            Actor::Staff(&who),
            change,
            None,
            &self.policy,
            now,
        )
        .await
    }
}

/// A prison's accounts with their lock state at this kiosk, by staff number.
pub async fn list(
    store: &Store,
    prison: &str,
    policy: &SignInPolicy,
    now: DateTime<Utc>,
) -> Result<Vec<AccountView>, StaffFailure> {
    let prison = prison.trim().to_ascii_uppercase();
    let accounts = store.staff_accounts(&prison).await?;
    let mut conn = store.conn().await?;
    let mut views = Vec::with_capacity(accounts.len());
    for account in accounts {
        let kept = store::staff_account(&mut conn, &prison, &account.staff_number).await?;
        let since = kept.map_or(now, |k| k.failures_from);
        let failures = store::account_failures(&mut conn, &prison, &account.staff_number, since).await?;
        views.push(view(&account, policy.locked_until(&failures, now)));
    }
    Ok(views)
}

/// `kioskctl staff add|disable|enable|unlock|reset` on a kiosk that works alone. `pin` is the
/// one-time PIN the operator chose; without it the kiosk makes one up and answers it.
pub async fn change_as_operator(
    store: &Store,
    prison: &str,
    change: &AccountChange,
    pin: Option<NewPin>,
    now: DateTime<Utc>,
) -> Result<AccountChanged, StaffFailure> {
    if store.enrolment().await?.is_some() {
        return Err(StaffFailure::ManagedByCentral);
    }
    let prison = prison.trim().to_ascii_uppercase();
    make_change(
        store,
        &prison,
        Actor::Operator,
        change,
        pin,
        &SignInPolicy::default(),
        now,
    )
    .await
}

async fn make_change(
    store: &Store,
    prison: &str,
    actor: Actor<'_>,
    change: &AccountChange,
    given_pin: Option<NewPin>,
    policy: &SignInPolicy,
    now: DateTime<Utc>,
) -> Result<AccountChanged, StaffFailure> {
    // The prison must be known here, as at central: its local date judges a helper's expiry.
    store
        .prison(&PrisonCode::parse(prison).map_err(KioskError::from)?)
        .await?;
    // Hash before the transaction: it takes a while on purpose.
    let (pin, made_up) = match (change.needs_pin(), given_pin) {
        (false, _) => (None, false),
        (true, Some(pin)) => (Some(pin), false),
        (true, None) => (Some(pin::one_time_pin()), true),
    };
    let pin_hash = match &pin {
        Some(p) => Some(pin::hash(p).await?),
        None => None,
    };
    let hash = || {
        pin_hash
            .clone()
            .ok_or_else(|| StaffFailure::Internal("no PIN hash for a change that needs one".into()))
    };
    let wire = match change {
        AccountChange::Add(new) => StaffChange::Added {
            name: new.name.clone(),
            role: new.role,
            pin_hash: hash()?,
            organisation: new.organisation.clone(),
            expires_on: new.expires_on,
        },
        AccountChange::Disable(_) => StaffChange::Disabled,
        AccountChange::Enable(_) => StaffChange::Enabled,
        AccountChange::Unlock(_) => StaffChange::Unlocked,
        AccountChange::ResetPin(_) => StaffChange::PinReset { pin_hash: hash()? },
    };
    let mut tx = store.begin().await?;
    let account = apply(&mut tx, prison, actor, change.number(), &wire, now).await?;
    tx.commit().await?;
    let who = match actor {
        Actor::Operator => "operator".to_string(),
        Actor::Staff(s) => s.staff_number.to_string(),
    };
    tracing::info!(%prison, by = %who, staff_number = %change.number(), change = wire.action(), "staff account changed");
    let mut conn = store.conn().await?;
    let since = store::staff_account(&mut conn, prison, change.number())
        .await?
        .map_or(now, |k| k.failures_from);
    let failures = store::account_failures(&mut conn, prison, change.number(), since).await?;
    Ok(AccountChanged {
        account: view(&account, policy.locked_until(&failures, now)),
        one_time_pin: pin.filter(|_| made_up).map(OneTimePin),
    })
}

/// Applies one change to an account in the caller's transaction, as central would, then
/// writes it to the audit log and, for staff on an enrolled kiosk, queues it for central.
pub(crate) async fn apply(
    conn: &mut SqliteConnection,
    prison: &str,
    actor: Actor<'_>,
    number: &StaffNumber,
    change: &StaffChange,
    now: DateTime<Utc>,
) -> Result<StaffAccount, StaffFailure> {
    let not_found = || StaffFailure::AccountNotFound {
        prison: prison.to_string(),
        number: number.to_string(),
    };
    let existing = store::staff_account(conn, prison, number).await?;
    let account = match (change.new_account(prison, number), existing) {
        (Some(account), None) => {
            let today = prison_today(
                &store::load_prison(conn, &PrisonCode::parse(prison).map_err(KioskError::from)?)
                    .await?
                    .rules,
                now,
            );
            check_helper_fields(
                account.role,
                account.organisation.as_ref(),
                account.expires_on,
                today,
            )?;
            store::insert_staff_account(conn, &account, now).await?;
            account
        }
        (Some(_), Some(_)) => {
            return Err(StaffFailure::AccountExists {
                prison: prison.to_string(),
                number: number.to_string(),
            });
        }
        (None, None) => return Err(not_found()),
        (None, Some(mut kept)) => {
            change.apply_to(&mut kept.account, now);
            if change.unlocks() {
                kept.failures_from = now;
            }
            store::update_staff_account(conn, &kept, now).await?;
            let KeptAccount { account, .. } = kept;
            account
        }
    };
    let (staff_number, role) = match actor {
        Actor::Operator => (None, None),
        Actor::Staff(s) => (Some(&s.staff_number), Some(s.role)),
    };
    let own_pin = matches!(change, StaffChange::PinChanged { .. });
    let detail = match change {
        StaffChange::Added { role, .. } => format!("added {number} ({})", role.as_str()),
        other => format!("{} {number}", other.action()),
    };
    audit(
        conn,
        &NewAudit {
            at: now,
            prison,
            staff_number,
            role,
            action: if own_pin {
                AuditAction::PinChanged
            } else {
                AuditAction::AccountChange
            },
            booking_reference: None,
            detail: (!own_pin).then_some(detail.as_str()),
        },
    )
    .await?;
    if let Actor::Staff(s) = actor {
        queue_change(conn, prison, &s.staff_number, number, change, now).await?;
    }
    Ok(account)
}

fn view(a: &StaffAccount, locked_until: Option<DateTime<Utc>>) -> AccountView {
    AccountView {
        prison: a.prison.clone(),
        staff_number: a.staff_number.to_string(),
        name: a.name.as_str().to_string(),
        role: a.role,
        must_change_pin: a.must_change_pin,
        disabled: a.disabled,
        organisation: a.organisation.as_ref().map(|o| o.as_str().to_string()),
        expires_on: a.expires_on,
        locked_until: locked_until.filter(|_| !a.disabled),
    }
}
