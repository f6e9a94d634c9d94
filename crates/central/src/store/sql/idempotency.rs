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
                keep_until: chrono::DateTime<chrono::Utc>,
            ) -> StoreResult<bool> {
                let kept = sqlx::query(
                    "INSERT INTO idempotency (kiosk_id, idempotency_key, fingerprint, status_code, body, created_at,
                        keep_until)
                     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (kiosk_id, idempotency_key) DO NOTHING",
                )
                .bind(kiosk_id)
                .bind(key)
                .bind(&answer.fingerprint)
                .bind(i64::from(answer.status_code))
                .bind(&answer.body)
                .bind(now)
                .bind(keep_until)
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

            async fn pushed_events(
                &mut self,
                kiosk_id: &str,
                event_ids: &[String],
            ) -> StoreResult<std::collections::HashMap<String, StoredAnswer>> {
                let mut answers = std::collections::HashMap::new();
                for chunk in event_ids.chunks(crate::store::sql::VALUES_A_STATEMENT) {
                    let places = crate::store::sql::placeholders(2, chunk.len());
                    let sql = format!(
                        "SELECT event_id, fingerprint, result FROM pushed_events
                         WHERE kiosk_id = $1 AND event_id IN ({places})"
                    );
                    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(kiosk_id);
                    for id in chunk {
                        query = query.bind(id);
                    }
                    for row in query.fetch_all(&mut *self.tx).await? {
                        answers.insert(
                            row.try_get("event_id")?,
                            StoredAnswer {
                                fingerprint: row.try_get("fingerprint")?,
                                status_code: 200,
                                body: row.try_get("result")?,
                            },
                        );
                    }
                }
                Ok(answers)
            }

            async fn record_pushed_events(
                &mut self,
                kiosk_id: &str,
                answers: &[(String, i64, StoredAnswer)],
                now: chrono::DateTime<chrono::Utc>,
            ) -> StoreResult<()> {
                for chunk in answers.chunks(500) {
                    let rows: Vec<String> = (0..chunk.len())
                        .map(|i| {
                            let at = 3 + i * 4;
                            format!("($1, ${}, ${}, ${}, ${}, $2)", at, at + 1, at + 2, at + 3)
                        })
                        .collect();
                    let sql = format!(
                        "INSERT INTO pushed_events (kiosk_id, event_id, seq, fingerprint, result, received_at)
                         VALUES {}",
                        rows.join(", ")
                    );
                    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(kiosk_id).bind(now);
                    for (event_id, seq, answer) in chunk {
                        query = query.bind(event_id).bind(seq).bind(&answer.fingerprint).bind(&answer.body);
                    }
                    query.execute(&mut *self.tx).await?;
                }
                Ok(())
            }
        }
    };
}

pub(crate) use idempotency_sql;
