-- The kiosk's local store: reference data pulled from central, the bookings made here, and the
-- outbox of events waiting to be pushed.

CREATE TABLE kiosk_identity (
    singleton       INTEGER PRIMARY KEY CHECK (singleton = 1),
    kiosk_id        TEXT NOT NULL,
    issuer_number   INTEGER NOT NULL CHECK (issuer_number BETWEEN 0 AND 1023),
    next_sequence   INTEGER NOT NULL DEFAULT 0 CHECK (next_sequence >= 0),
    created_at      TEXT NOT NULL
);

CREATE TABLE prisons (
    code                  TEXT PRIMARY KEY,
    name                  TEXT NOT NULL,
    name_cy               TEXT NOT NULL,
    address               TEXT NOT NULL, -- JSON array of lines
    address_cy            TEXT NOT NULL,
    timezone              TEXT NOT NULL,
    min_notice_days       INTEGER NOT NULL,
    max_notice_days       INTEGER NOT NULL,
    max_visitors          INTEGER NOT NULL,
    max_adults            INTEGER NOT NULL,
    max_children          INTEGER NOT NULL,
    adult_age             INTEGER NOT NULL,
    has_contact_list      INTEGER NOT NULL,
    remand_weekly_limit   INTEGER NOT NULL,
    arrive_minutes_before INTEGER NOT NULL
);

CREATE TABLE session_templates (
    id               TEXT PRIMARY KEY,
    prison_code      TEXT NOT NULL REFERENCES prisons(code),
    weekday          TEXT NOT NULL,
    start_time       TEXT NOT NULL,
    end_time         TEXT NOT NULL,
    room             TEXT NOT NULL,
    open_capacity    INTEGER NOT NULL CHECK (open_capacity >= 0),
    closed_capacity  INTEGER NOT NULL CHECK (closed_capacity >= 0),
    valid_from       TEXT NOT NULL,
    valid_to         TEXT,
    frequency        TEXT NOT NULL CHECK (frequency IN ('weekly', 'fortnightly'))
);
CREATE INDEX session_templates_prison ON session_templates(prison_code);

CREATE TABLE closures (
    id           INTEGER PRIMARY KEY,
    prison_code  TEXT NOT NULL REFERENCES prisons(code),
    date         TEXT NOT NULL,
    template_id  TEXT REFERENCES session_templates(id),
    reason       TEXT NOT NULL
);
CREATE INDEX closures_prison_date ON closures(prison_code, date);

CREATE TABLE prisoners (
    number           TEXT PRIMARY KEY,
    prison_code      TEXT NOT NULL REFERENCES prisons(code),
    first_name       TEXT NOT NULL,
    last_name        TEXT NOT NULL,
    date_of_birth    TEXT NOT NULL,
    custody          TEXT NOT NULL CHECK (custody IN ('convicted', 'remand')),
    visiting_orders  INTEGER NOT NULL CHECK (visiting_orders >= 0)
);

CREATE TABLE closed_visit_restrictions (
    id               INTEGER PRIMARY KEY,
    prisoner_number  TEXT NOT NULL REFERENCES prisoners(number),
    from_date        TEXT NOT NULL,
    until_date       TEXT
);
CREATE INDEX closed_visit_restrictions_prisoner ON closed_visit_restrictions(prisoner_number);

CREATE TABLE contacts (
    id               TEXT PRIMARY KEY,
    prisoner_number  TEXT NOT NULL REFERENCES prisoners(number),
    first_name       TEXT NOT NULL,
    last_name        TEXT NOT NULL,
    date_of_birth    TEXT NOT NULL,
    banned_until     TEXT
);
CREATE INDEX contacts_prisoner ON contacts(prisoner_number);

CREATE TABLE bookings (
    reference        TEXT PRIMARY KEY,
    prison_code      TEXT NOT NULL REFERENCES prisons(code),
    prisoner_number  TEXT NOT NULL,
    template_id      TEXT NOT NULL,
    session_date     TEXT NOT NULL,
    visit_kind       TEXT NOT NULL CHECK (visit_kind IN ('open', 'closed')),
    status           TEXT NOT NULL CHECK (status IN ('requested', 'booked', 'rejected', 'cancelled', 'withdrawn')),
    status_reason    TEXT,
    spent_visiting_order INTEGER NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX bookings_session ON bookings(template_id, session_date, visit_kind, status);
CREATE INDEX bookings_prisoner ON bookings(prisoner_number, session_date);

CREATE TABLE booking_visitors (
    booking_reference  TEXT NOT NULL REFERENCES bookings(reference),
    position           INTEGER NOT NULL,
    first_name         TEXT NOT NULL,
    last_name          TEXT NOT NULL,
    date_of_birth      TEXT NOT NULL,
    contact_id         TEXT,
    PRIMARY KEY (booking_reference, position)
);

-- Append-only: every local change, in order, written in the same transaction as the change.
CREATE TABLE outbox (
    seq                INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id           TEXT NOT NULL UNIQUE,
    kind               TEXT NOT NULL,
    booking_reference  TEXT,
    payload            TEXT NOT NULL,
    created_at         TEXT NOT NULL
);
CREATE TRIGGER outbox_no_update BEFORE UPDATE ON outbox
BEGIN SELECT RAISE(ABORT, 'outbox is append-only'); END;
CREATE TRIGGER outbox_no_delete BEFORE DELETE ON outbox
BEGIN SELECT RAISE(ABORT, 'outbox is append-only'); END;
