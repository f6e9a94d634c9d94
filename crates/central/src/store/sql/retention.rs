//! Retention: the personal fields of bookings long past, and stored idempotency answers, removed.

/// Implements [`crate::store::RetentionTx`] for a backend's transaction type.
macro_rules! retention_sql {
    ($tx:ident $(,)?) => {
        #[async_trait::async_trait]
        impl crate::store::RetentionTx for $tx {
            async fn remove_personal_data(
                &mut self,
                visits_up_to: chrono::NaiveDate,
                now: chrono::DateTime<chrono::Utc>,
            ) -> StoreResult<u64> {
                // The visitors' rows stay, emptied: how many came is part of the visit's record.
                sqlx::query(
                    "UPDATE booking_visitors SET first_name = '', last_name = '', date_of_birth = NULL,
                        contact_id = NULL
                     WHERE booking_reference IN (SELECT reference FROM bookings
                        WHERE session_date <= $1 AND personal_data_removed_at IS NULL)",
                )
                .bind(visits_up_to)
                .execute(&mut *self.tx)
                .await?;
                // Not marked for the kiosks' pull: they deleted these visits long before.
                let removed = sqlx::query(
                    "UPDATE bookings SET prisoner_number = '', details = NULL, cancel_note = NULL,
                        review_note = NULL, personal_data_removed_at = $2
                     WHERE session_date <= $1 AND personal_data_removed_at IS NULL",
                )
                .bind(visits_up_to)
                .bind(now)
                .execute(&mut *self.tx)
                .await?;
                Ok(removed.rows_affected())
            }

            async fn delete_idempotency_answers(
                &mut self,
                created_before: chrono::DateTime<chrono::Utc>,
                now: chrono::DateTime<chrono::Utc>,
            ) -> StoreResult<u64> {
                // A claim still waiting for its answer (status 0) belongs to a request in flight.
                let deleted = sqlx::query(
                    "DELETE FROM idempotency WHERE created_at < $1 AND status_code <> 0
                        AND (keep_until IS NULL OR keep_until < $2)",
                )
                .bind(created_before)
                .bind(now)
                .execute(&mut *self.tx)
                .await?;
                Ok(deleted.rows_affected())
            }
        }
    };
}

pub(crate) use retention_sql;
