//! The SQL both databases share. SQLite accepts PostgreSQL's `$1` placeholders, and the two
//! schemas use types that sqlx maps to the same Rust types (BIGINT/INTEGER to i64, DATE/TEXT to
//! NaiveDate, ...), so each statement is written once. The macro is expanded for each backend's
//! transaction type, where every query is checked against that backend's concrete types; the
//! few statements that differ come in as literals:
//!
//! - `lock`: the row-locking suffix (` FOR UPDATE` on PostgreSQL; nothing on SQLite, where the
//!   whole write transaction already holds the database's write lock),
//! - `newer`: how a row's change mark compares with a pull cursor (see the migrations),
//! - `mark`, `horizon`, `next_reference`: the change mark of this transaction, the next pull
//!   cursor, and central's next reference sequence number.

macro_rules! store_tx_impl {
    (
        $tx:ident,
        row = $row:ty,
        lock = $lock:literal,
        newer = $newer:literal,
        mark = $mark:literal,
        horizon = $horizon:literal,
        next_reference = $next_reference:literal $(,)?
    ) => {
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

            async fn kiosk_prisons(&mut self, id: &str) -> StoreResult<Vec<String>> {
                Ok(sqlx::query_scalar("SELECT prison_code FROM kiosk_prisons WHERE kiosk_id = $1 ORDER BY prison_code")
                    .bind(id)
                    .fetch_all(&mut *self.tx)
                    .await?)
            }

            async fn kiosk_from_row(&mut self, row: Option<$row>) -> StoreResult<Option<Kiosk>> {
                let Some(row) = row else { return Ok(None) };
                let id: String = row.try_get("id")?;
                let prisons = self.kiosk_prisons(&id).await?;
                Ok(Some(Kiosk {
                    issuer_number: small(&row, "issuer_number")?,
                    label: row.try_get("label")?,
                    enrolled_at: row.try_get("enrolled_at")?,
                    revoked_at: row.try_get("revoked_at")?,
                    last_seq: row.try_get("last_seq")?,
                    prisons,
                    id,
                }))
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
                .map(visitor_from_row)
                .collect()
            }
        }

        fn small<T: TryFrom<i64>>(row: &$row, column: &str) -> StoreResult<T> {
            let value: i64 = row.try_get(column)?;
            T::try_from(value).map_err(|_| crate::store::corrupt(column, value))
        }

        fn name(row: &$row, column: &str) -> StoreResult<domain::PersonName> {
            let raw: String = row.try_get(column)?;
            domain::PersonName::parse(&raw).map_err(|_| crate::store::corrupt(column, raw))
        }

        fn kind(row: &$row) -> StoreResult<domain::VisitKind> {
            let raw: String = row.try_get("visit_kind")?;
            domain::VisitKind::parse(&raw).ok_or_else(|| crate::store::corrupt("visit kind", raw))
        }

        fn visitor_from_row(row: &$row) -> StoreResult<BookedVisitor> {
            Ok(BookedVisitor {
                first_name: row.try_get("first_name")?,
                last_name: row.try_get("last_name")?,
                date_of_birth: row.try_get("date_of_birth")?,
                contact_id: row.try_get("contact_id")?,
            })
        }

        fn contact_from_row(row: &$row) -> StoreResult<domain::Contact> {
            Ok(domain::Contact {
                id: row.try_get("id")?,
                first_name: name(row, "first_name")?,
                last_name: name(row, "last_name")?,
                date_of_birth: row.try_get("date_of_birth")?,
                banned_until: row.try_get("banned_until")?,
            })
        }

        fn restriction_from_row(row: &$row) -> StoreResult<domain::ClosedVisitRestriction> {
            Ok(domain::ClosedVisitRestriction { from: row.try_get("from_date")?, until: row.try_get("until_date")? })
        }

        fn lease_from_row(row: &$row) -> StoreResult<LeaseRow> {
            Ok(LeaseRow {
                kiosk_id: row.try_get("kiosk_id")?,
                key: TableKey {
                    template_id: row.try_get("template_id")?,
                    date: row.try_get("session_date")?,
                    kind: kind(row)?,
                },
                prison: row.try_get("prison_code")?,
                tables: small(row, "tables")?,
                expires_at: row.try_get("expires_at")?,
            })
        }

        fn booking_from_row(row: &$row, visitors: Vec<BookedVisitor>) -> StoreResult<BookingRecord> {
            let template: String = row.try_get("template_id")?;
            let date: chrono::NaiveDate = row.try_get("session_date")?;
            let channel: String = row.try_get("channel")?;
            let status: String = row.try_get("status")?;
            Ok(BookingRecord {
                reference: row.try_get("reference")?,
                status: protocol::BookingStatus::parse(&status)
                    .ok_or_else(|| crate::store::corrupt("booking status", &status))?,
                status_reason: row.try_get("status_reason")?,
                prison: row.try_get("prison_code")?,
                prisoner_number: row.try_get("prisoner_number")?,
                session: domain::SessionId::new(template, date).to_string(),
                date,
                kind: kind(row)?,
                spent_visiting_order: row.try_get("spent_visiting_order")?,
                channel: Channel::parse(&channel).ok_or_else(|| crate::store::corrupt("channel", &channel))?,
                kiosk_id: row.try_get("kiosk_id")?,
                used_share: row.try_get("used_share")?,
                review_reason: row.try_get("review_reason")?,
                visitors,
                booked_at: row.try_get("booked_at")?,
                received_at: row.try_get("received_at")?,
            })
        }

        fn template_from_row(row: &$row) -> StoreResult<domain::SessionTemplate> {
            let weekday: String = row.try_get("weekday")?;
            let frequency: String = row.try_get("frequency")?;
            Ok(domain::SessionTemplate {
                id: row.try_get("id")?,
                weekday: domain::timetable::parse_weekday(&weekday)
                    .ok_or_else(|| crate::store::corrupt("weekday", &weekday))?,
                start: row.try_get("start_time")?,
                end: row.try_get("end_time")?,
                room: row.try_get("room")?,
                open_capacity: small(row, "open_capacity")?,
                closed_capacity: small(row, "closed_capacity")?,
                valid_from: row.try_get("valid_from")?,
                valid_to: row.try_get("valid_to")?,
                frequency: domain::Frequency::parse(&frequency)
                    .ok_or_else(|| crate::store::corrupt("frequency", &frequency))?,
            })
        }

        fn lines(row: &$row, column: &str) -> StoreResult<Vec<String>> {
            let raw: String = row.try_get(column)?;
            serde_json::from_str(&raw).map_err(|_| crate::store::corrupt(column, raw))
        }

        fn prisoner_file_from_row(
            row: &$row,
            contacts: Vec<domain::Contact>,
            closed_visit_restrictions: Vec<domain::ClosedVisitRestriction>,
        ) -> StoreResult<domain::dataset::PrisonerFile> {
            let number: String = row.try_get("number")?;
            let custody: String = row.try_get("custody")?;
            Ok(domain::dataset::PrisonerFile {
                number: domain::PrisonerNumber::parse(&number)
                    .map_err(|_| crate::store::corrupt("prisoner number", &number))?,
                prison: row.try_get("prison_code")?,
                first_name: name(row, "first_name")?,
                last_name: name(row, "last_name")?,
                date_of_birth: row.try_get("date_of_birth")?,
                custody: domain::Custody::parse(&custody).ok_or_else(|| crate::store::corrupt("custody", &custody))?,
                visiting_orders: small(row, "visiting_orders")?,
                closed_visit_restrictions,
                contacts,
            })
        }

        #[async_trait::async_trait]
        impl StoreTx for $tx {
            async fn commit(self: Box<Self>) -> StoreResult<()> {
                self.tx.commit().await?;
                Ok(())
            }

            async fn put_prison(&mut self, p: &domain::dataset::PrisonFile, hash: &str) -> StoreResult<bool> {
                let stored: Option<String> = sqlx::query_scalar("SELECT source_hash FROM prisons WHERE code = $1")
                    .bind(&p.code)
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
                .bind(&p.code)
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
                    .bind(&t.id)
                    .bind(&p.code)
                    .bind(domain::timetable::weekday_str(t.weekday))
                    .bind(t.start)
                    .bind(t.end)
                    .bind(&t.room)
                    .bind(i64::from(t.open_capacity))
                    .bind(i64::from(t.closed_capacity))
                    .bind(t.valid_from)
                    .bind(t.valid_to)
                    .bind(t.frequency.as_str())
                    .execute(&mut *self.tx)
                    .await?;
                }
                sqlx::query("DELETE FROM closures WHERE prison_code = $1").bind(&p.code).execute(&mut *self.tx).await?;
                for c in &p.closures {
                    sqlx::query("INSERT INTO closures (prison_code, date, template_id, reason) VALUES ($1, $2, $3, $4)")
                        .bind(&p.code)
                        .bind(c.date)
                        .bind(&c.template_id)
                        .bind(&c.reason)
                        .execute(&mut *self.tx)
                        .await?;
                }
                Ok(true)
            }

            async fn put_prisoner(&mut self, p: &domain::dataset::PrisonerFile, hash: &str) -> StoreResult<bool> {
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
                    if prison != p.prison {
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
                .bind(&p.prison)
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

            async fn prison(&mut self, code: &str) -> StoreResult<Option<domain::dataset::PrisonFile>> {
                let Some(row) = sqlx::query(
                    "SELECT code, name, name_cy, address, address_cy, timezone, min_notice_days, max_notice_days,
                        max_visitors, max_adults, max_children, adult_age, has_contact_list, remand_weekly_limit,
                        arrive_minutes_before FROM prisons WHERE code = $1",
                )
                .bind(code)
                .fetch_optional(&mut *self.tx)
                .await?
                else {
                    return Ok(None);
                };
                let templates = sqlx::query(
                    "SELECT id, weekday, start_time, end_time, room, open_capacity, closed_capacity, valid_from,
                        valid_to, frequency FROM session_templates WHERE prison_code = $1 ORDER BY id",
                )
                .bind(code)
                .fetch_all(&mut *self.tx)
                .await?
                .iter()
                .map(template_from_row)
                .collect::<StoreResult<Vec<_>>>()?;
                let closures = sqlx::query(
                    "SELECT date, template_id, reason FROM closures WHERE prison_code = $1 ORDER BY date, id",
                )
                .bind(code)
                .fetch_all(&mut *self.tx)
                .await?
                .iter()
                .map(|r| {
                    Ok(domain::Closure {
                        date: r.try_get("date")?,
                        template_id: r.try_get("template_id")?,
                        reason: r.try_get("reason")?,
                    })
                })
                .collect::<StoreResult<Vec<_>>>()?;
                let tz: String = row.try_get("timezone")?;
                Ok(Some(domain::dataset::PrisonFile {
                    code: row.try_get("code")?,
                    name: row.try_get("name")?,
                    name_cy: row.try_get("name_cy")?,
                    address: lines(&row, "address")?,
                    address_cy: lines(&row, "address_cy")?,
                    timezone: tz.parse().map_err(|_| crate::store::corrupt("time zone", &tz))?,
                    min_notice_days: small(&row, "min_notice_days")?,
                    max_notice_days: small(&row, "max_notice_days")?,
                    max_visitors: small(&row, "max_visitors")?,
                    max_adults: small(&row, "max_adults")?,
                    max_children: small(&row, "max_children")?,
                    adult_age: small(&row, "adult_age")?,
                    has_contact_list: row.try_get("has_contact_list")?,
                    remand_weekly_limit: small(&row, "remand_weekly_limit")?,
                    arrive_minutes_before: small(&row, "arrive_minutes_before")?,
                    templates,
                    closures,
                }))
            }

            async fn prison_codes(&mut self) -> StoreResult<Vec<String>> {
                Ok(sqlx::query_scalar("SELECT code FROM prisons ORDER BY code").fetch_all(&mut *self.tx).await?)
            }

            async fn prisoner(
                &mut self,
                number: &domain::PrisonerNumber,
                lock: bool,
            ) -> StoreResult<Option<(String, domain::PrisonerRecord)>> {
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
                let Some(row) = sqlx::query(sql).bind(number.as_str()).fetch_optional(&mut *self.tx).await? else {
                    return Ok(None);
                };
                let restrictions = sqlx::query(
                    "SELECT from_date, until_date FROM closed_visit_restrictions WHERE prisoner_number = $1 ORDER BY id",
                )
                .bind(number.as_str())
                .fetch_all(&mut *self.tx)
                .await?
                .iter()
                .map(restriction_from_row)
                .collect::<StoreResult<Vec<_>>>()?;
                let contacts = sqlx::query(
                    "SELECT id, first_name, last_name, date_of_birth, banned_until FROM contacts
                     WHERE prisoner_number = $1 ORDER BY id",
                )
                .bind(number.as_str())
                .fetch_all(&mut *self.tx)
                .await?
                .iter()
                .map(contact_from_row)
                .collect::<StoreResult<Vec<_>>>()?;
                let file = prisoner_file_from_row(&row, contacts, restrictions)?;
                Ok(Some((
                    file.prison,
                    domain::PrisonerRecord {
                        number: file.number,
                        first_name: file.first_name,
                        last_name: file.last_name,
                        date_of_birth: file.date_of_birth,
                        custody: file.custody,
                        visiting_orders: file.visiting_orders,
                        closed_visit_restrictions: file.closed_visit_restrictions,
                        contacts: file.contacts,
                    },
                )))
            }

            async fn live_visits(&mut self, number: &domain::PrisonerNumber) -> StoreResult<Vec<domain::ExistingVisit>> {
                sqlx::query(
                    "SELECT template_id, session_date FROM bookings
                     WHERE prisoner_number = $1 AND status IN ('booked', 'requested')",
                )
                .bind(number.as_str())
                .fetch_all(&mut *self.tx)
                .await?
                .iter()
                .map(|r| {
                    let template: String = r.try_get("template_id")?;
                    Ok(domain::ExistingVisit { session: domain::SessionId::new(template, r.try_get("session_date")?) })
                })
                .collect()
            }

            async fn adjust_visiting_orders(&mut self, number: &domain::PrisonerNumber, delta: i64) -> StoreResult<()> {
                let mark = self.mark().await?;
                sqlx::query("UPDATE prisoners SET visiting_orders = visiting_orders + $2, version = $3 WHERE number = $1")
                    .bind(number.as_str())
                    .bind(delta)
                    .bind(mark)
                    .execute(&mut *self.tx)
                    .await?;
                Ok(())
            }

            async fn lock_tables(&mut self, key: &TableKey, prison: &str) -> StoreResult<TableCounts> {
                let mark = self.mark().await?;
                sqlx::query(
                    "INSERT INTO session_tables (template_id, session_date, visit_kind, prison_code, booked, escrowed,
                        version) VALUES ($1, $2, $3, $4, 0, 0, $5)
                     ON CONFLICT (template_id, session_date, visit_kind) DO NOTHING",
                )
                .bind(&key.template_id)
                .bind(key.date)
                .bind(key.kind.as_str())
                .bind(prison)
                .bind(mark)
                .execute(&mut *self.tx)
                .await?;
                let row = sqlx::query(concat!(
                    "SELECT booked, escrowed FROM session_tables
                     WHERE template_id = $1 AND session_date = $2 AND visit_kind = $3",
                    $lock
                ))
                .bind(&key.template_id)
                .bind(key.date)
                .bind(key.kind.as_str())
                .fetch_one(&mut *self.tx)
                .await?;
                Ok(TableCounts { booked: small(&row, "booked")?, escrowed: small(&row, "escrowed")? })
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
                            AND booked + $4 + escrowed + $5 <= $7",
                    )
                    .bind(&key.template_id)
                    .bind(key.date)
                    .bind(key.kind.as_str())
                    .bind(booked)
                    .bind(escrowed)
                    .bind(mark)
                    .bind(i64::from(capacity)),
                    None => sqlx::query(
                        "UPDATE session_tables SET booked = booked + $4, escrowed = escrowed + $5, version = $6
                         WHERE template_id = $1 AND session_date = $2 AND visit_kind = $3",
                    )
                    .bind(&key.template_id)
                    .bind(key.date)
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
                .bind(&key.template_id)
                .bind(key.date)
                .bind(key.kind.as_str())
                .fetch_optional(&mut *self.tx)
                .await?
                .as_ref()
                .map(lease_from_row)
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
                .bind(&lease.key.template_id)
                .bind(lease.key.date)
                .bind(lease.key.kind.as_str())
                .bind(&lease.prison)
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
                .map(lease_from_row)
                .collect()
            }

            async fn next_central_sequence(&mut self) -> StoreResult<i64> {
                Ok(sqlx::query_scalar($next_reference).fetch_one(&mut *self.tx).await?)
            }

            async fn insert_booking(&mut self, b: &NewBooking<'_>) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO bookings (reference, prison_code, prisoner_number, template_id, session_date,
                        visit_kind, status, status_reason, spent_visiting_order, channel, kiosk_id, used_share,
                        booked_at, received_at, updated_at, review_reason)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $15)",
                )
                .bind(b.reference)
                .bind(b.prison)
                .bind(b.prisoner_number)
                .bind(&b.key.template_id)
                .bind(b.key.date)
                .bind(b.key.kind.as_str())
                .bind(b.status.as_str())
                .bind(b.status_reason)
                .bind(b.spent_visiting_order)
                .bind(b.channel.as_str())
                .bind(b.kiosk_id)
                .bind(b.used_share)
                .bind(b.booked_at)
                .bind(b.received_at)
                .bind(b.review_reason)
                .execute(&mut *self.tx)
                .await?;
                for (position, v) in b.visitors.iter().enumerate() {
                    sqlx::query(
                        "INSERT INTO booking_visitors (booking_reference, position, first_name, last_name,
                            date_of_birth, contact_id) VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(b.reference)
                    .bind(position as i64)
                    .bind(&v.first_name)
                    .bind(&v.last_name)
                    .bind(v.date_of_birth)
                    .bind(&v.contact_id)
                    .execute(&mut *self.tx)
                    .await?;
                }
                Ok(())
            }

            async fn booking(&mut self, reference: &str) -> StoreResult<Option<BookingRecord>> {
                let Some(row) = sqlx::query(
                    "SELECT reference, status, status_reason, prison_code, prisoner_number, template_id,
                        session_date, visit_kind, spent_visiting_order, channel, kiosk_id, used_share, booked_at,
                        received_at, review_reason FROM bookings WHERE reference = $1",
                )
                .bind(reference)
                .fetch_optional(&mut *self.tx)
                .await?
                else {
                    return Ok(None);
                };
                let visitors = self.visitors_of(reference).await?;
                Ok(Some(booking_from_row(&row, visitors)?))
            }

            async fn set_booking_status(
                &mut self,
                reference: &str,
                status: protocol::BookingStatus,
                reason: Option<&str>,
                now: chrono::DateTime<chrono::Utc>,
            ) -> StoreResult<()> {
                sqlx::query("UPDATE bookings SET status = $2, status_reason = $3, updated_at = $4 WHERE reference = $1")
                    .bind(reference)
                    .bind(status.as_str())
                    .bind(reason)
                    .bind(now)
                    .execute(&mut *self.tx)
                    .await?;
                Ok(())
            }

            async fn bookings_on(&mut self, prison: &str, date: chrono::NaiveDate) -> StoreResult<Vec<BookingListing>> {
                let rows = sqlx::query(
                    "SELECT b.reference, b.status, b.status_reason, b.prison_code, b.prisoner_number, b.template_id,
                        b.session_date, b.visit_kind, b.spent_visiting_order, b.channel, b.kiosk_id, b.used_share,
                        b.booked_at, b.received_at, b.review_reason, t.start_time, t.end_time, t.room,
                        p.first_name AS prisoner_first_name, p.last_name AS prisoner_last_name
                     FROM bookings b
                     LEFT JOIN session_templates t ON t.id = b.template_id
                     LEFT JOIN prisoners p ON p.number = b.prisoner_number
                     WHERE b.prison_code = $1 AND b.session_date = $2
                     ORDER BY t.start_time, b.template_id, b.reference",
                )
                .bind(prison)
                .bind(date)
                .fetch_all(&mut *self.tx)
                .await?;
                let mut listings = Vec::with_capacity(rows.len());
                for row in &rows {
                    let reference: String = row.try_get("reference")?;
                    let visitors = self.visitors_of(&reference).await?;
                    let first: Option<String> = row.try_get("prisoner_first_name")?;
                    let last: Option<String> = row.try_get("prisoner_last_name")?;
                    listings.push(BookingListing {
                        booking: booking_from_row(row, visitors)?,
                        start: row.try_get("start_time")?,
                        end: row.try_get("end_time")?,
                        room: row.try_get("room")?,
                        prisoner_name: first.zip(last).map(|(f, l)| format!("{f} {l}")),
                    });
                }
                Ok(listings)
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
                        .bind(prison)
                        .execute(&mut *self.tx)
                        .await?;
                }
                Ok(u16::try_from(issuer).ok())
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

            async fn kiosk_by_token(&mut self, token_hash: &str) -> StoreResult<Option<Kiosk>> {
                let row = sqlx::query(
                    "SELECT id, issuer_number, label, enrolled_at, revoked_at, last_seq FROM kiosks
                     WHERE token_hash = $1",
                )
                .bind(token_hash)
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

            async fn lock_kiosk_seq(&mut self, id: &str) -> StoreResult<i64> {
                let seq: Option<i64> = sqlx::query_scalar(concat!("SELECT last_seq FROM kiosks WHERE id = $1", $lock))
                    .bind(id)
                    .fetch_optional(&mut *self.tx)
                    .await?;
                seq.ok_or_else(|| crate::store::corrupt("kiosk", id))
            }

            async fn set_kiosk_seq(&mut self, id: &str, seq: i64) -> StoreResult<()> {
                sqlx::query("UPDATE kiosks SET last_seq = $2 WHERE id = $1")
                    .bind(id)
                    .bind(seq)
                    .execute(&mut *self.tx)
                    .await?;
                Ok(())
            }

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
                let row = sqlx::query(
                    "SELECT fingerprint, status_code, body FROM idempotency
                     WHERE kiosk_id = $1 AND idempotency_key = $2",
                )
                .bind(kiosk_id)
                .bind(key)
                .fetch_one(&mut *self.tx)
                .await?;
                Ok(Some(StoredAnswer {
                    fingerprint: row.try_get("fingerprint")?,
                    status_code: small(&row, "status_code")?,
                    body: row.try_get("body")?,
                }))
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

            async fn pull_horizon(&mut self) -> StoreResult<i64> {
                Ok(sqlx::query_scalar($horizon).fetch_one(&mut *self.tx).await?)
            }

            async fn changed_prisons(&mut self, kiosk_id: &str, cursor: i64) -> StoreResult<Vec<String>> {
                Ok(sqlx::query_scalar(concat!(
                    "SELECT p.code FROM prisons p JOIN kiosk_prisons k ON k.prison_code = p.code
                     WHERE k.kiosk_id = $1 AND p.version ",
                    $newer,
                    " $2 ORDER BY p.code"
                ))
                .bind(kiosk_id)
                .bind(cursor)
                .fetch_all(&mut *self.tx)
                .await?)
            }

            async fn changed_prisoners(
                &mut self,
                kiosk_id: &str,
                cursor: i64,
            ) -> StoreResult<Vec<domain::dataset::PrisonerFile>> {
                let mut contacts: std::collections::HashMap<String, Vec<domain::Contact>> = Default::default();
                for row in sqlx::query(concat!(
                    "SELECT c.prisoner_number, c.id, c.first_name, c.last_name, c.date_of_birth, c.banned_until
                     FROM contacts c
                     JOIN prisoners p ON p.number = c.prisoner_number
                     JOIN kiosk_prisons k ON k.prison_code = p.prison_code
                     WHERE k.kiosk_id = $1 AND p.version ",
                    $newer,
                    " $2 ORDER BY c.prisoner_number, c.id"
                ))
                .bind(kiosk_id)
                .bind(cursor)
                .fetch_all(&mut *self.tx)
                .await?
                {
                    let number: String = row.try_get("prisoner_number")?;
                    contacts.entry(number).or_default().push(contact_from_row(&row)?);
                }
                let mut restrictions: std::collections::HashMap<String, Vec<domain::ClosedVisitRestriction>> =
                    Default::default();
                for row in sqlx::query(concat!(
                    "SELECT r.prisoner_number, r.from_date, r.until_date
                     FROM closed_visit_restrictions r
                     JOIN prisoners p ON p.number = r.prisoner_number
                     JOIN kiosk_prisons k ON k.prison_code = p.prison_code
                     WHERE k.kiosk_id = $1 AND p.version ",
                    $newer,
                    " $2 ORDER BY r.prisoner_number, r.id"
                ))
                .bind(kiosk_id)
                .bind(cursor)
                .fetch_all(&mut *self.tx)
                .await?
                {
                    let number: String = row.try_get("prisoner_number")?;
                    restrictions.entry(number).or_default().push(restriction_from_row(&row)?);
                }
                sqlx::query(concat!(
                    "SELECT p.number, p.prison_code, p.first_name, p.last_name, p.date_of_birth, p.custody,
                        p.visiting_orders
                     FROM prisoners p JOIN kiosk_prisons k ON k.prison_code = p.prison_code
                     WHERE k.kiosk_id = $1 AND p.version ",
                    $newer,
                    " $2 ORDER BY p.number"
                ))
                .bind(kiosk_id)
                .bind(cursor)
                .fetch_all(&mut *self.tx)
                .await?
                .iter()
                .map(|row| {
                    let number: String = row.try_get("number")?;
                    prisoner_file_from_row(
                        row,
                        contacts.remove(&number).unwrap_or_default(),
                        restrictions.remove(&number).unwrap_or_default(),
                    )
                })
                .collect()
            }

            async fn departures(&mut self, kiosk_id: &str, cursor: i64) -> StoreResult<Vec<Departure>> {
                sqlx::query(concat!(
                    "SELECT d.prisoner_number, d.prison_code FROM prisoner_departures d
                     JOIN kiosk_prisons k ON k.prison_code = d.prison_code
                     WHERE k.kiosk_id = $1 AND d.version ",
                    $newer,
                    " $2 AND NOT EXISTS (SELECT 1 FROM prisoners p
                        WHERE p.number = d.prisoner_number AND p.prison_code = d.prison_code)
                     ORDER BY d.id"
                ))
                .bind(kiosk_id)
                .bind(cursor)
                .fetch_all(&mut *self.tx)
                .await?
                .iter()
                .map(|r| Ok(Departure { number: r.try_get("prisoner_number")?, prison: r.try_get("prison_code")? }))
                .collect()
            }

            async fn changed_tables(
                &mut self,
                kiosk_id: &str,
                cursor: i64,
                from: chrono::NaiveDate,
            ) -> StoreResult<Vec<SessionTablesRow>> {
                sqlx::query(concat!(
                    "SELECT s.template_id, s.session_date, s.visit_kind, s.booked, s.escrowed
                     FROM session_tables s JOIN kiosk_prisons k ON k.prison_code = s.prison_code
                     WHERE k.kiosk_id = $1 AND s.session_date >= $3 AND s.version ",
                    $newer,
                    " $2 ORDER BY s.session_date, s.template_id, s.visit_kind"
                ))
                .bind(kiosk_id)
                .bind(cursor)
                .bind(from)
                .fetch_all(&mut *self.tx)
                .await?
                .iter()
                .map(|r| {
                    let template: String = r.try_get("template_id")?;
                    Ok(SessionTablesRow {
                        session: domain::SessionId::new(template, r.try_get("session_date")?).to_string(),
                        kind: kind(r)?,
                        booked: small(r, "booked")?,
                        escrowed: small(r, "escrowed")?,
                    })
                })
                .collect()
            }

            async fn changed_leases(&mut self, kiosk_id: &str, cursor: i64) -> StoreResult<Vec<LeaseRow>> {
                sqlx::query(concat!(
                    "SELECT kiosk_id, template_id, session_date, visit_kind, prison_code, tables, expires_at
                     FROM escrow_leases WHERE kiosk_id = $1 AND version ",
                    $newer,
                    " $2 ORDER BY session_date, template_id, visit_kind"
                ))
                .bind(kiosk_id)
                .bind(cursor)
                .fetch_all(&mut *self.tx)
                .await?
                .iter()
                .map(lease_from_row)
                .collect()
            }

            async fn over_capacity(&mut self) -> StoreResult<Vec<OverCapacity>> {
                let rows = sqlx::query(
                    "SELECT s.template_id, s.session_date, s.visit_kind, s.booked, s.escrowed,
                        CASE WHEN s.visit_kind = 'open' THEN t.open_capacity ELSE t.closed_capacity END AS capacity,
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
                    let capacity: u32 = small(r, "capacity")?;
                    let live: u32 = small(r, "live_bookings")?;
                    let leased: u32 = small(r, "leased")?;
                    let booked: u32 = small(r, "booked")?;
                    let escrowed: u32 = small(r, "escrowed")?;
                    if live + leased > capacity || booked + escrowed > capacity || live != booked || leased != escrowed {
                        let template: String = r.try_get("template_id")?;
                        problems.push(OverCapacity {
                            session: domain::SessionId::new(template, r.try_get("session_date")?).to_string(),
                            kind: kind(r)?,
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
                Ok(RowCounts {
                    bookings: row.try_get("bookings")?,
                    booking_visitors: row.try_get("booking_visitors")?,
                    kiosks: row.try_get("kiosks")?,
                    idempotency: row.try_get("idempotency")?,
                    pushed_events: row.try_get("pushed_events")?,
                    lease_tables: row.try_get("lease_tables")?,
                    booked_tables: row.try_get("booked_tables")?,
                    visiting_orders: row.try_get("visiting_orders")?,
                })
            }
        }
    };
}

pub(crate) use store_tx_impl;
