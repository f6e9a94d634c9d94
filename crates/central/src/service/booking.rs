//! Deciding and writing one booking (`book_in`, shared by online booking and pushed kiosk
//! bookings), online booking with idempotency keys, and reading bookings back.

use super::Central;
use super::group_commit::{Caller, GroupKey, Grouped, OnlineBooking};
use super::{Answer, sha256_hex};
use crate::error::CentralError;
use crate::store::{
    AlsoRead, AnswerToKeep, BookedVisitor, BookingListing, BookingRecord, BookingSubject, BookingWrite,
    Channel, Kiosk, NewBooking, StoreTx, StoredAnswer, TableKey, Written,
};
use chrono::{DateTime, NaiveDate, Utc};
use domain::timetable::find_session;
use domain::{
    BookingContext, BookingReference, BookingRequest, Field, IssuerNumber, PrisonCode, PrisonerNumber,
    RuleError, Session, SessionId, SessionTemplate, TemplateFields, Violations, VisitKind, decide,
    honour_confirmed, prepare, unknown_prisoner,
};
use protocol::{Booking, BookingStatus, BookingVisitor, ErrorBody};

/// A booking as the API shows it, with its session's times when central still has them.
fn booking_view(b: BookingRecord, session: Option<&Session>) -> Booking {
    Booking {
        reference: b.reference,
        status: b.status,
        status_reason: b.status_reason,
        prison: b.prison.to_string(),
        prisoner_number: b.prisoner_number,
        session: b.session,
        date: b.date,
        start: session.map(|s| s.start),
        end: session.map(|s| s.end),
        room: session.map(|s| s.room.clone()),
        kind: b.kind,
        spent_visiting_order: b.spent_visiting_order,
        channel: b.channel,
        used_share: b.used_share,
        visitors: b
            .visitors
            .into_iter()
            .map(|v| BookingVisitor {
                first_name: v.first_name,
                last_name: v.last_name,
                date_of_birth: v.date_of_birth,
                contact_id: v.contact_id,
            })
            .collect(),
        booked_at: b.booked_at,
        details: b.details,
    }
}

/// A booking with its session's times as the store listed it (for the pull).
pub(super) fn listing_view(l: BookingListing) -> Booking {
    let mut view = booking_view(l.booking, None);
    view.start = l.start;
    view.end = l.end;
    view.room = l.room;
    view
}

/// One booking to decide: online through central, or pushed from a kiosk's outbox.
pub(super) struct Attempt<'a> {
    pub(super) request: &'a BookingRequest,
    pub(super) kiosk: &'a Kiosk,
    pub(super) channel: Channel,
    /// The kiosk's reference for a pushed booking; central issues its own otherwise.
    pub(super) reference: Option<&'a BookingReference>,
    pub(super) use_share: bool,
    /// The instant the rules are judged at: now online, the kiosk's booking time for a push.
    pub(super) decided_at: DateTime<Utc>,
    pub(super) received_at: DateTime<Utc>,
    pub(super) scramble: &'a domain::ReferenceScramble,
}

// One short-lived value per request: boxing the large variant would buy nothing.
#[allow(clippy::large_enum_variant)]
pub(super) enum Decision {
    Booked { record: BookingRecord },
    Refused(Violations),
}

/// The templates with one session date's tables of a kind as a supervisor set them: that
/// template copied with the kind's capacity changed, for deciding a booking of that session
/// only. `None` when the session is left with no table of any kind, which a template cannot
/// say: such a session is full.
pub(super) fn with_tables(
    templates: &[SessionTemplate],
    key: &TableKey,
    tables: u32,
) -> Option<Vec<SessionTemplate>> {
    let tables = u16::try_from(tables).unwrap_or(u16::MAX);
    templates
        .iter()
        .map(|t| {
            if t.id() != key.template_id() {
                return Some(t.clone());
            }
            let mut fields = TemplateFields::from(t.clone());
            match key.kind {
                VisitKind::Open => fields.open_capacity = tables,
                VisitKind::Closed => fields.closed_capacity = tables,
            }
            SessionTemplate::parse(fields).ok()
        })
        .collect()
}

/// Judges a booking by every rule, reading what they need (the prisoner held until commit; the
/// session's counts held too when the kiosk's share may be used, else read as they stand) and
/// writing nothing but, with a share, the session's zeroed count row when it has none.
async fn judge(tx: &mut dyn StoreTx, a: &Attempt<'_>) -> Result<Judged, CentralError> {
    let code = a
        .request
        .prison_code()
        .map_err(|e| CentralError::UnknownPrison(e.0))?;
    // The prisoner (locked), their live visits and the prison's version come first, in two
    // statements: the prison's rules, timetable and closures then come from the store's cache
    // without a statement of their own. A number that does not parse, or no such prisoner, is
    // refused below in the order the rules give. A booking that may use the kiosk's share locks
    // the session's counts (below); any other reads them in the same statement as the prisoner's
    // people, with central's next reference when it needs one.
    let session_tables = SessionId::parse(&a.request.session).ok().filter(|_| !a.use_share);
    let also = AlsoRead {
        sequence: a.reference.is_none(),
        session_tables: session_tables.as_ref(),
    };
    let subject = match PrisonerNumber::parse(&a.request.prisoner.number) {
        Ok(number) => tx.booking_subject(&number, &code, also).await?,
        Err(_) => None,
    };
    let prison = match subject.as_ref().and_then(|s| s.prison_version) {
        Some(version) => tx.prison_at(&code, version).await?,
        None => tx.prison(&code).await?,
    }
    .ok_or_else(|| CentralError::UnknownPrison(code.to_string()))?;
    // Shape first; picked contacts are filled in by decide(), once the prisoner is identified.
    let prepared = match prepare(a.request, &prison.rules, a.decided_at) {
        Ok(p) => p,
        Err(v) => return Ok(Judged::Refused(v)),
    };
    let session_id = prepared.session();
    let subject = match subject {
        Some(s) if &s.record.number == prepared.prisoner_number() => Some(s),
        Some(_) => {
            tx.booking_subject(prepared.prisoner_number(), &code, also)
                .await?
        }
        None => None,
    };
    let Some(BookingSubject {
        at,
        record,
        live_visits: existing,
        central_sequence,
        session_tables: read_tables,
        ..
    }) = subject
    else {
        return Ok(Judged::Refused(unknown_prisoner()));
    };
    if at != code {
        return Ok(Judged::Refused(unknown_prisoner()));
    }
    let templates = &prison.file.templates;
    let closures = &prison.file.closures;
    let kind = record.visit_kind_on(session_id.date());
    let key = TableKey::new(session_id, kind);
    // Only a real session gets a counts row. A booking that may use the kiosk's share locks the
    // counts and then the lease, in the order escrow takes them; any other is judged on counts
    // read as they stand, and its write takes the table only if the session still has it.
    let session_exists = find_session(templates, closures, session_id).is_ok();
    let (counts, share) = match (session_exists, a.use_share) {
        (false, _) => Default::default(),
        (true, true) => {
            let counts = tx.lock_tables(&key, &code).await?;
            let share = tx.lease(&a.kiosk.id, &key).await?.filter(|l| l.tables > 0);
            (counts, share)
        }
        (true, false) => match read_tables {
            Some(read) if session_tables.as_ref() == Some(session_id) => {
                let counts = read.into_iter().find(|(k, _)| *k == kind).map(|(_, c)| c);
                (counts.unwrap_or_default(), None)
            }
            _ => (tx.tables_to_book(&key, &code).await?, None),
        },
    };
    // A table held in this kiosk's share is already set aside for this booking.
    let mut taken = counts.taken().saturating_sub(u32::from(share.is_some()));
    // A supervisor changed this session date's tables: the rules judge against those.
    let changed = counts.capacity.map(|c| with_tables(templates, &key, c));
    let templates = match &changed {
        Some(Some(changed)) => changed.as_slice(),
        Some(None) => {
            taken = u32::MAX;
            templates
        }
        None => templates,
    };
    let ctx = BookingContext {
        rules: &prison.rules,
        templates,
        closures,
        prisoner: &record,
        existing_visits: &existing,
        tables_taken: taken,
    };
    // A kiosk that confirmed this visit offline against a table central holds for it has
    // printed CONFIRMED: the domain decides whether the visit stands anyway, for staff to review.
    let (session, spends_visiting_order, review_reason, party) = match decide(&prepared, &ctx, a.decided_at) {
        Ok(approved) => (
            Some(approved.session().clone()),
            approved.spends_visiting_order(),
            None,
            approved.visitors().to_vec(),
        ),
        Err(refused) => {
            let honoured = share
                .as_ref()
                .and_then(|_| honour_confirmed(&prepared, &ctx, &refused));
            let Some(h) = honoured else {
                return Ok(Judged::Refused(refused));
            };
            tracing::warn!(session = %session_id, reason = h.review_reason(), "honouring a kiosk's offline confirmation for staff to review");
            (
                h.session().cloned(),
                h.spends_visiting_order(),
                Some(h.review_reason()),
                h.visitors().to_vec(),
            )
        }
    };
    let capacity = match (&share, &session) {
        (Some(_), _) => None,
        (None, Some(session)) => Some(u32::from(session.capacity(kind))),
        (None, None) => {
            // Only an honoured confirmation has no session, and it holds a share: a bug, so
            // refuse rather than overbook.
            tracing::error!(session = %session_id, "a booking with neither a session nor a share");
            return Ok(Judged::Refused(RuleError::SessionFull.at(Field::Session).into()));
        }
    };
    let reference = match a.reference {
        Some(r) => r.clone(),
        None => {
            // Sequence 0 would scramble to the reference 0000-0000, which looks like a
            // placeholder, so central's numbering starts at 1.
            let seq = match central_sequence {
                Some(seq) => seq,
                None => tx.next_central_sequence().await?,
            } + 1;
            let seq = u32::try_from(seq).map_err(|_| CentralError::ReferencesExhausted)?;
            BookingReference::issue(IssuerNumber::CENTRAL, seq, a.scramble)
                .map_err(|_| CentralError::ReferencesExhausted)?
        }
    };
    let visitors: Vec<BookedVisitor> = party
        .iter()
        .map(|p| BookedVisitor {
            first_name: p.visitor.first_name.to_string(),
            last_name: p.visitor.last_name.to_string(),
            date_of_birth: Some(p.visitor.date_of_birth.date()),
            contact_id: p.contact_id.clone(),
        })
        .collect();
    let booking = BookingRecord {
        reference: reference.to_string(),
        status: BookingStatus::Booked,
        status_reason: None,
        prison: code,
        prisoner_number: record.number.to_string(),
        session: session_id.to_string(),
        date: session_id.date(),
        kind,
        spent_visiting_order: spends_visiting_order,
        channel: a.channel,
        kiosk_id: Some(a.kiosk.id.clone()),
        used_share: share.is_some(),
        review_reason: review_reason.map(str::to_string),
        visitors,
        details: prepared.request().details.clone(),
        booked_at: a.decided_at,
        received_at: a.received_at,
    };
    Ok(Judged::Approved(Approved {
        record: booking,
        session,
        key,
        capacity,
        prisoner: record.number,
    }))
}

/// A booking that passed every rule, before anything of it is written. `session` is missing
/// only for an honoured offline confirmation in a session central has since closed.
struct Approved {
    record: BookingRecord,
    session: Option<Session>,
    key: TableKey,
    /// The session's tables of the booking's kind; `None` when the kiosk's share holds it.
    capacity: Option<u32>,
    prisoner: PrisonerNumber,
}

// One short-lived value per request: boxing the large variant would buy nothing.
#[allow(clippy::large_enum_variant)]
enum Judged {
    Approved(Approved),
    Refused(Violations),
}

/// An online booking's idempotency key: the booking's answer is kept against it in the
/// booking's own transaction (and statement, where the store can).
pub(super) struct AnswerKey<'a> {
    pub(super) kiosk_id: &'a str,
    pub(super) key: &'a str,
    pub(super) fingerprint: &'a str,
    pub(super) now: DateTime<Utc>,
    pub(super) keep_until: DateTime<Utc>,
}

impl AnswerKey<'_> {
    fn answer(&self, (status_code, body): (u16, String)) -> StoredAnswer {
        StoredAnswer {
            fingerprint: self.fingerprint.to_string(),
            status_code,
            body,
        }
    }
}

/// What became of an [`AnswerKey`].
pub(super) enum Kept {
    /// No key was given (a pushed booking).
    NoKey,
    /// The answer is kept against the key.
    Answer(StoredAnswer),
    /// The key already had an answer: the caller must roll back and give that one.
    KeyAnswered,
}

/// A decision as written, with the answer kept against its key.
pub(super) struct Decided {
    pub(super) decision: Decision,
    pub(super) kept: Kept,
}

/// Decides and, if approved, writes a booking: load, decide (with the domain's rules, and its
/// policy for a kiosk's offline confirmation), write, keeping the answer against `keep` when
/// given. Nothing is written before every rule has passed (creating the session's zeroed count
/// row aside), so a refusal leaves the store as it was, but for its kept answer.
pub(super) async fn book_in(
    tx: &mut dyn StoreTx,
    a: &Attempt<'_>,
    keep: Option<&AnswerKey<'_>>,
) -> Result<Decided, CentralError> {
    let approved = match judge(tx, a).await? {
        Judged::Approved(approved) => approved,
        Judged::Refused(violations) => return refused(tx, violations, keep).await,
    };
    let Approved {
        record,
        session,
        key,
        capacity,
        prisoner,
    } = approved;
    let answer = match keep {
        Some(k) => Some(k.answer(booked_answer(&record, session.as_ref())?)),
        None => None,
    };
    let write = BookingWrite {
        booking: NewBooking {
            reference: &record.reference,
            prison: &record.prison,
            prisoner_number: &record.prisoner_number,
            key: &key,
            status: record.status,
            status_reason: None,
            spent_visiting_order: record.spent_visiting_order,
            channel: record.channel,
            kiosk_id: record.kiosk_id.as_deref(),
            used_share: record.used_share,
            review_reason: record.review_reason.as_deref(),
            visitors: &record.visitors,
            details: &record.details,
            booked_at: record.booked_at,
            received_at: record.received_at,
        },
        prisoner: &prisoner,
        capacity,
        answer: answer.as_ref().zip(keep).map(|(answer, k)| AnswerToKeep {
            kiosk_id: k.kiosk_id,
            key: k.key,
            answer,
            now: k.now,
            keep_until: k.keep_until,
        }),
    };
    let written = tx.write_booking(&write).await?;
    let kept = match (written, answer) {
        (Written::SessionFull, _) => {
            // The last tables went to other bookings while this one was judged on counts read
            // without a lock (see `tables_to_book`): refused as full, as it would be a moment later.
            tracing::info!(session = %record.session, "the session filled while the booking was judged");
            return refused(tx, RuleError::SessionFull.at(Field::Session).into(), keep).await;
        }
        (Written::KeyAnswered, _) => Kept::KeyAnswered,
        (Written::Booked, Some(answer)) => Kept::Answer(answer),
        (Written::Booked, None) => Kept::NoKey,
    };
    Ok(Decided {
        decision: Decision::Booked { record },
        kept,
    })
}

/// A refusal, with its answer kept against `keep` when given.
async fn refused(
    tx: &mut dyn StoreTx,
    violations: Violations,
    keep: Option<&AnswerKey<'_>>,
) -> Result<Decided, CentralError> {
    let kept = match keep {
        None => Kept::NoKey,
        Some(k) => {
            let answer = k.answer(refused_answer(&violations)?);
            match tx
                .keep_idempotent_answer(k.kiosk_id, k.key, &answer, k.now, k.keep_until)
                .await?
            {
                true => Kept::Answer(answer),
                false => Kept::KeyAnswered,
            }
        }
    };
    Ok(Decided {
        decision: Decision::Refused(violations),
        kept,
    })
}

/// What an online booking's decision says in the log, written only once it is committed: a
/// decision in a group that rolls back is decided again alone, and would be logged twice.
pub(super) enum Logged {
    Booked { reference: String, session: String },
    Refused { code: &'static str },
}

impl Logged {
    pub(super) fn of(decision: &Decision) -> Self {
        match decision {
            Decision::Booked { record } => Logged::Booked {
                reference: record.reference.clone(),
                session: record.session.clone(),
            },
            Decision::Refused(v) => Logged::Refused {
                code: v.first().code(),
            },
        }
    }

    pub(super) fn log(&self, kiosk: &Kiosk) {
        match self {
            Logged::Booked { reference, session } => {
                tracing::info!(%reference, %session, kiosk_id = %kiosk.id, "booked online");
            }
            Logged::Refused { code } => {
                tracing::info!(code, kiosk_id = %kiosk.id, "online booking refused");
            }
        }
    }
}

/// The kiosk, if it serves the prison the request is for.
pub(super) fn serving(kiosk: Kiosk, request: &BookingRequest) -> Result<Kiosk, CentralError> {
    match request.prison_code() {
        Ok(prison) if kiosk.serves(&prison) => Ok(kiosk),
        Ok(prison) => Err(CentralError::PrisonNotAllowed(prison.to_string())),
        Err(e) => Err(CentralError::PrisonNotAllowed(e.0)),
    }
}

/// An online booking's HTTP answer: 201 with the booking.
fn booked_answer(record: &BookingRecord, session: Option<&Session>) -> Result<(u16, String), CentralError> {
    let body = serde_json::to_string(&booking_view(record.clone(), session));
    Ok((201, body.map_err(|e| CentralError::Internal(e.to_string()))?))
}

/// An online booking's HTTP answer: 422 with the broken rules.
fn refused_answer(violations: &Violations) -> Result<(u16, String), CentralError> {
    let body = serde_json::to_string(&ErrorBody::rejection(violations));
    Ok((422, body.map_err(|e| CentralError::Internal(e.to_string()))?))
}

impl Central {
    /// Books a visit online. The answer (booked, or refused with the broken rules) is stored
    /// against the kiosk's idempotency key in the same transaction, and a retry with the same
    /// key and body gets that answer again instead of a second booking.
    pub async fn book_online(
        &self,
        kiosk: &Kiosk,
        key: &str,
        request: &BookingRequest,
    ) -> Result<Answer, CentralError> {
        let kiosk = serving(kiosk.clone(), request)?;
        self.book_online_by(Caller::Kiosk(kiosk), key, request).await
    }

    /// [`Self::book_online`] for whoever holds a kiosk's device token. The kiosk is read in the
    /// booking's own transaction, one statement for a group of bookings where each request
    /// read it on a pooled connection of its own; a token that is no kiosk's, or a revoked
    /// kiosk's, books nothing and gets the same error as [`Self::authenticate`]'s.
    pub async fn book_online_with_token(
        &self,
        token: &str,
        key: &str,
        request: &BookingRequest,
    ) -> Result<Answer, CentralError> {
        let caller = Caller::Token(sha256_hex(token.as_bytes()));
        self.book_online_by(caller, key, request).await
    }

    async fn book_online_by(
        &self,
        caller: Caller,
        key: &str,
        request: &BookingRequest,
    ) -> Result<Answer, CentralError> {
        let body = serde_json::to_vec(request).map_err(|e| CentralError::Internal(e.to_string()))?;
        let fingerprint = sha256_hex(&body);
        let group = request
            .prison_code()
            .ok()
            .and_then(|prison| GroupKey::of(&*self.store, &prison, request));
        if let Some(group) = group {
            let scramble = self.reference_scramble().await?;
            let booking = OnlineBooking {
                caller: caller.clone(),
                key: key.to_string(),
                fingerprint: fingerprint.clone(),
                request: request.clone(),
                keep_until: super::retention::keep_answer_until(
                    request,
                    self.clock.now(),
                    self.settings.idempotency_retention,
                ),
            };
            match self
                .online_groups
                .book(group, booking, &self.store, &self.clock, &scramble)
                .await
            {
                Grouped::Answered(answer) => return Ok(answer),
                Grouped::Refused(refused) => return Err(refused),
                Grouped::Alone => {}
            }
        }
        let kiosk = match caller {
            Caller::Kiosk(kiosk) => kiosk,
            Caller::Token(hash) => serving(self.authenticate_hash(&hash).await?, request)?,
        };
        retrying!(self.book_online_once(&kiosk, key, &fingerprint, request))
    }

    async fn book_online_once(
        &self,
        kiosk: &Kiosk,
        key: &str,
        fingerprint: &str,
        request: &BookingRequest,
    ) -> Result<Answer, CentralError> {
        let scramble = self.reference_scramble().await?;
        let now = self.clock.now();
        let mut tx = self.store.begin_write().await?;
        let attempt = Attempt {
            request,
            kiosk,
            channel: Channel::Online,
            reference: None,
            use_share: false,
            decided_at: now,
            received_at: now,
            scramble: &scramble,
        };
        let keep = AnswerKey {
            kiosk_id: &kiosk.id,
            key,
            fingerprint,
            now,
            keep_until: super::retention::keep_answer_until(
                request,
                now,
                self.settings.idempotency_retention,
            ),
        };
        // The key is looked at only once the booking is decided, in the statement that keeps its
        // answer: a retry is rare, and a statement per booking is not. A retry's own attempt is
        // rolled back and the first answer given instead.
        let decided = match book_in(&mut *tx, &attempt, Some(&keep)).await {
            Ok(decided) => decided,
            Err(e) => {
                drop(tx);
                return match self.stored_answer(kiosk, key, fingerprint).await? {
                    Some(answer) => Ok(answer),
                    None => Err(e),
                };
            }
        };
        let answer = match decided.kept {
            Kept::Answer(answer) => answer,
            Kept::KeyAnswered | Kept::NoKey => {
                tx.rollback().await?;
                return self
                    .stored_answer(kiosk, key, fingerprint)
                    .await?
                    .ok_or_else(|| CentralError::Internal("an idempotency key's answer vanished".into()));
            }
        };
        tx.commit().await?;
        Logged::of(&decided.decision).log(kiosk);
        Ok(Answer {
            status: answer.status_code,
            body: answer.body,
            replayed: false,
        })
    }

    /// The answer kept against a key, for a request sent again with it; refused when the key
    /// came with a different body.
    async fn stored_answer(
        &self,
        kiosk: &Kiosk,
        key: &str,
        fingerprint: &str,
    ) -> Result<Option<Answer>, CentralError> {
        let mut tx = self.store.begin_read().await?;
        let Some(stored) = tx.idempotent_answer(&kiosk.id, key).await? else {
            return Ok(None);
        };
        if stored.fingerprint != fingerprint {
            return Err(CentralError::IdempotencyKeyReused);
        }
        Ok(Some(Answer {
            status: stored.status_code,
            body: stored.body,
            replayed: true,
        }))
    }

    /// A booking, if it is at one of the kiosk's prisons. Another prison's booking gets the
    /// answer of a missing one, so a kiosk cannot learn which references exist elsewhere.
    pub async fn booking(&self, kiosk: &Kiosk, reference: &str) -> Result<Booking, CentralError> {
        let reference = BookingReference::parse(reference)
            .map_err(|e| CentralError::Rejected(e.at(Field::Reference).into()))?
            .to_string();
        let mut tx = self.store.begin_read().await?;
        let record = tx
            .booking(&reference)
            .await?
            .filter(|r| kiosk.serves(&r.prison))
            .ok_or_else(|| CentralError::BookingNotFound(reference.clone()))?;
        let session = match tx.prison(&record.prison).await? {
            Some(p) => SessionId::parse(&record.session)
                .ok()
                .and_then(|id| find_session(&p.file.templates, &[], &id).ok()),
            None => None,
        };
        Ok(booking_view(record, session.as_ref()))
    }

    /// A visitor's own booking, by its reference and the lead visitor's date of birth: the same
    /// answer (`booking_not_found`) for a missing booking, another prison's and a wrong date.
    pub async fn lookup_booking(
        &self,
        kiosk: &Kiosk,
        lookup: &protocol::BookingLookup,
    ) -> Result<Booking, CentralError> {
        let booking = self.booking(kiosk, &lookup.reference).await?;
        let lead_matches = booking
            .visitors
            .first()
            .and_then(|v| v.date_of_birth)
            .is_some_and(|born| born == lookup.lead_date_of_birth);
        if lead_matches {
            Ok(booking)
        } else {
            Err(CentralError::BookingNotFound(booking.reference))
        }
    }

    /// Every booking at a prison on a date, for staff lists and the CSV export.
    pub async fn bookings_on(
        &self,
        prison: &PrisonCode,
        date: NaiveDate,
    ) -> Result<Vec<BookingListing>, CentralError> {
        let mut tx = self.store.begin_read().await?;
        if tx.prison(prison).await?.is_none() {
            return Err(CentralError::UnknownPrison(prison.to_string()));
        }
        Ok(tx.bookings_on(prison, date).await?)
    }
}
