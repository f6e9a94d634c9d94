-- An online booking's answer is kept against its key until the day after the visit it asks for,
-- when that is later than the usual day: a kiosk settles a lost answer by sending the same
-- request again whenever it next reaches central, and an answer purged before that would book
-- the visit a second time. NULL: the usual day after the request.
ALTER TABLE idempotency ADD COLUMN keep_until TEXT;
