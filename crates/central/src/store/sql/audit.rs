//! The audit log: entries kiosks sent and administrators' changes, appended and read back.

/// Implements [`crate::store::AuditTx`] for a backend's transaction type.
macro_rules! audit_sql {
    ($tx:ident $(,)?) => {
        #[async_trait::async_trait]
        impl crate::store::AuditTx for $tx {
            async fn append_audit(&mut self, e: &AuditRecord) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO audit_log (prison_code, kiosk_id, at, staff_number, role, action,
                        booking_reference, detail, received_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(&e.prison)
                .bind(e.kiosk_id.as_deref())
                .bind(e.at)
                .bind(e.staff_number.as_deref())
                .bind(e.role.as_deref())
                .bind(&e.action)
                .bind(e.booking_reference.as_deref())
                .bind(e.detail.as_deref())
                .bind(e.received_at)
                .execute(&mut *self.tx)
                .await?;
                Ok(())
            }

            async fn audit_log(
                &mut self,
                prison: &str,
                from: chrono::DateTime<chrono::Utc>,
                to: chrono::DateTime<chrono::Utc>,
            ) -> StoreResult<Vec<AuditRecord>> {
                sqlx::query(
                    "SELECT prison_code, kiosk_id, at, staff_number, role, action, booking_reference, detail,
                        received_at
                     FROM audit_log WHERE prison_code = $1 AND at >= $2 AND at < $3 ORDER BY at, id",
                )
                .bind(prison)
                .bind(from)
                .bind(to)
                .fetch_all(&mut *self.tx)
                .await?
                .iter()
                .map(crate::store::rows::audit_from_row)
                .collect()
            }
        }
    };
}

pub(crate) use audit_sql;
