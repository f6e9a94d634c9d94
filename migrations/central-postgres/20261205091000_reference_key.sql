-- The deployment's key for scrambling booking references (domain::ReferenceScramble), made once
-- by central in its first transaction that needs it, and given to every kiosk at enrolment. No
-- row while no booking exists yet; a deployment that already had bookings when this arrived
-- keeps the unkeyed scramble (a new key would let new references collide with old ones).
CREATE TABLE reference_key (
    singleton   INTEGER PRIMARY KEY CHECK (singleton = 1),
    key_hex     TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
