-- Reception's work on visits (issue 10): arrivals, staff cancellations and reviews of the
-- kiosk's own bookings, and the visits of its prison made elsewhere, pulled from central, so the
-- day's list is whole.

ALTER TABLE bookings ADD COLUMN attendance TEXT CHECK (attendance IN ('arrived', 'did_not_arrive'));
ALTER TABLE bookings ADD COLUMN attendance_by TEXT;
ALTER TABLE bookings ADD COLUMN cancelled_by TEXT;
ALTER TABLE bookings ADD COLUMN cancel_how TEXT;
ALTER TABLE bookings ADD COLUMN cancel_note TEXT;
-- The outbox seq of this kiosk's cancellation. Until central has applied it, central's count of
-- the session still holds the table; the kiosk frees it in its own count at once.
ALTER TABLE bookings ADD COLUMN cancel_seq INTEGER;
-- Why staff should look at the visit (central honoured it against a rule, or its session
-- closed), and how staff closed that.
ALTER TABLE bookings ADD COLUMN review_reason TEXT;
ALTER TABLE bookings ADD COLUMN review_outcome TEXT CHECK (review_outcome IN ('visitor_told', 'moved'));

-- Visits of this kiosk's prisons made online or at other kiosks, as central last told them. Never
-- counted in this kiosk's own tables (central's counts already hold them); reception only lists,
-- finds, marks and cancels them.
CREATE TABLE pulled_bookings (
    reference        TEXT PRIMARY KEY,
    prison_code      TEXT NOT NULL,
    prisoner_number  TEXT NOT NULL,
    template_id      TEXT NOT NULL,
    session_date     TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('requested', 'booked', 'rejected', 'cancelled', 'withdrawn')),
    attendance       TEXT CHECK (attendance IN ('arrived', 'did_not_arrive')),
    review_reason    TEXT,
    -- Every visitor's surname, lower case, each between '|': what a search by surname reads.
    surnames         TEXT NOT NULL,
    -- protocol::PulledBooking as central sent it; the columns above win over it where a staff
    -- action here changed them since.
    booking          TEXT NOT NULL,
    pulled_at        TEXT NOT NULL
);
CREATE INDEX pulled_bookings_day ON pulled_bookings(prison_code, session_date);
CREATE INDEX pulled_bookings_prisoner ON pulled_bookings(prisoner_number);
CREATE INDEX booking_visitors_surname ON booking_visitors(last_name COLLATE NOCASE);
