-- What a booking records beside the visit (issue 11): how it was asked for, the helper who
-- booked it, its main contact and the support its visitors need, as domain::VisitDetails JSON
-- (NULL when there is none). The helper's staff number has a column of its own so a helper's
-- list of the day's bookings reads an index, not every row's JSON.
ALTER TABLE bookings ADD COLUMN details TEXT;
ALTER TABLE bookings ADD COLUMN booked_by TEXT;
CREATE INDEX bookings_booked_by ON bookings(booked_by, created_at) WHERE booked_by IS NOT NULL;
