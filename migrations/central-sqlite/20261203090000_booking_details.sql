-- What a booking records beside the visit (issue 11): how it was requested, the helper who
-- booked it, its main contact and any additional support, as the JSON of domain's
-- `VisitDetails` in the request's own shape. NULL when there is none (a visitor's own
-- booking with nothing added), as for every booking made before this column.
ALTER TABLE bookings ADD COLUMN details TEXT;
