-- A booking this kiosk makes is written by one statement, `INSERT INTO booking_writes`, instead
-- of five. sqlx sends each statement's result from the connection's thread as its own message,
-- and each message can wake the task waiting for it: on a 2-core kiosk those wake-ups, not the
-- SQL, were most of what a booking cost beyond its fsync (docs/PERFORMANCE.md, Kiosk store).
-- The writes and their order are those `insert_booking` made itself: the outbox event first
-- (none while the booking waits on a lost online answer), the booking noting its event's
-- position, its visitors (a JSON array of [first name, last name, date of birth, contact id]),
-- the visiting order it spends and the reference number it takes. One statement is one
-- statement's atomicity: a failed write leaves none of them.
CREATE VIEW booking_writes AS
SELECT NULL AS event_id, NULL AS event_kind, NULL AS payload, NULL AS reference,
    NULL AS prison_code, NULL AS prisoner_number, NULL AS template_id, NULL AS session_date,
    NULL AS visit_kind, NULL AS status, NULL AS spent_visiting_order, NULL AS at,
    NULL AS confirmed_with_share, NULL AS online_key, NULL AS details, NULL AS booked_by,
    NULL AS visitors
WHERE 0;

CREATE TRIGGER booking_writes_insert INSTEAD OF INSERT ON booking_writes
BEGIN
    INSERT INTO outbox (event_id, kind, booking_reference, payload, created_at)
    SELECT NEW.event_id, NEW.event_kind, NEW.reference, NEW.payload, NEW.at
    WHERE NEW.event_id IS NOT NULL;

    INSERT INTO bookings (reference, prison_code, prisoner_number, template_id, session_date,
        visit_kind, status, spent_visiting_order, created_at, updated_at, channel,
        confirmed_with_share, online_key, details, booked_by, event_seq)
    VALUES (NEW.reference, NEW.prison_code, NEW.prisoner_number, NEW.template_id,
        NEW.session_date, NEW.visit_kind, NEW.status, NEW.spent_visiting_order, NEW.at, NEW.at,
        'kiosk', NEW.confirmed_with_share, NEW.online_key, NEW.details, NEW.booked_by,
        (SELECT seq FROM outbox WHERE event_id = NEW.event_id));

    INSERT INTO booking_visitors (booking_reference, position, first_name, last_name,
        date_of_birth, contact_id)
    SELECT NEW.reference, CAST(v.key AS INTEGER), json_extract(v.value, '$[0]'),
        json_extract(v.value, '$[1]'), json_extract(v.value, '$[2]'),
        json_extract(v.value, '$[3]')
    FROM json_each(NEW.visitors) AS v;

    UPDATE prisoners SET visiting_orders = visiting_orders - 1
    WHERE number = NEW.prisoner_number AND NEW.spent_visiting_order;

    UPDATE kiosk_identity SET next_sequence = next_sequence + 1 WHERE singleton = 1;
END;
