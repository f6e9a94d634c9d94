//! Staff at the kiosk (docs/STAFF.md): signing in with a staff number and PIN, sessions held in
//! memory, choosing a new PIN, and the one check every staff command makes first
//! ([`Staff::authorise`]). Accounts are managed in [`accounts`]; every sign-in, failed sign-in,
//! sign-out and PIN change is written to the audit log, which an enrolled kiosk sends to central
//! through the outbox.
//!
//! What keeps a PIN safe here:
//! - a sign-in always costs one argon2id verification: against the account's hash, or against a
//!   fixed dummy hash when the number is unknown, disabled or expired, and the answer to all of
//!   these is the one code `sign_in_failed`; `account_locked` only for an existing, usable
//!   account past five wrong PINs (a sixth try would say no more);
//! - a kiosk that has seen many failures lately waits before every attempt
//!   ([`SignInPolicy::pause`]);
//! - no PIN, hash or session token is ever logged or written to the audit log (`NewPin`,
//!   `PinAttempt`, `PinHash` and [`SessionToken`] hide themselves in `Debug`).

pub mod accounts;
mod pin;

use crate::error::KioskError;
use crate::store::{self, KeptAccount, NewAudit, Store};
use chrono::{DateTime, Duration, Utc};
use domain::booking::prison_today;
use domain::staff::StaffError;
use domain::{
    NewPin, Permission, PersonName, PinAttempt, PrisonCode, Role, SignInPolicy, StaffNote, StaffNumber,
};
use protocol::{
    AuditAction, AuditEntry, Event, StaffAccount, StaffAccountChanged, StaffChange, StaffValueError,
};
use rand::Rng;
use serde::{Deserialize, Serialize};
use sqlx::SqliteConnection;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

/// A staff session ends after this long without a command.
pub const IDLE_TIMEOUT: Duration = Duration::minutes(2);

/// Why a staff command was refused. Each has a stable `code()` the UI translates.
#[derive(Debug, thiserror::Error)]
pub enum StaffFailure {
    /// A wrong PIN, an unknown staff number, a disabled or expired account: the same answer.
    #[error("the staff number or PIN is not right")]
    SignInFailed,
    #[error("this account is locked after too many wrong PINs, until {until}")]
    AccountLocked { until: DateTime<Utc> },
    #[error("no one is signed in with that session")]
    NotSignedIn,
    #[error("the session ended after two minutes without a touch")]
    SessionExpired,
    #[error("this role may not do that")]
    NotAllowed,
    #[error("choose a new PIN before anything else")]
    PinChangeRequired,
    #[error("enter your current PIN to choose a new one")]
    CurrentPinRequired,
    #[error("the current PIN is not right")]
    PinIncorrect,
    #[error("the new PIN must not be the one it replaces")]
    PinUnchanged,
    #[error(transparent)]
    Invalid(#[from] StaffError),
    #[error(transparent)]
    InvalidAccount(#[from] StaffValueError),
    #[error("prison {prison} already has a staff account numbered {number}")]
    AccountExists { prison: String, number: String },
    #[error("prison {prison} has no staff account numbered {number}")]
    AccountNotFound { prison: String, number: String },
    #[error(
        "this kiosk is enrolled with central, which manages its staff accounts: use `visit-central staff` there, or a supervisor in the app"
    )]
    ManagedByCentral,
    #[error(transparent)]
    Kiosk(#[from] KioskError),
    /// A bug, not bad input.
    #[error("internal error: {0}")]
    Internal(String),
}

impl StaffFailure {
    pub fn code(&self) -> &'static str {
        match self {
            StaffFailure::SignInFailed => "sign_in_failed",
            StaffFailure::AccountLocked { .. } => "account_locked",
            StaffFailure::NotSignedIn => "not_signed_in",
            StaffFailure::SessionExpired => "session_expired",
            StaffFailure::NotAllowed => "not_allowed",
            StaffFailure::PinChangeRequired => "pin_change_required",
            StaffFailure::CurrentPinRequired => "current_pin_required",
            StaffFailure::PinIncorrect => "pin_incorrect",
            StaffFailure::PinUnchanged => "pin_unchanged",
            StaffFailure::Invalid(e) => e.code(),
            StaffFailure::InvalidAccount(e) => e.code(),
            StaffFailure::AccountExists { .. } => "staff_account_exists",
            StaffFailure::AccountNotFound { .. } => "staff_account_not_found",
            StaffFailure::ManagedByCentral => "staff_managed_by_central",
            StaffFailure::Kiosk(e) => e.code(),
            StaffFailure::Internal(_) => "internal_error",
        }
    }
}

impl From<sqlx::Error> for StaffFailure {
    fn from(e: sqlx::Error) -> Self {
        StaffFailure::Kiosk(e.into())
    }
}

/// A signed-in session's token: 128 random bits, as 32 hex digits. The UI keeps it in a
/// variable only and sends it with every staff command. Its `Debug` hides it.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SessionToken(String);

impl SessionToken {
    fn new() -> Self {
        let mut bytes = [0u8; 16];
        rand::rng().fill_bytes(&mut bytes);
        Self(bytes.iter().map(|b| format!("{b:02x}")).collect())
    }

    /// The token as the UI sent it back.
    pub fn from_ui(token: &str) -> Self {
        Self(token.to_string())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken(redacted)")
    }
}

/// Who is signed in: what a staff command may rely on once [`Staff::authorise`] said yes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignedIn {
    pub prison: String,
    pub staff_number: StaffNumber,
    pub name: PersonName,
    pub role: Role,
}

impl SignedIn {
    /// An audit entry of something this person did now.
    pub(crate) fn audit_entry<'a>(
        &'a self,
        action: AuditAction,
        reference: Option<&'a str>,
        detail: Option<&'a str>,
        now: DateTime<Utc>,
    ) -> NewAudit<'a> {
        NewAudit {
            at: now,
            prison: &self.prison,
            staff_number: Some(&self.staff_number),
            role: Some(self.role),
            action,
            booking_reference: reference,
            detail,
        }
    }
}

/// The answer to a successful sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignInAnswer {
    pub token: SessionToken,
    pub who: SignedIn,
    /// A first sign-in, or the first after a reset: [`Staff::change_pin`] before anything else.
    pub must_change_pin: bool,
    pub idle_timeout_seconds: u32,
}

#[derive(Debug, Clone)]
struct Session {
    who: SignedIn,
    last_seen: DateTime<Utc>,
    must_change_pin: bool,
}

/// Staff sign-in and sessions at one kiosk, for the prison it serves. Cheap to clone: clones
/// share the sessions. Sessions live in memory only: they end when the app restarts.
#[derive(Clone)]
pub struct Staff {
    store: Store,
    prison: PrisonCode,
    policy: SignInPolicy,
    idle_timeout: Duration,
    sessions: Arc<Mutex<HashMap<SessionToken, Session>>>,
}

impl fmt::Debug for Staff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Staff")
            .field("prison", &self.prison)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl Staff {
    pub fn new(store: Store, prison_code: PrisonCode) -> Self {
        Self {
            store,
            prison: prison_code,
            policy: SignInPolicy::default(),
            idle_timeout: IDLE_TIMEOUT,
            sessions: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// Another sign-in policy (tests shorten the slow-down).
    pub fn with_policy(mut self, policy: SignInPolicy) -> Self {
        self.policy = policy;
        self
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn prison_code(&self) -> &str {
        self.prison.as_str()
    }

    fn sessions(&self) -> MutexGuard<'_, HashMap<SessionToken, Session>> {
        // A poisoned lock still holds valid sessions: a panic elsewhere must not sign everyone in
        // or out.
        self.sessions.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How long a sign-in attempt made now waits first.
    pub async fn sign_in_pause(&self, now: DateTime<Utc>) -> Result<std::time::Duration, StaffFailure> {
        let mut conn = self.store.conn().await?;
        let recent = store::kiosk_failures(&mut conn, now - self.policy.kiosk_window).await?;
        Ok(self.policy.pause(&recent, now))
    }

    /// `staff_sign_in`: waits if the kiosk has seen many failures, then checks the PIN with one
    /// argon2id verification whatever the number, and opens a session.
    pub async fn sign_in(
        &self,
        staff_number: &str,
        pin: &str,
        now: DateTime<Utc>,
    ) -> Result<SignInAnswer, StaffFailure> {
        let number = StaffNumber::parse(staff_number)?;
        let attempt = PinAttempt::parse(pin)?;
        let pause = self.sign_in_pause(now).await?;
        if !pause.is_zero() {
            tracing::warn!(
                pause_ms = pause.as_millis() as u64,
                "many failed sign-ins at this kiosk: slowing every attempt"
            );
            tokio::time::sleep(pause).await;
        }
        let today = prison_today(&self.store.prison(&self.prison).await?.rules, now);
        let (kept, failures) = {
            let mut conn = self.store.conn().await?;
            let kept = store::staff_account(&mut conn, self.prison.as_str(), &number).await?;
            // Read whether or not the account exists, so both answers do the same work.
            let since = kept.as_ref().map_or(DateTime::UNIX_EPOCH, |k| k.failures_from);
            let failures = store::account_failures(&mut conn, self.prison.as_str(), &number, since).await?;
            (kept, failures)
        };
        let usable = kept.filter(|k| usable(&k.account, today));
        let hash = usable
            .as_ref()
            .map_or(pin::DUMMY_HASH, |k| k.account.pin_hash.as_str());
        let matches = pin::verify(attempt.expose(), hash).await && usable.is_some();
        let locked_until = usable
            .as_ref()
            .and_then(|_| self.policy.locked_until(&failures, now));
        let had_usable_account = usable.is_some();
        let Some(kept) = usable.filter(|_| matches && locked_until.is_none()) else {
            // For the audit log, which nobody at the keypad sees.
            let why = match (locked_until, had_usable_account) {
                (Some(_), _) => "account locked",
                (None, true) => "wrong PIN",
                (None, false) => "no usable account with that number",
            };
            let mut tx = self.store.begin().await?;
            store::record_sign_in_failure(
                &mut tx,
                self.prison.as_str(),
                &number,
                now,
                locked_until.is_some(),
            )
            .await?;
            audit(
                &mut tx,
                &NewAudit {
                    at: now,
                    prison: self.prison.as_str(),
                    staff_number: Some(&number),
                    role: None,
                    action: AuditAction::SignInFailed,
                    booking_reference: None,
                    detail: Some(why),
                },
            )
            .await?;
            tx.commit().await?;
            tracing::info!(prison = %self.prison, "staff sign-in refused");
            return Err(match locked_until {
                Some(until) => StaffFailure::AccountLocked { until },
                None => StaffFailure::SignInFailed,
            });
        };
        let who = SignedIn {
            prison: self.prison.to_string(),
            staff_number: number.clone(),
            name: kept.account.name.clone(),
            role: kept.account.role,
        };
        let mut tx = self.store.begin().await?;
        // A good PIN clears the count of wrong ones.
        let cleared = KeptAccount {
            failures_from: now,
            ..kept.clone()
        };
        store::update_staff_account(&mut tx, &cleared, now).await?;
        audit(
            &mut tx,
            &NewAudit {
                at: now,
                prison: self.prison.as_str(),
                staff_number: Some(&number),
                role: Some(who.role),
                action: AuditAction::SignIn,
                booking_reference: None,
                detail: None,
            },
        )
        .await?;
        tx.commit().await?;
        let token = SessionToken::new();
        self.sessions().insert(
            token.clone(),
            Session {
                who: who.clone(),
                last_seen: now,
                must_change_pin: kept.account.must_change_pin,
            },
        );
        tracing::info!(prison = %self.prison, staff_number = %number, role = who.role.as_str(), "staff signed in");
        Ok(SignInAnswer {
            token,
            who,
            must_change_pin: kept.account.must_change_pin,
            idle_timeout_seconds: self.idle_timeout.num_seconds().try_into().unwrap_or(u32::MAX),
        })
    }

    /// `staff_sign_out`. Signing out a session that has already ended is not an error: the UI
    /// goes back to the visitor's start screen either way.
    pub async fn sign_out(&self, token: &SessionToken, now: DateTime<Utc>) -> Result<(), StaffFailure> {
        let Some(session) = self.sessions().remove(token) else {
            return Ok(());
        };
        self.audit_session_end(&session.who, AuditAction::SignOut, None, now)
            .await
    }

    /// The check every staff command makes before anything else: a live session (ended after
    /// two minutes without a command), an account still usable, a new PIN chosen if one was
    /// required, and a role that may do `permission`. Counts as a touch: the idle time starts
    /// again.
    pub async fn authorise(
        &self,
        token: &SessionToken,
        permission: Permission,
        now: DateTime<Utc>,
    ) -> Result<SignedIn, StaffFailure> {
        let (session, account) = self.live_session(token, now).await?;
        let must_change = session.must_change_pin || account.must_change_pin;
        self.touch(token, now);
        if must_change {
            return Err(StaffFailure::PinChangeRequired);
        }
        // The account's role as it is now: a supervisor made reception loses the rest at once.
        if !account.role.may(permission) {
            tracing::info!(prison = %self.prison, staff_number = %session.who.staff_number, ?permission,
                "staff command refused for the role");
            return Err(StaffFailure::NotAllowed);
        }
        Ok(SignedIn {
            role: account.role,
            name: account.name,
            ..session.who
        })
    }

    /// `staff_change_pin`: a new PIN for the signed-in person, required after a first sign-in or
    /// a reset (then the PIN just typed is enough), otherwise with the current PIN. A wrong
    /// current PIN counts towards the lock, and a lock ends the session.
    pub async fn change_pin(
        &self,
        token: &SessionToken,
        current_pin: Option<&str>,
        new_pin: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StaffFailure> {
        let (session, account) = self.live_session(token, now).await?;
        self.touch(token, now);
        let new_pin = NewPin::parse(new_pin)?;
        let required = session.must_change_pin || account.must_change_pin;
        if !required {
            let current = PinAttempt::parse(current_pin.ok_or(StaffFailure::CurrentPinRequired)?)?;
            if !pin::verify(current.expose(), account.pin_hash.as_str()).await {
                return Err(self.wrong_current_pin(token, &session.who, now).await?);
            }
        }
        if pin::verify(new_pin.expose(), account.pin_hash.as_str()).await {
            return Err(StaffFailure::PinUnchanged);
        }
        let hash = pin::hash(&new_pin).await?;
        let mut tx = self.store.begin().await?;
        accounts::apply(
            &mut tx,
            self.prison.as_str(),
            accounts::Actor::Staff(&session.who),
            &session.who.staff_number,
            &StaffChange::PinChanged { pin_hash: hash },
            now,
        )
        .await?;
        tx.commit().await?;
        if let Some(s) = self.sessions().get_mut(token) {
            s.must_change_pin = false;
        }
        tracing::info!(prison = %self.prison, staff_number = %session.who.staff_number, "staff PIN changed");
        Ok(())
    }

    /// The session behind `token` if it is live and its account still usable; ends it (and says
    /// why) otherwise.
    async fn live_session(
        &self,
        token: &SessionToken,
        now: DateTime<Utc>,
    ) -> Result<(Session, StaffAccount), StaffFailure> {
        let (session, expired) = {
            let mut sessions = self.sessions();
            let Some(session) = sessions.get(token).cloned() else {
                return Err(StaffFailure::NotSignedIn);
            };
            let expired = now - session.last_seen >= self.idle_timeout;
            if expired {
                sessions.remove(token);
            }
            (session, expired)
        };
        if expired {
            self.audit_session_end(&session.who, AuditAction::SessionExpired, None, now)
                .await?;
            return Err(StaffFailure::SessionExpired);
        }
        let today = prison_today(&self.store.prison(&self.prison).await?.rules, now);
        let mut conn = self.store.conn().await?;
        let account = store::staff_account(&mut conn, self.prison.as_str(), &session.who.staff_number)
            .await?
            .map(|k| k.account)
            .filter(|a| usable(a, today));
        drop(conn);
        let Some(account) = account else {
            self.sessions().remove(token);
            self.audit_session_end(
                &session.who,
                AuditAction::SignOut,
                Some("account disabled or expired"),
                now,
            )
            .await?;
            return Err(StaffFailure::NotSignedIn);
        };
        Ok((session, account))
    }

    fn touch(&self, token: &SessionToken, now: DateTime<Utc>) {
        if let Some(s) = self.sessions().get_mut(token) {
            s.last_seen = s.last_seen.max(now);
        }
    }

    async fn wrong_current_pin(
        &self,
        token: &SessionToken,
        who: &SignedIn,
        now: DateTime<Utc>,
    ) -> Result<StaffFailure, StaffFailure> {
        let mut tx = self.store.begin().await?;
        store::record_sign_in_failure(&mut tx, self.prison.as_str(), &who.staff_number, now, false).await?;
        audit(
            &mut tx,
            &NewAudit {
                at: now,
                prison: self.prison.as_str(),
                staff_number: Some(&who.staff_number),
                role: Some(who.role),
                action: AuditAction::SignInFailed,
                booking_reference: None,
                detail: Some("wrong current PIN when choosing a new one"),
            },
        )
        .await?;
        let kept = store::staff_account(&mut tx, self.prison.as_str(), &who.staff_number).await?;
        let since = kept.map_or(now, |k| k.failures_from);
        let failures =
            store::account_failures(&mut tx, self.prison.as_str(), &who.staff_number, since).await?;
        tx.commit().await?;
        if let Some(until) = self.policy.locked_until(&failures, now) {
            self.sessions().remove(token);
            self.audit_session_end(who, AuditAction::SignOut, Some("account locked"), now)
                .await?;
            return Ok(StaffFailure::AccountLocked { until });
        }
        Ok(StaffFailure::PinIncorrect)
    }

    async fn audit_session_end(
        &self,
        who: &SignedIn,
        action: AuditAction,
        detail: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StaffFailure> {
        let mut tx = self.store.begin().await?;
        audit(
            &mut tx,
            &NewAudit {
                at: now,
                prison: &who.prison,
                staff_number: Some(&who.staff_number),
                role: Some(who.role),
                action,
                booking_reference: None,
                detail,
            },
        )
        .await?;
        tx.commit().await?;
        tracing::info!(prison = %who.prison, staff_number = %who.staff_number, action = action.as_str(), "staff session ended");
        Ok(())
    }
}

/// Whether an account may sign in on the prison's `today`: not disabled, not past its expiry.
pub(crate) fn usable(account: &StaffAccount, today: chrono::NaiveDate) -> bool {
    !account.disabled && account.expires_on.is_none_or(|until| today <= until)
}

/// Writes an audit entry and, on an enrolled kiosk, the `audit` event that takes it to central,
/// in the caller's transaction. An operator's entry (no staff number) stays on the kiosk: only a
/// kiosk working alone has operators.
pub(crate) async fn audit(conn: &mut SqliteConnection, entry: &NewAudit<'_>) -> Result<(), StaffFailure> {
    store::append_audit(conn, entry).await?;
    let Some(number) = entry.staff_number else {
        return Ok(());
    };
    if !store::is_enrolled(conn).await? {
        return Ok(());
    }
    let detail = entry
        .detail
        .map(StaffNote::parse)
        .transpose()
        .map_err(|e| StaffFailure::Internal(format!("audit detail: {e}")))?;
    let event = Event::Audit(AuditEntry {
        prison: entry.prison.to_string(),
        at: entry.at,
        staff_number: number.clone(),
        role: entry.role,
        action: entry.action,
        reference: entry.booking_reference.map(str::to_string),
        detail,
    });
    store::append_event(conn, &event, None, entry.at).await?;
    Ok(())
}

/// Queues a change made in the app for central, on an enrolled kiosk.
pub(crate) async fn queue_change(
    conn: &mut SqliteConnection,
    prison: &str,
    actor: &StaffNumber,
    number: &StaffNumber,
    change: &StaffChange,
    now: DateTime<Utc>,
) -> Result<(), StaffFailure> {
    if !store::is_enrolled(conn).await? {
        return Ok(());
    }
    let event = Event::StaffAccountChanged(StaffAccountChanged {
        prison: prison.to_string(),
        actor: actor.clone(),
        staff_number: number.clone(),
        change: change.clone(),
    });
    store::append_event(conn, &event, None, now).await?;
    Ok(())
}
