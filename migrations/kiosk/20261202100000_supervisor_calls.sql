-- A supervisor's calls to central that change a prison's sessions (closures, tables): online
-- only, each with an idempotency key stored before the first try. The same call made again while
-- the last answer is missing goes with the same key, so central applies it once.
CREATE TABLE supervisor_calls (
    idempotency_key  TEXT PRIMARY KEY,
    route            TEXT NOT NULL,
    -- The body byte for byte as first sent; a retry is the same route and body.
    request          TEXT NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('pending', 'answered', 'refused')),
    answer           TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX supervisor_calls_pending ON supervisor_calls(route, request) WHERE state = 'pending';

-- A supervisor's change of a session date's tables, as central last said: the tables there are
-- in place of the template's capacity. NULL: the template's.
ALTER TABLE session_tables ADD COLUMN capacity INTEGER CHECK (capacity >= 0);
