//! The demo data as the scenarios use it: the files central imports, the prisoners anyone may
//! book for, and the sessions' capacities.

use serde_json::Value;
use std::path::Path;

pub const DEMO_PRISONS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo/prisons.json");
pub const DEMO_PRISONERS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo/prisoners.json");

/// A prisoner and one contact who may visit: (number, date of birth, surname, contact id).
pub type Bookable = (String, String, String, String);

/// Prisoners at CDF anyone may book for: no closed-visit restriction, a visiting order or on
/// remand, and an adult contact who is not banned.
pub fn bookable_prisoners() -> Vec<Bookable> {
    let all: Value = serde_json::from_str(&std::fs::read_to_string(DEMO_PRISONERS).unwrap()).unwrap();
    all.as_array()
        .unwrap()
        .iter()
        .filter(|p| p["prison"] == "CDF")
        .filter(|p| {
            p["closed_visit_restrictions"]
                .as_array()
                .is_none_or(|r| r.is_empty())
        })
        .filter(|p| p["custody"] == "remand" || p["visiting_orders"].as_u64().unwrap_or(0) > 0)
        .filter_map(|p| {
            let contact = p["contacts"].as_array()?.iter().find(|c| {
                c["banned_until"].is_null() && c["date_of_birth"].as_str().is_some_and(|d| d < "2000")
            })?;
            Some((
                p["number"].as_str()?.to_string(),
                p["date_of_birth"].as_str()?.to_string(),
                p["last_name"].as_str()?.to_string(),
                contact["id"].as_str()?.to_string(),
            ))
        })
        .collect()
}

pub fn request(p: &Bookable, session: &str) -> Value {
    serde_json::json!({
        "prison": "CDF",
        "prisoner": { "number": p.0, "date_of_birth": p.1, "surname": p.2 },
        "visitors": [{ "contact_id": p.3 }],
        "session": session,
    })
}

pub fn open_capacity(template: &str) -> usize {
    let prisons: Value = serde_json::from_str(&std::fs::read_to_string(DEMO_PRISONS).unwrap()).unwrap();
    prisons
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["templates"].as_array().unwrap().iter())
        .find(|t| t["id"] == template)
        .and_then(|t| t["open_capacity"].as_u64())
        .unwrap() as usize
}

/// Central's booked and escrowed counts for a session's open tables, as kiosk 1 last pulled them.
pub async fn central_counts(db: &Path, session: &str) -> (i64, i64) {
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    let (template, date) = session.split_once('/').unwrap();
    let row: (i64, i64) = sqlx::query_as(
        "SELECT booked, escrowed FROM session_tables WHERE template_id = ? AND session_date = ? AND visit_kind = 'open'",
    )
    .bind(template)
    .bind(date)
    .fetch_one(&pool)
    .await
    .unwrap();
    pool.close().await;
    row
}
