//! The PostgreSQL store. Writes run at READ COMMITTED and lock what they decide on with
//! `SELECT ... FOR UPDATE` (the prisoner, the session's counts, the kiosk's lease), so two
//! bookings for the last table queue on that one row while bookings for other sessions run in
//! parallel. Pulls run in one REPEATABLE READ snapshot.

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

impl PostgresStore {
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let options = PgConnectOptions::from_str(url)?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
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
        self.read_kiosk_by_token(token_hash).await
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn begin_write(&self) -> StoreResult<Box<dyn StoreTx>> {
        let tx = self.pool.begin().await?;
        Ok(Box::new(PgTx {
            tx,
            mark: None,
            prisons: Default::default(),
            read_prisons: self.prisons.clone(),
        }))
    }

    async fn begin_read(&self) -> StoreResult<Box<dyn StoreTx>> {
        let tx = self
            .pool
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await?;
        Ok(Box::new(PgTx {
            tx,
            mark: None,
            prisons: Default::default(),
            read_prisons: self.prisons.clone(),
        }))
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}

sql::common::kiosk_by_token_sql!(
    PostgresStore,
    prisons = "(SELECT string_agg(prison_code, ',') FROM kiosk_prisons WHERE kiosk_id = k.id)"
);

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
        CASE WHEN $2 THEN CAST(CAST(pg_current_xact_id() AS TEXT) AS BIGINT) END AS mark"
);
sql::capacity::capacity_sql!(PgTx, lock = " FOR UPDATE");
sql::bookings::booking_sql!(PgTx, next_reference = "SELECT nextval('central_reference_seq')");
sql::kiosks::kiosk_sql!(PgTx, lock = " FOR UPDATE");
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
