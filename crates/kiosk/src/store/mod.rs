//! The kiosk's SQLite store: every SQL statement of the kiosk is in this module, one file a job.
//!
//! | file | job |
//! |---|---|
//! | `identity.rs` | the kiosk's identity and the sequence its booking references are issued from |
//! | `reference_data.rs` | prisons, timetables, prisoners and contacts: imported, pulled, read back |
//! | `bookings.rs` | visits booked here or recorded from central, and their status |
//! | `desk.rs` | reception's view: visits by day and by search, with those made elsewhere; arrivals, staff cancellations, reviews |
//! | `outbox.rs` | the append-only event queue and central's answer to each pushed event |
//! | `escrow.rs` | this kiosk's shares of sessions' tables and central's counts of them |
//! | `enrolment.rs` | the device credential and the prisons it acts for |
//! | `sync_state.rs` | cursors, pushed position, round outcomes, share size: what `status` shows |
//! | `online_attempts.rs` | online bookings' idempotency keys, stored before the first try |
//! | `sessions.rs` | a supervisor's view of the coming sessions, and the idempotency keys of the calls that close them or change their tables |
//! | `printer.rs` | the kiosk's printer setting |
//! | `staff.rs` | staff accounts (PIN hashes), failed sign-ins, and the append-only audit log |
//! | `retention.rs` | the purge of personal data past its retention period, and that period |
//! | `safety.rs` | the store's lock file, refusing a store from a newer version, backup and restore |
//!
//! WAL with `synchronous=FULL`: a booking is on disk before its slip prints, even if the power
//! goes a moment later. Every write that others must hear about appends to the outbox in the
//! same transaction.
//!
//! The store knows rows and the domain's types; it decides nothing. Functions that must share a
//! transaction with others take `&mut SqliteConnection` and are for the layers above
//! (`booking`, `sync`), which open the transaction with [`Store::begin`].

mod bookings;
mod desk;
mod enrolment;
mod escrow;
mod identity;
mod online_attempts;
mod outbox;
mod printer;
mod reference_data;
mod retention;
mod safety;
mod sessions;
mod staff;
mod sync_state;
mod visitor_lookups;

pub use bookings::{BookedVisitor, BookingStatus, BookingView};
pub use desk::{DeskVisit, FIND_LIMIT, MadeAt, Search};
pub use enrolment::Enrolment;
pub use escrow::TablesLeft;
pub use identity::KioskIdentity;
pub use outbox::OutboxEvent;
pub use reference_data::Prison;
pub use retention::{PurgeReport, RetentionDays, RetentionError};
pub use safety::{Restored, restore};
pub use sessions::SessionCount;
pub use staff::AuditRow;
pub use sync_state::SyncStatus;

pub(crate) use bookings::{
    Committed, NewBooking, NewOnlineBooking, NewVisitor, SubjectGuess, accept_booking, begin_booking,
    booking_awaiting_event, booking_for_online_key, booking_subject, cancel_booking, commit_booking,
    insert_online_booking, load_booking, reject_booking, tables_taken_between,
};
pub(crate) use desk::{
    KeptCancellation, StaffCancel, arrival_refused, booked_by, cancel_by_staff, cancellation_refused,
    creation_deferred, find_visits, is_own, put_pulled_bookings, resolve_review, review_queue,
    set_attendance, set_cancel_seq, staff_cancellation, visit, visits_on,
};
pub(crate) use enrolment::{is_enrolled, save_enrolment};
pub(crate) use escrow::{Share, put_session_tables, put_share, release_expired_shares, tables_left};
pub(crate) use online_attempts::{UnsettledAttempt, set_attempt};
pub(crate) use outbox::{PushAnswer, append_event, record_push_answers, set_event_seq};
pub(crate) use printer::PrinterSetting;
pub(crate) use reference_data::{
    import_in, load_prison, load_timetable, mark_departed, take_off_unseen_visiting_orders,
};
pub(crate) use sessions::session_counts;
pub(crate) use staff::{
    KeptAccount, NewAudit, account_failures, append_audit, drop_staff_account, insert_staff_account,
    kiosk_failures, put_pulled_staff_accounts, record_sign_in_failure, staff_account, update_staff_account,
};
pub(crate) use sync_state::{Horizon, advance_pushed_seq, set_pull_cursor};
pub(crate) use visitor_lookups::{Guess, failed_guesses, record_failed_guess};

use crate::error::{KioskError, Result};
use sqlx::sqlite::{
    SqliteAutoVacuum, SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{ConnectOptions, Connection, Sqlite, SqliteConnection, SqlitePool, Transaction};
use std::path::Path;
use std::time::Duration;

pub(crate) static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/kiosk");

/// A transaction on the store, for work that must commit or fail as a whole.
pub(crate) type Tx = Transaction<'static, Sqlite>;

#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
    /// Where the device credential is kept: beside the database, never in it (see
    /// [`enrolment`]).
    credential_file: std::path::PathBuf,
    /// The shared lock on `<store>.lock` (see `safety.rs`), released when the last clone goes.
    _lock: std::sync::Arc<safety::StoreLock>,
    /// The connection bookings are written on, opened on the first and kept outside the pool:
    /// the pool pings each connection as it comes back (a round trip to its thread, in a task
    /// that competes with the next booking for the cores). Bookings take turns on it; SQLite's
    /// write lock orders them against every other writer as before.
    booking: std::sync::Arc<tokio::sync::Mutex<Option<SqliteConnection>>>,
}

impl Store {
    /// Opens (creating if needed) and migrates the store at `path`.
    ///
    /// Every connection deletes with `secure_delete`: a deleted row's bytes are overwritten with
    /// zeros, not left in a free page for anyone with the file to read (see `retention.rs`). A
    /// new file is made with `auto_vacuum=INCREMENTAL`, so a purge can give pages back; a file
    /// made before that is rebuilt once, with `VACUUM`, to take the setting.
    ///
    /// Before anything is written, the store's lock is taken (shared: a restore cannot replace
    /// the file while it is open) and a store written by a newer version is refused, untouched.
    /// Each migration runs in its own transaction, so one interrupted (power cut, kill) leaves
    /// the store as it was and runs again on the next open.
    pub async fn open(path: &Path) -> Result<Self> {
        make_private(path)?;
        let lock = safety::StoreLock::shared(path)?;
        safety::refuse_newer(path).await?;
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .auto_vacuum(SqliteAutoVacuum::Incremental)
            .pragma("secure_delete", "ON")
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // Names compared as the rules compare them, so staff who type Dabrowska on the
            // kiosk's keyboard find Dąbrowska (SQLite's NOCASE folds ASCII letters only).
            .collation("PERSON_NAME", |a, b| {
                domain::person::name_key(a).cmp(&domain::person::name_key(b))
            });
        // No ping before each acquire: a connection to a local file cannot have gone away, and
        // the ping is one more round trip to the connection's thread on every booking.
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .test_before_acquire(false)
            .connect_with(options)
            .await?;
        take_incremental_vacuum(&pool).await?;
        MIGRATOR.run(&pool).await?;
        let store = Self {
            pool,
            credential_file: enrolment::credential_file(path),
            _lock: std::sync::Arc::new(lock),
            booking: std::sync::Arc::default(),
        };
        store.move_credential_out().await?;
        Ok(store)
    }

    /// The connection pool, for tests and benchmarks that inspect the file directly.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub async fn close(&self) {
        if let Some(conn) = self.booking.lock().await.take()
            && let Err(e) = conn.close().await
        {
            tracing::warn!(error = %e, "closing the store's booking connection");
        }
        self.pool.close().await;
    }

    /// The store's file, for the health screen's free disk space.
    pub async fn file(&self) -> Result<Option<std::path::PathBuf>> {
        let file: Option<String> =
            sqlx::query_scalar("SELECT file FROM pragma_database_list WHERE name = 'main'")
                .fetch_optional(&self.pool)
                .await?;
        Ok(file.filter(|f| !f.is_empty()).map(std::path::PathBuf::from))
    }

    /// The newest migration applied: the store's version.
    pub async fn schema_version(&self) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success = 1")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// Starts a write transaction. `BEGIN IMMEDIATE` takes the write lock at once: a deferred
    /// transaction that reads and then writes fails with "database is locked" when another
    /// writer got in between.
    pub(crate) async fn begin(&self) -> Result<Tx> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// The connection bookings are written on (the `booking` field), opened with the pool's
    /// options the first time, lent to one booking at a time. The booking opens and commits its
    /// transaction in its own statements (see `booking::book_local`), so the lease hands the
    /// connection back only once the transaction has ended: committed (with `commit_booking`'s
    /// proof) or rolled back. A lease dropped half-way (a cancelled task) drops the connection,
    /// and closing it rolls the transaction back.
    pub(crate) async fn booking_connection(&self) -> Result<BookingLease<'_>> {
        let mut slot = self.booking.lock().await;
        // A closed store books no more, as its pool answers nothing more.
        if self.pool.is_closed() {
            return Err(sqlx::Error::PoolClosed.into());
        }
        let conn = match slot.take() {
            Some(conn) => conn,
            None => self.pool.connect_options().connect().await?,
        };
        Ok(BookingLease { slot, conn })
    }

    /// One connection for several statements in a row outside a transaction.
    pub(crate) async fn conn(&self) -> Result<sqlx::pool::PoolConnection<Sqlite>> {
        Ok(self.pool.acquire().await?)
    }
}

/// The booking connection, lent by [`Store::booking_connection`] while its slot stays locked.
pub(crate) struct BookingLease<'a> {
    slot: tokio::sync::MutexGuard<'a, Option<SqliteConnection>>,
    conn: SqliteConnection,
}

impl BookingLease<'_> {
    pub(crate) fn conn(&mut self) -> &mut SqliteConnection {
        &mut self.conn
    }

    /// The booking committed: the connection goes back for the next one.
    pub(crate) fn committed(self, _: bookings::Committed) {
        self.give_back();
    }

    /// Rolls back what the failed booking left open. The connection goes back only if that
    /// worked: a rollback that fails (no transaction was open, as when `BEGIN IMMEDIATE` itself
    /// failed, or the connection is broken) leaves it in doubt, so it is dropped, closing it
    /// ends any transaction, and the next booking opens another.
    pub(crate) async fn roll_back(mut self) {
        match sqlx::raw_sql("ROLLBACK").execute(&mut self.conn).await {
            Ok(_) => self.give_back(),
            Err(e) => tracing::warn!(error = %e, "the booking connection is closed after a failed booking"),
        }
    }

    fn give_back(self) {
        let BookingLease { mut slot, conn } = self;
        *slot = Some(conn);
    }
}

/// `auto_vacuum` set on a file that already has tables takes effect only after a `VACUUM`,
/// which cannot run in a transaction (so not in a migration): done here, once per file.
async fn take_incremental_vacuum(pool: &SqlitePool) -> Result<()> {
    const INCREMENTAL: i64 = 2;
    let mut conn = pool.acquire().await?;
    let mode: i64 = sqlx::query_scalar("PRAGMA auto_vacuum")
        .fetch_one(&mut *conn)
        .await?;
    if mode != INCREMENTAL {
        sqlx::query("PRAGMA auto_vacuum = INCREMENTAL")
            .execute(&mut *conn)
            .await?;
        sqlx::query("VACUUM").execute(&mut *conn).await?;
        tracing::info!("store rebuilt once so that purged pages are given back");
    }
    Ok(())
}

/// A value in the store that does not parse: the file was written by something else.
pub(crate) fn corrupt(what: &str, value: &str) -> KioskError {
    KioskError::Corrupt(format!("{what} {value:?}"))
}

/// A session id from a row's template id and date, refused as corrupt when it is not one the
/// kiosk could have written (a date outside the calendar it serves, a malformed template id).
pub(crate) fn session_id(template: String, date: chrono::NaiveDate) -> Result<domain::SessionId> {
    domain::SessionId::new(template.as_str(), date)
        .map_err(|_| KioskError::Corrupt(format!("session {template:?} on {date}")))
}

/// The store holds a prison's roll and visitors' names and dates of birth on a public machine:
/// only the kiosk's own user may read it. A folder the store creates is 0700; the database file
/// is created 0600 (SQLite gives its WAL and shared-memory files the database file's mode) and
/// an existing one, and any WAL or SHM beside it, is set to 0600.
#[cfg(unix)]
fn make_private(path: &Path) -> Result<()> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
    let fail = |what: &str, e: std::io::Error| KioskError::Permissions(format!("{what}: {e}"));
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
        // Only the store's own folder: a path whose folders above are missing is a mistake to
        // report, not a tree to make.
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(dir)
            .map_err(|e| fail("creating the store's folder", e))?;
    }
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| fail("creating the store", e))?;
    let mut files = vec![path.to_path_buf()];
    for suffix in ["-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        files.push(name.into());
    }
    for file in files.iter().filter(|f| f.exists()) {
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| fail("making the store private", e))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn make_private(_path: &Path) -> Result<()> {
    Ok(())
}
