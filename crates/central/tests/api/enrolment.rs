use crate::helpers::*;
use serde_json::json;

#[tokio::test]
async fn a_one_time_code_becomes_a_credential_for_the_kiosks_prisons() {
    let app = spawn_app().await;
    let enrolment = app
        .central
        .create_enrolment(&[prison_code("cdf")], Some("visitor centre"))
        .await
        .unwrap();
    let response = app.enrol(&enrolment.code.to_lowercase()).await;
    assert_eq!(response.status(), 201);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["kiosk_id"], enrolment.kiosk_id.as_str());
    assert_eq!(body["issuer_number"], 1);
    assert_eq!(body["prisons"], json!(["CDF"]));
    let token = body["token"].as_str().unwrap();
    assert!(token.len() >= 64);

    let me = app.get_json_as(token, "/api/v1/kiosk").await;
    assert_eq!(me["prisons"], json!(["CDF"]));

    // The code works once.
    let again = app.enrol(&enrolment.code).await;
    assert_eq!(error_code(again).await, (401, "enrolment_code_invalid".into()));
    let wrong = app.enrol("0000-0000-0000-0000").await;
    assert_eq!(error_code(wrong).await, (401, "enrolment_code_invalid".into()));
}

#[tokio::test]
async fn enrolment_codes_expire() {
    let app = spawn_app().await;
    let enrolment = app
        .central
        .create_enrolment(&[prison_code("CDF")], None)
        .await
        .unwrap();
    app.central.clock().advance(chrono::Duration::hours(25));
    let response = app.enrol(&enrolment.code).await;
    assert_eq!(error_code(response).await, (401, "enrolment_code_invalid".into()));
}

#[tokio::test]
async fn every_kiosk_gets_its_own_issuer_number() {
    let app = spawn_app().await;
    let mut issuers = Vec::new();
    for _ in 0..4 {
        issuers.push(app.kiosk(&["CDF"]).await.issuer);
    }
    assert_eq!(issuers, [1, 2, 3, 4]);
    // Revoking does not free a number: it could repeat the old kiosk's references.
    let kiosks = app.central.kiosks().await.unwrap();
    app.central.revoke(&kiosks[3].id).await.unwrap();
    assert_eq!(app.kiosk(&["CDF"]).await.issuer, 5);
}

#[tokio::test]
async fn an_unknown_prison_cannot_be_enrolled_for() {
    let app = spawn_app().await;
    let err = app
        .central
        .create_enrolment(&[prison_code("XYZ")], None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "unknown_prison");
}

#[tokio::test]
async fn requests_without_a_good_credential_are_refused() {
    let app = spawn_app().await;
    let before = app.counts().await;
    let url = app.url("/api/v1/sync/pull?cursor=0");
    let none = app.client.get(&url).send().await.unwrap();
    assert_eq!(error_code(none).await, (401, "unauthenticated".into()));
    let basic = app
        .client
        .get(&url)
        .header("Authorization", "Basic abc")
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(basic).await, (401, "unauthenticated".into()));
    let unknown = app.client.get(&url).bearer_auth("vkt_0000").send().await.unwrap();
    assert_eq!(error_code(unknown).await, (401, "unknown_kiosk".into()));
    let booking = app
        .client
        .post(app.url("/api/v1/bookings"))
        .bearer_auth("vkt_0000")
        .header("Idempotency-Key", key())
        .json(&cdf_booking())
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(booking).await, (401, "unknown_kiosk".into()));
    // A booking reads its kiosk in its own transaction, but a request wrong in itself (no key,
    // a body that is not a booking) is still told first that its token is no kiosk's.
    let no_key = app
        .client
        .post(app.url("/api/v1/bookings"))
        .bearer_auth("vkt_0000")
        .json(&cdf_booking())
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(no_key).await, (401, "unknown_kiosk".into()));
    let not_a_booking = app
        .client
        .post(app.url("/api/v1/bookings"))
        .bearer_auth("vkt_0000")
        .header("Idempotency-Key", key())
        .json(&json!({ "prison": 7 }))
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(not_a_booking).await, (401, "unknown_kiosk".into()));
    assert_eq!(app.counts().await, before);
}

#[tokio::test]
async fn a_revoked_kiosk_is_refused_everywhere() {
    let app = spawn_app().await;
    let kiosk = app.kiosk(&["CDF"]).await;
    assert_eq!(app.get(&kiosk, "/api/v1/kiosk").await.status(), 200);
    app.central.revoke(&kiosk.id).await.unwrap();
    let before = app.counts().await;
    assert_eq!(
        error_code(app.get(&kiosk, "/api/v1/kiosk").await).await,
        (401, "kiosk_revoked".into())
    );
    assert_eq!(
        error_code(app.get(&kiosk, "/api/v1/sync/pull").await).await,
        (401, "kiosk_revoked".into())
    );
    assert_eq!(
        error_code(app.book(&kiosk, &key(), &cdf_booking()).await).await,
        (401, "kiosk_revoked".into())
    );
    let push = app
        .post(&kiosk, "/api/v1/sync/push", &json!({ "events": [] }))
        .await;
    assert_eq!(error_code(push).await, (401, "kiosk_revoked".into()));
    let lease = app
        .lease(&kiosk, &json!({ "prison": "CDF", "open_tables": 1 }))
        .await;
    assert_eq!(error_code(lease).await, (401, "kiosk_revoked".into()));
    assert_eq!(app.counts().await, before);
}

#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive() {
    let app = spawn_app().await;
    let kiosk = app.kiosk(&["CDF"]).await;
    let url = app.url("/api/v1/kiosk");
    let send = |value: String| {
        let request = app.client.get(&url).header("Authorization", value);
        async move { request.send().await.unwrap() }
    };
    // RFC 9110 §11.1: the scheme is case-insensitive, and spaces may separate it from the token.
    for value in [
        format!("bearer {}", kiosk.token),
        format!("BEARER {}", kiosk.token),
        format!("bEaReR {}", kiosk.token),
        format!("Bearer   {}", kiosk.token),
        format!("Bearer\t{}", kiosk.token),
    ] {
        let response = send(value.clone()).await;
        assert_eq!(response.status(), 200, "{value:?}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["kiosk_id"], kiosk.id);
    }
    // The token itself is not: it is a secret compared exactly.
    for (value, code) in [
        (format!("bearer {}", kiosk.token.to_uppercase()), "unknown_kiosk"),
        (format!("Bearer{}", kiosk.token), "unauthenticated"),
        ("bearer".to_string(), "unauthenticated"),
        ("bearer    ".to_string(), "unauthenticated"),
        (format!("Bearers {}", kiosk.token), "unauthenticated"),
        (format!("Basic {}", kiosk.token), "unauthenticated"),
    ] {
        assert_eq!(
            error_code(send(value.clone()).await).await,
            (401, code.into()),
            "{value:?}"
        );
    }
}

#[tokio::test]
async fn an_address_guessing_codes_or_tokens_is_made_to_wait() {
    let app = spawn_app_with(central::api::Limits {
        attempts: central::api::AttemptLimit {
            failures: 5,
            window: std::time::Duration::from_secs(60),
        },
        ..central::api::Limits::default()
    })
    .await;
    let enrolment = app
        .central
        .create_enrolment(&[prison_code("CDF")], None)
        .await
        .unwrap();
    // Three wrong codes and two wrong tokens: each answered as itself.
    for guess in [
        "0000-0000-0000-0001",
        "0000-0000-0000-0002",
        "0000-0000-0000-0003",
    ] {
        assert_eq!(
            error_code(app.enrol(guess).await).await,
            (401, "enrolment_code_invalid".into())
        );
    }
    for token in ["not-a-token", "still-not-a-token"] {
        let response = reqwest::Client::new()
            .get(app.url("/api/v1/kiosk"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401);
    }
    // From now on this address waits, even with the right code, and is told for how long.
    let refused = app.enrol(&enrolment.code).await;
    let wait: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert_eq!(error_code(refused).await, (429, "too_many_attempts".into()));
    // The code was not spent by the refused request: it still works (in process, as an
    // operator's other address would use it).
    assert!(app.central.enrol(&enrolment.code).await.is_ok());
    // Health checks are not held back.
    assert_eq!(app.get_public("/healthz").await.status(), 200);
}

/// Guesses sent as if from `forwarded_for`: a wrong enrolment code each, and the status.
async fn guess_from(app: &TestApp, forwarded_for: Option<&str>) -> u16 {
    let mut request = reqwest::Client::new()
        .post(app.url("/api/v1/enrol"))
        .json(&json!({ "code": "0000-0000-0000-0001" }));
    if let Some(header) = forwarded_for {
        request = request.header("x-forwarded-for", header);
    }
    request.send().await.unwrap().status().as_u16()
}

fn three_failures(trusted: &[&str]) -> central::api::Limits {
    central::api::Limits {
        attempts: central::api::AttemptLimit {
            failures: 3,
            window: std::time::Duration::from_secs(60),
        },
        trusted_proxies: central::api::TrustedProxies::new(trusted.iter().map(|a| a.parse().unwrap())),
        ..central::api::Limits::default()
    }
}

#[tokio::test]
async fn behind_a_trusted_proxy_failures_count_against_the_forwarded_client() {
    // The tests' requests come from 127.0.0.1: here that is the TLS proxy in front of central.
    let app = spawn_app_with(three_failures(&["127.0.0.1"])).await;
    for _ in 0..3 {
        assert_eq!(guess_from(&app, Some("198.51.100.7")).await, 401);
    }
    assert_eq!(guess_from(&app, Some("198.51.100.7")).await, 429);
    // Another client behind the same proxy is not held back by the first one's guesses...
    assert_eq!(guess_from(&app, Some("198.51.100.8")).await, 401);
    // ...nor is the proxy itself.
    assert_eq!(guess_from(&app, None).await, 401);
    // The first client cannot pose as another by writing its own X-Forwarded-For: the proxy
    // appends the address it saw, and that rightmost entry is the one counted.
    assert_eq!(guess_from(&app, Some("203.0.113.99, 198.51.100.7")).await, 429);
}

#[tokio::test]
async fn x_forwarded_for_from_a_peer_that_is_not_a_trusted_proxy_is_ignored() {
    let app = spawn_app_with(three_failures(&["10.9.9.9"])).await;
    for fake in ["198.51.100.1", "198.51.100.2", "198.51.100.3"] {
        assert_eq!(guess_from(&app, Some(fake)).await, 401);
    }
    // A fresh made-up address does not escape the limit: the peer's address is counted.
    assert_eq!(guess_from(&app, Some("198.51.100.4")).await, 429);
    assert_eq!(guess_from(&app, None).await, 429);
}
