//! Visitors' guesses that did not match: wrong reference and date of birth pairs on "Already
//! booked?", and prisoner checks that matched nobody. Counted, recently, to slow the kiosk down
//! the way failed staff sign-ins do. Nothing typed is kept.

use crate::error::Result;
use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;

/// What kind of guess failed: each is counted on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Guess {
    BookingLookup,
    PrisonerCheck,
}

impl Guess {
    fn insert(self) -> &'static str {
        match self {
            Guess::BookingLookup => "INSERT INTO booking_lookup_failures (prison_code, at) VALUES (?, ?)",
            Guess::PrisonerCheck => "INSERT INTO prisoner_check_failures (prison_code, at) VALUES (?, ?)",
        }
    }

    fn since(self) -> &'static str {
        match self {
            Guess::BookingLookup => "SELECT at FROM booking_lookup_failures WHERE at > ? ORDER BY at",
            Guess::PrisonerCheck => "SELECT at FROM prisoner_check_failures WHERE at > ? ORDER BY at",
        }
    }
}

/// Notes one failed guess made now at this kiosk.
pub(crate) async fn record_failed_guess(
    conn: &mut SqliteConnection,
    guess: Guess,
    prison: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(guess.insert())
        .bind(prison)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// When each failed guess of this kind after `since` was made, oldest first.
pub(crate) async fn failed_guesses(
    conn: &mut SqliteConnection,
    guess: Guess,
    since: DateTime<Utc>,
) -> Result<Vec<DateTime<Utc>>> {
    Ok(sqlx::query_scalar(guess.since())
        .bind(since)
        .fetch_all(&mut *conn)
        .await?)
}
