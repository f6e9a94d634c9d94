-- The central service's store on SQLite: reference data, enrolled kiosks, every booking from
-- every channel, the per-session table counts and the kiosks' escrow shares.
--
-- `version` columns mark when a row last changed, for the kiosks' incremental pull: on SQLite
-- every write transaction is serialised (BEGIN IMMEDIATE), so a single counter bumped inside the
-- transaction gives marks that commit in order.

CREATE TABLE change_counter (
    singleton  INTEGER PRIMARY KEY CHECK (singleton = 1),
    value      INTEGER NOT NULL CHECK (value >= 0)
);
INSERT INTO change_counter (singleton, value) VALUES (1, 0);

-- Central's own booking references: issuer 0, this sequence.
CREATE TABLE reference_counter (
    singleton  INTEGER PRIMARY KEY CHECK (singleton = 1),
    next_value INTEGER NOT NULL CHECK (next_value >= 0)
);
INSERT INTO reference_counter (singleton, next_value) VALUES (1, 0);

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
    arrive_minutes_before INTEGER NOT NULL,
    source_hash           TEXT NOT NULL,
    version               INTEGER NOT NULL
);
CREATE INDEX prisons_version ON prisons(version);

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
    template_id  TEXT,
    reason       TEXT NOT NULL
);
CREATE INDEX closures_prison ON closures(prison_code);

CREATE TABLE prisoners (
    number           TEXT PRIMARY KEY,
    prison_code      TEXT NOT NULL REFERENCES prisons(code),
    first_name       TEXT NOT NULL,
    last_name        TEXT NOT NULL,
    date_of_birth    TEXT NOT NULL,
    custody          TEXT NOT NULL CHECK (custody IN ('convicted', 'remand')),
    visiting_orders  INTEGER NOT NULL CHECK (visiting_orders >= 0),
    source_hash      TEXT NOT NULL,
    version          INTEGER NOT NULL
);
CREATE INDEX prisoners_prison_version ON prisoners(prison_code, version);

CREATE TABLE closed_visit_restrictions (
    id               INTEGER PRIMARY KEY,
    prisoner_number  TEXT NOT NULL REFERENCES prisoners(number),
    from_date        TEXT NOT NULL,
    until_date       TEXT
);
CREATE INDEX closed_visit_restrictions_prisoner ON closed_visit_restrictions(prisoner_number);

CREATE TABLE contacts (
    prisoner_number  TEXT NOT NULL REFERENCES prisoners(number),
    id               TEXT NOT NULL,
    first_name       TEXT NOT NULL,
    last_name        TEXT NOT NULL,
    date_of_birth    TEXT NOT NULL,
    banned_until     TEXT,
    PRIMARY KEY (prisoner_number, id)
);

-- A prisoner who left a prison: kiosks there must drop the record.
CREATE TABLE prisoner_departures (
    id               INTEGER PRIMARY KEY,
    prisoner_number  TEXT NOT NULL,
    prison_code      TEXT NOT NULL,
    version          INTEGER NOT NULL
);
CREATE INDEX prisoner_departures_prison_version ON prisoner_departures(prison_code, version);

CREATE TABLE kiosks (
    id                      TEXT PRIMARY KEY,
    -- Never reused, not even after revocation: a new kiosk with an old number could repeat
    -- the old kiosk's booking references.
    issuer_number           INTEGER NOT NULL UNIQUE CHECK (issuer_number BETWEEN 1 AND 1023),
    label                   TEXT,
    enrolment_code_hash     TEXT UNIQUE,
    enrolment_expires_at    TEXT NOT NULL,
    enrolled_at             TEXT,
    token_hash              TEXT UNIQUE,
    revoked_at              TEXT,
    last_seq                INTEGER NOT NULL DEFAULT 0,
    created_at              TEXT NOT NULL
);

CREATE TABLE kiosk_prisons (
    kiosk_id     TEXT NOT NULL REFERENCES kiosks(id),
    prison_code  TEXT NOT NULL REFERENCES prisons(code),
    PRIMARY KEY (kiosk_id, prison_code)
);

-- Tables taken in one session of one kind: by bookings from every channel, and held back as
-- kiosks' escrow shares. booked + escrowed never exceeds the template's capacity.
CREATE TABLE session_tables (
    template_id   TEXT NOT NULL REFERENCES session_templates(id),
    session_date  TEXT NOT NULL,
    visit_kind    TEXT NOT NULL CHECK (visit_kind IN ('open', 'closed')),
    prison_code   TEXT NOT NULL,
    booked        INTEGER NOT NULL DEFAULT 0 CHECK (booked >= 0),
    escrowed      INTEGER NOT NULL DEFAULT 0 CHECK (escrowed >= 0),
    version       INTEGER NOT NULL,
    PRIMARY KEY (template_id, session_date, visit_kind)
);
CREATE INDEX session_tables_prison_version ON session_tables(prison_code, version);

-- A kiosk's unused share of one session's tables of one kind.
CREATE TABLE escrow_leases (
    kiosk_id      TEXT NOT NULL REFERENCES kiosks(id),
    template_id   TEXT NOT NULL,
    session_date  TEXT NOT NULL,
    visit_kind    TEXT NOT NULL CHECK (visit_kind IN ('open', 'closed')),
    prison_code   TEXT NOT NULL,
    tables        INTEGER NOT NULL CHECK (tables >= 0),
    expires_at    TEXT NOT NULL,
    version       INTEGER NOT NULL,
    PRIMARY KEY (kiosk_id, template_id, session_date, visit_kind)
);
CREATE INDEX escrow_leases_expiry ON escrow_leases(expires_at) WHERE tables > 0;
CREATE INDEX escrow_leases_kiosk_version ON escrow_leases(kiosk_id, version);

CREATE TABLE bookings (
    reference             TEXT PRIMARY KEY,
    prison_code           TEXT NOT NULL REFERENCES prisons(code),
    prisoner_number       TEXT NOT NULL,
    template_id           TEXT NOT NULL,
    session_date          TEXT NOT NULL,
    visit_kind            TEXT NOT NULL CHECK (visit_kind IN ('open', 'closed')),
    status                TEXT NOT NULL CHECK (status IN ('requested', 'booked', 'rejected', 'cancelled', 'withdrawn')),
    status_reason         TEXT,
    spent_visiting_order  INTEGER NOT NULL,
    channel               TEXT NOT NULL CHECK (channel IN ('online', 'kiosk')),
    kiosk_id              TEXT,
    used_share            INTEGER NOT NULL DEFAULT 0,
    booked_at             TEXT NOT NULL,
    received_at           TEXT NOT NULL,
    updated_at            TEXT NOT NULL
);
CREATE INDEX bookings_session ON bookings(template_id, session_date, visit_kind, status);
CREATE INDEX bookings_prisoner ON bookings(prisoner_number, status);
CREATE INDEX bookings_prison_date ON bookings(prison_code, session_date);

CREATE TABLE booking_visitors (
    booking_reference  TEXT NOT NULL REFERENCES bookings(reference),
    position           INTEGER NOT NULL,
    first_name         TEXT NOT NULL,
    last_name          TEXT NOT NULL,
    date_of_birth      TEXT NOT NULL,
    contact_id         TEXT,
    PRIMARY KEY (booking_reference, position)
);

-- Stored answers to online bookings, replayed for a retry with the same key.
CREATE TABLE idempotency (
    kiosk_id        TEXT NOT NULL REFERENCES kiosks(id),
    idempotency_key TEXT NOT NULL,
    fingerprint     TEXT NOT NULL,
    status_code     INTEGER NOT NULL,
    body            TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    PRIMARY KEY (kiosk_id, idempotency_key)
);

-- Stored answers to pushed outbox events, replayed when a kiosk pushes an event again.
CREATE TABLE pushed_events (
    kiosk_id     TEXT NOT NULL REFERENCES kiosks(id),
    event_id     TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    fingerprint  TEXT NOT NULL,
    result       TEXT NOT NULL,
    received_at  TEXT NOT NULL,
    PRIMARY KEY (kiosk_id, event_id),
    UNIQUE (kiosk_id, seq)
);
