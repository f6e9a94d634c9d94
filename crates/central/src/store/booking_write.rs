//! A decided booking's writes, made by each backend in as few round trips as it can.

use super::{
    AlsoRead, BookingSubject, NewBooking, PrisonCode, PrisonerNumber, StoreResult, StoredAnswer, TableCounts,
    TableKey,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::SessionId;
use std::collections::HashMap;

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
    /// For a group of online bookings: reads what each booking decides on, its session's
    /// counts and a reference sequence each, for the whole group at once ([`SubjectsAhead`]):
    /// on PostgreSQL in two statements, its prisoners locked first in the order of their
    /// numbers, where each booking's own read takes two; on SQLite in one, where each booking's
    /// read and its reference take one each. A number no prisoner has is left for its booking
    /// to read, and be refused. By default reads nothing: each booking reads its own.
    async fn read_subjects_ahead(&mut self, _wanted: &[SubjectWanted]) -> StoreResult<()> {
        Ok(())
    }
}

/// A booking in a group whose prisoner is read ahead: the prisoner, the prison the booking is
/// at, and the session whose counts it is judged on (none when its session does not parse).
#[derive(Debug, Clone)]
pub struct SubjectWanted {
    pub number: PrisonerNumber,
    pub prison: PrisonCode,
    pub session: Option<SessionId>,
}

impl SubjectWanted {
    /// Each prisoner once, as the first booking for them wants them: a second booking for the
    /// same prisoner reads again, after the first is written.
    pub(super) fn first_for_each_prisoner(wanted: &[SubjectWanted]) -> Vec<&SubjectWanted> {
        let mut seen = std::collections::HashSet::new();
        wanted.iter().filter(|w| seen.insert(w.number.as_str())).collect()
    }
}

/// What the bookings of one group decide on, read for all of them at once
/// ([`BookingWriteTx::read_subjects_ahead`]): each prisoner's is given once by
/// [`super::ReferenceTx::booking_subject`] in place of a read of its own, and only to a booking
/// at the prison and asking for the session's counts it was read for. A prisoner's is taken out
/// when given, so a second booking for them in the group reads again and sees what the first
/// wrote; the session counts read ahead are kept up to date with each table this transaction
/// takes.
#[derive(Debug, Default)]
pub struct SubjectsAhead {
    subjects: HashMap<String, (SubjectWanted, BookingSubject)>,
}

impl SubjectsAhead {
    /// Holds the subjects read for `wanted`, each under the first booking that wants its
    /// prisoner.
    pub(super) fn hold(&mut self, wanted: &[SubjectWanted], subjects: Vec<BookingSubject>) {
        self.subjects = subjects
            .into_iter()
            .filter_map(|s| {
                let w = wanted.iter().find(|w| w.number == s.record.number)?;
                Some((s.record.number.as_str().to_string(), (w.clone(), s)))
            })
            .collect();
    }

    /// The prisoner's subject read ahead, if it was and answers this read.
    pub(super) fn take(
        &mut self,
        number: &PrisonerNumber,
        prison: &PrisonCode,
        also: &AlsoRead<'_>,
    ) -> Option<BookingSubject> {
        let (wanted, mut subject) = self.subjects.remove(number.as_str())?;
        if &wanted.prison != prison || also.session_tables != wanted.session.as_ref() {
            return None;
        }
        if !also.sequence {
            subject.central_sequence = None;
        }
        Some(subject)
    }

    /// A table of `key` taken by this transaction (from the kiosk's escrow with `used_share`).
    pub(super) fn took_table(&mut self, key: &TableKey, used_share: bool) {
        for tables in self
            .subjects
            .values_mut()
            .filter(|(wanted, _)| wanted.session.as_ref() == Some(&key.session))
            .filter_map(|(_, s)| s.session_tables.as_mut())
        {
            match tables.iter_mut().find(|(kind, _)| *kind == key.kind) {
                Some((_, counts)) => {
                    counts.booked += 1;
                    counts.escrowed = counts.escrowed.saturating_sub(u32::from(used_share));
                }
                None => tables.push((
                    key.kind,
                    TableCounts {
                        booked: 1,
                        ..TableCounts::default()
                    },
                )),
            }
        }
    }

    /// Forgets everything read ahead: the transaction changed a prisoner.
    pub(super) fn clear(&mut self) {
        self.subjects.clear();
    }
}
