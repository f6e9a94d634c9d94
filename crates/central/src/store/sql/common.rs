//! What every concern shares: the transaction's change mark, kiosks and visitors read with
//! their rows, and committing.

/// `Store::kiosk_by_token` for a backend's store type: the kiosk row with its prisons joined
/// into one comma-separated column (`$prisons`, the database's own aggregate), one statement on
/// the pool, since every request of a kiosk starts with it.
macro_rules! kiosk_by_token_sql {
    ($store:ident, prisons = $prisons:expr $(,)?) => {
        impl $store {
            async fn read_kiosk_by_token(&self, token_hash: &str) -> StoreResult<Option<Kiosk>> {
                let Some(row) = sqlx::query(concat!(
                    "SELECT id, issuer_number, label, enrolled_at, revoked_at, last_seq, ",
                    $prisons,
                    " AS prisons FROM kiosks k WHERE token_hash = $1"
                ))
                .bind(token_hash)
                .fetch_optional(&self.pool)
                .await?
                else {
                    return Ok(None);
                };
                let joined: Option<String> = row.try_get("prisons")?;
                let prisons = crate::store::rows::joined_prison_codes(joined.as_deref())?;
                Ok(Some(crate::store::rows::kiosk_from_row(&row, prisons)?))
            }
        }
    };
}

pub(crate) use kiosk_by_token_sql;

/// The helpers and `StoreTx` itself for a backend's transaction type.
macro_rules! common_sql {
    ($tx:ident, row = $row:ty, mark = $mark:literal $(,)?) => {
        impl $tx {
            /// This transaction's change mark, drawn once.
            async fn mark(&mut self) -> StoreResult<i64> {
                if let Some(mark) = self.mark {
                    return Ok(mark);
                }
                let mark: i64 = sqlx::query_scalar($mark).fetch_one(&mut *self.tx).await?;
                self.mark = Some(mark);
                Ok(mark)
            }

            async fn kiosk_prisons(&mut self, id: &str) -> StoreResult<Vec<domain::PrisonCode>> {
                let codes: Vec<String> = sqlx::query_scalar(
                    "SELECT prison_code FROM kiosk_prisons WHERE kiosk_id = $1 ORDER BY prison_code",
                )
                .bind(id)
                .fetch_all(&mut *self.tx)
                .await?;
                codes
                    .into_iter()
                    .map(crate::store::rows::prison_code)
                    .collect()
            }

            async fn kiosk_from_row(&mut self, row: Option<$row>) -> StoreResult<Option<Kiosk>> {
                let Some(row) = row else { return Ok(None) };
                let id: String = row.try_get("id")?;
                let prisons = self.kiosk_prisons(&id).await?;
                Ok(Some(crate::store::rows::kiosk_from_row(&row, prisons)?))
            }

            async fn visitors_of(&mut self, reference: &str) -> StoreResult<Vec<BookedVisitor>> {
                sqlx::query(
                    "SELECT first_name, last_name, date_of_birth, contact_id FROM booking_visitors
                     WHERE booking_reference = $1 ORDER BY position",
                )
                .bind(reference)
                .fetch_all(&mut *self.tx)
                .await?
                .iter()
                .map(crate::store::rows::visitor_from_row)
                .collect()
            }
        }

        #[async_trait::async_trait]
        impl crate::store::StoreTx for $tx {
            async fn commit(self: Box<Self>) -> StoreResult<()> {
                self.tx.commit().await?;
                Ok(())
            }

            async fn rollback(self: Box<Self>) -> StoreResult<()> {
                self.tx.rollback().await?;
                Ok(())
            }
        }
    };
}

pub(crate) use common_sql;
