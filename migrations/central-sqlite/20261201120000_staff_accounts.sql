-- Staff accounts (docs/STAFF.md): central is the authority, and every kiosk of a prison pulls
-- its accounts (PIN hashes only). A PIN is stored as an argon2id PHC string, never as itself.
--
-- Wrong PINs are counted where they are typed, by each kiosk (sign-ins work offline), so
-- central keeps no failure count; `unlocked_at` carries a supervisor's unlock to the kiosks,
-- which stop counting older failures. `version` marks the change for the kiosks' pull, as
-- on `prisons`.
CREATE TABLE staff_accounts (
    prison_code      TEXT NOT NULL REFERENCES prisons(code),
    staff_number     TEXT NOT NULL,
    name             TEXT NOT NULL,
    role             TEXT NOT NULL CHECK (role IN ('reception', 'supervisor', 'helper')),
    pin_hash         TEXT NOT NULL,
    must_change_pin  INTEGER NOT NULL,
    disabled         INTEGER NOT NULL DEFAULT 0,
    -- Helpers only: who they work for and the last day they may sign in.
    organisation     TEXT,
    expires_on       TEXT,
    unlocked_at      TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    version          INTEGER NOT NULL,
    PRIMARY KEY (prison_code, staff_number),
    CHECK ((role = 'helper') = (organisation IS NOT NULL AND expires_on IS NOT NULL))
);
CREATE INDEX staff_accounts_prison_version ON staff_accounts(prison_code, version);

-- What staff did, as the kiosks' audit logs sent it (and what administrators did to staff
-- accounts with `visit-central staff`, with no kiosk and no staff number). Kept; never
-- changed. No PIN, hash or token is ever written here.
CREATE TABLE audit_log (
    id                 INTEGER PRIMARY KEY,
    prison_code        TEXT NOT NULL,
    kiosk_id           TEXT REFERENCES kiosks(id),
    at                 TEXT NOT NULL,
    staff_number       TEXT,
    role               TEXT,
    action             TEXT NOT NULL,
    booking_reference  TEXT,
    detail             TEXT,
    received_at        TEXT NOT NULL
);
CREATE INDEX audit_log_prison_at ON audit_log(prison_code, at);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
