-- A booking a kiosk confirmed offline against its own share of tables is honoured even when
-- central, knowing more than the kiosk did (another kiosk's visit for the same prisoner, a
-- visiting order spent elsewhere...), would have refused it: the visitor holds a CONFIRMED
-- slip. The first rule central found broken is kept here for staff to review; NULL: nothing
-- to review.
ALTER TABLE bookings ADD COLUMN review_reason TEXT;
