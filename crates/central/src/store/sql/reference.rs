//! Prisons, timetables, prisoners and contacts.

/// Implements [`crate::store::ReferenceTx`] for a backend's transaction type.
macro_rules! reference_sql {
    ($tx:ident, lock = $lock:literal, people = $people:literal, prisoner_in_people = $together:literal $(,)?) => {
        #[async_trait::async_trait]
        impl crate::store::ReferenceTx for $tx {
            async fn put_prison(&mut self, p: &domain::dataset::PrisonFile, hash: &str) -> StoreResult<bool> {
                self.prisons.clear();
                let stored: Option<String> = sqlx::query_scalar("SELECT source_hash FROM prisons WHERE code = $1")
                    .bind(p.code.as_str())
                    .fetch_optional(&mut *self.tx)
                    .await?;
                if stored.as_deref() == Some(hash) {
                    return Ok(false);
                }
                let mark = self.mark().await?;
                let address = serde_json::to_string(&p.address).map_err(|e| crate::store::corrupt("address", e))?;
                let address_cy =
                    serde_json::to_string(&p.address_cy).map_err(|e| crate::store::corrupt("address", e))?;
                sqlx::query(
                    "INSERT INTO prisons (code, name, name_cy, address, address_cy, timezone, min_notice_days,
                        max_notice_days, max_visitors, max_adults, max_children, adult_age, has_contact_list,
                        remand_weekly_limit, arrive_minutes_before, source_hash, version)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
                     ON CONFLICT (code) DO UPDATE SET name = excluded.name, name_cy = excluded.name_cy,
                        address = excluded.address, address_cy = excluded.address_cy,
                        timezone = excluded.timezone, min_notice_days = excluded.min_notice_days,
                        max_notice_days = excluded.max_notice_days, max_visitors = excluded.max_visitors,
                        max_adults = excluded.max_adults, max_children = excluded.max_children,
                        adult_age = excluded.adult_age, has_contact_list = excluded.has_contact_list,
                        remand_weekly_limit = excluded.remand_weekly_limit,
                        arrive_minutes_before = excluded.arrive_minutes_before,
                        source_hash = excluded.source_hash, version = excluded.version",
                )
                .bind(p.code.as_str())
                .bind(&p.name)
                .bind(&p.name_cy)
                .bind(address)
                .bind(address_cy)
                .bind(p.timezone.name())
                .bind(i64::from(p.min_notice_days))
                .bind(i64::from(p.max_notice_days))
                .bind(i64::from(p.max_visitors))
                .bind(i64::from(p.max_adults))
                .bind(i64::from(p.max_children))
                .bind(i64::from(p.adult_age))
                .bind(p.has_contact_list)
                .bind(i64::from(p.remand_weekly_limit))
                .bind(i64::from(p.arrive_minutes_before))
                .bind(hash)
                .bind(mark)
                .execute(&mut *self.tx)
                .await?;
                for t in &p.templates {
                    sqlx::query(
                        "INSERT INTO session_templates (id, prison_code, weekday, start_time, end_time, room,
                            open_capacity, closed_capacity, valid_from, valid_to, frequency)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                         ON CONFLICT (id) DO UPDATE SET prison_code = excluded.prison_code,
                            weekday = excluded.weekday, start_time = excluded.start_time,
                            end_time = excluded.end_time, room = excluded.room,
                            open_capacity = excluded.open_capacity, closed_capacity = excluded.closed_capacity,
                            valid_from = excluded.valid_from, valid_to = excluded.valid_to,
                            frequency = excluded.frequency",
                    )
                    .bind(t.id())
                    .bind(p.code.as_str())
                    .bind(domain::timetable::weekday_str(t.weekday()))
                    .bind(t.start())
                    .bind(t.end())
                    .bind(t.room())
                    .bind(i64::from(t.open_capacity()))
                    .bind(i64::from(t.closed_capacity()))
                    .bind(t.valid_from())
                    .bind(t.valid_to())
                    .bind(t.frequency().as_str())
                    .execute(&mut *self.tx)
                    .await?;
                }
                // Supervisors' closures (`closed_by`) are not the file's to replace.
                sqlx::query("DELETE FROM closures WHERE prison_code = $1 AND closed_by IS NULL")
                    .bind(p.code.as_str())
                    .execute(&mut *self.tx)
                    .await?;
                for c in &p.closures {
                    sqlx::query("INSERT INTO closures (prison_code, date, template_id, reason) VALUES ($1, $2, $3, $4)")
                        .bind(p.code.as_str())
                        .bind(c.date)
                        .bind(&c.template_id)
                        .bind(&c.reason)
                        .execute(&mut *self.tx)
                        .await?;
                }
                Ok(true)
            }

            async fn put_prisoner(&mut self, p: &domain::dataset::PrisonerFile, hash: &str) -> StoreResult<bool> {
                self.ahead.clear();
                let number = p.number.as_str();
                let stored = sqlx::query("SELECT prison_code, source_hash FROM prisoners WHERE number = $1")
                    .bind(number)
                    .fetch_optional(&mut *self.tx)
                    .await?;
                let mut moved_from = None;
                if let Some(row) = stored {
                    let stored_hash: String = row.try_get("source_hash")?;
                    if stored_hash == hash {
                        return Ok(false);
                    }
                    let prison: String = row.try_get("prison_code")?;
                    if p.prison != prison.as_str() {
                        moved_from = Some(prison);
                    }
                }
                let mark = self.mark().await?;
                if let Some(old) = moved_from {
                    sqlx::query(
                        "INSERT INTO prisoner_departures (prisoner_number, prison_code, version) VALUES ($1, $2, $3)",
                    )
                    .bind(number)
                    .bind(old)
                    .bind(mark)
                    .execute(&mut *self.tx)
                    .await?;
                }
                sqlx::query(
                    "INSERT INTO prisoners (number, prison_code, first_name, last_name, date_of_birth, custody,
                        visiting_orders, source_hash, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                     ON CONFLICT (number) DO UPDATE SET prison_code = excluded.prison_code,
                        first_name = excluded.first_name, last_name = excluded.last_name,
                        date_of_birth = excluded.date_of_birth, custody = excluded.custody,
                        visiting_orders = excluded.visiting_orders, source_hash = excluded.source_hash,
                        version = excluded.version",
                )
                .bind(number)
                .bind(p.prison.as_str())
                .bind(p.first_name.as_str())
                .bind(p.last_name.as_str())
                .bind(p.date_of_birth)
                .bind(p.custody.as_str())
                .bind(i64::from(p.visiting_orders))
                .bind(hash)
                .bind(mark)
                .execute(&mut *self.tx)
                .await?;
                sqlx::query("DELETE FROM closed_visit_restrictions WHERE prisoner_number = $1")
                    .bind(number)
                    .execute(&mut *self.tx)
                    .await?;
                for r in &p.closed_visit_restrictions {
                    sqlx::query(
                        "INSERT INTO closed_visit_restrictions (prisoner_number, from_date, until_date)
                         VALUES ($1, $2, $3)",
                    )
                    .bind(number)
                    .bind(r.from)
                    .bind(r.until)
                    .execute(&mut *self.tx)
                    .await?;
                }
                sqlx::query("DELETE FROM contacts WHERE prisoner_number = $1").bind(number).execute(&mut *self.tx).await?;
                for c in &p.contacts {
                    sqlx::query(
                        "INSERT INTO contacts (prisoner_number, id, first_name, last_name, date_of_birth, banned_until)
                         VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(number)
                    .bind(&c.id)
                    .bind(c.first_name.as_str())
                    .bind(c.last_name.as_str())
                    .bind(c.date_of_birth)
                    .bind(c.banned_until)
                    .execute(&mut *self.tx)
                    .await?;
                }
                Ok(true)
            }

            async fn prison(&mut self, code: &domain::PrisonCode) -> StoreResult<Option<crate::store::Prison>> {
                if let Some(prison) = self.prisons.get(code.as_str()) {
                    return Ok(Some(prison.clone()));
                }
                let version: Option<i64> = sqlx::query_scalar("SELECT version FROM prisons WHERE code = $1")
                    .bind(code.as_str())
                    .fetch_optional(&mut *self.tx)
                    .await?;
                let Some(version) = version else {
                    return Ok(None);
                };
                self.prison_at(code, version).await
            }

            async fn prison_codes(&mut self) -> StoreResult<Vec<domain::PrisonCode>> {
                let codes: Vec<String> =
                    sqlx::query_scalar("SELECT code FROM prisons ORDER BY code").fetch_all(&mut *self.tx).await?;
                codes.into_iter().map(crate::store::rows::prison_code).collect()
            }

            async fn add_closure(&mut self, c: &crate::store::NewClosure<'_>) -> StoreResult<()> {
                self.prisons.clear();
                let mark = self.mark().await?;
                sqlx::query(
                    "INSERT INTO closures (prison_code, date, template_id, reason, closed_by, kiosk_id, note, closed_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(c.prison.as_str())
                .bind(c.date)
                .bind(c.template_id)
                .bind(c.reason)
                .bind(c.by)
                .bind(c.kiosk_id)
                .bind(c.note)
                .bind(c.at)
                .execute(&mut *self.tx)
                .await?;
                // The closure travels to kiosks inside the prison's file.
                sqlx::query("UPDATE prisons SET version = $2 WHERE code = $1")
                    .bind(c.prison.as_str())
                    .bind(mark)
                    .execute(&mut *self.tx)
                    .await?;
                Ok(())
            }

            async fn prisoner(
                &mut self,
                number: &domain::PrisonerNumber,
                lock: bool,
            ) -> StoreResult<Option<(domain::PrisonCode, domain::PrisonerRecord)>> {
                Ok(self.read_prisoner(number, lock, None, Default::default()).await?.map(|s| (s.at, s.record)))
            }

            async fn booking_subject(
                &mut self,
                number: &domain::PrisonerNumber,
                prison: &domain::PrisonCode,
                also: crate::store::AlsoRead<'_>,
            ) -> StoreResult<Option<crate::store::BookingSubject>> {
                if let Some(subject) = self.ahead.take(number, prison, &also) {
                    return Ok(Some(subject));
                }
                self.read_prisoner(number, true, Some(prison), also).await
            }

            async fn prison_at(&mut self, code: &domain::PrisonCode, version: i64) -> StoreResult<Option<crate::store::Prison>> {
                if let Some(prison) = self.prisons.get(code.as_str()) {
                    return Ok(Some(prison.clone()));
                }
                if let Some(prison) = self.read_prisons.get(code.as_str(), version) {
                    self.prisons.insert(code.as_str().to_string(), prison.clone());
                    return Ok(Some(prison));
                }
                self.load_prison(code).await
            }

            async fn adjust_visiting_orders(&mut self, number: &domain::PrisonerNumber, delta: i64) -> StoreResult<()> {
                self.ahead.clear();
                let mark = self.mark().await?;
                sqlx::query("UPDATE prisoners SET visiting_orders = visiting_orders + $2, version = $3 WHERE number = $1")
                    .bind(number.as_str())
                    .bind(delta)
                    .bind(mark)
                    .execute(&mut *self.tx)
                    .await?;
                Ok(())
            }
        }

        impl $tx {
            /// Reads a prison's row, timetable and closures, and keeps it in the store's cache
            /// under the version its row has.
            async fn load_prison(&mut self, code: &domain::PrisonCode) -> StoreResult<Option<crate::store::Prison>> {
                let Some(row) = sqlx::query(
                    "SELECT code, name, name_cy, address, address_cy, timezone, min_notice_days, max_notice_days,
                        max_visitors, max_adults, max_children, adult_age, has_contact_list, remand_weekly_limit,
                        arrive_minutes_before, version FROM prisons WHERE code = $1",
                )
                .bind(code.as_str())
                .fetch_optional(&mut *self.tx)
                .await?
                else {
                    return Ok(None);
                };
                let templates = sqlx::query(
                    "SELECT id, weekday, start_time, end_time, room, open_capacity, closed_capacity, valid_from,
                        valid_to, frequency FROM session_templates WHERE prison_code = $1 ORDER BY id",
                )
                .bind(code.as_str())
                .fetch_all(&mut *self.tx)
                .await?
                .iter()
                .map(crate::store::rows::template_from_row)
                .collect::<StoreResult<Vec<_>>>()?;
                let closures = sqlx::query(
                    "SELECT date, template_id, reason FROM closures WHERE prison_code = $1 ORDER BY date, id",
                )
                .bind(code.as_str())
                .fetch_all(&mut *self.tx)
                .await?
                .iter()
                .map(crate::store::rows::closure_from_row)
                .collect::<StoreResult<Vec<_>>>()?;
                let prison = crate::store::rows::prison_from_row(&row, templates, closures)?;
                // Not a prison this transaction wrote itself (its row has this transaction's
                // mark): a rollback would leave that version unused, and on SQLite the next
                // writer would take the same number for other contents. Any other version is
                // committed, and names these contents for good.
                let version: i64 = row.try_get("version")?;
                if self.mark != Some(version) {
                    self.read_prisons.put(code.as_str(), version, &prison);
                }
                self.prisons.insert(code.as_str().to_string(), prison.clone());
                Ok(Some(prison))
            }


            /// The prisoner's row (locked first with `lock`), then in one statement their
            /// contacts and restrictions and, for a booking at `booking_at`, the visits that
            /// still count, that prison's version and what `also` asks for. Two statements on
            /// PostgreSQL: at READ COMMITTED a statement that waited for the lock reads the
            /// tables it joins as they were when it began, and would miss the visit the lock's
            /// holder just booked. One where every writer already holds the database's write
            /// lock (`prisoner_in_people`: the people statement reads the row too).
            async fn read_prisoner(
                &mut self,
                number: &domain::PrisonerNumber,
                lock: bool,
                booking_at: Option<&domain::PrisonCode>,
                also: crate::store::AlsoRead<'_>,
            ) -> StoreResult<Option<crate::store::BookingSubject>> {
                let sql = if lock {
                    concat!(
                        "SELECT number, prison_code, first_name, last_name, date_of_birth, custody, visiting_orders
                         FROM prisoners WHERE number = $1",
                        $lock
                    )
                } else {
                    "SELECT number, prison_code, first_name, last_name, date_of_birth, custody, visiting_orders
                     FROM prisoners WHERE number = $1"
                };
                let prisoner = match $together {
                    true => None,
                    false => match sqlx::query(sql).bind(number.as_str()).fetch_optional(&mut *self.tx).await? {
                        Some(row) => Some(row),
                        None => return Ok(None),
                    },
                };
                let Some(people) = sqlx::query($people)
                    .bind(number.as_str())
                    .bind(booking_at.is_some())
                    .bind(booking_at.map(|p| p.as_str()))
                    .bind(also.sequence)
                    .bind(also.session_tables.map(|s| s.template_id()))
                    .bind(also.session_tables.map(|s| s.date()))
                    .fetch_optional(&mut *self.tx)
                    .await?
                else {
                    return Ok(None);
                };
                let subject = crate::store::rows::booking_subject_from_rows(prisoner.as_ref().unwrap_or(&people), &people)?;
                if let Some(mark) = people.try_get::<Option<i64>, _>("mark")? {
                    self.mark.get_or_insert(mark);
                }
                Ok(Some(subject))
            }
        }
    };
}

pub(crate) use reference_sql;
