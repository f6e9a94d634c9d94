-- The key this kiosk scrambles its booking references with (domain::ReferenceScramble): made by
-- `init` for a kiosk working alone, replaced by the deployment's at enrolment. NULL for a store
-- from before keys, which keeps the unkeyed scramble.
ALTER TABLE kiosk_identity ADD COLUMN reference_key TEXT;
