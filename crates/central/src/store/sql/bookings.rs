//! Bookings and central's reference sequence.

/// Binds a [`crate::store::NewBooking`]'s columns from `reference` to `received_at`, in the
/// order `bookings` lists them, to a query.
macro_rules! bind_booking {
    ($query:expr, $b:expr) => {
        $query
            .bind($b.reference)
            .bind($b.prison.as_str())
            .bind($b.prisoner_number)
            .bind($b.key.template_id())
            .bind($b.key.date())
            .bind($b.key.kind.as_str())
            .bind($b.status.as_str())
            .bind($b.status_reason)
            .bind($b.spent_visiting_order)
            .bind($b.channel.as_str())
            .bind($b.kiosk_id)
            .bind($b.used_share)
            .bind($b.booked_at)
            .bind($b.received_at)
    };
}

pub(crate) use bind_booking;

/// Binds a [`crate::store::NewBooking`]'s visitors, six columns each, in the order
/// `booking_visitors` lists them, to a query.
macro_rules! bind_visitors {
    ($query:expr, $b:expr) => {{
        let mut query = $query;
        for (position, v) in $b.visitors.iter().enumerate() {
            query = query
                .bind($b.reference)
                .bind(position as i64)
                .bind(&v.first_name)
                .bind(&v.last_name)
                .bind(v.date_of_birth)
                .bind(&v.contact_id);
        }
        query
    }};
}

pub(crate) use bind_visitors;

/// Implements [`crate::store::BookingTx`] for a backend's transaction type.
macro_rules! booking_sql {
    ($tx:ident, next_reference = $next_reference:literal $(,)?) => {
        #[async_trait::async_trait]
        impl crate::store::BookingTx for $tx {
            async fn next_central_sequence(&mut self) -> StoreResult<i64> {
                Ok(sqlx::query_scalar($next_reference).fetch_one(&mut *self.tx).await?)
            }

            async fn insert_booking(&mut self, b: &NewBooking<'_>) -> StoreResult<()> {
                let mark = self.mark().await?;
                crate::store::sql::bookings::bind_booking!(sqlx::query(
                    "INSERT INTO bookings (reference, prison_code, prisoner_number, template_id, session_date,
                        visit_kind, status, status_reason, spent_visiting_order, channel, kiosk_id, used_share,
                        booked_at, received_at, updated_at, review_reason, version, details)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $15, $16, $17)",
                ), b)
                .bind(b.review_reason)
                .bind(mark)
                .bind(crate::store::rows::details_json(b.details)?)
                .execute(&mut *self.tx)
                .await?;
                if b.visitors.is_empty() {
                    return Ok(());
                }
                // The whole party in one statement: a booking's round trips are its cost. A
                // party has at most the prison's maximum of visitors, so there are few shapes of
                // this statement to prepare.
                let rows: Vec<String> = (0..b.visitors.len())
                    .map(|i| {
                        let n = i * 6;
                        format!("(${}, ${}, ${}, ${}, ${}, ${})", n + 1, n + 2, n + 3, n + 4, n + 5, n + 6)
                    })
                    .collect();
                let sql = format!(
                    "INSERT INTO booking_visitors (booking_reference, position, first_name, last_name,
                        date_of_birth, contact_id) VALUES {}",
                    rows.join(", ")
                );
                crate::store::sql::bookings::bind_visitors!(sqlx::query(sqlx::AssertSqlSafe(sql)), b)
                    .execute(&mut *self.tx)
                    .await?;
                Ok(())
            }

            async fn taken_references(
                &mut self,
                references: &[String],
            ) -> StoreResult<std::collections::HashSet<String>> {
                let mut taken = std::collections::HashSet::new();
                for chunk in references.chunks(crate::store::sql::VALUES_A_STATEMENT) {
                    let places = crate::store::sql::placeholders(1, chunk.len());
                    let sql = format!("SELECT reference FROM bookings WHERE reference IN ({places})");
                    let mut query = sqlx::query_scalar(sqlx::AssertSqlSafe(sql));
                    for reference in chunk {
                        query = query.bind(reference);
                    }
                    taken.extend(query.fetch_all(&mut *self.tx).await?);
                }
                Ok(taken)
            }

            async fn booking(&mut self, reference: &str) -> StoreResult<Option<BookingRecord>> {
                let Some(row) = sqlx::query(
                    "SELECT reference, status, status_reason, prison_code, prisoner_number, template_id,
                        session_date, visit_kind, spent_visiting_order, channel, kiosk_id, used_share, booked_at,
                        received_at, review_reason, details FROM bookings WHERE reference = $1",
                )
                .bind(reference)
                .fetch_optional(&mut *self.tx)
                .await?
                else {
                    return Ok(None);
                };
                let visitors = self.visitors_of(reference).await?;
                Ok(Some(crate::store::rows::booking_from_row(&row, visitors)?))
            }

            async fn cancel_if_live(
                &mut self,
                reference: &str,
                reason: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> StoreResult<bool> {
                let mark = self.mark().await?;
                let cancelled = sqlx::query(
                    "UPDATE bookings SET status = 'cancelled', status_reason = $2, updated_at = $3, version = $4
                     WHERE reference = $1 AND status IN ('booked', 'requested')
                        AND (attendance IS NULL OR attendance <> 'arrived')",
                )
                .bind(reference)
                .bind(reason)
                .bind(now)
                .bind(mark)
                .execute(&mut *self.tx)
                .await?
                .rows_affected();
                Ok(cancelled == 1)
            }

            async fn bookings_on(&mut self, prison: &domain::PrisonCode, date: chrono::NaiveDate) -> StoreResult<Vec<BookingListing>> {
                let rows = sqlx::query(
                    "SELECT b.reference, b.status, b.status_reason, b.prison_code, b.prisoner_number, b.template_id,
                        b.session_date, b.visit_kind, b.spent_visiting_order, b.channel, b.kiosk_id, b.used_share,
                        b.booked_at, b.received_at, b.review_reason, b.details, t.start_time, t.end_time, t.room,
                        p.first_name AS prisoner_first_name, p.last_name AS prisoner_last_name
                     FROM bookings b
                     LEFT JOIN session_templates t ON t.id = b.template_id
                     LEFT JOIN prisoners p ON p.number = b.prisoner_number
                     WHERE b.prison_code = $1 AND b.session_date = $2
                     ORDER BY t.start_time, b.template_id, b.reference",
                )
                .bind(prison.as_str())
                .bind(date)
                .fetch_all(&mut *self.tx)
                .await?;
                let mut listings = Vec::with_capacity(rows.len());
                for row in &rows {
                    let reference: String = row.try_get("reference")?;
                    let visitors = self.visitors_of(&reference).await?;
                    listings.push(crate::store::rows::booking_listing_from_row(row, visitors)?);
                }
                Ok(listings)
            }

            async fn staff_marks(&mut self, reference: &str) -> StoreResult<Option<crate::store::StaffMarks>> {
                sqlx::query(
                    "SELECT cancelled_by, cancel_how, cancel_note, attendance, attendance_by, attendance_at,
                        review_outcome, reviewed_reason, reviewed_by, review_note, moved_to, updated_at
                     FROM bookings WHERE reference = $1",
                )
                .bind(reference)
                .fetch_optional(&mut *self.tx)
                .await?
                .as_ref()
                .map(crate::store::rows::staff_marks_from_row)
                .transpose()
            }

            async fn set_cancelled_by(
                &mut self,
                reference: &str,
                c: &crate::store::Cancellation<'_>,
            ) -> StoreResult<()> {
                let mark = self.mark().await?;
                sqlx::query(
                    "UPDATE bookings SET cancelled_by = $2, cancel_how = $3, cancel_note = $4, version = $5
                     WHERE reference = $1",
                )
                .bind(reference)
                .bind(c.by)
                .bind(c.how)
                .bind(c.note)
                .bind(mark)
                .execute(&mut *self.tx)
                .await?;
                Ok(())
            }

            async fn set_attendance(
                &mut self,
                reference: &str,
                attendance: protocol::Attendance,
                by: &str,
                at: chrono::DateTime<chrono::Utc>,
                now: chrono::DateTime<chrono::Utc>,
            ) -> StoreResult<bool> {
                let mark = self.mark().await?;
                let marked = sqlx::query(
                    "UPDATE bookings SET attendance = $2, attendance_by = $3, attendance_at = $4, updated_at = $5,
                        version = $6
                     WHERE reference = $1 AND status = 'booked'",
                )
                .bind(reference)
                .bind(attendance.as_str())
                .bind(by)
                .bind(at)
                .bind(now)
                .bind(mark)
                .execute(&mut *self.tx)
                .await?
                .rows_affected();
                Ok(marked == 1)
            }

            async fn resolve_review(
                &mut self,
                reference: &str,
                r: &crate::store::ReviewResolution<'_>,
                now: chrono::DateTime<chrono::Utc>,
            ) -> StoreResult<()> {
                let mark = self.mark().await?;
                sqlx::query(
                    "UPDATE bookings SET reviewed_reason = COALESCE(review_reason, reviewed_reason),
                        review_reason = NULL, review_outcome = $2, reviewed_by = $3, review_note = $4,
                        moved_to = $5, reviewed_at = $6, updated_at = $7, version = $8
                     WHERE reference = $1",
                )
                .bind(reference)
                .bind(r.outcome.as_str())
                .bind(r.by)
                .bind(r.note)
                .bind(r.moved_to)
                .bind(r.at)
                .bind(now)
                .bind(mark)
                .execute(&mut *self.tx)
                .await?;
                Ok(())
            }

            async fn put_in_review(
                &mut self,
                prison: &domain::PrisonCode,
                date: chrono::NaiveDate,
                template_id: Option<&str>,
                reason: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> StoreResult<Vec<String>> {
                let mark = self.mark().await?;
                // COALESCE rather than `$3 IS NULL`: PostgreSQL must know the parameter's type.
                let mut references: Vec<String> = sqlx::query_scalar(
                    "UPDATE bookings SET review_reason = $4, review_outcome = NULL, updated_at = $5, version = $6
                     WHERE prison_code = $1 AND session_date = $2 AND template_id = COALESCE($3, template_id)
                        AND status IN ('booked', 'requested')
                     RETURNING reference",
                )
                .bind(prison.as_str())
                .bind(date)
                .bind(template_id)
                .bind(reason)
                .bind(now)
                .bind(mark)
                .fetch_all(&mut *self.tx)
                .await?;
                references.sort_unstable();
                Ok(references)
            }
        }
    };
}

pub(crate) use booking_sql;
