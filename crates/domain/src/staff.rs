//! People who sign in at a kiosk (reception staff, supervisors, assisted-digital helpers): who
//! they are, what each role may do, when a sign-in may be tried at all, and why a booking is
//! cancelled. Pure: the caller passes `now` and the failures it has recorded; hashing a PIN is
//! the store's job, and a PIN never leaves this module except to be hashed or checked.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum StaffError {
    #[error("enter a staff number of 4 to 10 digits")]
    StaffNumberInvalid,
    #[error("a PIN is 6 to 12 digits")]
    PinWrongLength,
    #[error("a PIN is digits only")]
    PinNotDigits,
    #[error(
        "choose a PIN that is not one digit repeated, a run like 123456, or a repeated pattern like 121212"
    )]
    PinTooSimple,
    #[error("a note must be 512 characters or fewer")]
    NoteTooLong,
    #[error("a note cannot hold control characters")]
    NoteInvalidCharacters,
    #[error("the role must be reception, supervisor or helper")]
    UnknownRole,
}

impl StaffError {
    /// The stable code the UI translates.
    pub fn code(self) -> &'static str {
        match self {
            StaffError::StaffNumberInvalid => "staff_number_invalid",
            StaffError::PinWrongLength => "pin_wrong_length",
            StaffError::PinNotDigits => "pin_not_digits",
            StaffError::PinTooSimple => "pin_too_simple",
            StaffError::NoteTooLong => "note_too_long",
            StaffError::NoteInvalidCharacters => "note_invalid_characters",
            StaffError::UnknownRole => "role_unknown",
        }
    }
}

/// A staff member's number as typed on the kiosk's keypad: 4 to 10 digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct StaffNumber(String);

impl StaffNumber {
    pub fn parse(input: &str) -> Result<Self, StaffError> {
        let s: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        if (4..=10).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(s))
        } else {
            Err(StaffError::StaffNumberInvalid)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for StaffNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for StaffNumber {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A new PIN someone chose: 6 to 12 digits and not trivial to guess. Its `Debug` and `Display`
/// never show the digits, so it cannot reach a log by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPin(String);

impl NewPin {
    pub fn parse(input: &str) -> Result<Self, StaffError> {
        let digits = pin_digits(input)?;
        if is_trivial(digits.as_bytes()) {
            return Err(StaffError::PinTooSimple);
        }
        Ok(Self(digits))
    }

    /// The digits, to be hashed.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// A PIN typed at sign-in, to be checked against a stored hash: only its shape is checked, so a
/// wrong guess costs the same work whatever it is.
#[derive(Clone, PartialEq, Eq)]
pub struct PinAttempt(String);

impl PinAttempt {
    pub fn parse(input: &str) -> Result<Self, StaffError> {
        pin_digits(input).map(Self)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

macro_rules! redacted {
    ($t:ty) => {
        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($t), "(redacted)"))
            }
        }
    };
}
redacted!(NewPin);
redacted!(PinAttempt);

fn pin_digits(input: &str) -> Result<String, StaffError> {
    let s = input.trim();
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(StaffError::PinNotDigits);
    }
    if !(6..=12).contains(&s.len()) {
        return Err(StaffError::PinWrongLength);
    }
    Ok(s.to_string())
}

/// One digit repeated, a straight run up or down (wrapping 9 to 0 as a keypad does), or a short
/// pattern repeated (121212, 123123).
fn is_trivial(d: &[u8]) -> bool {
    let step = |a: u8, b: u8| (i16::from(b) - i16::from(a)).rem_euclid(10);
    let run = d.windows(2).all(|w| step(w[0], w[1]) == 1) || d.windows(2).all(|w| step(w[0], w[1]) == 9);
    let repeated = (1..=d.len() / 2)
        .any(|p| d.len().is_multiple_of(p) && d.iter().enumerate().all(|(i, c)| *c == d[i % p]));
    run || repeated
}

/// What someone signed in at a kiosk is there to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Reception staff: the day's visits, arrivals, finding, reprinting and cancelling
    /// bookings, requests and the review queue, the kiosk's health.
    Reception,
    /// All of reception's work, plus closures, tables, staff accounts, printer and enrolment.
    Supervisor,
    /// An assisted-digital helper: books on someone's behalf and sees their own bookings of the
    /// day, nothing else.
    Helper,
}

impl Role {
    pub fn parse(s: &str) -> Result<Self, StaffError> {
        match s.trim() {
            "reception" => Ok(Role::Reception),
            "supervisor" => Ok(Role::Supervisor),
            "helper" => Ok(Role::Helper),
            _ => Err(StaffError::UnknownRole),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Reception => "reception",
            Role::Supervisor => "supervisor",
            Role::Helper => "helper",
        }
    }

    /// Whether this role may do `p`. Checked by the engine on every command, whatever the page
    /// shows.
    pub fn may(self, p: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Supervisor => !matches!(p, BookOnBehalf | OwnBookingsToday),
            Role::Reception => matches!(
                p,
                TodaysVisits
                    | MarkArrivals
                    | FindBookings
                    | ReprintSlips
                    | CancelBookings
                    | ReviewQueue
                    | KioskHealth
            ),
            Role::Helper => matches!(p, BookOnBehalf | OwnBookingsToday),
        }
    }
}

/// Everything a signed-in person can ask the engine to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    TodaysVisits,
    MarkArrivals,
    FindBookings,
    ReprintSlips,
    CancelBookings,
    ReviewQueue,
    KioskHealth,
    CloseSessions,
    ChangeTables,
    ManageStaff,
    PrinterSettings,
    EnrolmentSettings,
    BookOnBehalf,
    OwnBookingsToday,
}

/// When a sign-in may be tried: five wrong PINs lock an account for fifteen minutes (or until a
/// supervisor unlocks it), and a kiosk that sees many failures slows every attempt down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInPolicy {
    pub failures_before_lock: usize,
    pub lock_for: Duration,
    pub kiosk_failures_before_slowing: usize,
    pub kiosk_window: Duration,
    pub slow_down: std::time::Duration,
}

impl Default for SignInPolicy {
    fn default() -> Self {
        Self {
            failures_before_lock: 5,
            lock_for: Duration::minutes(15),
            kiosk_failures_before_slowing: 20,
            kiosk_window: Duration::minutes(5),
            slow_down: std::time::Duration::from_secs(5),
        }
    }
}

impl SignInPolicy {
    /// Until when an account is locked, given the times of its wrong PINs since its last
    /// successful sign-in or unlock (oldest first).
    pub fn locked_until(&self, failures: &[DateTime<Utc>], now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if failures.len() < self.failures_before_lock {
            return None;
        }
        let until = *failures.last()? + self.lock_for;
        (until > now).then_some(until)
    }

    /// How long every attempt at this kiosk waits, given the times of all its failed sign-ins.
    pub fn pause(&self, kiosk_failures: &[DateTime<Utc>], now: DateTime<Utc>) -> std::time::Duration {
        let recent = kiosk_failures
            .iter()
            .filter(|t| **t > now - self.kiosk_window)
            .count();
        if recent >= self.kiosk_failures_before_slowing {
            self.slow_down
        } else {
            std::time::Duration::ZERO
        }
    }
}

/// How a visitor asked to cancel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestChannel {
    InPerson,
    Phone,
    Email,
    Website,
}

/// Why a booking is cancelled (the reasons staff choose from).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum CancelReason {
    VisitorCancelled { how: RequestChannel },
    EstablishmentCancelled,
    PrisonerCancelled,
    DetailsChanged,
    AdministrativeError,
}

impl CancelReason {
    /// The status reason stored with the cancelled booking.
    pub fn code(self) -> &'static str {
        match self {
            CancelReason::VisitorCancelled { .. } => "visitor_cancelled",
            CancelReason::EstablishmentCancelled => "establishment_cancelled",
            CancelReason::PrisonerCancelled => "prisoner_cancelled",
            CancelReason::DetailsChanged => "details_changed",
            CancelReason::AdministrativeError => "administrative_error",
        }
    }
}

/// A free-text note staff add to an action: at most 512 characters, no control characters
/// (line breaks aside).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct StaffNote(String);

impl StaffNote {
    pub fn parse(input: &str) -> Result<Self, StaffError> {
        let s = input.trim();
        if s.chars().count() > 512 {
            return Err(StaffError::NoteTooLong);
        }
        if s.chars().any(|c| c.is_control() && c != '\n') {
            return Err(StaffError::NoteInvalidCharacters);
        }
        Ok(Self(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for StaffNote {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Whether reception may mark who came to a visit on `visit_date` when the prison's own date
/// is `prison_today`: on the visit's day, or after it (the record caught up, or put right),
/// never before. A visitor at the gate on another day than their visit's has no visit today.
pub fn attendance_may_be_marked(visit_date: NaiveDate, prison_today: NaiveDate) -> bool {
    visit_date <= prison_today
}

/// Whether a visitor may cancel their own visit on `visit_date` when the prison's own date is
/// `prison_today`: before it or on its day, never after it. A visit whose day has passed took
/// place or was missed, and cancelling it would give back the visiting order it spent.
pub fn visitor_may_cancel(visit_date: NaiveDate, prison_today: NaiveDate) -> bool {
    visit_date >= prison_today
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn attendance_is_marked_on_the_visits_day_or_after_never_before() {
        let visit = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        assert!(!attendance_may_be_marked(visit, day(25)));
        assert!(!attendance_may_be_marked(visit, day(27)));
        assert!(attendance_may_be_marked(visit, day(28)));
        assert!(attendance_may_be_marked(visit, day(29)));
    }

    #[test]
    fn a_visitor_cancels_up_to_the_visits_day_never_after() {
        let visit = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        assert!(visitor_may_cancel(visit, day(25)));
        assert!(visitor_may_cancel(visit, day(28)));
        assert!(!visitor_may_cancel(visit, day(29)));
        // On any day, exactly one of the two holds but on the visit's day, when both do.
        for d in 20..=30 {
            assert_eq!(
                attendance_may_be_marked(visit, day(d)) && visitor_may_cancel(visit, day(d)),
                d == 28
            );
        }
    }

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn staff_numbers_are_four_to_ten_digits() {
        assert_eq!(StaffNumber::parse(" 12 34 ").unwrap().as_str(), "1234");
        for bad in ["123", "12345678901", "12a4", "", "１２３４"] {
            assert_eq!(
                StaffNumber::parse(bad),
                Err(StaffError::StaffNumberInvalid),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn trivial_pins_are_refused() {
        for trivial in [
            "000000",
            "111111111",
            "123456",
            "654321",
            "890123",
            "3210987",
            "121212",
            "123123",
            "904904",
        ] {
            assert_eq!(NewPin::parse(trivial), Err(StaffError::PinTooSimple), "{trivial}");
        }
        for fine in ["274915", "1357924680", "112358", "902417"] {
            assert!(NewPin::parse(fine).is_ok(), "{fine}");
        }
        assert_eq!(NewPin::parse("12345"), Err(StaffError::PinWrongLength));
        assert_eq!(NewPin::parse("1234567890123"), Err(StaffError::PinWrongLength));
        assert_eq!(NewPin::parse("12 34 56"), Err(StaffError::PinNotDigits));
        assert_eq!(PinAttempt::parse("123456").unwrap().expose(), "123456");
    }

    #[test]
    fn pins_never_show_in_debug_output() {
        let pin = NewPin::parse("274915").unwrap();
        assert!(!format!("{pin:?}").contains("274915"));
        let attempt = PinAttempt::parse("274915").unwrap();
        assert!(!format!("{attempt:?}").contains("274915"));
    }

    #[test]
    fn roles_may_do_only_their_work() {
        use Permission::*;
        let all = [
            TodaysVisits,
            MarkArrivals,
            FindBookings,
            ReprintSlips,
            CancelBookings,
            ReviewQueue,
            KioskHealth,
            CloseSessions,
            ChangeTables,
            ManageStaff,
            PrinterSettings,
            EnrolmentSettings,
            BookOnBehalf,
            OwnBookingsToday,
        ];
        let allowed = |r: Role| all.iter().filter(|p| r.may(**p)).count();
        assert_eq!(allowed(Role::Reception), 7);
        assert_eq!(allowed(Role::Supervisor), 12);
        assert_eq!(allowed(Role::Helper), 2);
        for p in [
            CloseSessions,
            ChangeTables,
            ManageStaff,
            PrinterSettings,
            EnrolmentSettings,
        ] {
            assert!(!Role::Reception.may(p) && Role::Supervisor.may(p) && !Role::Helper.may(p));
        }
        assert!(!Role::Helper.may(TodaysVisits) && !Role::Helper.may(CancelBookings));
        assert_eq!(Role::parse("supervisor"), Ok(Role::Supervisor));
        assert!(Role::parse("admin").is_err());
    }

    #[test]
    fn five_wrong_pins_lock_an_account_for_fifteen_minutes() {
        let policy = SignInPolicy::default();
        let now = t("2026-12-01T10:00:00Z");
        let four: Vec<_> = (0..4).map(|i| now - Duration::seconds(40 - i * 10)).collect();
        assert_eq!(policy.locked_until(&four, now), None);
        let mut five = four.clone();
        five.push(now);
        assert_eq!(policy.locked_until(&five, now), Some(t("2026-12-01T10:15:00Z")));
        assert_eq!(
            policy.locked_until(&five, t("2026-12-01T10:14:59Z")),
            Some(t("2026-12-01T10:15:00Z"))
        );
        assert_eq!(policy.locked_until(&five, t("2026-12-01T10:15:00Z")), None);
    }

    #[test]
    fn a_kiosk_with_many_recent_failures_slows_every_attempt() {
        let policy = SignInPolicy::default();
        let now = t("2026-12-01T10:00:00Z");
        let recent: Vec<_> = (0..20).map(|i| now - Duration::seconds(i * 10)).collect();
        assert_eq!(policy.pause(&recent, now), std::time::Duration::from_secs(5));
        assert_eq!(policy.pause(&recent[..19], now), std::time::Duration::ZERO);
        let old: Vec<_> = (0..40)
            .map(|i| now - Duration::minutes(6) - Duration::seconds(i))
            .collect();
        assert_eq!(policy.pause(&old, now), std::time::Duration::ZERO);
    }

    #[test]
    fn cancellation_reasons_and_notes() {
        let r: CancelReason =
            serde_json::from_str(r#"{"reason":"visitor_cancelled","how":"phone"}"#).unwrap();
        assert_eq!(
            r,
            CancelReason::VisitorCancelled {
                how: RequestChannel::Phone
            }
        );
        assert_eq!(r.code(), "visitor_cancelled");
        assert!(serde_json::from_str::<CancelReason>(r#"{"reason":"visitor_cancelled"}"#).is_err());
        assert_eq!(
            StaffNote::parse(&"é".repeat(512))
                .unwrap()
                .as_str()
                .chars()
                .count(),
            512
        );
        assert_eq!(StaffNote::parse(&"a".repeat(513)), Err(StaffError::NoteTooLong));
        assert_eq!(
            StaffNote::parse("tab\there"),
            Err(StaffError::NoteInvalidCharacters)
        );
        assert!(StaffNote::parse("line one\nline two").is_ok());
    }

    proptest! {
        #[test]
        fn every_accepted_pin_is_six_to_twelve_digits_and_not_one_repeated(s in "[0-9]{6,12}") {
            if let Ok(pin) = NewPin::parse(&s) {
                let d = pin.expose().as_bytes();
                prop_assert!(d.iter().any(|c| *c != d[0]));
            }
        }
    }
}
