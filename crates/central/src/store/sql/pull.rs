//! The incremental pull: change marks compared with a kiosk's cursor.

/// Implements [`crate::store::PullTx`] for a backend's transaction type.
macro_rules! pull_sql {
    ($tx:ident, newer = $newer:literal, horizon = $horizon:literal $(,)?) => {
        #[async_trait::async_trait]
        impl crate::store::PullTx for $tx {
            async fn pull_horizon(&mut self) -> StoreResult<i64> {
                Ok(sqlx::query_scalar($horizon).fetch_one(&mut *self.tx).await?)
            }

            async fn changed_prisons(&mut self, kiosk_id: &str, cursor: i64) -> StoreResult<Vec<domain::PrisonCode>> {
                let codes: Vec<String> = sqlx::query_scalar(concat!(
                    "SELECT p.code FROM prisons p JOIN kiosk_prisons k ON k.prison_code = p.code
                     WHERE k.kiosk_id = $1 AND p.version ",
                    $newer,
                    " $2 ORDER BY p.code"
                ))
                .bind(kiosk_id)
                .bind(cursor)
                .fetch_all(&mut *self.tx)
                .await?;
                codes.into_iter().map(crate::store::rows::prison_code).collect()
            }

            async fn changed_prisoners(
                &mut self,
                kiosk_id: &str,
                cursor: i64,
                after: &str,
                limit: i64,
            ) -> StoreResult<Vec<domain::dataset::PrisonerFile>> {
                let rows = sqlx::query(concat!(
                    "SELECT p.number, p.prison_code, p.first_name, p.last_name, p.date_of_birth, p.custody,
                        p.visiting_orders
                     FROM prisoners p JOIN kiosk_prisons k ON k.prison_code = p.prison_code
                     WHERE k.kiosk_id = $1 AND p.version ",
                    $newer,
                    " $2 AND p.number > $3 ORDER BY p.number LIMIT $4"
                ))
                .bind(kiosk_id)
                .bind(cursor)
                .bind(after)
                .bind(limit)
                .fetch_all(&mut *self.tx)
                .await?;
                let last: String = match rows.last() {
                    Some(row) => row.try_get("number")?,
                    None => return Ok(Vec::new()),
                };
                // The contacts and restrictions of this page's prisoners: those changed, in the
                // page's range of numbers.
                let mut contacts: std::collections::HashMap<String, Vec<domain::Contact>> = Default::default();
                for row in sqlx::query(concat!(
                    "SELECT c.prisoner_number, c.id, c.first_name, c.last_name, c.date_of_birth, c.banned_until
                     FROM contacts c
                     JOIN prisoners p ON p.number = c.prisoner_number
                     JOIN kiosk_prisons k ON k.prison_code = p.prison_code
                     WHERE k.kiosk_id = $1 AND p.version ",
                    $newer,
                    " $2 AND p.number > $3 AND p.number <= $4 ORDER BY c.prisoner_number, c.id"
                ))
                .bind(kiosk_id)
                .bind(cursor)
                .bind(after)
                .bind(&last)
                .fetch_all(&mut *self.tx)
                .await?
                {
                    let number: String = row.try_get("prisoner_number")?;
                    contacts.entry(number).or_default().push(crate::store::rows::contact_from_row(&row)?);
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
                    " $2 AND p.number > $3 AND p.number <= $4 ORDER BY r.prisoner_number, r.id"
                ))
                .bind(kiosk_id)
                .bind(cursor)
                .bind(after)
                .bind(&last)
                .fetch_all(&mut *self.tx)
                .await?
                {
                    let number: String = row.try_get("prisoner_number")?;
                    restrictions.entry(number).or_default().push(crate::store::rows::restriction_from_row(&row)?);
                }
                rows.iter()
                    .map(|row| {
                        let number: String = row.try_get("number")?;
                        crate::store::rows::prisoner_file_from_row(
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
                .map(crate::store::rows::departure_from_row)
                .collect()
            }

            async fn changed_tables(
                &mut self,
                kiosk_id: &str,
                cursor: i64,
                from: chrono::NaiveDate,
            ) -> StoreResult<Vec<SessionTablesRow>> {
                sqlx::query(concat!(
                    "SELECT s.template_id, s.session_date, s.visit_kind, s.booked, s.escrowed, s.capacity
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
                .map(crate::store::rows::session_tables_from_row)
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
                .map(crate::store::rows::lease_from_row)
                .collect()
            }

            async fn changed_bookings(
                &mut self,
                kiosk_id: &str,
                cursor: i64,
                from: chrono::NaiveDate,
                after: &str,
                limit: i64,
            ) -> StoreResult<Vec<crate::store::PulledBookingRow>> {
                let rows = sqlx::query(concat!(
                    "SELECT b.reference, b.status, b.status_reason, b.prison_code, b.prisoner_number, b.template_id,
                        b.session_date, b.visit_kind, b.spent_visiting_order, b.channel, b.kiosk_id, b.used_share,
                        b.booked_at, b.received_at, b.review_reason, b.details, b.cancelled_by, b.cancel_how,
                        b.cancel_note, b.attendance, b.attendance_by, b.attendance_at, b.review_outcome,
                        b.reviewed_reason, b.reviewed_by, b.review_note, b.moved_to, b.updated_at,
                        t.start_time, t.end_time, t.room,
                        p.first_name AS prisoner_first_name, p.last_name AS prisoner_last_name
                     FROM bookings b
                     JOIN kiosk_prisons k ON k.prison_code = b.prison_code
                     LEFT JOIN session_templates t ON t.id = b.template_id
                     LEFT JOIN prisoners p ON p.number = b.prisoner_number
                     WHERE k.kiosk_id = $1 AND b.session_date >= $3 AND b.version ",
                    $newer,
                    " $2 AND b.reference > $4 ORDER BY b.reference LIMIT $5"
                ))
                .bind(kiosk_id)
                .bind(cursor)
                .bind(from)
                .bind(after)
                .bind(limit)
                .fetch_all(&mut *self.tx)
                .await?;
                let last: String = match rows.last() {
                    Some(row) => row.try_get("reference")?,
                    None => return Ok(Vec::new()),
                };
                // The visitors of the page's bookings at once, rather than a query per booking: a
                // first pull brings weeks of visits.
                let mut visitors: std::collections::HashMap<String, Vec<BookedVisitor>> = Default::default();
                for row in sqlx::query(concat!(
                    "SELECT v.booking_reference, v.first_name, v.last_name, v.date_of_birth, v.contact_id
                     FROM booking_visitors v
                     JOIN bookings b ON b.reference = v.booking_reference
                     JOIN kiosk_prisons k ON k.prison_code = b.prison_code
                     WHERE k.kiosk_id = $1 AND b.session_date >= $3 AND b.version ",
                    $newer,
                    " $2 AND b.reference > $4 AND b.reference <= $5 ORDER BY v.booking_reference, v.position"
                ))
                .bind(kiosk_id)
                .bind(cursor)
                .bind(from)
                .bind(after)
                .bind(&last)
                .fetch_all(&mut *self.tx)
                .await?
                {
                    let reference: String = row.try_get("booking_reference")?;
                    visitors.entry(reference).or_default().push(crate::store::rows::visitor_from_row(&row)?);
                }
                rows.iter()
                    .map(|row| {
                        let reference: String = row.try_get("reference")?;
                        Ok(crate::store::PulledBookingRow {
                            listing: crate::store::rows::booking_listing_from_row(
                                row,
                                visitors.remove(&reference).unwrap_or_default(),
                            )?,
                            marks: crate::store::rows::staff_marks_from_row(row)?,
                        })
                    })
                    .collect()
            }
        }
    };
}

pub(crate) use pull_sql;
