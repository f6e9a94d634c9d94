//! Visit sessions: generated from per-prison templates, less closures, inside a booking window
//! measured in the prison's local time.

use crate::error::RuleError;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    Weekly,
    /// Every other week, counted from the first matching day on or after `valid_from`.
    Fortnightly,
}

impl Frequency {
    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Weekly => "weekly",
            Frequency::Fortnightly => "fortnightly",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "weekly" => Some(Frequency::Weekly),
            "fortnightly" => Some(Frequency::Fortnightly),
            _ => None,
        }
    }
}

/// Whether a visit happens across an open table or in a closed room behind a screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum VisitKind {
    Open,
    Closed,
}

impl VisitKind {
    pub fn as_str(self) -> &'static str {
        match self {
            VisitKind::Open => "open",
            VisitKind::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "open" => Some(VisitKind::Open),
            "closed" => Some(VisitKind::Closed),
            _ => None,
        }
    }
}

/// A timetable entry: a session held on one weekday, weekly or fortnightly, between two dates.
/// Made only from checked [`TemplateFields`], so it always ends after it starts, has a table,
/// and has an id a [`SessionId`] can carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "TemplateFields", into = "TemplateFields")]
pub struct SessionTemplate {
    id: String,
    weekday: Weekday,
    start: NaiveTime,
    end: NaiveTime,
    room: String,
    open_capacity: u16,
    closed_capacity: u16,
    valid_from: NaiveDate,
    valid_to: Option<NaiveDate>,
    frequency: Frequency,
}

/// A session template as a data file or a store row holds it, not yet checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateFields {
    pub id: String,
    #[serde(with = "weekday_name")]
    pub weekday: Weekday,
    pub start: NaiveTime,
    pub end: NaiveTime,
    pub room: String,
    pub open_capacity: u16,
    pub closed_capacity: u16,
    pub valid_from: NaiveDate,
    #[serde(default)]
    pub valid_to: Option<NaiveDate>,
    pub frequency: Frequency,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("session template {0}: must end after it starts")]
    EndsBeforeStart(String),
    #[error("session template {0}: must have at least one table")]
    NoTables(String),
    #[error("session template {0}: valid_to is before valid_from")]
    ValidToBeforeFrom(String),
    #[error("session template id {0:?} must be 1 to 64 letters, digits, - and _")]
    BadId(String),
}

/// Whether `id` can name a session template (and so be carried in a [`SessionId`]).
pub fn is_template_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl TryFrom<TemplateFields> for SessionTemplate {
    type Error = TemplateError;
    fn try_from(f: TemplateFields) -> Result<Self, TemplateError> {
        Self::parse(f)
    }
}

impl From<SessionTemplate> for TemplateFields {
    fn from(t: SessionTemplate) -> Self {
        TemplateFields {
            id: t.id,
            weekday: t.weekday,
            start: t.start,
            end: t.end,
            room: t.room,
            open_capacity: t.open_capacity,
            closed_capacity: t.closed_capacity,
            valid_from: t.valid_from,
            valid_to: t.valid_to,
            frequency: t.frequency,
        }
    }
}

impl SessionTemplate {
    pub fn parse(f: TemplateFields) -> Result<Self, TemplateError> {
        if !is_template_id(&f.id) {
            return Err(TemplateError::BadId(f.id));
        }
        if f.start >= f.end {
            return Err(TemplateError::EndsBeforeStart(f.id));
        }
        if f.open_capacity == 0 && f.closed_capacity == 0 {
            return Err(TemplateError::NoTables(f.id));
        }
        if f.valid_to.is_some_and(|to| to < f.valid_from) {
            return Err(TemplateError::ValidToBeforeFrom(f.id));
        }
        Ok(Self {
            id: f.id,
            weekday: f.weekday,
            start: f.start,
            end: f.end,
            room: f.room,
            open_capacity: f.open_capacity,
            closed_capacity: f.closed_capacity,
            valid_from: f.valid_from,
            valid_to: f.valid_to,
            frequency: f.frequency,
        })
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn weekday(&self) -> Weekday {
        self.weekday
    }

    pub fn start(&self) -> NaiveTime {
        self.start
    }

    pub fn end(&self) -> NaiveTime {
        self.end
    }

    pub fn room(&self) -> &str {
        &self.room
    }

    pub fn open_capacity(&self) -> u16 {
        self.open_capacity
    }

    pub fn closed_capacity(&self) -> u16 {
        self.closed_capacity
    }

    pub fn valid_from(&self) -> NaiveDate {
        self.valid_from
    }

    pub fn valid_to(&self) -> Option<NaiveDate> {
        self.valid_to
    }

    pub fn frequency(&self) -> Frequency {
        self.frequency
    }

    /// Whether this template holds a session on `date` (ignoring closures).
    pub fn runs_on(&self, date: NaiveDate) -> bool {
        if date.weekday() != self.weekday || date < self.valid_from {
            return false;
        }
        if self.valid_to.is_some_and(|to| date > to) {
            return false;
        }
        match self.frequency {
            Frequency::Weekly => true,
            Frequency::Fortnightly => {
                let offset = (7 + self.weekday.num_days_from_monday()
                    - self.valid_from.weekday().num_days_from_monday())
                    % 7;
                let first = add_days(self.valid_from, i64::from(offset));
                (date - first).num_days() % 14 == 0
            }
        }
    }

    pub fn capacity(&self, kind: VisitKind) -> u16 {
        match kind {
            VisitKind::Open => self.open_capacity,
            VisitKind::Closed => self.closed_capacity,
        }
    }
}

/// A closure: the whole prison on a date, or one template's session on that date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Closure {
    pub date: NaiveDate,
    #[serde(default)]
    pub template_id: Option<String>,
    pub reason: String,
}

impl Closure {
    pub fn closes(&self, template_id: &str, date: NaiveDate) -> bool {
        self.date == date && self.template_id.as_deref().is_none_or(|t| t == template_id)
    }
}

/// One session on one day: `TEMPLATE/YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SessionId {
    template_id: String,
    date: NaiveDate,
}

/// The dates a session can have: anything outside is a typing or data error, and keeping
/// dates well inside chrono's range means date arithmetic on them cannot overflow.
pub const FIRST_SESSION_DATE: NaiveDate = match NaiveDate::from_ymd_opt(2000, 1, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};
pub const LAST_SESSION_DATE: NaiveDate = match NaiveDate::from_ymd_opt(2199, 12, 31) {
    Some(d) => d,
    None => NaiveDate::MAX,
};

impl SessionId {
    /// A session id from parts: the template id must be one a template can have and the date
    /// between [`FIRST_SESSION_DATE`] and [`LAST_SESSION_DATE`].
    pub fn new(template_id: impl Into<String>, date: NaiveDate) -> Result<Self, RuleError> {
        let template_id = template_id.into();
        if !is_template_id(&template_id) || !(FIRST_SESSION_DATE..=LAST_SESSION_DATE).contains(&date) {
            return Err(RuleError::SessionNotFound);
        }
        Ok(Self { template_id, date })
    }

    pub fn parse(input: &str) -> Result<Self, RuleError> {
        let (template, date) = input.trim().rsplit_once('/').ok_or(RuleError::SessionNotFound)?;
        let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| RuleError::SessionNotFound)?;
        Self::new(template, date)
    }

    pub fn template_id(&self) -> &str {
        &self.template_id
    }

    pub fn date(&self) -> NaiveDate {
        self.date
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.template_id, self.date)
    }
}

impl TryFrom<String> for SessionId {
    type Error = RuleError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<SessionId> for String {
    fn from(s: SessionId) -> Self {
        s.to_string()
    }
}

/// A concrete session on a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Session {
    pub id: SessionId,
    pub start: NaiveTime,
    pub end: NaiveTime,
    pub room: String,
    pub open_capacity: u16,
    pub closed_capacity: u16,
}

impl Session {
    pub fn date(&self) -> NaiveDate {
        self.id.date()
    }

    pub fn capacity(&self, kind: VisitKind) -> u16 {
        match kind {
            VisitKind::Open => self.open_capacity,
            VisitKind::Closed => self.closed_capacity,
        }
    }

    /// The instant the session starts. On the day the clocks go forward a start time inside
    /// the missing hour is taken as the first instant after the gap.
    pub fn starts_at(&self, tz: Tz) -> DateTime<Utc> {
        local_instant(tz, self.date(), self.start)
    }
}

/// The instant a prison-local date and time happen; inside a spring-forward gap, the same
/// time an hour later (the first instant after the gap).
pub fn local_instant(tz: Tz, date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let naive = date.and_time(time);
    match tz.from_local_datetime(&naive).earliest() {
        Some(t) => t.with_timezone(&Utc),
        // Inside a spring-forward gap: an hour later always exists.
        None => tz
            .from_local_datetime(&(naive + Duration::hours(1)))
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| naive.and_utc()),
    }
}

/// How far ahead visits can be booked, in whole days of the prison's local calendar: made only
/// through [`BookingWindow::new`], so the minimum notice never exceeds the maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BookingWindow {
    min_notice_days: u16,
    max_notice_days: u16,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the minimum notice ({min} days) must not exceed the maximum ({max} days)")]
pub struct WindowError {
    pub min: u16,
    pub max: u16,
}

impl Default for BookingWindow {
    fn default() -> Self {
        Self {
            min_notice_days: 2,
            max_notice_days: 28,
        }
    }
}

impl BookingWindow {
    pub fn new(min_notice_days: u16, max_notice_days: u16) -> Result<Self, WindowError> {
        if min_notice_days > max_notice_days {
            return Err(WindowError {
                min: min_notice_days,
                max: max_notice_days,
            });
        }
        Ok(Self {
            min_notice_days,
            max_notice_days,
        })
    }

    pub fn min_notice_days(&self) -> u16 {
        self.min_notice_days
    }

    pub fn max_notice_days(&self) -> u16 {
        self.max_notice_days
    }

    /// The first and last bookable dates when it is `now` at a prison in `tz`.
    pub fn dates(&self, now: DateTime<Utc>, tz: Tz) -> (NaiveDate, NaiveDate) {
        let today = local_today(now, tz);
        (
            add_days(today, i64::from(self.min_notice_days)),
            add_days(today, i64::from(self.max_notice_days)),
        )
    }

    pub fn check(&self, date: NaiveDate, now: DateTime<Utc>, tz: Tz) -> Result<(), RuleError> {
        let (first, last) = self.dates(now, tz);
        if date < first {
            Err(RuleError::SessionTooSoon {
                min_days: self.min_notice_days,
            })
        } else if date > last {
            Err(RuleError::SessionTooFarAhead {
                max_days: self.max_notice_days,
            })
        } else {
            Ok(())
        }
    }
}

/// `date` moved by `days`, stopping at the ends of the calendar rather than overflowing.
pub fn add_days(date: NaiveDate, days: i64) -> NaiveDate {
    date.checked_add_signed(Duration::days(days))
        .unwrap_or(if days < 0 { NaiveDate::MIN } else { NaiveDate::MAX })
}

/// The calendar date at the prison when it is `now`.
pub fn local_today(now: DateTime<Utc>, tz: Tz) -> NaiveDate {
    now.with_timezone(&tz).date_naive()
}

/// Every session held between `from` and `to` inclusive, in date and start-time order,
/// leaving out closed ones.
pub fn sessions_between(
    templates: &[SessionTemplate],
    closures: &[Closure],
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<Session> {
    let mut sessions = Vec::new();
    let mut date = from;
    while date <= to {
        for t in templates.iter().filter(|t| t.runs_on(date)) {
            if closures.iter().any(|c| c.closes(&t.id, date)) {
                continue;
            }
            let Ok(id) = SessionId::new(t.id.clone(), date) else {
                continue;
            };
            sessions.push(Session {
                id,
                start: t.start,
                end: t.end,
                room: t.room.clone(),
                open_capacity: t.open_capacity,
                closed_capacity: t.closed_capacity,
            });
        }
        match date.succ_opt() {
            Some(next) => date = next,
            None => break,
        }
    }
    sessions.sort_by(|a, b| {
        (a.date(), a.start, a.id.template_id()).cmp(&(b.date(), b.start, b.id.template_id()))
    });
    sessions
}

/// Finds the session a `SessionId` names, or says why there is none.
pub fn find_session(
    templates: &[SessionTemplate],
    closures: &[Closure],
    id: &SessionId,
) -> Result<Session, RuleError> {
    let template = templates
        .iter()
        .find(|t| t.id == id.template_id() && t.runs_on(id.date()))
        .ok_or(RuleError::SessionNotFound)?;
    if closures.iter().any(|c| c.closes(&template.id, id.date())) {
        return Err(RuleError::SessionClosed);
    }
    Ok(Session {
        id: id.clone(),
        start: template.start,
        end: template.end,
        room: template.room.clone(),
        open_capacity: template.open_capacity,
        closed_capacity: template.closed_capacity,
    })
}

mod weekday_name {
    use chrono::Weekday;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(w: &Weekday, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(super::weekday_str(*w))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Weekday, D::Error> {
        let s = String::deserialize(d)?;
        super::parse_weekday(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown weekday {s}")))
    }
}

pub fn weekday_str(w: Weekday) -> &'static str {
    match w {
        Weekday::Mon => "monday",
        Weekday::Tue => "tuesday",
        Weekday::Wed => "wednesday",
        Weekday::Thu => "thursday",
        Weekday::Fri => "friday",
        Weekday::Sat => "saturday",
        Weekday::Sun => "sunday",
    }
}

pub fn parse_weekday(s: &str) -> Option<Weekday> {
    s.parse::<Weekday>().ok()
}

#[cfg(test)]
mod tests;
