//! Who a request is from: the kiosk behind its bearer token.

use super::{ApiError, AppState};
use crate::store::Kiosk;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use protocol::ErrorCode;

/// The kiosk behind the request's bearer token.
pub struct Authenticated(pub Kiosk);

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let DeviceToken(token) = DeviceToken::from_request_parts(parts, state).await?;
        Ok(Authenticated(state.central.authenticate(&token).await?))
    }
}

/// The request's bearer token, not yet looked up: a booking reads its kiosk in its own
/// transaction (`Central::book_online_with_token`).
pub struct DeviceToken(pub(super) String);

impl<S: Send + Sync> FromRequestParts<S> for DeviceToken {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(bearer_token)
            .map(|token| DeviceToken(token.to_string()))
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    ErrorCode::Unauthenticated,
                    "send Authorization: Bearer <kiosk token>",
                )
            })
    }
}

/// The token of an `Authorization: Bearer <token>` value. The scheme is case-insensitive and
/// may be followed by more than one space (RFC 9110 §11.1, RFC 6750 §2.1).
pub fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once([' ', '\t'])?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}
