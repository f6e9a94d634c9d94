-- The central service's store on PostgreSQL: reference data, enrolled kiosks, every booking from
-- every channel, the per-session table counts and the kiosks' escrow shares.
--
-- `version` columns mark when a row last changed, for the kiosks' incremental pull. Here they hold
-- the id of the transaction that wrote the row (pg_current_xact_id), not a counter: a counter row
-- bumped by every booking would serialise all bookings on one lock until commit. A pull reads in
-- one snapshot and returns rows with version >= its cursor; the next cursor is the snapshot's
-- xmin, below which every transaction has finished, so no commit is ever skipped (a row may be
-- sent twice, which is harmless: pulled rows replace what the kiosk had).

CREATE SEQUENCE central_reference_seq MINVALUE 0 START WITH 0;

CREATE TABLE prisons (
    code                  TEXT PRIMARY KEY,
    name                  TEXT NOT NULL,
    name_cy               TEXT NOT NULL,
    address               TEXT NOT NULL, -- JSON array of lines
    address_cy            TEXT NOT NULL,
    timezone              TEXT NOT NULL,
    min_notice_days       BIGINT NOT NULL,
    max_notice_days       BIGINT NOT NULL,
    max_visitors          BIGINT NOT NULL,
    max_adults            BIGINT NOT NULL,
    max_children          BIGINT NOT NULL,
    adult_age             BIGINT NOT NULL,
    has_contact_list      BOOLEAN NOT NULL,
    remand_weekly_limit   BIGINT NOT NULL,
    arrive_minutes_before BIGINT NOT NULL,
    source_hash           TEXT NOT NULL,
    version               BIGINT NOT NULL
);
CREATE INDEX prisons_version ON prisons(version);

CREATE TABLE session_templates (
    id               TEXT PRIMARY KEY,
    prison_code      TEXT NOT NULL REFERENCES prisons(code),
    weekday          TEXT NOT NULL,
    start_time       TIME NOT NULL,
    end_time         TIME NOT NULL,
    room             TEXT NOT NULL,
    open_capacity    BIGINT NOT NULL CHECK (open_capacity >= 0),
    closed_capacity  BIGINT NOT NULL CHECK (closed_capacity >= 0),
    valid_from       DATE NOT NULL,
    valid_to         DATE,
    frequency        TEXT NOT NULL CHECK (frequency IN ('weekly', 'fortnightly'))
);
CREATE INDEX session_templates_prison ON session_templates(prison_code);

CREATE TABLE closures (
    id           BIGSERIAL PRIMARY KEY,
    prison_code  TEXT NOT NULL REFERENCES prisons(code),
    date         DATE NOT NULL,
    template_id  TEXT,
    reason       TEXT NOT NULL
);
CREATE INDEX closures_prison ON closures(prison_code);

CREATE TABLE prisoners (
    number           TEXT PRIMARY KEY,
    prison_code      TEXT NOT NULL REFERENCES prisons(code),
    first_name       TEXT NOT NULL,
    last_name        TEXT NOT NULL,
    date_of_birth    DATE NOT NULL,
    custody          TEXT NOT NULL CHECK (custody IN ('convicted', 'remand')),
    visiting_orders  BIGINT NOT NULL CHECK (visiting_orders >= 0),
    source_hash      TEXT NOT NULL,
    version          BIGINT NOT NULL
);
CREATE INDEX prisoners_prison_version ON prisoners(prison_code, version);

CREATE TABLE closed_visit_restrictions (
    id               BIGSERIAL PRIMARY KEY,
    prisoner_number  TEXT NOT NULL REFERENCES prisoners(number),
    from_date        DATE NOT NULL,
    until_date       DATE
);
CREATE INDEX closed_visit_restrictions_prisoner ON closed_visit_restrictions(prisoner_number);

CREATE TABLE contacts (
    prisoner_number  TEXT NOT NULL REFERENCES prisoners(number),
    id               TEXT NOT NULL,
    first_name       TEXT NOT NULL,
    last_name        TEXT NOT NULL,
    date_of_birth    DATE NOT NULL,
    banned_until     DATE,
    PRIMARY KEY (prisoner_number, id)
);

-- A prisoner who left a prison: kiosks there must drop the record.
CREATE TABLE prisoner_departures (
    id               BIGSERIAL PRIMARY KEY,
    prisoner_number  TEXT NOT NULL,
    prison_code      TEXT NOT NULL,
    version          BIGINT NOT NULL
);
CREATE INDEX prisoner_departures_prison_version ON prisoner_departures(prison_code, version);

CREATE TABLE kiosks (
    id                      TEXT PRIMARY KEY,
    -- Never reused, not even after revocation: a new kiosk with an old number could repeat
    -- the old kiosk's booking references.
    issuer_number           BIGINT NOT NULL UNIQUE CHECK (issuer_number BETWEEN 1 AND 1023),
    label                   TEXT,
    enrolment_code_hash     TEXT UNIQUE,
    enrolment_expires_at    TIMESTAMPTZ NOT NULL,
    enrolled_at             TIMESTAMPTZ,
    token_hash              TEXT UNIQUE,
    revoked_at              TIMESTAMPTZ,
    last_seq                BIGINT NOT NULL DEFAULT 0,
    created_at              TIMESTAMPTZ NOT NULL
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
    session_date  DATE NOT NULL,
    visit_kind    TEXT NOT NULL CHECK (visit_kind IN ('open', 'closed')),
    prison_code   TEXT NOT NULL,
    booked        BIGINT NOT NULL DEFAULT 0 CHECK (booked >= 0),
    escrowed      BIGINT NOT NULL DEFAULT 0 CHECK (escrowed >= 0),
    version       BIGINT NOT NULL,
    PRIMARY KEY (template_id, session_date, visit_kind)
);
CREATE INDEX session_tables_prison_version ON session_tables(prison_code, version);

-- A kiosk's unused share of one session's tables of one kind.
CREATE TABLE escrow_leases (
    kiosk_id      TEXT NOT NULL REFERENCES kiosks(id),
    template_id   TEXT NOT NULL,
    session_date  DATE NOT NULL,
    visit_kind    TEXT NOT NULL CHECK (visit_kind IN ('open', 'closed')),
    prison_code   TEXT NOT NULL,
    tables        BIGINT NOT NULL CHECK (tables >= 0),
    expires_at    TIMESTAMPTZ NOT NULL,
    version       BIGINT NOT NULL,
    PRIMARY KEY (kiosk_id, template_id, session_date, visit_kind)
);
CREATE INDEX escrow_leases_expiry ON escrow_leases(expires_at) WHERE tables > 0;
CREATE INDEX escrow_leases_kiosk_version ON escrow_leases(kiosk_id, version);

CREATE TABLE bookings (
    reference             TEXT PRIMARY KEY,
    prison_code           TEXT NOT NULL REFERENCES prisons(code),
    prisoner_number       TEXT NOT NULL,
    template_id           TEXT NOT NULL,
    session_date          DATE NOT NULL,
    visit_kind            TEXT NOT NULL CHECK (visit_kind IN ('open', 'closed')),
    status                TEXT NOT NULL CHECK (status IN ('requested', 'booked', 'rejected', 'cancelled', 'withdrawn')),
    status_reason         TEXT,
    spent_visiting_order  BOOLEAN NOT NULL,
    channel               TEXT NOT NULL CHECK (channel IN ('online', 'kiosk')),
    kiosk_id              TEXT,
    used_share            BOOLEAN NOT NULL DEFAULT FALSE,
    booked_at             TIMESTAMPTZ NOT NULL,
    received_at           TIMESTAMPTZ NOT NULL,
    updated_at            TIMESTAMPTZ NOT NULL
);
CREATE INDEX bookings_session ON bookings(template_id, session_date, visit_kind, status);
CREATE INDEX bookings_prisoner ON bookings(prisoner_number, status);
CREATE INDEX bookings_prison_date ON bookings(prison_code, session_date);

CREATE TABLE booking_visitors (
    booking_reference  TEXT NOT NULL REFERENCES bookings(reference),
    position           BIGINT NOT NULL,
    first_name         TEXT NOT NULL,
    last_name          TEXT NOT NULL,
    date_of_birth      DATE NOT NULL,
    contact_id         TEXT,
    PRIMARY KEY (booking_reference, position)
);

-- Stored answers to online bookings, replayed for a retry with the same key.
CREATE TABLE idempotency (
    kiosk_id        TEXT NOT NULL REFERENCES kiosks(id),
    idempotency_key TEXT NOT NULL,
    fingerprint     TEXT NOT NULL,
    status_code     BIGINT NOT NULL,
    body            TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (kiosk_id, idempotency_key)
);

-- Stored answers to pushed outbox events, replayed when a kiosk pushes an event again.
CREATE TABLE pushed_events (
    kiosk_id     TEXT NOT NULL REFERENCES kiosks(id),
    event_id     TEXT NOT NULL,
    seq          BIGINT NOT NULL,
    fingerprint  TEXT NOT NULL,
    result       TEXT NOT NULL,
    received_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (kiosk_id, event_id),
    UNIQUE (kiosk_id, seq)
);
