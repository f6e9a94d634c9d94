//! Staff accounts: read, added, changed, and pulled by the kiosks of their prison.

/// Implements [`crate::store::StaffTx`] for a backend's transaction type.
macro_rules! staff_sql {
    ($tx:ident, lock = $lock:literal, newer = $newer:literal $(,)?) => {
        #[async_trait::async_trait]
        impl crate::store::StaffTx for $tx {
            async fn staff_account(
                &mut self,
                prison: &str,
                number: &domain::StaffNumber,
                lock: bool,
            ) -> StoreResult<Option<protocol::StaffAccount>> {
                let query = if lock {
                    concat!(
                        "SELECT prison_code, staff_number, name, role, pin_hash, must_change_pin, disabled,
                            organisation, expires_on, unlocked_at
                         FROM staff_accounts WHERE prison_code = $1 AND staff_number = $2",
                        $lock
                    )
                } else {
                    "SELECT prison_code, staff_number, name, role, pin_hash, must_change_pin, disabled,
                        organisation, expires_on, unlocked_at
                     FROM staff_accounts WHERE prison_code = $1 AND staff_number = $2"
                };
                sqlx::query(query)
                    .bind(prison)
                    .bind(number.as_str())
                    .fetch_optional(&mut *self.tx)
                    .await?
                    .as_ref()
                    .map(crate::store::rows::staff_account_from_row)
                    .transpose()
            }

            async fn staff_accounts(&mut self, prison: &str) -> StoreResult<Vec<protocol::StaffAccount>> {
                sqlx::query(
                    "SELECT prison_code, staff_number, name, role, pin_hash, must_change_pin, disabled,
                        organisation, expires_on, unlocked_at
                     FROM staff_accounts WHERE prison_code = $1 ORDER BY staff_number",
                )
                .bind(prison)
                .fetch_all(&mut *self.tx)
                .await?
                .iter()
                .map(crate::store::rows::staff_account_from_row)
                .collect()
            }

            async fn insert_staff_account(
                &mut self,
                a: &protocol::StaffAccount,
                now: chrono::DateTime<chrono::Utc>,
            ) -> StoreResult<bool> {
                let mark = self.mark().await?;
                let done = sqlx::query(
                    "INSERT INTO staff_accounts (prison_code, staff_number, name, role, pin_hash, must_change_pin,
                        disabled, organisation, expires_on, unlocked_at, created_at, updated_at, version)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12)
                     ON CONFLICT (prison_code, staff_number) DO NOTHING",
                )
                .bind(&a.prison)
                .bind(a.staff_number.as_str())
                .bind(a.name.as_str())
                .bind(a.role.as_str())
                .bind(a.pin_hash.as_str())
                .bind(a.must_change_pin)
                .bind(a.disabled)
                .bind(a.organisation.as_ref().map(|o| o.as_str()))
                .bind(a.expires_on)
                .bind(a.unlocked_at)
                .bind(now)
                .bind(mark)
                .execute(&mut *self.tx)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn update_staff_account(
                &mut self,
                a: &protocol::StaffAccount,
                now: chrono::DateTime<chrono::Utc>,
            ) -> StoreResult<bool> {
                let mark = self.mark().await?;
                let done = sqlx::query(
                    "UPDATE staff_accounts SET name = $3, role = $4, pin_hash = $5, must_change_pin = $6,
                        disabled = $7, organisation = $8, expires_on = $9, unlocked_at = $10, updated_at = $11,
                        version = $12
                     WHERE prison_code = $1 AND staff_number = $2",
                )
                .bind(&a.prison)
                .bind(a.staff_number.as_str())
                .bind(a.name.as_str())
                .bind(a.role.as_str())
                .bind(a.pin_hash.as_str())
                .bind(a.must_change_pin)
                .bind(a.disabled)
                .bind(a.organisation.as_ref().map(|o| o.as_str()))
                .bind(a.expires_on)
                .bind(a.unlocked_at)
                .bind(now)
                .bind(mark)
                .execute(&mut *self.tx)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn changed_staff_accounts(
                &mut self,
                kiosk_id: &str,
                cursor: i64,
            ) -> StoreResult<Vec<protocol::StaffAccount>> {
                sqlx::query(concat!(
                    "SELECT s.prison_code, s.staff_number, s.name, s.role, s.pin_hash, s.must_change_pin,
                        s.disabled, s.organisation, s.expires_on, s.unlocked_at
                     FROM staff_accounts s JOIN kiosk_prisons k ON k.prison_code = s.prison_code
                     WHERE k.kiosk_id = $1 AND s.version ",
                    $newer,
                    " $2 ORDER BY s.prison_code, s.staff_number"
                ))
                .bind(kiosk_id)
                .bind(cursor)
                .fetch_all(&mut *self.tx)
                .await?
                .iter()
                .map(crate::store::rows::staff_account_from_row)
                .collect()
            }
        }
    };
}

pub(crate) use staff_sql;
