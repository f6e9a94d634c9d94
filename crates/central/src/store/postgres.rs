//! The PostgreSQL store. Writes run at READ COMMITTED and lock what they decide on with
//! `SELECT ... FOR UPDATE` (the prisoner, and for escrow and a booking that may use a kiosk's
//! share, the session's counts and the kiosk's lease). Any other booking is judged on the
//! session's counts as they stand and takes its table in its one write, guarded by the
//! session's tables: two bookings for the last table queue on that row only from their writes
//! to their commits, while bookings for other sessions run in parallel. Pulls run in one
//! REPEATABLE READ snapshot.

use super::sql;
use super::*;
use sqlx::Row;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::{PgPool, Postgres};
use std::str::FromStr;
use std::time::Duration;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/central-postgres");

/// The migrations this program knows.
pub fn migrator() -> &'static sqlx::migrate::Migrator {
    &MIGRATOR
}

pub struct PostgresStore {
    pool: PgPool,
    prisons: Arc<PrisonCache>,
}

const MAX_CONNECTIONS: u32 = 16;

/// Begins a batch's transaction (see [`Store::begin_batch_write`]) with its lock wait, in one
/// round trip (the simple query protocol takes both statements). The wait, 200 ms, is about
/// twice what a batch of 100 events takes on its own (about 100 ms in the national replay,
/// docs/PERFORMANCE.md), so a batch queued behind another mostly waits for it, and well under
/// the server's one-second deadlock check.
const BEGIN_BATCH: &str = "BEGIN; SET LOCAL lock_timeout = '200ms'";

/// Whether a statement failed because its pooled connection was already gone (the server
/// restarted, or closed it idle): the statement never ran, so a read or a `BEGIN` can be sent
/// again on another connection.
trait ConnectionLost {
    fn connection_lost(&self) -> bool;
}

impl ConnectionLost for sqlx::Error {
    fn connection_lost(&self) -> bool {
        match self {
            sqlx::Error::Io(_) | sqlx::Error::Protocol(_) => true,
            // A server that closes a connection says why first, and that is what the next
            // statement reads: an administrator or a shutdown (class 57P), or a connection
            // exception (class 08).
            sqlx::Error::Database(e) => e
                .code()
                .is_some_and(|code| code.starts_with("57P") || code.starts_with("08")),
            _ => false,
        }
    }
}

impl ConnectionLost for StoreError {
    fn connection_lost(&self) -> bool {
        matches!(self, StoreError::Database(e) if e.connection_lost())
    }
}

/// Runs `$op` (a statement that changes nothing, or a `BEGIN`) again while it fails on a pooled
/// connection that was already gone: sqlx closes such a connection as it goes back to the pool,
/// so each attempt takes another, and the pool holds at most `MAX_CONNECTIONS`.
macro_rules! on_a_live_connection {
    ($op:expr) => {{
        let mut attempt = 0;
        loop {
            match $op.await {
                Err(e) if e.connection_lost() && attempt < MAX_CONNECTIONS => {
                    attempt += 1;
                    tracing::debug!(error = %e, attempt, "a pooled PostgreSQL connection was gone; trying another");
                }
                other => break other,
            }
        }
    }};
}

impl PostgresStore {
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let options = PgConnectOptions::from_str(url)?;
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .acquire_timeout(Duration::from_secs(10))
            // sqlx pings each connection as it goes back to the pool; a second ping as it is
            // taken out would be a round trip more for every request. A connection that died
            // idle in between is met by `on_a_live_connection` instead.
            .test_before_acquire(false)
            .connect_with(options)
            .await?;
        Ok(Self {
            pool,
            prisons: Default::default(),
        })
    }
}

pub struct PgTx {
    tx: sqlx::Transaction<'static, Postgres>,
    mark: Option<i64>,
    /// Prisons read in this transaction: a push batch judges many bookings at one prison, and
    /// each would read its rules, timetable and closures again. Cleared by any write to them.
    prisons: std::collections::HashMap<String, Prison>,
    /// The store's prisons as last read by any transaction, each under its version.
    read_prisons: Arc<PrisonCache>,
    /// What a group of online bookings decides on, read for all of them at once.
    ahead: SubjectsAhead,
}

#[async_trait]
impl Store for PostgresStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn migrate(&self) -> StoreResult<()> {
        // Before sqlx's migrator, which would write its table first: a newer store is left
        // exactly as it is.
        let table: Option<String> =
            sqlx::query_scalar("SELECT CAST(to_regclass('_sqlx_migrations') AS TEXT)")
                .fetch_one(&self.pool)
                .await?;
        if table.is_some() {
            let applied: Vec<i64> = sqlx::query_scalar("SELECT version FROM _sqlx_migrations")
                .fetch_all(&self.pool)
                .await?;
            super::unknown_migration(&MIGRATOR, &applied)?;
        }
        MIGRATOR.run(&self.pool).await?;
        Ok(())
    }

    fn one_writer_at_a_time(&self) -> bool {
        false
    }

    async fn kiosk_by_token(&self, token_hash: &str) -> StoreResult<Option<Kiosk>> {
        on_a_live_connection!(self.read_kiosk_by_token(token_hash))
    }

    async fn ping(&self) -> StoreResult<()> {
        on_a_live_connection!(sqlx::query("SELECT 1").execute(&self.pool))?;
        Ok(())
    }

    async fn begin_write(&self) -> StoreResult<Box<dyn StoreTx>> {
        let tx = on_a_live_connection!(self.pool.begin())?;
        Ok(Box::new(PgTx {
            tx,
            mark: None,
            prisons: Default::default(),
            read_prisons: self.prisons.clone(),
            ahead: Default::default(),
        }))
    }

    async fn begin_batch_write(&self) -> StoreResult<Box<dyn StoreTx>> {
        // The lock wait is shorter than the server's deadlock check (a second by default), so a
        // batch caught in a cycle with single bookings gives way before any of them is chosen
        // to fail, and a batch queued behind a long one stops waiting soon: either is then
        // applied event by event.
        let tx = on_a_live_connection!(self.pool.begin_with(BEGIN_BATCH))?;
        Ok(Box::new(PgTx {
            tx,
            mark: None,
            prisons: Default::default(),
            read_prisons: self.prisons.clone(),
            ahead: Default::default(),
        }))
    }

    async fn begin_read(&self) -> StoreResult<Box<dyn StoreTx>> {
        let tx = on_a_live_connection!(
            self.pool
                .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        )?;
        Ok(Box::new(PgTx {
            tx,
            mark: None,
            prisons: Default::default(),
            read_prisons: self.prisons.clone(),
            ahead: Default::default(),
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
        "(SELECT string_agg(prison_code, ',') FROM kiosk_prisons WHERE kiosk_id = k.id)"
    };
}

sql::common::kiosk_by_token_sql!(PostgresStore, prisons = kiosk_prisons!());

// The store's SQL, one concern at a time (see `sql/`), with what this database does its own
// way spelled out here.
sql::common::common_sql!(
    PgTx,
    row = PgRow,
    mark = "SELECT CAST(CAST(pg_current_xact_id() AS TEXT) AS BIGINT)"
);
sql::reference::reference_sql!(
    PgTx,
    lock = " FOR UPDATE",
    people = "SELECT
        CAST((SELECT COALESCE(json_agg(json_build_object('id', id, 'first_name', first_name,
                'last_name', last_name, 'date_of_birth', date_of_birth, 'banned_until', banned_until)
                ORDER BY id), '[]')
            FROM contacts WHERE prisoner_number = $1) AS TEXT) AS contacts,
        CAST((SELECT COALESCE(json_agg(json_build_object('from_date', from_date, 'until_date', until_date)
                ORDER BY id), '[]')
            FROM closed_visit_restrictions WHERE prisoner_number = $1) AS TEXT) AS restrictions,
        CASE WHEN $2 THEN
            CAST((SELECT COALESCE(json_agg(json_build_object('template_id', template_id,
                    'session_date', session_date)), '[]')
                FROM bookings WHERE prisoner_number = $1 AND status IN ('booked', 'requested')) AS TEXT)
        END AS live_visits,
        CASE WHEN $2 THEN (SELECT version FROM prisons WHERE code = $3) END AS prison_version,
        CASE WHEN $2 THEN CAST(CAST(pg_current_xact_id() AS TEXT) AS BIGINT) END AS mark,
        CASE WHEN $4 THEN nextval('central_reference_seq') END AS central_sequence,
        CASE WHEN $5::TEXT IS NOT NULL THEN
            CAST((SELECT COALESCE(json_agg(json_build_object('visit_kind', visit_kind, 'booked', booked,
                    'escrowed', escrowed, 'capacity', capacity)), '[]')
                FROM session_tables WHERE template_id = $5 AND session_date = $6) AS TEXT)
        END AS session_tables",
    prisoner_in_people = false
);
sql::capacity::capacity_sql!(PgTx, lock = " FOR UPDATE");

/// A booking's writes in one statement: each data-modifying CTE runs only if the guarded count
/// took the table (`took`: the session's row made with this booking's table if it had none,
/// else counted on if it stays within the session's tables, judged on the row as it stands once
/// locked) and, when an answer is kept, the key had none before (`go`). A full
/// session changes nothing; a key with an answer leaves only the count changed, and the caller
/// rolls that back. The visitors' rows name the booking inserted beside them: PostgreSQL checks
/// their foreign key at the end of the statement, when the booking is there.
const WRITE_BOOKING: &str = "WITH took AS (
        INSERT INTO session_tables (template_id, session_date, visit_kind, prison_code, booked, escrowed,
            version)
        VALUES ($1, $2, $3, $20, 1, 0, $5)
        ON CONFLICT (template_id, session_date, visit_kind) DO UPDATE
            SET booked = session_tables.booked + 1, escrowed = session_tables.escrowed + $4, version = $5
            WHERE $6::BIGINT IS NULL
                OR session_tables.booked + 1 + session_tables.escrowed + $4
                    <= COALESCE(session_tables.capacity, $6::BIGINT)
        RETURNING 1),
    kept AS (
        INSERT INTO idempotency (kiosk_id, idempotency_key, fingerprint, status_code, body, created_at,
            keep_until)
        SELECT $8, $9, $10, $11, $12, $13, $14 WHERE $7 AND EXISTS (SELECT 1 FROM took)
        ON CONFLICT (kiosk_id, idempotency_key) DO NOTHING
        RETURNING 1),
    go AS (SELECT 1 FROM took WHERE NOT $7 OR EXISTS (SELECT 1 FROM kept)),
    lease AS (
        UPDATE escrow_leases SET tables = tables - 1, version = $5
        WHERE $15 AND kiosk_id = $16 AND template_id = $1 AND session_date = $2 AND visit_kind = $3
            AND EXISTS (SELECT 1 FROM go)),
    visiting_order AS (
        UPDATE prisoners SET visiting_orders = visiting_orders - 1, version = $5
        WHERE $17 AND number = $18 AND EXISTS (SELECT 1 FROM go)),
    booking AS (
        INSERT INTO bookings (reference, prison_code, prisoner_number, template_id, session_date,
            visit_kind, status, status_reason, spent_visiting_order, channel, kiosk_id, used_share,
            booked_at, received_at, updated_at, review_reason, version, details)
        SELECT $19, $20, $18, $1, $2, $3, $21, $22, $17, $23, $16, $15, $24, $25, $25, $26, $5, $27
        WHERE EXISTS (SELECT 1 FROM go)
        RETURNING reference),
    party AS (
        INSERT INTO booking_visitors (booking_reference, position, first_name, last_name,
            date_of_birth, contact_id)
        SELECT booking.reference, v.position, v.first_name, v.last_name, v.date_of_birth, v.contact_id
        FROM booking, unnest($28::BIGINT[], $29::TEXT[], $30::TEXT[], $31::DATE[], $32::TEXT[])
            AS v(position, first_name, last_name, date_of_birth, contact_id))
    SELECT EXISTS (SELECT 1 FROM took) AS took, EXISTS (SELECT 1 FROM go) AS written";

/// A group's prisoners held, in the order of their numbers, as [`ReferenceTx::booking_subject`]
/// holds one.
const LOCK_SUBJECTS: &str = "SELECT number FROM prisoners WHERE number = ANY($1) ORDER BY number FOR UPDATE";

/// What each of a group's bookings decides on, as the people statement of `reference_sql!`
/// reads it for one, with the prisoner's own row: run after [`LOCK_SUBJECTS`], so it sees
/// every visit booked by whoever held one of them before. The prison's version and the
/// session's counts are the same for every row, and read once.
const SUBJECTS: &str =
    "SELECT p.number, p.prison_code, p.first_name, p.last_name, p.date_of_birth, p.custody,
        p.visiting_orders,
        CAST((SELECT COALESCE(json_agg(json_build_object('id', c.id, 'first_name', c.first_name,
                'last_name', c.last_name, 'date_of_birth', c.date_of_birth, 'banned_until', c.banned_until)
                ORDER BY c.id), '[]')
            FROM contacts c WHERE c.prisoner_number = p.number) AS TEXT) AS contacts,
        CAST((SELECT COALESCE(json_agg(json_build_object('from_date', r.from_date, 'until_date', r.until_date)
                ORDER BY r.id), '[]')
            FROM closed_visit_restrictions r WHERE r.prisoner_number = p.number) AS TEXT) AS restrictions,
        CAST((SELECT COALESCE(json_agg(json_build_object('template_id', b.template_id,
                'session_date', b.session_date)), '[]')
            FROM bookings b WHERE b.prisoner_number = p.number AND b.status IN ('booked', 'requested'))
            AS TEXT) AS live_visits,
        (SELECT version FROM prisons WHERE code = $2) AS prison_version,
        CAST(CAST(pg_current_xact_id() AS TEXT) AS BIGINT) AS mark,
        nextval('central_reference_seq') AS central_sequence,
        CAST((SELECT COALESCE(json_agg(json_build_object('visit_kind', visit_kind, 'booked', booked,
                'escrowed', escrowed, 'capacity', capacity)), '[]')
            FROM session_tables WHERE template_id = $3 AND session_date = $4) AS TEXT) AS session_tables
    FROM prisoners p WHERE p.number = ANY($1)";

#[async_trait]
impl BookingWriteTx for PgTx {
    async fn read_subjects_ahead(&mut self, wanted: &[SubjectWanted]) -> StoreResult<()> {
        // A group here is of one session at one prison (`GroupKey::Session`): one read of its
        // counts serves every row. A booking wanting anything else reads its own.
        let Some(SubjectWanted {
            prison,
            session: Some(session),
            ..
        }) = wanted.first()
        else {
            return Ok(());
        };
        let wanted: Vec<SubjectWanted> = wanted
            .iter()
            .filter(|w| &w.prison == prison && w.session.as_ref() == Some(session))
            .cloned()
            .collect();
        let numbers: Vec<&str> = SubjectWanted::first_for_each_prisoner(&wanted)
            .into_iter()
            .map(|w| w.number.as_str())
            .collect();
        sqlx::query(LOCK_SUBJECTS)
            .bind(&numbers)
            .execute(&mut *self.tx)
            .await?;
        let rows = sqlx::query(SUBJECTS)
            .bind(&numbers)
            .bind(prison.as_str())
            .bind(session.template_id())
            .bind(session.date())
            .fetch_all(&mut *self.tx)
            .await?;
        let mut subjects = Vec::with_capacity(rows.len());
        for row in &rows {
            subjects.push(super::rows::booking_subject_from_rows(row, row)?);
            if let Some(mark) = row.try_get::<Option<i64>, _>("mark")? {
                self.mark.get_or_insert(mark);
            }
        }
        self.ahead.hold(&wanted, subjects);
        Ok(())
    }

    async fn tables_to_book(&mut self, key: &TableKey, _prison: &PrisonCode) -> StoreResult<TableCounts> {
        let row = sqlx::query(
            "SELECT booked, escrowed, capacity FROM session_tables
             WHERE template_id = $1 AND session_date = $2 AND visit_kind = $3",
        )
        .bind(key.template_id())
        .bind(key.date())
        .bind(key.kind.as_str())
        .fetch_optional(&mut *self.tx)
        .await?;
        match row {
            Some(row) => super::rows::table_counts_from_row(&row),
            None => Ok(TableCounts::default()),
        }
    }

    async fn write_booking(&mut self, w: &BookingWrite<'_>) -> StoreResult<Written> {
        let mark = self.mark().await?;
        let b = &w.booking;
        let answer = w.answer.as_ref();
        let row = sqlx::query(WRITE_BOOKING)
            .bind(b.key.template_id())
            .bind(b.key.date())
            .bind(b.key.kind.as_str())
            .bind(if b.used_share { -1_i64 } else { 0 })
            .bind(mark)
            .bind(w.capacity.map(i64::from))
            .bind(answer.is_some())
            .bind(answer.map(|a| a.kiosk_id))
            .bind(answer.map(|a| a.key))
            .bind(answer.map(|a| a.answer.fingerprint.as_str()))
            .bind(answer.map(|a| i64::from(a.answer.status_code)))
            .bind(answer.map(|a| a.answer.body.as_str()))
            .bind(answer.map(|a| a.now))
            .bind(answer.map(|a| a.keep_until))
            .bind(b.used_share)
            .bind(b.kiosk_id)
            .bind(b.spent_visiting_order)
            .bind(w.prisoner.as_str())
            .bind(b.reference)
            .bind(b.prison.as_str())
            .bind(b.status.as_str())
            .bind(b.status_reason)
            .bind(b.channel.as_str())
            .bind(b.booked_at)
            .bind(b.received_at)
            .bind(b.review_reason)
            .bind(super::rows::details_json(b.details)?)
            .bind((0..b.visitors.len() as i64).collect::<Vec<_>>())
            .bind(
                b.visitors
                    .iter()
                    .map(|v| v.first_name.as_str())
                    .collect::<Vec<_>>(),
            )
            .bind(
                b.visitors
                    .iter()
                    .map(|v| v.last_name.as_str())
                    .collect::<Vec<_>>(),
            )
            .bind(b.visitors.iter().map(|v| v.date_of_birth).collect::<Vec<_>>())
            .bind(
                b.visitors
                    .iter()
                    .map(|v| v.contact_id.as_deref())
                    .collect::<Vec<_>>(),
            )
            .fetch_one(&mut *self.tx)
            .await?;
        let took: bool = row.try_get("took")?;
        let written: bool = row.try_get("written")?;
        if took && written {
            self.ahead.took_table(b.key, b.used_share);
        }
        Ok(match (took, written) {
            (true, true) => Written::Booked,
            (true, false) => Written::KeyAnswered,
            (false, _) => Written::SessionFull,
        })
    }
}
sql::bookings::booking_sql!(PgTx, next_reference = "SELECT nextval('central_reference_seq')");
sql::kiosks::kiosk_sql!(
    PgTx,
    lock = " FOR UPDATE",
    prisons = kiosk_prisons!(),
    token_in = "SELECT json_array_elements_text(CAST($1 AS JSON))",
);
sql::idempotency::idempotency_sql!(PgTx);
sql::pull::pull_sql!(
    PgTx,
    newer = ">=",
    horizon = "SELECT CAST(CAST(pg_snapshot_xmin(pg_current_snapshot()) AS TEXT) AS BIGINT)"
);
sql::staff::staff_sql!(PgTx, lock = " FOR UPDATE", newer = ">=");
sql::audit::audit_sql!(PgTx);
sql::retention::retention_sql!(PgTx);
sql::checks::check_sql!(PgTx);
