//! Enrolment: a one-time code from central exchanged for the device credential and the issuer
//! number this kiosk's references are built from.

use super::transport::{Exchange, HttpTransport, Transport, base_url, routes::ENROL};
use super::{SyncError, SyncOptions, central_error, parse};
use crate::error::KioskError;
use crate::store::{self, Enrolment, Store};
use chrono::{DateTime, Utc};
use domain::IssuerNumber;
use protocol::{Credential, EnrolRequest};

/// Exchanges a one-time enrolment code for a device credential and keeps it in the store,
/// with the issuer number central gave this kiosk. The store must have no bookings yet: their
/// references were issued under another number.
pub async fn enrol(
    store: &Store,
    central_url: &str,
    code: &str,
    options: &SyncOptions,
    now: DateTime<Utc>,
) -> Result<Enrolment, SyncError> {
    let transport = HttpTransport::new(central_url, options)?;
    let base = transport.base().to_string();
    enrol_through(store, &transport, &base, code, now).await
}

/// [`enrol`] through any transport; `central_url` is what the store keeps for later rounds.
pub async fn enrol_through(
    store: &Store,
    transport: &dyn Transport,
    central_url: &str,
    code: &str,
    now: DateTime<Utc>,
) -> Result<Enrolment, SyncError> {
    if let Some(e) = store.enrolment().await? {
        return Err(SyncError::AlreadyEnrolled(e.central_url));
    }
    if store.has_issued_references().await? {
        return Err(SyncError::HasLocalBookings);
    }
    let base = base_url(central_url);
    let request = EnrolRequest {
        code: code.to_string(),
    };
    let body = serde_json::to_string(&request).map_err(|e| SyncError::Protocol(e.to_string()))?;
    let (status, body) = transport.exchange(Exchange::post(ENROL, body)).await?;
    if status != 201 && status != 200 {
        return Err(central_error(status, &body));
    }
    let credential: Credential = parse("enrolment answer", &body)?;
    let issuer = IssuerNumber::new(credential.issuer_number).map_err(KioskError::from)?;
    let reference_key = credential
        .reference_key
        .as_deref()
        .map(domain::ReferenceKey::parse_hex)
        .transpose()
        .map_err(|e| SyncError::Protocol(format!("enrolment answer: {e}")))?;
    let enrolment = Enrolment {
        central_url: base,
        kiosk_id: credential.kiosk_id,
        token: credential.token,
        prisons: credential.prisons,
        enrolled_at: now,
    };
    // The file first: a crash before the commit leaves a credential nobody uses (the next
    // enrolment replaces it), never an enrolment without its credential.
    store.keep_credential(&enrolment.token)?;
    let mut tx = store.begin().await?;
    store::save_enrolment(&mut tx, &enrolment, issuer, reference_key.as_ref()).await?;
    tx.commit().await?;
    tracing::info!(kiosk_id = %enrolment.kiosk_id, issuer = credential.issuer_number, central = %enrolment.central_url, "kiosk enrolled");
    Ok(enrolment)
}
