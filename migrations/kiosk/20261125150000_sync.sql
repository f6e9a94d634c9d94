-- Sync with central: the kiosk's credential, the pull cursor and the pushed position, central's
-- view of each session's tables, this kiosk's escrow shares, online booking attempts (the
-- idempotency key is stored before the first try) and central's answer to each pushed event.

CREATE TABLE sync_enrolment (
    singleton    INTEGER PRIMARY KEY CHECK (singleton = 1),
    central_url  TEXT NOT NULL,
    kiosk_id     TEXT NOT NULL,
    token        TEXT NOT NULL,
    prisons      TEXT NOT NULL, -- JSON array of prison codes
    enrolled_at  TEXT NOT NULL
);

CREATE TABLE sync_state (
    singleton     INTEGER PRIMARY KEY CHECK (singleton = 1),
    pull_cursor   INTEGER NOT NULL DEFAULT 0 CHECK (pull_cursor >= 0),
    -- The highest outbox seq central has answered; the outbox itself stays append-only.
    pushed_seq    INTEGER NOT NULL DEFAULT 0 CHECK (pushed_seq >= 0),
    last_attempt  TEXT,
    last_success  TEXT,
    last_error    TEXT,
    -- Tables per session this kiosk asks central to hold for it, for offline confirmations.
    share_open    INTEGER NOT NULL DEFAULT 1 CHECK (share_open >= 0),
    share_closed  INTEGER NOT NULL DEFAULT 0 CHECK (share_closed >= 0)
);
INSERT INTO sync_state (singleton) VALUES (1);

-- Central's count of each session's tables as of the last pull: `booked` by every channel and
-- `escrowed` in every kiosk's share (this kiosk's included). `as_of_seq` is the pushed
-- position when pulled: local bookings with a later event are not in these numbers yet.
CREATE TABLE session_tables (
    template_id   TEXT NOT NULL,
    session_date  TEXT NOT NULL,
    visit_kind    TEXT NOT NULL CHECK (visit_kind IN ('open', 'closed')),
    booked        INTEGER NOT NULL CHECK (booked >= 0),
    escrowed      INTEGER NOT NULL CHECK (escrowed >= 0),
    as_of_seq     INTEGER NOT NULL,
    pulled_at     TEXT NOT NULL,
    PRIMARY KEY (template_id, session_date, visit_kind)
);

-- This kiosk's share of a session's tables, as central last said, with the same `as_of_seq`.
CREATE TABLE escrow_shares (
    template_id   TEXT NOT NULL,
    session_date  TEXT NOT NULL,
    visit_kind    TEXT NOT NULL CHECK (visit_kind IN ('open', 'closed')),
    prison_code   TEXT NOT NULL,
    tables        INTEGER NOT NULL CHECK (tables >= 0),
    expires_at    TEXT NOT NULL,
    as_of_seq     INTEGER NOT NULL,
    PRIMARY KEY (template_id, session_date, visit_kind)
);

CREATE TABLE online_attempts (
    idempotency_key    TEXT PRIMARY KEY,
    request            TEXT NOT NULL, -- the BookingRequest as JSON, sent byte for byte on every try
    state              TEXT NOT NULL CHECK (state IN ('pending', 'booked', 'rejected', 'failed', 'unsent', 'unresolved', 'resolved')),
    tries              INTEGER NOT NULL DEFAULT 0,
    booking_reference  TEXT,          -- central's booking, or the offline booking made instead
    answer             TEXT,          -- central's answer body
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);

CREATE TABLE push_answers (
    event_id     TEXT PRIMARY KEY,
    seq          INTEGER NOT NULL,
    outcome      TEXT NOT NULL CHECK (outcome IN ('accepted', 'rejected')),
    reason       TEXT,
    answer       TEXT NOT NULL,
    answered_at  TEXT NOT NULL
);

-- 'kiosk': made here (pushed through the outbox); 'online': booked at central, recorded here.
ALTER TABLE bookings ADD COLUMN channel TEXT NOT NULL DEFAULT 'kiosk' CHECK (channel IN ('kiosk', 'online'));
-- Confirmed offline against this kiosk's escrow share.
ALTER TABLE bookings ADD COLUMN confirmed_with_share INTEGER NOT NULL DEFAULT 0;
-- The outbox seq of the booking's booking_created event; NULL while the event waits for an
-- unresolved online attempt (`online_key`) to be settled.
ALTER TABLE bookings ADD COLUMN event_seq INTEGER;
ALTER TABLE bookings ADD COLUMN online_key TEXT;
-- Central's answer: whether it used the share.
ALTER TABLE bookings ADD COLUMN share_used INTEGER;

-- A prisoner central says has left the prison: kept for the bookings that name them, not bookable.
ALTER TABLE prisoners ADD COLUMN departed INTEGER NOT NULL DEFAULT 0;
