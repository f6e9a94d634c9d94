//! Answers kept against idempotency keys and pushed events.

/// Implements [`crate::store::IdempotencyTx`] for a backend's transaction type.
macro_rules! idempotency_sql {
    ($tx:ident $(,)?) => {
        #[async_trait::async_trait]
        impl crate::store::IdempotencyTx for $tx {
            async fn claim_idempotency_key(
                &mut self,
                kiosk_id: &str,
                key: &str,
                fingerprint: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> StoreResult<Option<StoredAnswer>> {
                let claimed = sqlx::query(
                    "INSERT INTO idempotency (kiosk_id, idempotency_key, fingerprint, status_code, body, created_at)
                     VALUES ($1, $2, $3, 0, '', $4) ON CONFLICT (kiosk_id, idempotency_key) DO NOTHING",
                )
                .bind(kiosk_id)
                .bind(key)
                .bind(fingerprint)
                .bind(now)
                .execute(&mut *self.tx)
                .await?;
                if claimed.rows_affected() == 1 {
                    return Ok(None);
                }
                match self.idempotent_answer(kiosk_id, key).await? {
                    Some(stored) => Ok(Some(stored)),
                    // The insert met the key's row, so it is there: nothing else is consistent.
                    None => Err(crate::store::corrupt("idempotency key without its row", key)),
                }
            }

            async fn save_idempotent_answer(&mut self, kiosk_id: &str, key: &str, status: u16, body: &str) -> StoreResult<()> {
                sqlx::query(
                    "UPDATE idempotency SET status_code = $3, body = $4 WHERE kiosk_id = $1 AND idempotency_key = $2",
                )
                .bind(kiosk_id)
                .bind(key)
                .bind(i64::from(status))
                .bind(body)
                .execute(&mut *self.tx)
                .await?;
                Ok(())
            }

            async fn keep_idempotent_answer(
                &mut self,
                kiosk_id: &str,
                key: &str,
                answer: &StoredAnswer,
                now: chrono::DateTime<chrono::Utc>,
            ) -> StoreResult<bool> {
                let kept = sqlx::query(
                    "INSERT INTO idempotency (kiosk_id, idempotency_key, fingerprint, status_code, body, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (kiosk_id, idempotency_key) DO NOTHING",
                )
                .bind(kiosk_id)
                .bind(key)
                .bind(&answer.fingerprint)
                .bind(i64::from(answer.status_code))
                .bind(&answer.body)
                .bind(now)
                .execute(&mut *self.tx)
                .await?;
                Ok(kept.rows_affected() == 1)
            }

            async fn idempotent_answer(&mut self, kiosk_id: &str, key: &str) -> StoreResult<Option<StoredAnswer>> {
                let Some(row) = sqlx::query(
                    "SELECT fingerprint, status_code, body FROM idempotency
                     WHERE kiosk_id = $1 AND idempotency_key = $2",
                )
                .bind(kiosk_id)
                .bind(key)
                .fetch_optional(&mut *self.tx)
                .await?
                else {
                    return Ok(None);
                };
                Ok(Some(StoredAnswer {
                    fingerprint: row.try_get("fingerprint")?,
                    status_code: crate::store::rows::small(&row, "status_code")?,
                    body: row.try_get("body")?,
                }))
            }

            async fn pushed_event(&mut self, kiosk_id: &str, event_id: &str) -> StoreResult<Option<(i64, StoredAnswer)>> {
                let Some(row) = sqlx::query(
                    "SELECT seq, fingerprint, result FROM pushed_events WHERE kiosk_id = $1 AND event_id = $2",
                )
                .bind(kiosk_id)
                .bind(event_id)
                .fetch_optional(&mut *self.tx)
                .await?
                else {
                    return Ok(None);
                };
                Ok(Some((
                    row.try_get("seq")?,
                    StoredAnswer { fingerprint: row.try_get("fingerprint")?, status_code: 200, body: row.try_get("result")? },
                )))
            }

            async fn record_pushed_event(
                &mut self,
                kiosk_id: &str,
                event_id: &str,
                seq: i64,
                answer: &StoredAnswer,
                now: chrono::DateTime<chrono::Utc>,
            ) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO pushed_events (kiosk_id, event_id, seq, fingerprint, result, received_at)
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(kiosk_id)
                .bind(event_id)
                .bind(seq)
                .bind(&answer.fingerprint)
                .bind(&answer.body)
                .bind(now)
                .execute(&mut *self.tx)
                .await?;
                Ok(())
            }
        }
    };
}

pub(crate) use idempotency_sql;
