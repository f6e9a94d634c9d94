//! The OpenAPI document, generated: schemas from the protocol types, paths and success answers
//! from the handlers' `#[utoipa::path]` attributes (which are also what routes them, see
//! [`super::router`]), and each route's error answers with their codes from [`ERRORS`] below.

use protocol::routes::{
    BOOKING, BOOKING_LOOKUP, BOOKINGS, CLOSURES, ENROL, HEALTH, KIOSK, LEASE, Method, OPENAPI, PULL, PUSH,
    READY, SESSION_TABLES,
};
use protocol::{
    AuditAction, AuditEntry, BookingCancelled, BookingCreated, ErrorBody, ErrorCode, Event, EventKind,
    EventRefusal, Route, ShareReleased, StaffAccount, StaffAccountChanged, StaffChange,
};
use utoipa::openapi::extensions::ExtensionsBuilder;
use utoipa::openapi::path::Operation;
use utoipa::openapi::schema::Ref;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi as Document, ResponseBuilder};
use utoipa::{Modify, OpenApi};

/// The security scheme every route but enrolment, the document and the probes needs.
pub const KIOSK_TOKEN: &str = "kioskToken";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Visit booking central service",
        version = "1.0.0",
        description = "The authority on capacity and rules that visitor-centre kiosks sync with. Every error is \
            `{\"error\": {\"code\", \"message\", \"violations\"?}}` with a stable code: each answer lists its codes \
            in `x-error-codes`; `x-rule-codes` marks an answer whose code may also be a booking rule's \
            (`session_full`, `visitor_banned`...). Every endpoint under /api/v1 except /enrol and \
            /openapi.json needs `Authorization: Bearer <kiosk token>`. Outbox events (`Event`) are versioned \
            by kind: a kind central does not know is refused per event with `unknown_event_kind`."
    ),
    components(schemas(ErrorBody, ErrorCode, Event, EventKind, EventRefusal, BookingCreated, BookingCancelled, ShareReleased,
        StaffAccountChanged, StaffChange, AuditEntry, AuditAction, StaffAccount)),
    modifiers(&Security),
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut Document) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            KIOSK_TOKEN,
            SecurityScheme::Http(
                Http::builder()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The token returned by /api/v1/enrol."))
                    .build(),
            ),
        );
    }
}

/// One error answer of a route: its status and the codes it may carry.
pub struct ErrorAnswer {
    pub status: u16,
    pub codes: &'static [ErrorCode],
    /// The code may also be a booking rule's (a refused booking).
    pub rule_codes: bool,
}

const fn answer(status: u16, codes: &'static [ErrorCode]) -> ErrorAnswer {
    ErrorAnswer {
        status,
        codes,
        rule_codes: false,
    }
}

use ErrorCode::*;

/// What any route may answer: the middleware's timeout and panic answers.
const ANY: [ErrorAnswer; 2] = [answer(408, &[RequestTimeout]), answer(500, &[InternalError])];
const AUTHENTICATED: [ErrorAnswer; 1] = [answer(401, &[Unauthenticated, UnknownKiosk, KioskRevoked])];
/// What reading a JSON body may answer (see `JsonBody`).
const JSON: [ErrorAnswer; 3] = [
    answer(413, &[BodyTooLarge]),
    answer(415, &[UnsupportedMediaType]),
    answer(400, &[MalformedJson, BodyUnreadable]),
];
const JSON_SHAPE: &[ErrorCode] = &[UnknownField, MissingField, InvalidType, InvalidValue];

/// Every route's error answers (besides [`ANY`]). The document lists exactly these; a test
/// checks that every route served has an entry.
pub fn errors(route: Route) -> Option<Vec<ErrorAnswer>> {
    let store = answer(503, &[StoreUnavailable]);
    let specific = match (route.method, route.path) {
        (Method::Post, ENROL) => {
            let mut e = vec![
                answer(401, &[EnrolmentCodeInvalid]),
                answer(422, JSON_SHAPE),
                store,
            ];
            e.extend(JSON);
            return Some(with_any(e));
        }
        (Method::Get, KIOSK) => vec![store],
        (Method::Post, BOOKINGS) => {
            let mut e = vec![
                answer(400, &[IdempotencyKeyMissing, IdempotencyKeyInvalid]),
                answer(403, &[PrisonNotAllowed]),
                answer(404, &[UnknownPrison]),
                ErrorAnswer {
                    status: 422,
                    codes: &[
                        IdempotencyKeyReused,
                        UnknownField,
                        MissingField,
                        InvalidType,
                        InvalidValue,
                    ],
                    rule_codes: true,
                },
                answer(500, &[ReferencesExhausted]),
                store,
            ];
            e.extend(JSON);
            e
        }
        (Method::Get, BOOKING) => vec![
            answer(404, &[BookingNotFound]),
            ErrorAnswer {
                status: 422,
                codes: &[],
                rule_codes: true,
            },
            store,
        ],
        (Method::Post, BOOKING_LOOKUP) => {
            let mut e = vec![
                answer(404, &[BookingNotFound]),
                ErrorAnswer {
                    status: 422,
                    codes: JSON_SHAPE,
                    rule_codes: true,
                },
                store,
            ];
            e.extend(JSON);
            e
        }
        (Method::Get, PULL) => vec![answer(400, &[InvalidQuery]), store],
        (Method::Post, PUSH) => {
            let mut e = vec![
                answer(400, &[EventsOutOfOrder]),
                answer(413, &[TooManyEvents, BodyTooLarge]),
                answer(422, JSON_SHAPE),
                store,
            ];
            e.extend(JSON.into_iter().filter(|a| a.status != 413));
            e
        }
        (Method::Post, LEASE) => {
            let mut e = vec![
                answer(403, &[PrisonNotAllowed]),
                answer(404, &[UnknownPrison]),
                ErrorAnswer {
                    status: 422,
                    codes: &[
                        ShareTooLarge,
                        UnknownField,
                        MissingField,
                        InvalidType,
                        InvalidValue,
                    ],
                    rule_codes: true,
                },
                store,
            ];
            e.extend(JSON);
            e
        }
        (Method::Post, CLOSURES | SESSION_TABLES) => {
            let mut e = vec![
                answer(400, &[IdempotencyKeyMissing, IdempotencyKeyInvalid]),
                answer(403, &[PrisonNotAllowed, ActorNotAllowed]),
                answer(404, &[UnknownPrison]),
                answer(409, &[TablesBelowBooked]),
                ErrorAnswer {
                    status: 422,
                    codes: &[
                        IdempotencyKeyReused,
                        DateInPast,
                        UnknownField,
                        MissingField,
                        InvalidType,
                        InvalidValue,
                    ],
                    rule_codes: true,
                },
                store,
            ];
            if route.path == CLOSURES {
                e.retain(|a| a.status != 409);
            }
            e.extend(JSON);
            e
        }
        (Method::Get, OPENAPI | HEALTH) => return Some(with_any(Vec::new())),
        (Method::Get, READY) => return Some(with_any(vec![store])),
        _ => return None,
    };
    let mut all = Vec::from(AUTHENTICATED);
    all.extend(specific);
    Some(with_any(all))
}

fn with_any(mut answers: Vec<ErrorAnswer>) -> Vec<ErrorAnswer> {
    answers.extend(ANY);
    answers
}

/// Whether a route needs the kiosk's bearer token.
pub fn authenticated(route: Route) -> bool {
    !matches!(route.path, ENROL | OPENAPI | HEALTH | READY)
}

/// Adds each operation's error answers (merged per status) and its security requirement.
pub fn complete(document: &mut Document) {
    for (path, item) in document.paths.paths.iter_mut() {
        for (method, operation) in [
            (Method::Get, item.get.as_mut()),
            (Method::Post, item.post.as_mut()),
        ] {
            let Some(operation) = operation else { continue };
            let Some(route) = protocol::routes::ROUTES
                .iter()
                .find(|r| r.method == method && r.path == path)
            else {
                continue;
            };
            add_errors(operation, *route);
        }
    }
}

fn add_errors(operation: &mut Operation, route: Route) {
    let mut merged: Vec<(u16, Vec<&'static str>, bool)> = Vec::new();
    for a in errors(route).unwrap_or_default() {
        match merged.iter_mut().find(|(status, ..)| *status == a.status) {
            Some((_, codes, rules)) => {
                codes.extend(a.codes.iter().map(|c| c.as_str()));
                *rules |= a.rule_codes;
            }
            None => merged.push((
                a.status,
                a.codes.iter().map(|c| c.as_str()).collect(),
                a.rule_codes,
            )),
        }
    }
    for (status, mut codes, rules) in merged {
        codes.dedup();
        let mut description = format!("Error codes: {}", codes.join(", "));
        if rules {
            description.push_str(if codes.is_empty() {
                "a booking rule's code"
            } else {
                ", or a booking rule's code"
            });
        }
        let extensions = ExtensionsBuilder::new()
            .add("x-error-codes", serde_json::json!(codes))
            .add("x-rule-codes", serde_json::json!(rules))
            .build();
        let response = ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
            .extensions(Some(extensions))
            .build();
        operation
            .responses
            .responses
            .insert(status.to_string(), response.into());
    }
    if authenticated(route) {
        operation.security = Some(vec![utoipa::openapi::security::SecurityRequirement::new::<
            &str,
            [&str; 0],
            &str,
        >(KIOSK_TOKEN, [])]);
    }
}
