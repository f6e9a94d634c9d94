//! Consistency checks: capacity audit and row counts.

/// Implements [`crate::store::CheckTx`] for a backend's transaction type.
macro_rules! check_sql {
    ($tx:ident $(,)?) => {
        #[async_trait::async_trait]
        impl crate::store::CheckTx for $tx {
            async fn over_capacity(&mut self) -> StoreResult<Vec<OverCapacity>> {
                let rows = sqlx::query(
                    "SELECT s.template_id, s.session_date, s.visit_kind, s.booked, s.escrowed,
                        COALESCE(s.capacity,
                            CASE WHEN s.visit_kind = 'open' THEN t.open_capacity ELSE t.closed_capacity END) AS capacity,
                        (SELECT COUNT(*) FROM bookings b WHERE b.template_id = s.template_id
                            AND b.session_date = s.session_date AND b.visit_kind = s.visit_kind
                            AND b.status IN ('booked', 'requested')) AS live_bookings,
                        (SELECT CAST(COALESCE(SUM(l.tables), 0) AS BIGINT) FROM escrow_leases l
                            WHERE l.template_id = s.template_id AND l.session_date = s.session_date
                            AND l.visit_kind = s.visit_kind) AS leased
                     FROM session_tables s JOIN session_templates t ON t.id = s.template_id
                     ORDER BY s.session_date, s.template_id, s.visit_kind",
                )
                .fetch_all(&mut *self.tx)
                .await?;
                let mut problems = Vec::new();
                for r in &rows {
                    let capacity: u32 = crate::store::rows::small(r, "capacity")?;
                    let live: u32 = crate::store::rows::small(r, "live_bookings")?;
                    let leased: u32 = crate::store::rows::small(r, "leased")?;
                    let booked: u32 = crate::store::rows::small(r, "booked")?;
                    let escrowed: u32 = crate::store::rows::small(r, "escrowed")?;
                    if live + leased > capacity || booked + escrowed > capacity || live != booked || leased != escrowed {
                        let template: String = r.try_get("template_id")?;
                        problems.push(OverCapacity {
                            session: crate::store::rows::session_id(template, r.try_get("session_date")?)?.to_string(),
                            kind: crate::store::rows::kind(r)?,
                            capacity,
                            live_bookings: live,
                            escrowed: leased,
                            counted_booked: booked,
                        });
                    }
                }
                Ok(problems)
            }

            async fn row_counts(&mut self) -> StoreResult<RowCounts> {
                let row = sqlx::query(
                    "SELECT
                        (SELECT COUNT(*) FROM bookings) AS bookings,
                        (SELECT COUNT(*) FROM booking_visitors) AS booking_visitors,
                        (SELECT COUNT(*) FROM kiosks) AS kiosks,
                        (SELECT COUNT(*) FROM idempotency) AS idempotency,
                        (SELECT COUNT(*) FROM pushed_events) AS pushed_events,
                        (SELECT CAST(COALESCE(SUM(tables), 0) AS BIGINT) FROM escrow_leases) AS lease_tables,
                        (SELECT CAST(COALESCE(SUM(booked), 0) AS BIGINT) FROM session_tables) AS booked_tables,
                        (SELECT CAST(COALESCE(SUM(visiting_orders), 0) AS BIGINT) FROM prisoners) AS visiting_orders",
                )
                .fetch_one(&mut *self.tx)
                .await?;
                crate::store::rows::row_counts_from_row(&row)
            }
        }
    };
}

pub(crate) use check_sql;
