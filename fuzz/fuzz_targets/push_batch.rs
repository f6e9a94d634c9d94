//! Central's push batch (`POST /api/v1/sync/push`), read as central reads it before it opens a
//! transaction: the body through serde_path_to_error, the order check, each event decoded on
//! its own from its kind and payload, and the fields central parses first (references and
//! their issuer, prison codes, session ids, the booking request at the event's clamped time).
//! Central's own crate is not linked: it would bring sqlx, axum and both database drivers into
//! an instrumented nightly build for code that only talks to the store.
#![no_main]

use chrono::{DateTime, Utc};
use domain::{BookingReference, PrisonCode, SessionId, Tz, prepare};
use libfuzzer_sys::fuzz_target;
use protocol::{Event, EventError, EventKind, PushEvent, PushRequest};
use std::sync::LazyLock;

static RULES: LazyLock<domain::PrisonRules> = LazyLock::new(|| {
    domain::PrisonRules::new(domain::RulesFields {
        timezone: Tz::Europe__London,
        min_notice_days: 2,
        max_notice_days: 28,
        max_visitors: 6,
        max_adults: 3,
        max_children: 4,
        adult_age: 18,
        has_contact_list: true,
        remand_weekly_limit: 3,
    })
    .expect("the demo's Cardiff rules are valid")
});

fn check_event(envelope: &PushEvent, now: DateTime<Utc>) {
    let event = match envelope.event() {
        Ok(event) => event,
        Err(e) => {
            // Unknown kinds are named as such, and only those.
            let unknown = matches!(e, EventError::UnknownKind(_));
            assert_eq!(unknown, EventKind::parse(&envelope.kind).is_none());
            let _ = (e.refusal(), e.to_string());
            return;
        }
    };
    assert_eq!(event.kind().as_str(), envelope.kind);
    // What a kiosk stores and pushes decodes to the same event.
    let payload = event.payload().expect("an event encodes");
    assert_eq!(
        Event::decode(event.kind().as_str(), &payload).as_ref(),
        Ok(&event)
    );
    // Judged at its own time within what the kiosk could honestly have (central's clamp).
    let judged_at = envelope.created_at.max(DateTime::UNIX_EPOCH).min(now);
    match &event {
        Event::BookingCreated(created) => {
            if let Ok(reference) = BookingReference::parse(&created.reference) {
                let (issuer, _) = reference.origin(&domain::ReferenceScramble::Unkeyed);
                assert!(issuer.get() <= domain::reference::MAX_ISSUER);
            }
            if let Ok(code) = created.request.prison_code() {
                assert_eq!(PrisonCode::parse(code.as_str()).as_ref(), Ok(&code));
            }
            if let Ok(prepared) = prepare(&created.request, &RULES, judged_at) {
                assert_eq!(
                    SessionId::parse(&created.request.session).as_ref(),
                    Ok(prepared.session())
                );
            }
        }
        Event::BookingCancelled(cancelled) => {
            let _ = BookingReference::parse(&cancelled.reference);
        }
        Event::VisitAttendance(marked) => {
            let _ = BookingReference::parse(&marked.reference);
        }
        Event::ReviewResolved(resolved) => {
            let _ = BookingReference::parse(&resolved.reference);
            if let Some(moved) = &resolved.moved_to {
                let _ = BookingReference::parse(moved);
            }
        }
        Event::ShareReleased(released) => {
            if let Ok(session) = SessionId::parse(&released.session) {
                assert_eq!(SessionId::parse(&session.to_string()).as_ref(), Ok(&session));
            }
        }
        Event::StaffAccountChanged(changed) => {
            let _ = PrisonCode::parse(&changed.prison);
        }
        Event::Audit(entry) => {
            let _ = PrisonCode::parse(&entry.prison);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let mut de = serde_json::Deserializer::from_slice(data);
    let Ok(request) = serde_path_to_error::deserialize::<_, PushRequest>(&mut de) else {
        return;
    };
    // Central refuses the whole batch when its sequence numbers do not strictly increase.
    let in_order =
        request.events.windows(2).all(|w| w[0].seq < w[1].seq) && request.events.iter().all(|e| e.seq >= 1);
    if !in_order {
        return;
    }
    let now: DateTime<Utc> = "2026-12-01T10:00:00Z".parse().expect("an instant");
    for envelope in &request.events {
        check_event(envelope, now);
    }
    // The envelope re-encodes (central stores answers and fingerprints of what was sent).
    let encoded = serde_json::to_vec(&request).expect("a batch serialises");
    let again: PushRequest = serde_json::from_slice(&encoded).expect("an encoded batch reads back");
    assert_eq!(again.events.len(), request.events.len());
    for (a, b) in again.events.iter().zip(&request.events) {
        assert_eq!(
            (a.event_id, a.seq, &a.kind, a.created_at),
            (b.event_id, b.seq, &b.kind, b.created_at)
        );
    }
});
