//! A decided booking's writes, made by each backend in as few round trips as it can.

use super::{NewBooking, PrisonCode, PrisonerNumber, StoreResult, StoredAnswer, TableCounts, TableKey};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// An approved booking's writes, made together or not at all: a table taken from the session's
/// count (within `capacity`; with `booking.used_share`, moved from the kiosk's escrow instead),
/// the kiosk's lease one table smaller when its share was used, the prisoner's visiting order
/// when one is spent, the booking and its visitors, and the answer kept against an idempotency
/// key when there is one.
pub struct BookingWrite<'a> {
    pub booking: NewBooking<'a>,
    pub prisoner: &'a PrisonerNumber,
    /// The session's tables of the booking's kind (a supervisor's change of them, stored on the
    /// session's row, counts first); `None` when the kiosk's share already holds the table.
    pub capacity: Option<u32>,
    pub answer: Option<AnswerToKeep<'a>>,
}

/// An online booking's answer, kept against its idempotency key in the booking's transaction.
pub struct AnswerToKeep<'a> {
    pub kiosk_id: &'a str,
    pub key: &'a str,
    pub answer: &'a StoredAnswer,
    pub now: DateTime<Utc>,
    pub keep_until: DateTime<Utc>,
}

/// What [`BookingWriteTx::write_booking`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// Everything is written.
    Booked,
    /// The session's count had no room: nothing is written.
    SessionFull,
    /// The idempotency key already has an answer: the caller must roll the transaction back.
    KeyAnswered,
}

/// A decided booking written: each backend in as few statements as it can, because a booking's
/// round trips are most of its cost.
#[async_trait]
pub trait BookingWriteTx: Send {
    /// The session's counts to judge a booking by, when its table is then taken by
    /// [`BookingWriteTx::write_booking`] without a kiosk's share. Zero counts when the session
    /// has no row yet. PostgreSQL reads them without a lock: the guarded count in the write is
    /// what keeps the session within its tables, so the session's row is locked only from the
    /// write to the commit, not while the booking is judged. SQLite, one writer at a time, reads
    /// them as `lock_tables` does.
    async fn tables_to_book(&mut self, key: &TableKey, prison: &PrisonCode) -> StoreResult<TableCounts>;
    async fn write_booking(&mut self, write: &BookingWrite<'_>) -> StoreResult<Written>;
}
