-- Retention (issue 12): the kiosk deletes the personal data it no longer needs once a visit is
-- over, central has every event of it, and this many days have passed since the visit date.
-- Kept in the store, like the share size, so every sync round (the app's background loop, a
-- staff member's "sync now", `kioskctl sync`) purges by the same period.
ALTER TABLE sync_state ADD COLUMN retention_days INTEGER NOT NULL DEFAULT 14
    CHECK (retention_days BETWEEN 1 AND 3650);

-- The outbox stays append-only for every event central has not answered: those are the
-- kiosk's only record of what central must still hear. An answered event may go once its
-- visit's retention period is over (its payload holds the visitors' names and dates of birth).
DROP TRIGGER outbox_no_delete;
CREATE TRIGGER outbox_no_delete_unanswered BEFORE DELETE ON outbox
WHEN OLD.seq > (SELECT pushed_seq FROM sync_state WHERE singleton = 1)
BEGIN SELECT RAISE(ABORT, 'outbox events central has not answered are kept'); END;
