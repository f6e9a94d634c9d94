//! Session table counts (locked while a booking decides) and escrow shares.

/// Implements [`crate::store::CapacityTx`] for a backend's transaction type.
macro_rules! capacity_sql {
    ($tx:ident, lock = $lock:literal $(,)?) => {
        #[async_trait::async_trait]
        impl crate::store::CapacityTx for $tx {
            async fn lock_tables(&mut self, key: &TableKey, prison: &domain::PrisonCode) -> StoreResult<TableCounts> {
                let mark = self.mark().await?;
                // One statement: the zeroed row made if missing, else the row locked by a no-op
                // update (PostgreSQL takes the same row lock as SELECT ... FOR UPDATE), and the
                // counts as they stand once the lock is held.
                let row = sqlx::query(
                    "INSERT INTO session_tables (template_id, session_date, visit_kind, prison_code, booked, escrowed,
                        version) VALUES ($1, $2, $3, $4, 0, 0, $5)
                     ON CONFLICT (template_id, session_date, visit_kind)
                        DO UPDATE SET booked = session_tables.booked
                     RETURNING booked, escrowed, capacity",
                )
                .bind(key.template_id())
                .bind(key.date())
                .bind(key.kind.as_str())
                .bind(prison.as_str())
                .bind(mark)
                .fetch_one(&mut *self.tx)
                .await?;
                crate::store::rows::table_counts_from_row(&row)
            }

            async fn set_capacity(&mut self, key: &TableKey, capacity: u32) -> StoreResult<()> {
                let mark = self.mark().await?;
                sqlx::query(
                    "UPDATE session_tables SET capacity = $4, version = $5
                     WHERE template_id = $1 AND session_date = $2 AND visit_kind = $3",
                )
                .bind(key.template_id())
                .bind(key.date())
                .bind(key.kind.as_str())
                .bind(i64::from(capacity))
                .bind(mark)
                .execute(&mut *self.tx)
                .await?;
                Ok(())
            }

            async fn adjust_tables(
                &mut self,
                key: &TableKey,
                booked: i64,
                escrowed: i64,
                capacity: Option<u32>,
            ) -> StoreResult<bool> {
                let mark = self.mark().await?;
                let query = match capacity {
                    Some(capacity) => sqlx::query(
                        "UPDATE session_tables SET booked = booked + $4, escrowed = escrowed + $5, version = $6
                         WHERE template_id = $1 AND session_date = $2 AND visit_kind = $3
                            AND booked + $4 + escrowed + $5 <= COALESCE(capacity, $7)",
                    )
                    .bind(key.template_id())
                    .bind(key.date())
                    .bind(key.kind.as_str())
                    .bind(booked)
                    .bind(escrowed)
                    .bind(mark)
                    .bind(i64::from(capacity)),
                    None => sqlx::query(
                        "UPDATE session_tables SET booked = booked + $4, escrowed = escrowed + $5, version = $6
                         WHERE template_id = $1 AND session_date = $2 AND visit_kind = $3",
                    )
                    .bind(key.template_id())
                    .bind(key.date())
                    .bind(key.kind.as_str())
                    .bind(booked)
                    .bind(escrowed)
                    .bind(mark),
                };
                Ok(query.execute(&mut *self.tx).await?.rows_affected() == 1)
            }

            async fn lease(&mut self, kiosk_id: &str, key: &TableKey) -> StoreResult<Option<LeaseRow>> {
                sqlx::query(concat!(
                    "SELECT kiosk_id, template_id, session_date, visit_kind, prison_code, tables, expires_at
                     FROM escrow_leases
                     WHERE kiosk_id = $1 AND template_id = $2 AND session_date = $3 AND visit_kind = $4",
                    $lock
                ))
                .bind(kiosk_id)
                .bind(key.template_id())
                .bind(key.date())
                .bind(key.kind.as_str())
                .fetch_optional(&mut *self.tx)
                .await?
                .as_ref()
                .map(crate::store::rows::lease_from_row)
                .transpose()
            }

            async fn put_lease(&mut self, lease: &LeaseRow) -> StoreResult<()> {
                let mark = self.mark().await?;
                sqlx::query(
                    "INSERT INTO escrow_leases (kiosk_id, template_id, session_date, visit_kind, prison_code, tables,
                        expires_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                     ON CONFLICT (kiosk_id, template_id, session_date, visit_kind) DO UPDATE SET
                        tables = excluded.tables, expires_at = excluded.expires_at, version = excluded.version",
                )
                .bind(&lease.kiosk_id)
                .bind(lease.key.template_id())
                .bind(lease.key.date())
                .bind(lease.key.kind.as_str())
                .bind(lease.prison.as_str())
                .bind(i64::from(lease.tables))
                .bind(lease.expires_at)
                .bind(mark)
                .execute(&mut *self.tx)
                .await?;
                Ok(())
            }

            async fn leases_of(&mut self, kiosk_id: &str) -> StoreResult<Vec<LeaseRow>> {
                sqlx::query(
                    "SELECT kiosk_id, template_id, session_date, visit_kind, prison_code, tables, expires_at
                     FROM escrow_leases WHERE kiosk_id = $1 AND tables > 0
                     ORDER BY template_id, session_date, visit_kind",
                )
                .bind(kiosk_id)
                .fetch_all(&mut *self.tx)
                .await?
                .iter()
                .map(crate::store::rows::lease_from_row)
                .collect()
            }
        }
    };
}

pub(crate) use capacity_sql;
