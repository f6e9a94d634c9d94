-- A refused kiosk request is kept on record however little of it central can read, so staff
-- see every outcome: a visitor picked from a contact list that no longer has them, or typed
-- with a date that does not parse, is stored without a date of birth. SQLite cannot drop a
-- NOT NULL constraint in place, so the table is rebuilt; nothing references it.
CREATE TABLE booking_visitors_new (
    booking_reference  TEXT NOT NULL REFERENCES bookings(reference),
    position           INTEGER NOT NULL,
    first_name         TEXT NOT NULL,
    last_name          TEXT NOT NULL,
    date_of_birth      TEXT,
    contact_id         TEXT,
    PRIMARY KEY (booking_reference, position)
);
INSERT INTO booking_visitors_new (booking_reference, position, first_name, last_name, date_of_birth, contact_id)
    SELECT booking_reference, position, first_name, last_name, date_of_birth, contact_id FROM booking_visitors;
DROP TABLE booking_visitors;
ALTER TABLE booking_visitors_new RENAME TO booking_visitors;
