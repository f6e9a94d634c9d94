//! Group commit of online bookings. A booking alone pays a durable commit (an fsync); bookings
//! that would wait for each other anyway are instead decided one after another in one
//! transaction and made durable by one commit, and each is answered only after that commit.
//!
//! Which bookings wait for each other depends on the store ([`GroupKey`]): on SQLite every
//! write waits for the one writer, so every online booking joins one queue; on PostgreSQL
//! writers run side by side and only bookings for the same session fight (over its row of
//! counts), so each session has a queue of its own and bookings for different sessions never
//! wait for each other's groups (docs/PERFORMANCE.md, "Group commit by session on PostgreSQL":
//! one queue for every booking there put them all through one connection, and the national
//! replay fell to half its rate).
//!
//! The first booking to find its queue idle starts a runner, a task of its own (a client that
//! hangs up cannot cancel the others' transaction halfway), with itself as the first group;
//! bookings that arrive while a group runs wait for the next, which the same runner takes. Each
//! booking is decided by the same `book_in` as a booking alone, and its answer is kept against
//! its idempotency key in the same transaction. A refusal writes nothing but its answer, so
//! refusals share a group safely. Anything else (a store error, a key that already has an
//! answer) rolls the whole group back, and every member then books alone, the way it would have
//! without a group: its idempotency key makes that safe whatever the group did or did not commit.
//!
//! A group of more than one reads what each booking decides on for all of them at once
//! ([`crate::store::BookingWriteTx::read_subjects_ahead`]: round trips, and on SQLite hand-offs
//! to the connection's thread, are most of a group's time). On PostgreSQL that locks all its
//! members' prisoners at once, in order of prisoner number, and reads them in two statements
//! where each member's own read took two; then its session's row, at its first write. On
//! SQLite it is one statement, each member's prisoner read for its own prison and session,
//! with its reference, where each member's read and reference took one each. Two groups on
//! PostgreSQL (each of its own session) take prisoners in one order and cannot deadlock
//! with each other; and a group is a batch transaction ([`Store::begin_batch_write`]), which
//! gives way to a lock held by any other writer (a push, a staff change) after a short wait, and
//! its members then book alone.

use super::Answer;
use super::booking::{AnswerKey, Attempt, Kept, Logged};
use crate::clock::Clock;
use crate::error::CentralError;
use crate::store::{Channel, Kiosk, Store, SubjectWanted};
use domain::{BookingRequest, PrisonCode, PrisonerNumber, SessionId};
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;

/// The most bookings one commit makes durable: a bound on how long the last of them waits.
const MAX_GROUP: usize = 64;

/// Which online bookings share a queue, and so may share a group.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum GroupKey {
    /// Every online booking: the store has one writer, which they all wait for.
    EveryBooking,
    /// The bookings for one session of one prison, which wait for its row of counts.
    Session(PrisonCode, SessionId),
}

impl GroupKey {
    /// The queue a booking joins, or `None` to book alone: a session that does not parse is
    /// refused by the rules, and needs no queue.
    pub(super) fn of(store: &dyn Store, prison: &PrisonCode, request: &BookingRequest) -> Option<Self> {
        if store.one_writer_at_a_time() {
            return Some(Self::EveryBooking);
        }
        let session = SessionId::parse(&request.session).ok()?;
        Some(Self::Session(prison.clone(), session))
    }
}

/// Who sends an online booking.
#[derive(Clone)]
pub(super) enum Caller {
    /// A kiosk already authenticated (a caller in the same process).
    Kiosk(Kiosk),
    /// A device token's SHA-256 (hex), authenticated in the group's own transaction: one
    /// statement for the whole group where a request read its kiosk on a pooled connection of
    /// its own, and a kiosk revoked before the group began books nothing.
    Token(String),
}

/// One online booking to decide.
pub(super) struct OnlineBooking {
    pub(super) caller: Caller,
    pub(super) key: String,
    pub(super) fingerprint: String,
    pub(super) request: BookingRequest,
    /// Until when its answer is kept against the key (`retention::keep_answer_until`).
    pub(super) keep_until: chrono::DateTime<chrono::Utc>,
}

/// A booking waiting in a queue, with where its answer goes.
struct Member {
    booking: OnlineBooking,
    reply: oneshot::Sender<Grouped>,
}

/// What a member hears back.
pub(super) enum Grouped {
    /// Decided and durable: this is its answer.
    Answered(Answer),
    /// Not let in: its token is no kiosk's, or its kiosk is revoked or does not serve the prison.
    Refused(CentralError),
    /// The group was rolled back: book alone.
    Alone,
}

/// The bookings waiting for the group running in each queue. A queue is here exactly while
/// its runner runs: a booking that finds none starts one.
type Queues = Arc<Mutex<HashMap<GroupKey, Vec<Member>>>>;

/// The queues of online bookings.
#[derive(Default)]
pub(super) struct OnlineGroups {
    queues: Queues,
    counts: Arc<GroupCounts>,
}

/// Groups committed and the bookings they answered, since the service started.
#[derive(Default)]
struct GroupCounts {
    commits: AtomicU64,
    bookings: AtomicU64,
}

/// What a group needs to run, owned by its queue's runner task.
struct Runner {
    key: GroupKey,
    queues: Queues,
    counts: Arc<GroupCounts>,
    store: Arc<dyn Store>,
    clock: Clock,
    scramble: domain::ReferenceScramble,
    /// Set once the runner took its queue away empty; until then, dropping the runner (a
    /// panic) tells every booking still queued to book alone, so none waits for it forever.
    finished: bool,
}

impl OnlineGroups {
    /// Queues a booking and waits for its answer, starting its queue's runner when none runs.
    pub(super) async fn book(
        &self,
        key: GroupKey,
        booking: OnlineBooking,
        store: &Arc<dyn Store>,
        clock: &Clock,
        scramble: &domain::ReferenceScramble,
    ) -> Grouped {
        let (reply, answer) = oneshot::channel();
        let member = Member { booking, reply };
        let first = {
            // A panic while a queue was held: this booking goes alone.
            let Ok(mut queues) = self.queues.lock() else {
                return Grouped::Alone;
            };
            match queues.entry(key.clone()) {
                Entry::Occupied(mut queue) => {
                    queue.get_mut().push(member);
                    None
                }
                Entry::Vacant(queue) => {
                    queue.insert(Vec::new());
                    Some(member)
                }
            }
        };
        if let Some(first) = first {
            let runner = Runner {
                key,
                queues: self.queues.clone(),
                counts: self.counts.clone(),
                store: store.clone(),
                clock: clock.clone(),
                scramble: scramble.clone(),
                finished: false,
            };
            tokio::spawn(runner.run(vec![first]));
        }
        answer.await.unwrap_or(Grouped::Alone)
    }

    /// (groups committed, bookings they answered) since the service started.
    pub(super) fn counts(&self) -> (u64, u64) {
        (
            self.counts.commits.load(Ordering::Relaxed),
            self.counts.bookings.load(Ordering::Relaxed),
        )
    }
}

impl Runner {
    /// Runs group after group until its queue is empty, then takes the queue away.
    async fn run(mut self, mut members: Vec<Member>) {
        while !members.is_empty() {
            self.run_group(members).await;
            members = self.next_group();
        }
    }

    /// Up to [`MAX_GROUP`] of the bookings queued, or none, and then the queue is gone (in the
    /// same hold of the lock, so a booking either joins this queue or starts a new one).
    fn next_group(&mut self) -> Vec<Member> {
        let Ok(mut queues) = self.queues.lock() else {
            return Vec::new();
        };
        let Entry::Occupied(mut queue) = queues.entry(self.key.clone()) else {
            self.finished = true;
            return Vec::new();
        };
        if queue.get().is_empty() {
            queue.remove();
            self.finished = true;
            return Vec::new();
        }
        let n = queue.get().len().min(MAX_GROUP);
        queue.get_mut().drain(..n).collect()
    }

    /// Decides every member in one transaction and commits once; answers each, or tells each
    /// to book alone.
    async fn run_group(&self, mut members: Vec<Member>) {
        if let GroupKey::Session(..) = self.key {
            // In the order of the prisoners' rows, as each booking locks them (a number that
            // does not parse locks none).
            members.sort_by_cached_key(|m| PrisonerNumber::parse(&m.booking.request.prisoner.number).ok());
        }
        match decide_all(&self.key, &members, &self.store, &self.clock, &self.scramble).await {
            Ok(answers) => {
                tracing::debug!(bookings = members.len(), "online bookings committed together");
                self.counts.commits.fetch_add(1, Ordering::Relaxed);
                self.counts
                    .bookings
                    .fetch_add(members.len() as u64, Ordering::Relaxed);
                for (member, answer) in members.into_iter().zip(answers) {
                    let _ = member.reply.send(match answer {
                        Ok(answer) => Grouped::Answered(answer),
                        Err(refused) => Grouped::Refused(refused),
                    });
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
}

impl Drop for Runner {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        let queued = match self.queues.lock() {
            Ok(mut queues) => queues.remove(&self.key).unwrap_or_default(),
            Err(poisoned) => poisoned.into_inner().remove(&self.key).unwrap_or_default(),
        };
        for member in queued {
            let _ = member.reply.send(Grouped::Alone);
        }
    }
}

/// Decides every member in one transaction, made durable by one commit: each member's answer,
/// or why it was not let in. A member sent with a token is authenticated in the transaction,
/// all of them in one statement; the members' prisoners are read ahead for the whole group.
async fn decide_all(
    key: &GroupKey,
    members: &[Member],
    store: &Arc<dyn Store>,
    clock: &Clock,
    scramble: &domain::ReferenceScramble,
) -> Result<Vec<Result<Answer, CentralError>>, CentralError> {
    let mut tx = match members.len() {
        1 => store.begin_write().await?,
        _ => store.begin_batch_write().await?,
    };
    let tokens: Vec<String> = members
        .iter()
        .filter_map(|m| match &m.booking.caller {
            Caller::Token(hash) => Some(hash.clone()),
            Caller::Kiosk(_) => None,
        })
        .collect();
    let by_token: HashMap<String, Kiosk> = match tokens.is_empty() {
        true => HashMap::new(),
        false => tx.kiosks_by_token(&tokens).await?.into_iter().collect(),
    };
    if members.len() > 1 {
        tx.read_subjects_ahead(&subjects_wanted(key, members)).await?;
    }
    let now = clock.now();
    let mut answers = Vec::with_capacity(members.len());
    let mut booked = Vec::with_capacity(members.len());
    for m in members.iter().map(|m| &m.booking) {
        let kiosk = match &m.caller {
            Caller::Kiosk(kiosk) => Ok(kiosk.clone()),
            Caller::Token(hash) => super::enrolment::let_in(by_token.get(hash).cloned())
                .and_then(|kiosk| super::booking::serving(kiosk, &m.request)),
        };
        let kiosk = match kiosk {
            Ok(kiosk) => kiosk,
            Err(refused) => {
                answers.push(Err(refused));
                continue;
            }
        };
        let attempt = Attempt {
            request: &m.request,
            kiosk: &kiosk,
            channel: Channel::Online,
            reference: None,
            use_share: false,
            decided_at: now,
            received_at: now,
            scramble,
        };
        let keep = AnswerKey {
            kiosk_id: &kiosk.id,
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
        booked.push((Logged::of(&decided.decision), kiosk));
        answers.push(Ok(Answer {
            status: kept.status_code,
            body: kept.body,
            replayed: false,
        }));
    }
    tx.commit().await?;
    for (logged, kiosk) in booked {
        logged.log(&kiosk);
    }
    Ok(answers)
}

/// What each member's prisoner is read ahead for: in a session's queue, that session at its
/// prison; in the one queue of a store with one writer, the member's own. A member whose
/// prisoner number or prison code does not parse reads nothing ahead (the rules refuse it).
fn subjects_wanted(key: &GroupKey, members: &[Member]) -> Vec<SubjectWanted> {
    members
        .iter()
        .filter_map(|m| {
            let request = &m.booking.request;
            let number = PrisonerNumber::parse(&request.prisoner.number).ok()?;
            let (prison, session) = match key {
                GroupKey::Session(prison, session) => (prison.clone(), Some(session.clone())),
                GroupKey::EveryBooking => (
                    request.prison_code().ok()?,
                    SessionId::parse(&request.session).ok(),
                ),
            };
            Some(SubjectWanted {
                number,
                prison,
                session,
            })
        })
        .collect()
}
