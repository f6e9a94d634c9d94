//! Persistence behind one interface, with a SQLite and a PostgreSQL implementation.
//!
//! `Store` opens transactions; `StoreTx` is everything the service reads and writes inside one,
//! split by concern into `ReferenceTx`, `CapacityTx`, `BookingTx`, `BookingWriteTx`, `KioskTx`, `IdempotencyTx`,
//! `PullTx`, `StaffTx`, `AuditTx`, `RetentionTx` and `CheckTx`. The SQL is in `sql/` (one file per concern) and the row mappers in
//! `rows.rs`.
//! The booking rules, idempotency, escrow and sync logic live once, in `crate::service`, on top
//! of these traits, so both databases run exactly the same decisions. What differs per database
//! is how a transaction starts (SQLite: `BEGIN IMMEDIATE`, one writer at a time; PostgreSQL:
//! `READ COMMITTED` with `SELECT ... FOR UPDATE` on the prisoner and the session's counts),
//! how rows are marked for the incremental pull, and how central's reference sequence is drawn.

mod booking_write;
mod postgres;
mod prison_cache;
mod rows;
mod sql;
mod sqlite;
mod url;

pub use booking_write::{AnswerToKeep, BookingWrite, BookingWriteTx, SubjectWanted, SubjectsAhead, Written};
pub use postgres::{PostgresStore, migrator as postgres_migrator};
pub(crate) use prison_cache::PrisonCache;
pub use sqlite::{SqliteStore, applied_migrations as sqlite_applied_migrations, migrator as sqlite_migrator};
pub use url::redacted;

/// The first of `applied` (versions recorded in the store) that `known` does not have: the
/// store was migrated by a newer program.
pub(crate) fn unknown_migration(known: &sqlx::migrate::Migrator, applied: &[i64]) -> Result<(), StoreError> {
    match applied.iter().find(|v| !known.version_exists(**v)) {
        Some(&version) => Err(StoreError::NewerStore { version }),
        None => Ok(()),
    }
}

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use domain::dataset::{PrisonFile, PrisonerFile};
use domain::{
    ExistingVisit, PrisonCode, PrisonerNumber, PrisonerRecord, SessionId, StaffNumber, VisitDetails,
    VisitKind,
};
use protocol::{Attendance, BookingStatus, ReviewOutcome, StaffAccount};
use serde::Serialize;
use std::collections::HashSet;
use std::sync::Arc;

/// How a booking reached central: the protocol's, stored as its name.
pub use protocol::Channel;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("the store holds a value it cannot read: {0}")]
    Corrupt(String),
    #[error("cannot write {what} as JSON: {error}")]
    Encode {
        what: &'static str,
        error: serde_json::Error,
    },
    /// A newer visit-central migrated this store: nothing was changed.
    #[error(
        "this database was written by a newer visit-central (migration {version}); install that version or restore a backup"
    )]
    NewerStore { version: i64 },
    #[error("database URL {0:?} is neither postgres://... nor a SQLite file")]
    BadUrl(String),
    /// The database could not be reached; the URL in it has its password redacted.
    #[error("{0}")]
    Connect(String),
}

impl StoreError {
    /// Whether running the whole transaction again may succeed: PostgreSQL's serialization
    /// failures and deadlocks, SQLite's busy database.
    pub fn is_retryable(&self) -> bool {
        match self {
            StoreError::Database(sqlx::Error::Database(e)) => {
                // PostgreSQL: serialization failure, deadlock, a batch's lock wait given up
                // (`lock_not_available`); SQLite: busy, busy snapshot, locked.
                matches!(
                    e.code().as_deref(),
                    Some("40001" | "40P01" | "55P03" | "5" | "517" | "6")
                )
            }
            StoreError::Database(sqlx::Error::PoolTimedOut) => true,
            _ => false,
        }
    }

    /// A unique constraint refused a row: two transactions picked the same new value.
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Database(sqlx::Error::Database(e)) if e.is_unique_violation())
    }
}

pub(crate) fn corrupt(what: &str, value: impl std::fmt::Debug) -> StoreError {
    StoreError::Corrupt(format!("{what} {value:?}"))
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Opens the store a URL names: `postgres://...` or `postgresql://...` for PostgreSQL, anything
/// else (`sqlite://path`, `sqlite:path` or a plain path) for a SQLite file.
pub async fn open(url: &str) -> StoreResult<Arc<dyn Store>> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        // sqlx's own errors may quote the URL: say which database without its password.
        Ok(Arc::new(PostgresStore::connect(url).await.map_err(|e| {
            StoreError::Connect(format!(
                "cannot connect to {}: {}",
                redacted(url),
                e.to_string().replace(url, &redacted(url))
            ))
        })?))
    } else {
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        if path.is_empty() {
            return Err(StoreError::BadUrl(redacted(url)));
        }
        Ok(Arc::new(SqliteStore::open(std::path::Path::new(path)).await?))
    }
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// `sqlite` or `postgres`, for logs and reports.
    fn backend(&self) -> &'static str;
    async fn migrate(&self) -> StoreResult<()>;
    /// A cheap round trip, for the readiness probe.
    async fn ping(&self) -> StoreResult<()>;
    /// Whether write transactions run one at a time (SQLite's one writer): then every online
    /// booking waits for the same writer, and those waiting together are committed as a group.
    /// Where writers run side by side (PostgreSQL), only bookings for one session wait for each
    /// other, so groups are formed by session.
    fn one_writer_at_a_time(&self) -> bool;
    /// The kiosk a device token (its SHA-256, hex) belongs to, revoked or not: read outside any
    /// transaction, since every request reads it first and a kiosk's prisons never change after
    /// enrolment (two statements, where a read transaction took four round trips).
    async fn kiosk_by_token(&self, token_hash: &str) -> StoreResult<Option<Kiosk>>;
    /// A transaction that may write. On SQLite it holds the write lock from the start.
    async fn begin_write(&self) -> StoreResult<Box<dyn StoreTx>>;
    /// A write transaction for several bookings at once (a kiosk's push, a group of online
    /// bookings). Where writers run side by side (PostgreSQL) it takes locks in the batch's
    /// order, not the one order every single booking takes them in, so it could deadlock with
    /// them: it gives up waiting for any lock after a short while (an error
    /// [`StoreError::is_retryable`] says yes to), and its caller books each of the batch in a
    /// transaction of its own instead. On SQLite, [`Store::begin_write`].
    async fn begin_batch_write(&self) -> StoreResult<Box<dyn StoreTx>>;
    /// A read-only transaction that sees one consistent snapshot.
    async fn begin_read(&self) -> StoreResult<Box<dyn StoreTx>>;
    async fn close(&self);
}

/// A prison as central stores it: the data file kiosks pull, and its rules, checked as they
/// were read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prison {
    pub file: PrisonFile,
    pub rules: domain::PrisonRules,
}

/// What a booking decides on, read in two statements (see `ReferenceTx::booking_subject`).
#[derive(Debug, Clone)]
pub struct BookingSubject {
    /// The prison the prisoner is at.
    pub at: PrisonCode,
    pub record: PrisonerRecord,
    /// Visits that still count for the prisoner: booked or requested.
    pub live_visits: Vec<ExistingVisit>,
    /// The version of the prison the booking is for; `None` when there is no such prison.
    pub prison_version: Option<i64>,
    /// Central's next reference sequence, when one was asked for and the database draws it in
    /// the same statement (PostgreSQL, and a group's read ahead on SQLite); otherwise
    /// [`BookingTx::next_central_sequence`] draws it.
    pub central_sequence: Option<i64>,
    /// The session's counts of each kind as they stand, when asked for (read in the same
    /// statement; not locked on PostgreSQL, under the write lock every SQLite writer holds); a
    /// kind with no row has none here. Otherwise [`BookingWriteTx::tables_to_book`] reads them.
    pub session_tables: Option<Vec<(VisitKind, TableCounts)>>,
}

/// What a booking's subject read also brings, where the database can in the same statement.
#[derive(Debug, Clone, Copy, Default)]
pub struct AlsoRead<'a> {
    /// Central's next reference sequence (a refused booking's number is then never used,
    /// which a sequence allows).
    pub sequence: bool,
    /// The session's counts, for a booking judged without a lock on them.
    pub session_tables: Option<&'a SessionId>,
}

/// One session of one kind: the unit that capacity and escrow shares are counted in.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TableKey {
    pub session: SessionId,
    pub kind: VisitKind,
}

impl TableKey {
    pub fn new(session: &SessionId, kind: VisitKind) -> Self {
        Self {
            session: session.clone(),
            kind,
        }
    }

    pub fn template_id(&self) -> &str {
        self.session.template_id()
    }

    pub fn date(&self) -> NaiveDate {
        self.session.date()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TableCounts {
    pub booked: u32,
    pub escrowed: u32,
    /// A supervisor's change of this session date's tables, in place of the template's.
    pub capacity: Option<u32>,
}

impl TableCounts {
    pub fn taken(&self) -> u32 {
        self.booked + self.escrowed
    }
}

/// An enrolled (or enrolling) kiosk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Kiosk {
    pub id: String,
    pub issuer_number: u16,
    pub label: Option<String>,
    pub prisons: Vec<PrisonCode>,
    pub enrolled_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_seq: i64,
}

/// Where a kiosk's pushed events stand, read under the kiosk's lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KioskSeq {
    pub last_seq: i64,
    /// The time the last applied event was judged at.
    pub last_event_at: Option<DateTime<Utc>>,
    pub enrolled_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl KioskSeq {
    /// The instant an event dated `created_at` is judged at, received `now`: never after now,
    /// never before the kiosk's enrolment or its last event.
    pub fn clamp(&self, created_at: DateTime<Utc>, now: DateTime<Utc>) -> DateTime<Utc> {
        let floor = self
            .enrolled_at
            .max(self.last_event_at)
            .unwrap_or(DateTime::UNIX_EPOCH);
        created_at.max(floor).min(now)
    }
}

impl Kiosk {
    pub fn serves(&self, prison: &PrisonCode) -> bool {
        self.prisons.contains(prison)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewKiosk<'a> {
    pub id: &'a str,
    pub label: Option<&'a str>,
    pub prisons: &'a [PrisonCode],
    pub code_hash: &'a str,
    pub code_expires_at: DateTime<Utc>,
}

/// An answer stored against an idempotency key or a pushed event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAnswer {
    pub fingerprint: String,
    pub status_code: u16,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BookedVisitor {
    pub first_name: String,
    pub last_name: String,
    /// Known for every booking; absent only on a refused request whose visitor central could
    /// not name (a contact no longer on the list, or a date that does not parse).
    pub date_of_birth: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
}

/// A booking as central stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BookingRecord {
    pub reference: String,
    pub status: BookingStatus,
    pub status_reason: Option<String>,
    pub prison: PrisonCode,
    pub prisoner_number: String,
    pub session: String,
    pub date: NaiveDate,
    pub kind: VisitKind,
    pub spent_visiting_order: bool,
    pub channel: Channel,
    pub kiosk_id: Option<String>,
    pub used_share: bool,
    /// Set when central honoured a kiosk's offline confirmation that broke a rule: what staff
    /// should look at.
    pub review_reason: Option<String>,
    pub visitors: Vec<BookedVisitor>,
    /// How it was requested, who booked it, its main contact and support: empty when none.
    pub details: VisitDetails,
    pub booked_at: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
}

/// A booking with the session details a list or a slip shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BookingListing {
    #[serde(flatten)]
    pub booking: BookingRecord,
    pub start: Option<NaiveTime>,
    pub end: Option<NaiveTime>,
    pub room: Option<String>,
    pub prisoner_name: Option<String>,
}

/// A kiosk's unused share of a session's tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaseRow {
    pub kiosk_id: String,
    pub key: TableKey,
    pub prison: PrisonCode,
    pub tables: u32,
    pub expires_at: DateTime<Utc>,
}

/// Counts of a session's tables as sent to kiosks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionTablesRow {
    pub session: String,
    pub kind: VisitKind,
    pub booked: u32,
    pub escrowed: u32,
    /// A supervisor's change of the session date's tables; `None`: the template's.
    pub capacity: Option<u32>,
}

/// What staff did to a booking besides changing its status.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct StaffMarks {
    pub cancelled_by: Option<String>,
    pub cancel_how: Option<String>,
    pub cancel_note: Option<String>,
    pub attendance: Option<Attendance>,
    pub attendance_by: Option<String>,
    /// When the attendance was marked (the kiosk's event time): the latest mark wins.
    pub attendance_at: Option<DateTime<Utc>>,
    pub review_outcome: Option<ReviewOutcome>,
    /// The review reason staff dealt with (the booking's own is cleared).
    pub reviewed_reason: Option<String>,
    pub reviewed_by: Option<String>,
    pub review_note: Option<String>,
    pub moved_to: Option<String>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// A booking as kiosks pull it: with its session's times and what staff did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PulledBookingRow {
    pub listing: BookingListing,
    pub marks: StaffMarks,
}

/// Who cancelled a booking and how, stored with it: a staff member (`by`), or the visitor
/// themselves at a kiosk (no staff number, `in_person`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cancellation<'a> {
    pub by: Option<&'a str>,
    /// How the visitor asked (`in_person`, `phone`...), for `visitor_cancelled`.
    pub how: Option<&'a str>,
    pub note: Option<&'a str>,
}

/// How staff closed a booking's review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewResolution<'a> {
    pub outcome: ReviewOutcome,
    pub by: &'a str,
    pub note: Option<&'a str>,
    pub moved_to: Option<&'a str>,
    pub at: DateTime<Utc>,
}

/// A supervisor's closure of a prison's sessions on a date (one template's, or all).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewClosure<'a> {
    pub prison: &'a PrisonCode,
    pub date: NaiveDate,
    pub template_id: Option<&'a str>,
    pub reason: &'a str,
    pub by: &'a str,
    pub kiosk_id: &'a str,
    pub note: Option<&'a str>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Departure {
    pub number: String,
    pub prison: PrisonCode,
}

/// A session whose live bookings and shares add up to more than its capacity. The audit
/// counts bookings row by row, independently of the counters, so it catches a counter bug too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OverCapacity {
    pub session: String,
    pub kind: VisitKind,
    pub capacity: u32,
    pub live_bookings: u32,
    pub escrowed: u32,
    pub counted_booked: u32,
}

/// Row counts, so tests can check that a refused request changed nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct RowCounts {
    pub bookings: i64,
    pub booking_visitors: i64,
    pub kiosks: i64,
    pub idempotency: i64,
    pub pushed_events: i64,
    pub lease_tables: i64,
    pub booked_tables: i64,
    pub visiting_orders: i64,
}

#[derive(Debug, Clone)]
pub struct NewBooking<'a> {
    pub reference: &'a str,
    pub prison: &'a PrisonCode,
    pub prisoner_number: &'a str,
    pub key: &'a TableKey,
    pub status: BookingStatus,
    pub status_reason: Option<&'a str>,
    pub spent_visiting_order: bool,
    pub channel: Channel,
    pub kiosk_id: Option<&'a str>,
    pub used_share: bool,
    pub review_reason: Option<&'a str>,
    pub visitors: &'a [BookedVisitor],
    pub details: &'a VisitDetails,
    pub booked_at: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
}

/// Everything one transaction can read and write, one trait per concern. Each method is one or
/// a few statements; the caller sequences them and takes locks in one fixed order (kiosk,
/// idempotency key or event, prisoner, session counts, escrow lease) so PostgreSQL never
/// deadlocks on its own. Callers name the concern traits they use (`use crate::store::BookingTx`).
#[async_trait]
pub trait StoreTx:
    ReferenceTx
    + CapacityTx
    + BookingTx
    + BookingWriteTx
    + KioskTx
    + IdempotencyTx
    + PullTx
    + StaffTx
    + AuditTx
    + RetentionTx
    + CheckTx
    + Send
{
    async fn commit(self: Box<Self>) -> StoreResult<()>;
    /// Undoes the transaction now (dropping it does too, but only when its connection is next
    /// used).
    async fn rollback(self: Box<Self>) -> StoreResult<()>;
}

/// Prisons, timetables, prisoners and contacts.
#[async_trait]
pub trait ReferenceTx: Send {
    /// Replaces a prison's data unless the stored copy has the same hash. True if written.
    async fn put_prison(&mut self, prison: &PrisonFile, hash: &str) -> StoreResult<bool>;
    /// Replaces a prisoner's data unless the stored copy has the same hash; records a
    /// departure when the prisoner moved. True if written.
    async fn put_prisoner(&mut self, prisoner: &PrisonerFile, hash: &str) -> StoreResult<bool>;
    /// The prison's data file, its rules checked as they are read: a row whose rules do not
    /// hold (min notice over max...) is a corrupt store, not a prison.
    async fn prison(&mut self, code: &PrisonCode) -> StoreResult<Option<Prison>>;
    async fn prison_codes(&mut self) -> StoreResult<Vec<PrisonCode>>;
    /// The prisoner's record and prison; with `lock`, holds the prisoner until commit.
    async fn prisoner(
        &mut self,
        number: &PrisonerNumber,
        lock: bool,
    ) -> StoreResult<Option<(PrisonCode, PrisonerRecord)>>;
    /// Adds a supervisor's closure to the prison's and marks the prison changed for the pull.
    async fn add_closure(&mut self, closure: &NewClosure<'_>) -> StoreResult<()>;
    /// What a booking at `prison` decides on: the prisoner held until commit, with every visit
    /// that still counts (booked or requested) for them, and the version of `prison` (for
    /// [`ReferenceTx::prison_at`]). Also takes the transaction's change mark where the
    /// database can in the same statement, with what `also` asks for where it can too.
    async fn booking_subject(
        &mut self,
        number: &PrisonerNumber,
        prison: &PrisonCode,
        also: AlsoRead<'_>,
    ) -> StoreResult<Option<BookingSubject>>;
    /// The prison as [`ReferenceTx::prison`] reads it, when its row has `version` (as
    /// [`ReferenceTx::booking_subject`] read it in this transaction): from the store's cache
    /// when that holds this version, without a statement.
    async fn prison_at(&mut self, code: &PrisonCode, version: i64) -> StoreResult<Option<Prison>>;
    async fn adjust_visiting_orders(&mut self, number: &PrisonerNumber, delta: i64) -> StoreResult<()>;
}

/// Session table counts and kiosks' escrow shares.
#[async_trait]
pub trait CapacityTx: Send {
    /// The session's counts, creating the row if needed, held until commit.
    async fn lock_tables(&mut self, key: &TableKey, prison: &PrisonCode) -> StoreResult<TableCounts>;
    /// Changes the counts; with `capacity`, only if the new total stays within it (or within a
    /// supervisor's change of the session's tables, when the row has one).
    async fn adjust_tables(
        &mut self,
        key: &TableKey,
        booked: i64,
        escrowed: i64,
        capacity: Option<u32>,
    ) -> StoreResult<bool>;
    /// Sets the session date's tables of a kind in place of the template's (the row must be
    /// locked with `lock_tables` first).
    async fn set_capacity(&mut self, key: &TableKey, capacity: u32) -> StoreResult<()>;
    async fn lease(&mut self, kiosk_id: &str, key: &TableKey) -> StoreResult<Option<LeaseRow>>;
    async fn put_lease(&mut self, lease: &LeaseRow) -> StoreResult<()>;
    async fn leases_of(&mut self, kiosk_id: &str) -> StoreResult<Vec<LeaseRow>>;
}

/// Bookings and central's reference sequence.
#[async_trait]
pub trait BookingTx: Send {
    async fn next_central_sequence(&mut self) -> StoreResult<i64>;
    async fn insert_booking(&mut self, booking: &NewBooking<'_>) -> StoreResult<()>;
    async fn booking(&mut self, reference: &str) -> StoreResult<Option<BookingRecord>>;
    /// Those of `references` a booking already has: a push batch's in one statement.
    async fn taken_references(&mut self, references: &[String]) -> StoreResult<HashSet<String>>;
    /// Cancels the booking if it is still live (booked or requested) and its visitors have not
    /// arrived, in one conditional statement; false, changing nothing, otherwise. The condition
    /// is judged on the row as it stands when the statement takes its lock, not as it was
    /// read earlier: of two cancellations, or a cancellation and an arrival, racing from two
    /// kiosks, exactly one takes effect, and only its caller frees the table.
    async fn cancel_if_live(
        &mut self,
        reference: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;
    async fn bookings_on(&mut self, prison: &PrisonCode, date: NaiveDate)
    -> StoreResult<Vec<BookingListing>>;
    async fn staff_marks(&mut self, reference: &str) -> StoreResult<Option<StaffMarks>>;
    /// Records who cancelled a booking and how (after `cancel_if_live`).
    async fn set_cancelled_by(&mut self, reference: &str, cancel: &Cancellation<'_>) -> StoreResult<()>;
    /// Marks whether a booked visit's visitors came; false, changing nothing, when the booking
    /// is not booked as the statement finds it (cancelled by a racing event, say).
    async fn set_attendance(
        &mut self,
        reference: &str,
        attendance: Attendance,
        by: &str,
        at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Closes the booking's review: the reason moves to `reviewed_reason`.
    async fn resolve_review(
        &mut self,
        reference: &str,
        resolution: &ReviewResolution<'_>,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Puts every live (booked or requested) booking of the prison's sessions on `date` (of one
    /// template, or all) in review for `reason`; returns their references in order.
    async fn put_in_review(
        &mut self,
        prison: &PrisonCode,
        date: NaiveDate,
        template_id: Option<&str>,
        reason: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<String>>;
}

/// Kiosks, their enrolment and their pushed-event sequence.
#[async_trait]
pub trait KioskTx: Send {
    async fn create_kiosk(&mut self, kiosk: &NewKiosk<'_>, now: DateTime<Utc>) -> StoreResult<Option<u16>>;
    /// Whether an unexpired, unused enrolment code has this hash: read before any write lock.
    async fn enrolment_code_usable(&mut self, code_hash: &str, now: DateTime<Utc>) -> StoreResult<bool>;
    /// Swaps an unexpired, unused enrolment code for a credential.
    async fn redeem_enrolment(
        &mut self,
        code_hash: &str,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<String>>;
    async fn kiosk(&mut self, id: &str) -> StoreResult<Option<Kiosk>>;
    /// The kiosks these device tokens (SHA-256, hex) belong to, revoked or not, each with its
    /// token's hash: one statement for a group of online bookings, read in their transaction.
    async fn kiosks_by_token(&mut self, token_hashes: &[String]) -> StoreResult<Vec<(String, Kiosk)>>;
    async fn kiosks(&mut self) -> StoreResult<Vec<Kiosk>>;
    async fn revoke_kiosk(&mut self, id: &str, now: DateTime<Utc>) -> StoreResult<bool>;
    /// The kiosk's last applied event sequence and what bounds its next event, held until
    /// commit.
    async fn lock_kiosk_seq(&mut self, id: &str) -> StoreResult<KioskSeq>;
    /// The kiosk's last applied event and the time it is judged at (never earlier than the
    /// last's).
    async fn set_kiosk_seq(&mut self, id: &str, seq: i64, event_at: DateTime<Utc>) -> StoreResult<()>;
    /// The deployment's reference key (hex), if one was made.
    async fn reference_key(&mut self) -> StoreResult<Option<String>>;
    /// Keeps `key_hex` as the deployment's key unless one is there already.
    async fn offer_reference_key(&mut self, key_hex: &str, now: DateTime<Utc>) -> StoreResult<()>;
    /// Whether any booking was ever stored (references were issued).
    async fn any_booking(&mut self) -> StoreResult<bool>;
}

/// Answers stored against idempotency keys and pushed events.
#[async_trait]
pub trait IdempotencyTx: Send {
    /// Claims the key with a placeholder, or returns the answer already stored. On PostgreSQL
    /// a concurrent claim of the same key waits here until the first one commits.
    async fn claim_idempotency_key(
        &mut self,
        kiosk_id: &str,
        key: &str,
        fingerprint: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<StoredAnswer>>;
    async fn save_idempotent_answer(
        &mut self,
        kiosk_id: &str,
        key: &str,
        status: u16,
        body: &str,
    ) -> StoreResult<()>;
    /// Keeps a finished answer against the key in one statement, unless the key already has
    /// one: false then, and the caller rolls back what it did and answers the stored one. On
    /// PostgreSQL a concurrent request with the same key waits here until the first commits.
    /// Not purged before `keep_until` (see `service::retention::keep_answer_until`).
    async fn keep_idempotent_answer(
        &mut self,
        kiosk_id: &str,
        key: &str,
        answer: &StoredAnswer,
        now: DateTime<Utc>,
        keep_until: DateTime<Utc>,
    ) -> StoreResult<bool>;
    async fn idempotent_answer(&mut self, kiosk_id: &str, key: &str) -> StoreResult<Option<StoredAnswer>>;
    /// The answers kept for those of `event_ids` this kiosk has pushed before, by event id.
    async fn pushed_events(
        &mut self,
        kiosk_id: &str,
        event_ids: &[String],
    ) -> StoreResult<std::collections::HashMap<String, StoredAnswer>>;
    /// Keeps the answers to events applied: (event id, seq, answer) each.
    async fn record_pushed_events(
        &mut self,
        kiosk_id: &str,
        answers: &[(String, i64, StoredAnswer)],
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
}

/// Incremental pull. Marks are opaque: only `pull_horizon` and the `changed_*` methods compare
/// them, each database in its own way.
#[async_trait]
pub trait PullTx: Send {
    async fn pull_horizon(&mut self) -> StoreResult<i64>;
    async fn changed_prisons(&mut self, kiosk_id: &str, cursor: i64) -> StoreResult<Vec<PrisonCode>>;
    /// The first `limit` changed prisoners whose numbers sort after `after` ("" for the start),
    /// in number order.
    async fn changed_prisoners(
        &mut self,
        kiosk_id: &str,
        cursor: i64,
        after: &str,
        limit: i64,
    ) -> StoreResult<Vec<PrisonerFile>>;
    async fn departures(&mut self, kiosk_id: &str, cursor: i64) -> StoreResult<Vec<Departure>>;
    async fn changed_tables(
        &mut self,
        kiosk_id: &str,
        cursor: i64,
        from: NaiveDate,
    ) -> StoreResult<Vec<SessionTablesRow>>;
    async fn changed_leases(&mut self, kiosk_id: &str, cursor: i64) -> StoreResult<Vec<LeaseRow>>;
    /// Bookings of the kiosk's prisons, of every channel and status, dated `from` on, changed
    /// after `cursor`: the first `limit` whose references sort after `after` ("" for the
    /// start), in reference order.
    async fn changed_bookings(
        &mut self,
        kiosk_id: &str,
        cursor: i64,
        from: NaiveDate,
        after: &str,
        limit: i64,
    ) -> StoreResult<Vec<PulledBookingRow>>;
}

/// Staff accounts (PIN hashes only), one per staff number and prison.
#[async_trait]
pub trait StaffTx: Send {
    /// The account; with `lock`, held until commit.
    async fn staff_account(
        &mut self,
        prison: &str,
        number: &StaffNumber,
        lock: bool,
    ) -> StoreResult<Option<StaffAccount>>;
    async fn staff_accounts(&mut self, prison: &str) -> StoreResult<Vec<StaffAccount>>;
    /// Adds the account unless its number is taken at its prison. True if written.
    async fn insert_staff_account(&mut self, account: &StaffAccount, now: DateTime<Utc>)
    -> StoreResult<bool>;
    /// Writes every field of an existing account and marks it changed for the pull. True if
    /// the account exists.
    async fn update_staff_account(&mut self, account: &StaffAccount, now: DateTime<Utc>)
    -> StoreResult<bool>;
    /// Accounts of the kiosk's prisons changed after `cursor` (see [`PullTx`]).
    async fn changed_staff_accounts(&mut self, kiosk_id: &str, cursor: i64)
    -> StoreResult<Vec<StaffAccount>>;
}

/// One entry of central's audit log: sent by a kiosk (`kiosk_id`), or written by an
/// administrator's `visit-central staff` command (no kiosk, no staff number).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRecord {
    pub prison: String,
    pub kiosk_id: Option<String>,
    pub at: DateTime<Utc>,
    pub staff_number: Option<String>,
    pub role: Option<String>,
    pub action: String,
    pub booking_reference: Option<String>,
    pub detail: Option<String>,
    pub received_at: DateTime<Utc>,
}

/// The audit log, append-only (the database refuses updates and deletes).
#[async_trait]
pub trait AuditTx: Send {
    async fn append_audit(&mut self, entry: &AuditRecord) -> StoreResult<()>;
    /// A prison's entries with `from <= at < to`, oldest first.
    async fn audit_log(
        &mut self,
        prison: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<AuditRecord>>;
}

/// Retention: what central no longer keeps (see `service::retention`).
#[async_trait]
pub trait RetentionTx: Send {
    /// Empties the personal fields of every booking with a visit on or before `visits_up_to`
    /// not emptied yet, noting `now` as when. Answers how many bookings were emptied.
    async fn remove_personal_data(&mut self, visits_up_to: NaiveDate, now: DateTime<Utc>)
    -> StoreResult<u64>;
    /// Deletes the answers stored against idempotency keys before `created_before`.
    /// Answers kept before `created_before` whose own `keep_until`, if any, is before `now`.
    async fn delete_idempotency_answers(
        &mut self,
        created_before: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<u64>;
}

/// Consistency checks for tests and the simulation.
#[async_trait]
pub trait CheckTx: Send {
    async fn over_capacity(&mut self) -> StoreResult<Vec<OverCapacity>>;
    async fn row_counts(&mut self) -> StoreResult<RowCounts>;
}
