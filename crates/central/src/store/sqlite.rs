//! The SQLite store: one file, WAL, `synchronous=FULL` (a booking is on disk before its answer
//! is sent). Writers take the database's write lock at `BEGIN IMMEDIATE`, so a read-check-write
//! transaction never fails half-way with "database is locked"; inside this process writers also
//! queue on a mutex first, which is fairer and cheaper than SQLite's sleeping busy handler.

use super::sql;
use super::*;
use sqlx::Row;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{Sqlite, SqlitePool};
use std::path::Path;
use std::time::Duration;
use tokio::sync::{Mutex, OwnedMutexGuard};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/central-sqlite");

/// The migrations this program knows, for checking a backup before it is restored.
pub fn migrator() -> &'static sqlx::migrate::Migrator {
    &MIGRATOR
}

/// The versions recorded in a store's migration table (none in a new store). Reads only.
pub async fn applied_migrations(conn: &mut sqlx::SqliteConnection) -> StoreResult<Vec<i64>> {
    let exists: Option<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
    )
    .fetch_optional(&mut *conn)
    .await?;
    if exists.is_none() {
        return Ok(Vec::new());
    }
    Ok(
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations ORDER BY version")
            .fetch_all(&mut *conn)
            .await?,
    )
}

pub struct SqliteStore {
    pool: SqlitePool,
    writer: Arc<Mutex<()>>,
    prisons: Arc<PrisonCache>,
}

impl SqliteStore {
    /// Opens (creating if needed) the database file. Does not migrate: call `migrate`.
    pub async fn open(path: &Path) -> StoreResult<Self> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            // A purged booking's names and dates of birth are overwritten in the file, not left
            // in free space (see `RetentionTx`).
            .pragma("secure_delete", "ON")
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        Ok(Self {
            pool,
            writer: Arc::new(Mutex::new(())),
            prisons: Default::default(),
        })
    }
}

pub struct SqliteTx {
    // Field order matters: the transaction is dropped (rolled back) before the writer's turn
    // passes on.
    tx: sqlx::Transaction<'static, Sqlite>,
    mark: Option<i64>,
    /// Prisons read in this transaction: a push batch judges many bookings at one prison, and
    /// each would read its rules, timetable and closures again. Cleared by any write to them.
    prisons: std::collections::HashMap<String, Prison>,
    /// The store's prisons as last read by any transaction, each under its version.
    read_prisons: Arc<PrisonCache>,
    /// A group's prisoners, read for all its bookings at once
    /// ([`BookingWriteTx::read_subjects_ahead`]).
    ahead: SubjectsAhead,
    _turn: Option<OwnedMutexGuard<()>>,
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn migrate(&self) -> StoreResult<()> {
        // Before sqlx's migrator, which would write its table first: a newer store is left
        // exactly as it is.
        let applied = applied_migrations(&mut *self.pool.acquire().await?).await?;
        super::unknown_migration(&MIGRATOR, &applied)?;
        MIGRATOR.run(&self.pool).await?;
        Ok(())
    }

    fn one_writer_at_a_time(&self) -> bool {
        true
    }

    async fn kiosk_by_token(&self, token_hash: &str) -> StoreResult<Option<Kiosk>> {
        self.read_kiosk_by_token(token_hash).await
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn begin_write(&self) -> StoreResult<Box<dyn StoreTx>> {
        let turn = self.writer.clone().lock_owned().await;
        let tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        Ok(Box::new(SqliteTx {
            tx,
            mark: None,
            prisons: Default::default(),
            read_prisons: self.prisons.clone(),
            ahead: Default::default(),
            _turn: Some(turn),
        }))
    }

    async fn begin_batch_write(&self) -> StoreResult<Box<dyn StoreTx>> {
        // One writer at a time: a batch holds no lock another writer could be waiting on.
        self.begin_write().await
    }

    async fn begin_read(&self) -> StoreResult<Box<dyn StoreTx>> {
        // A deferred transaction: in WAL mode its first read fixes one snapshot.
        let tx = self.pool.begin().await?;
        Ok(Box::new(SqliteTx {
            tx,
            mark: None,
            prisons: Default::default(),
            read_prisons: self.prisons.clone(),
            ahead: Default::default(),
            _turn: None,
        }))
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}

/// A kiosk's prisons as one comma-separated column, for the kiosk reads by token: the store's
/// own read and a transaction's.
macro_rules! kiosk_prisons {
    () => {
        "(SELECT group_concat(prison_code, ',') FROM kiosk_prisons WHERE kiosk_id = k.id)"
    };
}

sql::common::kiosk_by_token_sql!(SqliteStore, prisons = kiosk_prisons!());

// The store's SQL, one concern at a time (see `sql/`), with what this database does its own
// way spelled out here.
sql::common::common_sql!(
    SqliteTx,
    row = SqliteRow,
    mark = "UPDATE change_counter SET value = value + 1 WHERE singleton = 1 RETURNING value"
);
sql::reference::reference_sql!(
    SqliteTx,
    lock = "",
    // Every writer holds the database's write lock from BEGIN IMMEDIATE: the prisoner's row,
    // their people and the session's counts are read together, and cannot change before the
    // commit.
    people = "SELECT p.number, p.prison_code, p.first_name, p.last_name, p.date_of_birth, p.custody,
        p.visiting_orders,
        (SELECT json_group_array(json_object('id', id, 'first_name', first_name, 'last_name', last_name,
                'date_of_birth', date_of_birth, 'banned_until', banned_until))
            FROM (SELECT * FROM contacts WHERE prisoner_number = $1 ORDER BY id)) AS contacts,
        (SELECT json_group_array(json_object('from_date', from_date, 'until_date', until_date))
            FROM (SELECT * FROM closed_visit_restrictions WHERE prisoner_number = $1 ORDER BY id)) AS restrictions,
        CASE WHEN $2 THEN
            (SELECT json_group_array(json_object('template_id', template_id, 'session_date', session_date))
                FROM bookings WHERE prisoner_number = $1 AND status IN ('booked', 'requested'))
        END AS live_visits,
        CASE WHEN $2 THEN (SELECT version FROM prisons WHERE code = $3) END AS prison_version,
        -- SQLite's mark is a write of its own (change_counter), taken when first needed.
        NULL AS mark,
        -- Its reference sequence is a write too (reference_counter), drawn once a booking passes.
        CASE WHEN $4 THEN NULL END AS central_sequence,
        CASE WHEN $5 IS NOT NULL THEN
            (SELECT json_group_array(json_object('visit_kind', visit_kind, 'booked', booked,
                    'escrowed', escrowed, 'capacity', capacity))
                FROM session_tables WHERE template_id = $5 AND session_date = $6)
        END AS session_tables
     FROM prisoners p WHERE p.number = $1",
    prisoner_in_people = true
);
sql::capacity::capacity_sql!(SqliteTx, lock = "");

/// What each of a group's bookings decides on, as the people statement of `reference_sql!`
/// reads it for one, one row for each prisoner in `$1` (a JSON array of what each wants, see
/// [`SqliteTx::read_subjects_ahead`]): each at its own booking's prison and session, since
/// SQLite's one queue mixes them. A reference sequence each, drawn from the counter in the same
/// round trip: the counter moves on by the rows read.
const SUBJECTS: &str = "SELECT p.number, p.prison_code, p.first_name, p.last_name, p.date_of_birth, p.custody,
        p.visiting_orders,
        (SELECT json_group_array(json_object('id', id, 'first_name', first_name, 'last_name', last_name,
                'date_of_birth', date_of_birth, 'banned_until', banned_until) ORDER BY id)
            FROM contacts WHERE prisoner_number = p.number) AS contacts,
        (SELECT json_group_array(json_object('from_date', from_date, 'until_date', until_date) ORDER BY id)
            FROM closed_visit_restrictions WHERE prisoner_number = p.number) AS restrictions,
        (SELECT json_group_array(json_object('template_id', template_id, 'session_date', session_date))
            FROM bookings WHERE prisoner_number = p.number AND status IN ('booked', 'requested')) AS live_visits,
        (SELECT version FROM prisons WHERE code = w.value ->> 'prison') AS prison_version,
        NULL AS mark,
        (SELECT next_value FROM reference_counter WHERE singleton = 1)
            + row_number() OVER (ORDER BY w.key) - 1 AS central_sequence,
        CASE WHEN w.value ->> 'template_id' IS NOT NULL THEN
            (SELECT json_group_array(json_object('visit_kind', visit_kind, 'booked', booked,
                    'escrowed', escrowed, 'capacity', capacity))
                FROM session_tables
                WHERE template_id = w.value ->> 'template_id' AND session_date = w.value ->> 'session_date')
        END AS session_tables
     FROM json_each($1) w JOIN prisoners p ON p.number = w.value ->> 'number';
     UPDATE reference_counter SET next_value = next_value
        + (SELECT count(*) FROM json_each($1) w JOIN prisoners p ON p.number = w.value ->> 'number')
     WHERE singleton = 1";

/// A booking's writes in one hand-off to the connection's thread (each costs more than the
/// statement it carries): one multi-statement query, the guarded count first (the session's row
/// made if it has none), then the answer kept against its key, the visiting order, the lease,
/// the booking and its visitors. Each statement after the count runs only if the one before it
/// changed exactly its one row (SQLite's `changes()`: the last statement completed), so a full
/// session, or a key already answered, writes nothing after it; the `RETURNING` rows say how
/// far it went. Plain `?`s, bound in the order the statements take them: sqlx numbers each
/// statement's parameters on from the last one's.
#[async_trait]
impl BookingWriteTx for SqliteTx {
    async fn tables_to_book(&mut self, key: &TableKey, prison: &PrisonCode) -> StoreResult<TableCounts> {
        self.lock_tables(key, prison).await
    }

    /// One hand-off to the connection's thread for the whole group, where each booking's read
    /// and its reference took one each: a hand-off (waking that thread, then this task) costs
    /// more than the statement it carries. Every writer holds the database's write lock, so
    /// nothing read here changes but by this transaction.
    async fn read_subjects_ahead(&mut self, wanted: &[SubjectWanted]) -> StoreResult<()> {
        let each: Vec<serde_json::Value> = SubjectWanted::first_for_each_prisoner(wanted)
            .into_iter()
            .map(|w| {
                serde_json::json!({
                    "number": w.number.as_str(),
                    "prison": w.prison.as_str(),
                    "template_id": w.session.as_ref().map(|s| s.template_id()),
                    "session_date": w.session.as_ref().map(|s| s.date().to_string()),
                })
            })
            .collect();
        let each = serde_json::to_string(&each).map_err(|e| super::corrupt("subjects wanted", e))?;
        let rows = sqlx::query(SUBJECTS).bind(each).fetch_all(&mut *self.tx).await?;
        let subjects = rows
            .iter()
            .map(|row| super::rows::booking_subject_from_rows(row, row))
            .collect::<StoreResult<Vec<_>>>()?;
        self.ahead.hold(wanted, subjects);
        Ok(())
    }

    async fn write_booking(&mut self, w: &BookingWrite<'_>) -> StoreResult<Written> {
        let b = &w.booking;
        let escrowed = if b.used_share { -1 } else { 0 };
        let mark = self.mark().await?;
        // The session's row made with this booking's table if it has none (a booking judged on
        // counts read with its prisoner's people), else counted on if it stays within the
        // session's tables, a supervisor's change of them first.
        let mut sql = String::from(
            "INSERT INTO session_tables (template_id, session_date, visit_kind, prison_code, booked, escrowed,
                version) VALUES (?, ?, ?, ?, 1, 0, ?)
             ON CONFLICT (template_id, session_date, visit_kind) DO UPDATE
                SET booked = booked + 1, escrowed = escrowed + ?, version = ?
                WHERE ? IS NULL OR booked + 1 + escrowed + ? <= COALESCE(capacity, ?)
             RETURNING 'took' AS step;\n",
        );
        if w.answer.is_some() {
            sql.push_str(
                "INSERT INTO idempotency (kiosk_id, idempotency_key, fingerprint, status_code, body, created_at,
                    keep_until)
                 SELECT ?, ?, ?, ?, ?, ?, ? WHERE changes() = 1
                 ON CONFLICT (kiosk_id, idempotency_key) DO NOTHING
                 RETURNING 'kept' AS step;\n",
            );
        }
        if b.spent_visiting_order {
            sql.push_str(
                "UPDATE prisoners SET visiting_orders = visiting_orders - 1, version = ?
                 WHERE number = ? AND changes() = 1;\n",
            );
        }
        let lease_kiosk = b.kiosk_id.filter(|_| b.used_share);
        if lease_kiosk.is_some() {
            sql.push_str(
                "UPDATE escrow_leases SET tables = tables - 1, version = ?
                 WHERE kiosk_id = ? AND template_id = ? AND session_date = ? AND visit_kind = ?
                    AND changes() = 1;\n",
            );
        }
        sql.push_str(
            "INSERT INTO bookings (reference, prison_code, prisoner_number, template_id, session_date,
                visit_kind, status, status_reason, spent_visiting_order, channel, kiosk_id, used_share,
                booked_at, received_at, updated_at, review_reason, version, details)
             SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE changes() = 1
             RETURNING 'booked' AS step",
        );
        if !b.visitors.is_empty() {
            sql.push_str(
                ";\nINSERT INTO booking_visitors (booking_reference, position, first_name, last_name,
                    date_of_birth, contact_id) SELECT * FROM (VALUES ",
            );
            let rows: Vec<&str> = b.visitors.iter().map(|_| "(?, ?, ?, ?, ?, ?)").collect();
            sql.push_str(&rows.join(", "));
            sql.push_str(") WHERE changes() = 1");
        }
        let capacity = w.capacity.map(i64::from);
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(b.key.template_id())
            .bind(b.key.date())
            .bind(b.key.kind.as_str())
            .bind(b.prison.as_str())
            .bind(mark)
            .bind(escrowed)
            .bind(mark)
            .bind(capacity)
            .bind(escrowed)
            .bind(capacity);
        if let Some(a) = &w.answer {
            query = query
                .bind(a.kiosk_id)
                .bind(a.key)
                .bind(&a.answer.fingerprint)
                .bind(i64::from(a.answer.status_code))
                .bind(&a.answer.body)
                .bind(a.now)
                .bind(a.keep_until);
        }
        if b.spent_visiting_order {
            query = query.bind(mark).bind(w.prisoner.as_str());
        }
        if let Some(kiosk_id) = lease_kiosk {
            query = query
                .bind(mark)
                .bind(kiosk_id)
                .bind(b.key.template_id())
                .bind(b.key.date())
                .bind(b.key.kind.as_str());
        }
        query = sql::bookings::bind_booking!(query, b)
            .bind(b.received_at)
            .bind(b.review_reason)
            .bind(mark)
            .bind(super::rows::details_json(b.details)?);
        let steps: Vec<String> = sql::bookings::bind_visitors!(query, b)
            .fetch_all(&mut *self.tx)
            .await?
            .iter()
            .map(|row| row.try_get("step"))
            .collect::<Result<_, _>>()?;
        let went = |step: &str| steps.iter().any(|s| s == step);
        if !went("took") {
            return Ok(Written::SessionFull);
        }
        if w.answer.is_some() && !went("kept") {
            return Ok(Written::KeyAnswered);
        }
        if !went("booked") {
            // The visiting order's or the lease's row was not there to change: the caller's
            // transaction must not commit a table taken for no booking.
            return Err(StoreError::Corrupt(format!(
                "booking {} stopped before its row: its prisoner or its kiosk's lease is missing",
                b.reference
            )));
        }
        self.ahead.took_table(b.key, b.used_share);
        Ok(Written::Booked)
    }
}
sql::bookings::booking_sql!(
    SqliteTx,
    next_reference = "UPDATE reference_counter SET next_value = next_value + 1 WHERE singleton = 1
        RETURNING next_value - 1"
);
sql::kiosks::kiosk_sql!(
    SqliteTx,
    lock = "",
    prisons = kiosk_prisons!(),
    token_in = "SELECT value FROM json_each($1)",
);
sql::idempotency::idempotency_sql!(SqliteTx);
sql::pull::pull_sql!(
    SqliteTx,
    newer = ">",
    horizon = "SELECT value FROM change_counter WHERE singleton = 1"
);
sql::staff::staff_sql!(SqliteTx, lock = "", newer = ">");
sql::audit::audit_sql!(SqliteTx);
sql::retention::retention_sql!(SqliteTx);
sql::checks::check_sql!(SqliteTx);
