-- A refused kiosk request is kept on record however little of it central can read, so staff
-- see every outcome: a visitor picked from a contact list that no longer has them, or typed
-- with a date that does not parse, is stored without a date of birth.
ALTER TABLE booking_visitors ALTER COLUMN date_of_birth DROP NOT NULL;
