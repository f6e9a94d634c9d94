//! A supervisor's closures and table changes. They change what every channel may book, so only
//! central makes them: they are never queued offline, and a kiosk that cannot reach central says
//! so (`central_unreachable`). The idempotency key is stored with the exact body before the first
//! try; when no answer came, the same call made again (the supervisor pressing the button again)
//! goes with the same key, so central applies it once and answers it again.

use super::transport::Exchange;
use super::transport::routes::{CLOSURES, SESSION_TABLES};
use super::{SyncClient, SyncError, central_error, parse};
use chrono::{DateTime, Utc};
use protocol::{CloseRequest, ClosureAnswer, ErrorBody, TablesAnswer, TablesRequest};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Tries of one call before the kiosk gives up and says central cannot be reached.
const TRIES: u32 = 2;

impl SyncClient {
    /// Closes one session or a whole date at central.
    pub async fn close_sessions(
        &self,
        request: &CloseRequest,
        now: DateTime<Utc>,
    ) -> Result<ClosureAnswer, SyncError> {
        self.supervisor_call(CLOSURES, request, now).await
    }

    /// Gives a session date a number of tables of one kind at central.
    pub async fn set_tables(
        &self,
        request: &TablesRequest,
        now: DateTime<Utc>,
    ) -> Result<TablesAnswer, SyncError> {
        self.supervisor_call(SESSION_TABLES, request, now).await
    }

    async fn supervisor_call<B: Serialize, A: DeserializeOwned>(
        &self,
        route: &str,
        request: &B,
        now: DateTime<Utc>,
    ) -> Result<A, SyncError> {
        let body = serde_json::to_string(request).map_err(|e| SyncError::Protocol(e.to_string()))?;
        let key = self.store.supervisor_call_key(route, &body, now).await?;
        let mut lost = None;
        for attempt in 1..=TRIES {
            let answer = self
                .transport
                .exchange(
                    Exchange::post(route, body.clone())
                        .with_token(&self.token)
                        .with_idempotency_key(&key),
                )
                .await;
            match answer {
                Ok((status, answer)) => {
                    let refused = !(200..300).contains(&status);
                    self.store
                        .supervisor_call_done(&key, refused, &answer, now)
                        .await?;
                    return if refused {
                        Err(refusal(status, &answer))
                    } else {
                        parse(route, &answer)
                    };
                }
                Err(l) => {
                    tracing::warn!(route, attempt, sent = l.sent, error = %l.message, "supervisor call got no answer");
                    let sent = l.sent;
                    lost = Some(l);
                    // Never reached: no point waiting for it.
                    if !sent {
                        break;
                    }
                }
            }
            if attempt < TRIES {
                tokio::time::sleep(self.retry_pause * attempt).await;
            }
        }
        Err(lost.map_or_else(|| SyncError::Unreachable("not tried".into()), SyncError::from))
    }
}

/// Central's refusal; a change below the tables taken says how many are.
fn refusal(status: u16, body: &str) -> SyncError {
    if let Ok(ErrorBody { error }) = serde_json::from_str::<ErrorBody>(body)
        && let Some(taken) = error.taken
    {
        return SyncError::TablesTaken {
            booked: taken.booked,
            escrowed: taken.escrowed,
        };
    }
    central_error(status, body)
}
