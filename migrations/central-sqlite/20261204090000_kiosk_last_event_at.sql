-- The latest time a kiosk's pushed events were dated (issue 12): an event is never judged as of
-- a moment before the kiosk's enrolment or before an event it already pushed, so a kiosk cannot
-- backdate a booking to before a closure or a ban.
ALTER TABLE kiosks ADD COLUMN last_event_at TEXT;
