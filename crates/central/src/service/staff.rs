//! Staff accounts and the audit log (docs/STAFF.md). Central is the authority on accounts: an
//! administrator makes and changes them with `visit-central staff ...`, a supervisor in the app
//! with the `staff_account_changed` event, and every kiosk of the prison pulls them (PIN hashes
//! only). Kiosks send their audit log as `audit` events; central keeps it.
//!
//! PINs are hashed with argon2id by the `pin_hash` crate, which kiosks use too (PHC strings that
//! carry their own salt and costs, so a kiosk verifies a hash made here with nothing else).
//! Neither a PIN nor a hash is ever logged or written to the audit log.

use super::Central;
use crate::error::CentralError;
use crate::store::{AuditRecord, Kiosk, StoreTx};
use chrono::{DateTime, NaiveDate, Utc};
use domain::{BookingReference, NewPin, Permission, PersonName, PrisonCode, Role, StaffNumber};
use protocol::{
    AuditEntry, EventRefusal, EventResult, Organisation, PinHash, PushEvent, StaffAccount,
    StaffAccountChanged, StaffChange, check_helper_fields,
};

/// A new account as an administrator describes it.
#[derive(Debug, Clone)]
pub struct NewStaff {
    pub prison: String,
    pub number: StaffNumber,
    pub name: PersonName,
    pub role: Role,
    pub organisation: Option<Organisation>,
    pub expires_on: Option<NaiveDate>,
}

/// Hashes a PIN with the crate every side uses, so a kiosk verifies what central made.
pub async fn hash_pin(pin: &NewPin) -> Result<PinHash, CentralError> {
    pin_hash::hash(pin)
        .await
        .map_err(|e| CentralError::Internal(e.to_string()))
}

pub use pin_hash::one_time_pin;

fn prison_code(input: &str) -> String {
    input.trim().to_ascii_uppercase()
}

/// A prison named on the command line or in a staff event, parsed for the store.
fn parsed(prison: &str) -> Result<PrisonCode, CentralError> {
    PrisonCode::parse(prison).map_err(|_| CentralError::UnknownPrison(prison.to_string()))
}

/// What the command line does to an existing account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AdminChange {
    Disable,
    Enable,
    Unlock,
}

impl Central {
    /// Adds an account with a one-time PIN; the person must change it at their first sign-in.
    pub async fn add_staff(&self, new: &NewStaff, pin: &NewPin) -> Result<StaffAccount, CentralError> {
        let now = self.clock.now();
        let prison = prison_code(&new.prison);
        check_helper_fields(
            new.role,
            new.organisation.as_ref(),
            new.expires_on,
            now.date_naive(),
        )?;
        let account = StaffAccount {
            prison: prison.clone(),
            staff_number: new.number.clone(),
            name: new.name.clone(),
            role: new.role,
            pin_hash: hash_pin(pin).await?,
            must_change_pin: true,
            disabled: false,
            organisation: new.organisation.clone(),
            expires_on: new.expires_on,
            unlocked_at: None,
        };
        retrying!(async {
            let mut tx = self.store.begin_write().await?;
            if tx.prison(&parsed(&prison)?).await?.is_none() {
                return Err(CentralError::UnknownPrison(prison.clone()));
            }
            if !tx.insert_staff_account(&account, now).await? {
                return Err(CentralError::StaffAccountExists {
                    prison: prison.clone(),
                    number: account.staff_number.to_string(),
                });
            }
            let detail = format!("added {} ({})", account.staff_number, account.role.as_str());
            tx.append_audit(&admin_audit(&prison, &detail, now)).await?;
            tx.commit().await?;
            Ok(())
        })?;
        tracing::info!(%prison, staff_number = %account.staff_number, role = account.role.as_str(), "staff account added");
        Ok(account)
    }

    /// A prison's accounts, by staff number.
    pub async fn staff(&self, prison: &str) -> Result<Vec<StaffAccount>, CentralError> {
        let prison = prison_code(prison);
        let mut tx = self.store.begin_read().await?;
        if tx.prison(&parsed(&prison)?).await?.is_none() {
            return Err(CentralError::UnknownPrison(prison));
        }
        Ok(tx.staff_accounts(&prison).await?)
    }

    pub async fn disable_staff(
        &self,
        prison: &str,
        number: &StaffNumber,
    ) -> Result<StaffAccount, CentralError> {
        self.change_staff(prison, number, AdminChange::Disable).await
    }

    pub async fn enable_staff(
        &self,
        prison: &str,
        number: &StaffNumber,
    ) -> Result<StaffAccount, CentralError> {
        self.change_staff(prison, number, AdminChange::Enable).await
    }

    /// Wrong PINs typed so far stop counting towards a lock, at every kiosk after its next pull.
    pub async fn unlock_staff(
        &self,
        prison: &str,
        number: &StaffNumber,
    ) -> Result<StaffAccount, CentralError> {
        self.change_staff(prison, number, AdminChange::Unlock).await
    }

    /// Sets a one-time PIN (and unlocks the account): the person must change it at their next
    /// sign-in.
    pub async fn reset_staff_pin(
        &self,
        prison: &str,
        number: &StaffNumber,
        pin: &NewPin,
    ) -> Result<StaffAccount, CentralError> {
        let now = self.clock.now();
        let prison = prison_code(prison);
        let hash = hash_pin(pin).await?;
        let account = retrying!(async {
            let mut tx = self.store.begin_write().await?;
            let mut account = existing(&mut *tx, &prison, number).await?;
            account.pin_hash = hash.clone();
            account.must_change_pin = true;
            account.unlocked_at = Some(now);
            tx.update_staff_account(&account, now).await?;
            tx.append_audit(&admin_audit(&prison, &format!("pin_reset {number}"), now))
                .await?;
            tx.commit().await?;
            Ok(account)
        })?;
        tracing::info!(%prison, staff_number = %number, "staff PIN reset");
        Ok(account)
    }

    async fn change_staff(
        &self,
        prison: &str,
        number: &StaffNumber,
        change: AdminChange,
    ) -> Result<StaffAccount, CentralError> {
        let now = self.clock.now();
        let prison = prison_code(prison);
        let account = retrying!(async {
            let mut tx = self.store.begin_write().await?;
            let mut account = existing(&mut *tx, &prison, number).await?;
            let action = match change {
                AdminChange::Disable => {
                    account.disabled = true;
                    "disabled"
                }
                AdminChange::Enable => {
                    account.disabled = false;
                    "enabled"
                }
                AdminChange::Unlock => {
                    account.unlocked_at = Some(now);
                    "unlocked"
                }
            };
            tx.update_staff_account(&account, now).await?;
            tx.append_audit(&admin_audit(&prison, &format!("{action} {number}"), now))
                .await?;
            tx.commit().await?;
            Ok(account)
        })?;
        tracing::info!(%prison, staff_number = %number, change = ?change, "staff account changed");
        Ok(account)
    }

    /// A prison's audit log from the start of `from` to the end of `to`, in the prison's local
    /// time, oldest first.
    pub async fn audit(
        &self,
        prison: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<AuditRecord>, CentralError> {
        let prison = prison_code(prison);
        let mut tx = self.store.begin_read().await?;
        let Some(file) = tx.prison(&parsed(&prison)?).await? else {
            return Err(CentralError::UnknownPrison(prison));
        };
        let start = |day: NaiveDate| -> DateTime<Utc> {
            let midnight = day.and_time(chrono::NaiveTime::MIN);
            // Midnight exists in every time zone the service knows (DST changes at 01:00 or later
            // in Europe); if not, the earliest instant of that local day's first hour.
            midnight
                .and_local_timezone(file.rules.timezone())
                .earliest()
                .map_or_else(|| midnight.and_utc(), |t| t.with_timezone(&Utc))
        };
        let end_day = to.succ_opt().unwrap_or(NaiveDate::MAX);
        Ok(tx.audit_log(&prison, start(from), start(end_day)).await?)
    }
}

async fn existing(
    tx: &mut dyn StoreTx,
    prison: &str,
    number: &StaffNumber,
) -> Result<StaffAccount, CentralError> {
    if tx.prison(&parsed(prison)?).await?.is_none() {
        return Err(CentralError::UnknownPrison(prison.to_string()));
    }
    tx.staff_account(prison, number, true)
        .await?
        .ok_or_else(|| CentralError::StaffAccountNotFound {
            prison: prison.to_string(),
            number: number.to_string(),
        })
}

/// An administrator's change on the command line, in the audit log: no kiosk, no staff number.
fn admin_audit(prison: &str, detail: &str, now: DateTime<Utc>) -> AuditRecord {
    AuditRecord {
        prison: prison.to_string(),
        kiosk_id: None,
        at: now,
        staff_number: None,
        role: None,
        action: protocol::AuditAction::AccountChange.as_str().to_string(),
        booking_reference: None,
        detail: Some(format!("visit-central: {detail}")),
        received_at: now,
    }
}

/// Whether an account may sign in on `today`: not disabled, and not past its expiry date.
fn usable(account: &StaffAccount, today: NaiveDate) -> bool {
    !account.disabled && account.expires_on.is_none_or(|until| today <= until)
}

/// Whether the staff member numbered `by` at `prison` may, on `now`'s date, do what needs
/// `permission`: an account there, usable, whose role allows it. Central checks again what the
/// kiosk checked when the person acted: an account disabled since, or a number that is not
/// the prison's, is refused.
pub(super) async fn actor_may(
    tx: &mut dyn StoreTx,
    prison: &PrisonCode,
    by: &StaffNumber,
    permission: Permission,
    now: DateTime<Utc>,
) -> Result<bool, CentralError> {
    let actor = tx.staff_account(prison.as_str(), by, false).await?;
    Ok(actor.is_some_and(|a| usable(&a, now.date_naive()) && a.role.may(permission)))
}

/// Applies `staff_account_changed` from a kiosk: the kiosk acts for the prison, the actor is an
/// enabled supervisor there (or the account's own holder, for a new PIN), then the change. A
/// change that leaves the account as it is answers `accepted` again, so it is idempotent even
/// beyond the stored answers of replays.
pub(super) async fn apply_staff_account_changed(
    tx: &mut dyn StoreTx,
    kiosk: &Kiosk,
    event: &PushEvent,
    payload: &StaffAccountChanged,
    now: DateTime<Utc>,
) -> Result<EventResult, CentralError> {
    let prison = prison_code(&payload.prison);
    let Ok(code) = PrisonCode::parse(&prison) else {
        return Ok(EventResult::refused(event, EventRefusal::PrisonNotAllowed));
    };
    if !kiosk.serves(&code) {
        return Ok(EventResult::refused(event, EventRefusal::PrisonNotAllowed));
    }
    let today = now.date_naive();
    let actor = tx.staff_account(&prison, &payload.actor, false).await?;
    let own_pin =
        payload.actor == payload.staff_number && matches!(payload.change, StaffChange::PinChanged { .. });
    let allowed = actor
        .as_ref()
        .is_some_and(|a| usable(a, today) && (a.role.may(Permission::ManageStaff) || own_pin));
    let target = tx.staff_account(&prison, &payload.staff_number, true).await?;
    if !allowed {
        tracing::info!(kiosk_id = %kiosk.id, %prison, actor = %payload.actor, change = payload.change.action(),
            "staff account change refused: the actor may not make it");
        resend(tx, target.as_ref(), now).await?;
        return Ok(EventResult::refused(event, EventRefusal::ActorNotAllowed));
    }
    let mut account = match (payload.change.new_account(&prison, &payload.staff_number), target) {
        (Some(added), existing) => {
            if let Some(existing) = existing {
                // The same account sent again (from another kiosk's replay, say) is no change.
                let same = existing.name == added.name
                    && existing.role == added.role
                    && existing.pin_hash == added.pin_hash
                    && existing.organisation == added.organisation
                    && existing.expires_on == added.expires_on;
                if same {
                    return Ok(EventResult::accepted(event));
                }
                resend(tx, Some(&existing), now).await?;
                return Ok(EventResult::refused(event, EventRefusal::StaffAccountExists));
            }
            // Judged on the day the supervisor made the account, however late the kiosk pushed it.
            let made_on = event.created_at.min(now).date_naive();
            if check_helper_fields(added.role, added.organisation.as_ref(), added.expires_on, made_on)
                .is_err()
            {
                return Ok(EventResult::refused(event, EventRefusal::InvalidPayload));
            }
            tx.insert_staff_account(&added, now).await?;
            tracing::info!(kiosk_id = %kiosk.id, %prison, actor = %payload.actor,
                staff_number = %payload.staff_number, role = added.role.as_str(), "staff account added from a kiosk");
            return Ok(EventResult::accepted(event));
        }
        (None, None) => return Ok(EventResult::refused(event, EventRefusal::StaffAccountNotFound)),
        (None, Some(account)) => account,
    };
    payload.change.apply_to(&mut account, now);
    tx.update_staff_account(&account, now).await?;
    tracing::info!(kiosk_id = %kiosk.id, %prison, actor = %payload.actor, staff_number = %payload.staff_number,
        change = payload.change.action(), "staff account changed from a kiosk");
    Ok(EventResult::accepted(event))
}

/// Marks an account changed without changing it, so that the next pull sends it again: a kiosk
/// has already applied a change central refused, and must get central's account back in its
/// place.
async fn resend(
    tx: &mut dyn StoreTx,
    account: Option<&StaffAccount>,
    now: DateTime<Utc>,
) -> Result<(), CentralError> {
    if let Some(account) = account {
        tx.update_staff_account(account, now).await?;
    }
    Ok(())
}

/// Applies `audit`: one entry of a kiosk's audit log, kept as sent, for a prison the kiosk acts
/// for.
pub(super) async fn apply_audit(
    tx: &mut dyn StoreTx,
    kiosk: &Kiosk,
    event: &PushEvent,
    entry: &AuditEntry,
    now: DateTime<Utc>,
) -> Result<EventResult, CentralError> {
    let prison = prison_code(&entry.prison);
    let Ok(code) = PrisonCode::parse(&prison) else {
        return Ok(EventResult::refused(event, EventRefusal::PrisonNotAllowed));
    };
    if !kiosk.serves(&code) {
        return Ok(EventResult::refused(event, EventRefusal::PrisonNotAllowed));
    }
    let reference = match &entry.reference {
        Some(r) => match BookingReference::parse(r) {
            Ok(r) => Some(r.to_string()),
            Err(_) => return Ok(EventResult::refused(event, EventRefusal::ReferenceInvalid)),
        },
        None => None,
    };
    tx.append_audit(&AuditRecord {
        prison,
        kiosk_id: Some(kiosk.id.clone()),
        at: entry.at,
        staff_number: Some(entry.staff_number.to_string()),
        role: entry.role.map(|r| r.as_str().to_string()),
        action: entry.action.as_str().to_string(),
        booking_reference: reference,
        detail: entry.detail.as_ref().map(|d| d.as_str().to_string()),
        received_at: now,
    })
    .await?;
    Ok(EventResult::accepted(event))
}
