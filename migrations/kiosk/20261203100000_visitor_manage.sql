-- Visitors managing their own booking at the kiosk (issue 11): a visit a visitor cancelled here,
-- and the wrong reference and date of birth pairs that slow the kiosk down.

-- Set when the visitor cancelled at this kiosk (no staff member: `cancelled_by` stays NULL). Like
-- a staff cancellation it is this kiosk's to send, and to restore if central refuses it.
ALTER TABLE bookings ADD COLUMN cancelled_by_visitor INTEGER NOT NULL DEFAULT 0;

-- Every wrong pair typed on "Already booked?": when, and at which prison. Neither the reference
-- nor the date of birth is kept: only how many there were, recently, matters.
CREATE TABLE booking_lookup_failures (
    id           INTEGER PRIMARY KEY,
    prison_code  TEXT NOT NULL,
    at           TEXT NOT NULL
);
CREATE INDEX booking_lookup_failures_at ON booking_lookup_failures(at);
