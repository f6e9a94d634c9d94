-- Staff at the kiosk (docs/STAFF.md): their accounts, the failed sign-ins that lock an account
-- or slow the kiosk down, and the audit log of what they did.

-- Pulled from central when the kiosk is enrolled (PIN hashes only); made with `kioskctl staff`
-- when it works alone. A PIN is an argon2id PHC string here, never the PIN.
CREATE TABLE staff_accounts (
    prison_code      TEXT NOT NULL,
    staff_number     TEXT NOT NULL,
    name             TEXT NOT NULL,
    role             TEXT NOT NULL CHECK (role IN ('reception', 'supervisor', 'helper')),
    pin_hash         TEXT NOT NULL,
    must_change_pin  INTEGER NOT NULL,
    disabled         INTEGER NOT NULL DEFAULT 0,
    organisation     TEXT,
    expires_on       TEXT,
    -- The last unlock by a supervisor, as central (or this kiosk alone) recorded it.
    unlocked_at      TEXT,
    -- Wrong PINs typed here from this instant on count towards a lock: set, in this kiosk's
    -- clock, when the account arrives, at each successful sign-in and at each unlock.
    failures_from    TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    PRIMARY KEY (prison_code, staff_number)
);

-- Every failed sign-in here, with the staff number as typed, whether an account has it or not.
CREATE TABLE sign_in_failures (
    id            INTEGER PRIMARY KEY,
    prison_code   TEXT NOT NULL,
    staff_number  TEXT NOT NULL,
    at            TEXT NOT NULL,
    -- Tried while the account was locked: slows the kiosk down, does not lengthen the lock.
    while_locked  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sign_in_failures_account ON sign_in_failures(prison_code, staff_number, at);
CREATE INDEX sign_in_failures_at ON sign_in_failures(at);

-- Append-only, like the outbox: who (staff number and role; none for an operator's kioskctl),
-- what, when, which booking, which kiosk. Never a PIN, a hash or a session token. On an
-- enrolled kiosk each entry also goes to central as an `audit` event, in the same transaction.
CREATE TABLE audit_log (
    seq                INTEGER PRIMARY KEY AUTOINCREMENT,
    at                 TEXT NOT NULL,
    prison_code        TEXT NOT NULL,
    kiosk_id           TEXT,
    staff_number       TEXT,
    role               TEXT,
    action             TEXT NOT NULL,
    booking_reference  TEXT,
    detail             TEXT
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
