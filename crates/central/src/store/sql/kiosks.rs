//! Kiosks, enrolment codes and the pushed-event sequence.

/// Implements [`crate::store::KioskTx`] for a backend's transaction type.
macro_rules! kiosk_sql {
    ($tx:ident, lock = $lock:literal, prisons = $prisons:expr, token_in = $token_in:literal $(,)?) => {
        #[async_trait::async_trait]
        impl crate::store::KioskTx for $tx {
            async fn kiosks_by_token(&mut self, token_hashes: &[String]) -> StoreResult<Vec<(String, Kiosk)>> {
                let hashes = serde_json::to_string(token_hashes)
                    .map_err(|e| crate::store::StoreError::Corrupt(e.to_string()))?;
                let rows = sqlx::query(concat!(
                    "SELECT token_hash, id, issuer_number, label, enrolled_at, revoked_at, last_seq, ",
                    $prisons,
                    " AS prisons FROM kiosks k WHERE token_hash IN (",
                    $token_in,
                    ")"
                ))
                .bind(hashes)
                .fetch_all(&mut *self.tx)
                .await?;
                let mut kiosks = Vec::with_capacity(rows.len());
                for row in &rows {
                    let joined: Option<String> = row.try_get("prisons")?;
                    let prisons = crate::store::rows::joined_prison_codes(joined.as_deref())?;
                    let kiosk = crate::store::rows::kiosk_from_row(row, prisons)?;
                    kiosks.push((row.try_get("token_hash")?, kiosk));
                }
                Ok(kiosks)
            }

            async fn create_kiosk(
                &mut self,
                k: &NewKiosk<'_>,
                now: chrono::DateTime<chrono::Utc>,
            ) -> StoreResult<Option<u16>> {
                let highest: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(issuer_number), 0) FROM kiosks")
                    .fetch_one(&mut *self.tx)
                    .await?;
                let issuer = highest + 1;
                if issuer > i64::from(domain::reference::MAX_ISSUER) {
                    return Ok(None);
                }
                sqlx::query(
                    "INSERT INTO kiosks (id, issuer_number, label, enrolment_code_hash, enrolment_expires_at,
                        created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(k.id)
                .bind(issuer)
                .bind(k.label)
                .bind(k.code_hash)
                .bind(k.code_expires_at)
                .bind(now)
                .execute(&mut *self.tx)
                .await?;
                for prison in k.prisons {
                    sqlx::query("INSERT INTO kiosk_prisons (kiosk_id, prison_code) VALUES ($1, $2)")
                        .bind(k.id)
                        .bind(prison.as_str())
                        .execute(&mut *self.tx)
                        .await?;
                }
                Ok(u16::try_from(issuer).ok())
            }

            async fn enrolment_code_usable(
                &mut self,
                code_hash: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> StoreResult<bool> {
                let found: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM kiosks
                     WHERE enrolment_code_hash = $1 AND enrolment_expires_at > $2 AND revoked_at IS NULL",
                )
                .bind(code_hash)
                .bind(now)
                .fetch_one(&mut *self.tx)
                .await?;
                Ok(found > 0)
            }

            async fn redeem_enrolment(
                &mut self,
                code_hash: &str,
                token_hash: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> StoreResult<Option<String>> {
                Ok(sqlx::query_scalar(
                    "UPDATE kiosks SET token_hash = $2, enrolled_at = $3, enrolment_code_hash = NULL
                     WHERE enrolment_code_hash = $1 AND enrolment_expires_at > $3 AND revoked_at IS NULL
                     RETURNING id",
                )
                .bind(code_hash)
                .bind(token_hash)
                .bind(now)
                .fetch_optional(&mut *self.tx)
                .await?)
            }

            async fn kiosk(&mut self, id: &str) -> StoreResult<Option<Kiosk>> {
                let row = sqlx::query(
                    "SELECT id, issuer_number, label, enrolled_at, revoked_at, last_seq FROM kiosks WHERE id = $1",
                )
                .bind(id)
                .fetch_optional(&mut *self.tx)
                .await?;
                self.kiosk_from_row(row).await
            }

            async fn kiosks(&mut self) -> StoreResult<Vec<Kiosk>> {
                let rows = sqlx::query(
                    "SELECT id, issuer_number, label, enrolled_at, revoked_at, last_seq FROM kiosks
                     ORDER BY issuer_number",
                )
                .fetch_all(&mut *self.tx)
                .await?;
                let mut kiosks = Vec::with_capacity(rows.len());
                for row in rows {
                    if let Some(k) = self.kiosk_from_row(Some(row)).await? {
                        kiosks.push(k);
                    }
                }
                Ok(kiosks)
            }

            async fn revoke_kiosk(&mut self, id: &str, now: chrono::DateTime<chrono::Utc>) -> StoreResult<bool> {
                let done = sqlx::query(
                    "UPDATE kiosks SET revoked_at = $2, enrolment_code_hash = NULL WHERE id = $1 AND revoked_at IS NULL",
                )
                .bind(id)
                .bind(now)
                .execute(&mut *self.tx)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn lock_kiosk_seq(&mut self, id: &str) -> StoreResult<crate::store::KioskSeq> {
                type Row = (
                    i64,
                    Option<chrono::DateTime<chrono::Utc>>,
                    Option<chrono::DateTime<chrono::Utc>>,
                    Option<chrono::DateTime<chrono::Utc>>,
                );
                let row: Option<Row> = sqlx::query_as(concat!(
                    "SELECT last_seq, last_event_at, enrolled_at, revoked_at FROM kiosks WHERE id = $1",
                    $lock
                ))
                .bind(id)
                .fetch_optional(&mut *self.tx)
                .await?;
                let (last_seq, last_event_at, enrolled_at, revoked_at) =
                    row.ok_or_else(|| crate::store::corrupt("kiosk", id))?;
                Ok(crate::store::KioskSeq {
                    last_seq,
                    last_event_at,
                    enrolled_at,
                    revoked_at,
                })
            }

            async fn set_kiosk_seq(
                &mut self,
                id: &str,
                seq: i64,
                event_at: chrono::DateTime<chrono::Utc>,
            ) -> StoreResult<()> {
                sqlx::query("UPDATE kiosks SET last_seq = $2, last_event_at = $3 WHERE id = $1")
                    .bind(id)
                    .bind(seq)
                    .bind(event_at)
                    .execute(&mut *self.tx)
                    .await?;
                Ok(())
            }

            async fn reference_key(&mut self) -> StoreResult<Option<String>> {
                Ok(sqlx::query_scalar("SELECT key_hex FROM reference_key WHERE singleton = 1")
                    .fetch_optional(&mut *self.tx)
                    .await?)
            }

            async fn offer_reference_key(
                &mut self,
                key_hex: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO reference_key (singleton, key_hex, created_at) VALUES (1, $1, $2)
                     ON CONFLICT (singleton) DO NOTHING",
                )
                .bind(key_hex)
                .bind(now.to_rfc3339())
                .execute(&mut *self.tx)
                .await?;
                Ok(())
            }

            async fn any_booking(&mut self) -> StoreResult<bool> {
                Ok(sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM bookings)")
                    .fetch_one(&mut *self.tx)
                    .await?)
            }
        }
    };
}

pub(crate) use kiosk_sql;
