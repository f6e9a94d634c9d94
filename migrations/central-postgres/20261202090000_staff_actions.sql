-- What reception staff and supervisors do (issue 10, docs/STAFF.md), at central.
--
-- Bookings: who cancelled (and how the visitor asked, and staff's note), whether the visitors
-- came (the latest mark by when it was made), and how a review was closed. `reviewed_reason`
-- keeps the reason that was reviewed: `review_reason` is cleared, so kiosks take the visit off
-- their review queue. `version` marks the change for the kiosks' pull, as on `prisons` (the id
-- of the transaction that wrote the row); the bookings already here get this migration's, so
-- that every kiosk pulls them once.
ALTER TABLE bookings ADD COLUMN cancelled_by TEXT;
ALTER TABLE bookings ADD COLUMN cancel_how TEXT CHECK (cancel_how IN ('in_person', 'phone', 'email', 'website'));
ALTER TABLE bookings ADD COLUMN cancel_note TEXT;
ALTER TABLE bookings ADD COLUMN attendance TEXT CHECK (attendance IN ('arrived', 'did_not_arrive'));
ALTER TABLE bookings ADD COLUMN attendance_by TEXT;
ALTER TABLE bookings ADD COLUMN attendance_at TIMESTAMPTZ;
ALTER TABLE bookings ADD COLUMN review_outcome TEXT CHECK (review_outcome IN ('visitor_told', 'moved'));
ALTER TABLE bookings ADD COLUMN reviewed_reason TEXT;
ALTER TABLE bookings ADD COLUMN reviewed_by TEXT;
ALTER TABLE bookings ADD COLUMN review_note TEXT;
ALTER TABLE bookings ADD COLUMN reviewed_at TIMESTAMPTZ;
ALTER TABLE bookings ADD COLUMN moved_to TEXT;
ALTER TABLE bookings ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
UPDATE bookings SET version = CAST(CAST(pg_current_xact_id() AS TEXT) AS BIGINT);
ALTER TABLE bookings ALTER COLUMN version DROP DEFAULT;
CREATE INDEX bookings_prison_version ON bookings(prison_code, version);

-- A supervisor's closure, made from a kiosk, sits beside the data file's own: importing the
-- file again replaces only the file's closures (those without `closed_by`).
ALTER TABLE closures ADD COLUMN closed_by TEXT;
ALTER TABLE closures ADD COLUMN kiosk_id TEXT REFERENCES kiosks(id);
ALTER TABLE closures ADD COLUMN note TEXT;
ALTER TABLE closures ADD COLUMN closed_at TIMESTAMPTZ;

-- A supervisor's change of one session date's tables of one kind, in place of the template's
-- capacity; NULL: the template's.
ALTER TABLE session_tables ADD COLUMN capacity BIGINT CHECK (capacity >= 0);
