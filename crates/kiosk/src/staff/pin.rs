//! PIN hashes for the staff module: the shared `pin_hash` crate, with its failure as the staff
//! module's. Central hashes with the same crate, so either side reads the other's hashes.

use super::StaffFailure;
use domain::NewPin;
use protocol::PinHash;

pub(crate) use pin_hash::{DUMMY_HASH, one_time_pin, verify};

pub(crate) async fn hash(pin: &NewPin) -> Result<PinHash, StaffFailure> {
    pin_hash::hash(pin)
        .await
        .map_err(|e| StaffFailure::Internal(e.to_string()))
}
