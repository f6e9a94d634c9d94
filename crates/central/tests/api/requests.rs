//! Bad requests of every kind get the right status and code, and change nothing.

use crate::helpers::*;
use central::Limits;
use serde_json::{Value, json};

async fn raw_booking(
    app: &TestApp,
    kiosk: &TestKiosk,
    content_type: Option<&str>,
    body: impl Into<reqwest::Body>,
) -> (u16, String) {
    let mut request = app
        .client
        .post(app.url("/api/v1/bookings"))
        .bearer_auth(&kiosk.token)
        .header("Idempotency-Key", key())
        .body(body);
    if let Some(ct) = content_type {
        request = request.header("Content-Type", ct);
    }
    error_code(request.send().await.unwrap()).await
}

#[tokio::test]
async fn malformed_and_misshapen_bodies_are_refused_without_effect() {
    let app = spawn_app().await;
    let kiosk = app.kiosk(&["CDF"]).await;
    let before = app.counts().await;
    let json_ct = Some("application/json");

    assert_eq!(
        raw_booking(&app, &kiosk, json_ct, "{\"prison\": \"CDF\",").await,
        (400, "malformed_json".into())
    );
    assert_eq!(
        raw_booking(&app, &kiosk, json_ct, "").await,
        (400, "malformed_json".into())
    );
    let trailing = format!("{} trailing", cdf_booking());
    assert_eq!(
        raw_booking(&app, &kiosk, json_ct, trailing).await,
        (400, "malformed_json".into())
    );

    let mut wrong_type = cdf_booking();
    wrong_type["visitors"] = json!("Siân");
    assert_eq!(
        raw_booking(&app, &kiosk, json_ct, wrong_type.to_string()).await,
        (422, "invalid_type".into())
    );
    let mut wrong_type = cdf_booking();
    wrong_type["prisoner"]["number"] = json!(1234);
    assert_eq!(
        raw_booking(&app, &kiosk, json_ct, wrong_type.to_string()).await,
        (422, "invalid_type".into())
    );

    let mut unknown = cdf_booking();
    unknown["priority"] = json!("high");
    assert_eq!(
        raw_booking(&app, &kiosk, json_ct, unknown.to_string()).await,
        (422, "unknown_field".into())
    );
    let mut nested_unknown = cdf_booking();
    nested_unknown["visitors"][0]["relationship"] = json!("partner");
    assert_eq!(
        raw_booking(&app, &kiosk, json_ct, nested_unknown.to_string()).await,
        (422, "unknown_field".into())
    );

    let mut missing = cdf_booking();
    missing.as_object_mut().unwrap().remove("session");
    assert_eq!(
        raw_booking(&app, &kiosk, json_ct, missing.to_string()).await,
        (422, "missing_field".into())
    );

    assert_eq!(
        raw_booking(&app, &kiosk, None, cdf_booking().to_string()).await,
        (415, "unsupported_media_type".into())
    );
    assert_eq!(
        raw_booking(&app, &kiosk, Some("text/plain"), cdf_booking().to_string()).await,
        (415, "unsupported_media_type".into())
    );

    let mut huge = cdf_booking();
    huge["prisoner"]["surname"] = json!("x".repeat(200 * 1024));
    assert_eq!(
        raw_booking(&app, &kiosk, json_ct, huge.to_string()).await,
        (413, "body_too_large".into())
    );

    assert_eq!(app.counts().await, before, "no bad request wrote anything");
}

#[tokio::test]
async fn the_error_message_names_the_bad_field() {
    let app = spawn_app().await;
    let kiosk = app.kiosk(&["CDF"]).await;
    let mut wrong = cdf_booking();
    wrong["visitors"][0]["date_of_birth"] = json!(19920314);
    let response = app.book(&kiosk, &key(), &wrong).await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.starts_with("visitors[0].date_of_birth"), "{message}");
}

#[tokio::test]
async fn bad_push_batches_and_queries_are_refused_whole() {
    let app = spawn_app().await;
    let kiosk = app.kiosk(&["TST"]).await;
    let before = app.counts().await;
    let created = |seq| {
        event(
            seq,
            "booking_created",
            json!({ "reference": kiosk.reference(seq as u32), "request": tst_booking(0) }),
        )
    };
    let out_of_order = json!({ "events": [created(2), created(1)] });
    let response = app.post(&kiosk, "/api/v1/sync/push", &out_of_order).await;
    assert_eq!(error_code(response).await, (400, "events_out_of_order".into()));
    let zero = json!({ "events": [created(0)] });
    assert_eq!(
        error_code(app.post(&kiosk, "/api/v1/sync/push", &zero).await).await,
        (400, "events_out_of_order".into())
    );
    let mut bad_id = created(1);
    bad_id["event_id"] = json!("not-a-uuid");
    let response = app
        .post(&kiosk, "/api/v1/sync/push", &json!({ "events": [bad_id] }))
        .await;
    assert_eq!(error_code(response).await, (422, "invalid_value".into()));
    let too_many: Vec<Value> = (1..=101)
        .map(|seq| event(seq, "share_released", json!({})))
        .collect();
    let response = app
        .post(&kiosk, "/api/v1/sync/push", &json!({ "events": too_many }))
        .await;
    assert_eq!(error_code(response).await, (413, "too_many_events".into()));

    let response = app.get(&kiosk, "/api/v1/sync/pull?cursor=abc").await;
    assert_eq!(error_code(response).await, (400, "invalid_query".into()));
    let response = app.get(&kiosk, "/api/v1/sync/pull?cursor=-1").await;
    assert_eq!(error_code(response).await, (400, "invalid_query".into()));
    assert_eq!(app.counts().await, before);
}

#[tokio::test]
async fn unknown_routes_and_methods_get_json_errors() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(app.url("/api/v1/nothing-here"))
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(response).await, (404, "not_found".into()));
    let response = app.client.get(app.url("/api/v1/bookings")).send().await.unwrap();
    assert_eq!(error_code(response).await, (405, "method_not_allowed".into()));
    let response = app.client.delete(app.url("/api/v1/enrol")).send().await.unwrap();
    assert_eq!(error_code(response).await, (405, "method_not_allowed".into()));
}

#[tokio::test]
async fn slow_requests_time_out_with_a_json_error() {
    let app = spawn_app_with(Limits {
        request_timeout: std::time::Duration::from_nanos(1),
        ..Limits::default()
    })
    .await;
    // Enrolled without HTTP: over HTTP the enrolment itself would time out.
    let kiosk = app.kiosk_in_process(&["CDF"]).await;
    // A full pull reads hundreds of rows, which takes longer than the timer's millisecond
    // resolution; a few tries make sure scheduling luck cannot hide the timeout.
    let mut seen = Vec::new();
    for _ in 0..20 {
        let response = app.get(&kiosk, "/api/v1/sync/pull?cursor=0").await;
        let status = response.status().as_u16();
        if status == 408 {
            assert_eq!(error_code(response).await, (408, "request_timeout".into()));
            return;
        }
        seen.push(status);
    }
    panic!("no request timed out: {seen:?}");
}

#[tokio::test]
async fn health_readiness_and_openapi_are_served() {
    let app = spawn_app().await;
    let health = app.get_json("/healthz").await;
    assert_eq!(health["status"], "ok");
    let ready = app.get_json("/readyz").await;
    assert_eq!(ready["status"], "ready");
    assert_eq!(ready["database"], app.backend);
    let response = app.get_public("/api/v1/openapi.json").await;
    assert_eq!(response.status(), 200);
    let doc: Value = response.json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
}

#[tokio::test]
async fn the_openapi_document_lists_exactly_the_routes_served() {
    let app = spawn_app().await;
    let doc = app.get_json("/api/v1/openapi.json").await;
    assert_eq!(
        doc,
        serde_json::to_value(central::api::openapi_document()).unwrap()
    );
    let paths = doc["paths"].as_object().unwrap();
    let mut documented: Vec<(String, String)> = paths
        .iter()
        .flat_map(|(path, ops)| {
            ops.as_object()
                .unwrap()
                .keys()
                .map(move |m| (m.clone(), path.clone()))
        })
        .collect();
    let mut served: Vec<(String, String)> = protocol::routes::ROUTES
        .iter()
        .map(|r| (r.method.as_str().to_string(), r.path.to_string()))
        .collect();
    documented.sort();
    served.sort();
    assert_eq!(documented, served);
    // And every listed route is really routed: no "not_found" for any of them. What it answers
    // a request without credentials or body is one of its documented answers.
    for route in protocol::routes::ROUTES {
        let (method, path) = (route.method.as_str(), route.path);
        let operation = &doc["paths"][path][method];
        let path = path.replace("{reference}", "ABCD-EFGH");
        let request = match method {
            "get" => app.client.get(app.url(&path)),
            "post" => app.client.post(app.url(&path)),
            other => panic!("method {other}"),
        };
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let answer = &operation["responses"][status.to_string()];
        assert!(answer.is_object(), "{method} {path}: {status} is not documented");
        if status >= 400 {
            let (_, code) = error_code(response).await;
            assert!(
                code != "not_found" && code != "method_not_allowed",
                "{method} {path}: {code}"
            );
            assert!(
                answer["x-error-codes"].as_array().unwrap().contains(&json!(code)),
                "{method} {path}: {status} {code} is not documented: {answer}"
            );
        }
    }
}

/// Every route documents its request body, its answer's schema and each error answer with the
/// error body and its codes; every schema referred to is in the document.
#[test]
fn the_openapi_document_describes_every_answer() {
    let doc = serde_json::to_value(central::api::openapi_document()).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for route in protocol::routes::ROUTES {
        let (method, path) = (route.method.as_str(), route.path);
        let operation = &doc["paths"][path][method];
        let responses = operation["responses"].as_object().unwrap();
        let (_, success) = responses
            .iter()
            .find(|(status, _)| status.starts_with('2'))
            .unwrap_or_else(|| panic!("{method} {path}: no success answer"));
        if path != protocol::routes::OPENAPI {
            assert!(
                success["content"]["application/json"]["schema"].is_object(),
                "{method} {path}: {success}"
            );
        }
        if method == "post" {
            assert!(
                operation["requestBody"]["content"]["application/json"]["schema"].is_object(),
                "{method} {path}: no request body"
            );
        }
        for status in ["408", "500"] {
            assert!(responses.contains_key(status), "{method} {path}: no {status}");
        }
        for (status, answer) in responses.iter().filter(|(s, _)| !s.starts_with('2')) {
            assert_eq!(
                answer["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/ErrorBody",
                "{method} {path} {status}"
            );
            let codes = answer["x-error-codes"].as_array().unwrap();
            assert!(
                !codes.is_empty() || answer["x-rule-codes"] == true,
                "{method} {path} {status}: no codes"
            );
            for code in codes {
                assert!(
                    protocol::ErrorCode::parse(code.as_str().unwrap()).is_some(),
                    "{method} {path} {status}: {code} is not an error code"
                );
            }
        }
        let needs_token = !matches!(
            path,
            protocol::routes::ENROL
                | protocol::routes::OPENAPI
                | protocol::routes::HEALTH
                | protocol::routes::READY
        );
        if needs_token {
            assert!(
                operation["security"][0]["kioskToken"].is_array(),
                "{method} {path}: no security"
            );
            let unauthorised = responses["401"]["x-error-codes"].as_array().unwrap();
            for code in ["unauthenticated", "unknown_kiosk", "kiosk_revoked"] {
                assert!(unauthorised.contains(&json!(code)), "{method} {path}: no {code}");
            }
        }
    }
    // Every reference resolves.
    let text = doc.to_string();
    for reference in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = &reference[..reference.find('"').unwrap()];
        assert!(
            schemas.contains_key(name),
            "{name} is referred to but not in the document"
        );
    }
    for schema in [
        "Event",
        "BookingCreated",
        "BookingCancelled",
        "ShareReleased",
        "ErrorCode",
        "EventRefusal",
    ] {
        assert!(schemas.contains_key(schema), "{schema} missing");
    }
}
