-- The kiosk's printer: the CUPS queue its confirmation slips go to and the paper it takes
-- (an 80 mm receipt roll or A4). One row, set by staff; no row means no printer is set up.
CREATE TABLE printer_settings (
    singleton   INTEGER PRIMARY KEY CHECK (singleton = 1),
    queue       TEXT NOT NULL,
    paper       TEXT NOT NULL CHECK (paper IN ('receipt', 'a4')),
    updated_at  TEXT NOT NULL
);
