-- Central keeps a kiosk's share until the kiosk gives it back. Once a share's cut-off has passed
-- the kiosk gives it back with a `share_released` event, after every visit it confirmed against
-- it, and marks it released here so no later answer from central brings it back to life.
ALTER TABLE escrow_shares ADD COLUMN released INTEGER NOT NULL DEFAULT 0;
