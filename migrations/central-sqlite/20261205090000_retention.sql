-- Retention (issue 12): a booking whose visit is older than the retention period (two years
-- unless set) loses its personal fields: visitors' names, dates of birth and contact ids, the
-- prisoner's number, the details (main contact, support) and staff's free-text notes. The row,
-- its date, session, kind, status and the number of its visitors stay, so capacity history and
-- statistics hold. Set when that was done; NULL: the booking still holds its personal data.
ALTER TABLE bookings ADD COLUMN personal_data_removed_at TEXT;
CREATE INDEX bookings_retention ON bookings(session_date) WHERE personal_data_removed_at IS NULL;
