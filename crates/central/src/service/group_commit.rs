//! Group commit of online bookings on a store with one writer at a time (SQLite). Each booking
//! alone pays a durable commit (an fsync) while every other waits for the writer; instead, the
//! bookings waiting together are decided one after another in one transaction and made durable
//! by one commit, and each is answered only after that commit.
//!
//! The first waiting request to get the turn leads: it takes every booking queued so far (its
//! own among them) and runs the group in a task of its own, so a client that hangs up cannot
//! cancel the others' transaction halfway. Each booking is decided by the same `book_in` as a
//! booking alone, and its answer is kept against its idempotency key in the same transaction.
//! A refusal writes nothing but its answer, so refusals share a group safely. Anything else
//! (a store error, a key that already has an answer) rolls the whole group back, and every
//! member then books alone, the way it would have without a group: its idempotency key makes
//! that safe whatever the group did or did not commit.

use super::Answer;
use super::booking::{AnswerKey, Attempt, Kept, Logged};
use crate::clock::Clock;
use crate::error::CentralError;
use crate::store::{Channel, Kiosk, Store};
use domain::BookingRequest;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::{Mutex, oneshot};

/// The most bookings one commit makes durable: a bound on how long the last of them waits.
const MAX_GROUP: usize = 64;

/// One online booking to decide.
pub(super) struct OnlineBooking {
    pub(super) kiosk: Kiosk,
    pub(super) key: String,
    pub(super) fingerprint: String,
    pub(super) request: BookingRequest,
    /// Until when its answer is kept against the key (`retention::keep_answer_until`).
    pub(super) keep_until: chrono::DateTime<chrono::Utc>,
}

/// A booking waiting in the queue, with where its answer goes.
struct Member {
    booking: OnlineBooking,
    reply: oneshot::Sender<Grouped>,
}

/// What a member hears back.
pub(super) enum Grouped {
    /// Decided and durable: this is its answer.
    Answered(Answer),
    /// The group was rolled back: book alone.
    Alone,
}

/// The queue of online bookings and the turn to run a group.
#[derive(Default)]
pub(super) struct OnlineGroups {
    queue: std::sync::Mutex<Vec<Member>>,
    turn: Arc<Mutex<()>>,
    counts: Arc<GroupCounts>,
}

/// Groups committed and the bookings they answered, since the service started.
#[derive(Default)]
struct GroupCounts {
    commits: AtomicU64,
    bookings: AtomicU64,
}

impl OnlineGroups {
    /// Queues a booking and waits for its answer, leading a group when the turn comes first.
    pub(super) async fn book(
        &self,
        booking: OnlineBooking,
        store: &Arc<dyn Store>,
        clock: &Clock,
        scramble: &domain::ReferenceScramble,
    ) -> Grouped {
        let (reply, mut answer) = oneshot::channel();
        self.push(Member { booking, reply });
        loop {
            tokio::select! {
                // The answer first: a member whose group ran before it got the turn is done.
                biased;
                grouped = &mut answer => return grouped.unwrap_or(Grouped::Alone),
                turn = self.turn.clone().lock_owned() => {
                    let members = self.take();
                    if members.is_empty() {
                        // A group that has just finished took this booking: its answer is sent.
                        continue;
                    }
                    let store = store.clone();
                    let clock = clock.clone();
                    let scramble = scramble.clone();
                    let counts = self.counts.clone();
                    tokio::spawn(async move {
                        run(members, &store, &clock, &scramble, &counts).await;
                        drop(turn);
                    });
                }
            }
        }
    }

    /// (groups committed, bookings they answered) since the service started.
    pub(super) fn counts(&self) -> (u64, u64) {
        (
            self.counts.commits.load(Ordering::Relaxed),
            self.counts.bookings.load(Ordering::Relaxed),
        )
    }

    fn push(&self, member: Member) {
        match self.queue.lock() {
            Ok(mut queue) => queue.push(member),
            // A panic while the queue was held: this booking goes alone.
            Err(_) => {
                let _ = member.reply.send(Grouped::Alone);
            }
        }
    }

    fn take(&self) -> Vec<Member> {
        let Ok(mut queue) = self.queue.lock() else {
            return Vec::new();
        };
        let n = queue.len().min(MAX_GROUP);
        queue.drain(..n).collect()
    }
}

/// Decides every member in one transaction and commits once; answers each, or tells each to
/// book alone.
async fn run(
    members: Vec<Member>,
    store: &Arc<dyn Store>,
    clock: &Clock,
    scramble: &domain::ReferenceScramble,
    counts: &GroupCounts,
) {
    match decide_all(&members, store, clock, scramble).await {
        Ok(answers) => {
            tracing::debug!(bookings = members.len(), "online bookings committed together");
            counts.commits.fetch_add(1, Ordering::Relaxed);
            counts.bookings.fetch_add(members.len() as u64, Ordering::Relaxed);
            for (member, answer) in members.into_iter().zip(answers) {
                let _ = member.reply.send(Grouped::Answered(answer));
            }
        }
        Err(e) => {
            tracing::info!(error = %e, bookings = members.len(), "online booking group rolled back: each books alone");
            for member in members {
                let _ = member.reply.send(Grouped::Alone);
            }
        }
    }
}

async fn decide_all(
    members: &[Member],
    store: &Arc<dyn Store>,
    clock: &Clock,
    scramble: &domain::ReferenceScramble,
) -> Result<Vec<Answer>, CentralError> {
    let mut tx = store.begin_write().await?;
    let now = clock.now();
    let mut answers = Vec::with_capacity(members.len());
    let mut booked = Vec::with_capacity(members.len());
    for m in members.iter().map(|m| &m.booking) {
        let attempt = Attempt {
            request: &m.request,
            kiosk: &m.kiosk,
            channel: Channel::Online,
            reference: None,
            use_share: false,
            decided_at: now,
            received_at: now,
            scramble,
        };
        let keep = AnswerKey {
            kiosk_id: &m.kiosk.id,
            key: &m.key,
            fingerprint: &m.fingerprint,
            now,
            keep_until: m.keep_until,
        };
        let decided = super::booking::book_in(&mut *tx, &attempt, Some(&keep)).await?;
        let Kept::Answer(kept) = decided.kept else {
            return Err(CentralError::Internal(
                "a booking in the group was sent before: its stored answer is given alone".into(),
            ));
        };
        booked.push(Logged::of(&decided.decision));
        answers.push(Answer {
            status: kept.status_code,
            body: kept.body,
            replayed: false,
        });
    }
    tx.commit().await?;
    for (m, logged) in members.iter().zip(booked) {
        logged.log(&m.booking.kiosk);
    }
    Ok(answers)
}
