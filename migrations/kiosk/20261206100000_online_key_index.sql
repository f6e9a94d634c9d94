-- Settling a lost online answer looks a booking up by its attempt's key, and the sync status
-- counts the bookings still waiting on one: both scanned every booking the kiosk holds. Most
-- bookings have no key, so the index holds only those that do.
CREATE INDEX bookings_online_key ON bookings(online_key) WHERE online_key IS NOT NULL;
