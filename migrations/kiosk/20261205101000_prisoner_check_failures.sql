-- Every prisoner check that matched no prisoner at this kiosk's prison: when, and where. Nothing
-- typed is kept: only how many there were, recently, matters (many in a few minutes is someone
-- trying numbers, and slows the kiosk down).
CREATE TABLE prisoner_check_failures (
    id           INTEGER PRIMARY KEY,
    prison_code  TEXT NOT NULL,
    at           TEXT NOT NULL
);
CREATE INDEX prisoner_check_failures_at ON prisoner_check_failures(at);
