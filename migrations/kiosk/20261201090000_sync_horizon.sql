-- Central's answers (a pull page, a lease) count what central had when it answered, which can be
-- less than what the kiosk has recorded by the time the answer arrives. Each answer is stamped
-- with the kiosk's position *before* the request went out: `as_of_seq` (outbox) as before, and
-- now `as_of_online` for visits booked online, which have no outbox event. A visit recorded
-- after that position is not in central's numbers yet, whatever the clocks say.
ALTER TABLE sync_state ADD COLUMN online_seq INTEGER NOT NULL DEFAULT 0 CHECK (online_seq >= 0);
-- The order in which this kiosk recorded central's online bookings (NULL: made on the kiosk,
-- or recorded before this column existed: the next pull brings central's count of those).
ALTER TABLE bookings ADD COLUMN online_seq INTEGER;
ALTER TABLE session_tables ADD COLUMN as_of_online INTEGER NOT NULL DEFAULT 0;
