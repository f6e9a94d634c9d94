//! A helper and then a visitor at the real kiosk window, driven through tauri-driver and
//! WebKitWebDriver under a private Xvfb: a helper signs in (a long press on the header, a first
//! PIN chosen), books a visit for someone who is not there (asked by email, with a main contact
//! and a support need) and signs out; then a visitor finds that booking with its reference and
//! the lead visitor's date of birth and cancels it. The kiosk's SQLite file shows each step.
//!
//! Run with `tests/e2e/run.sh`. Screenshots go to `test-output/e2e/helper-1280x800/`.

use anyhow::{Context, Result, ensure};
use sqlx::Row;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool};
use std::time::Duration;
use visit_e2e::{Display, Driver, Window, demo_store, fresh_output_dir, journey, staff};

const TEST_TIMEOUT: Duration = Duration::from_secs(180);

/// Continue on the screen on show, waiting for `until`.
async fn next(w: &mut Window, name: &str, until: &str) -> Result<()> {
    w.close_keyboard().await?;
    w.tap(name, "main form button[type=submit]", until).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_helper_books_for_someone_not_there_and_the_visitor_cancels_it_in_the_real_window() -> Result<()> {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let run = "helper-1280x800";
        let out = fresh_output_dir(run)?;
        let store_dir = tempfile::tempdir()?;
        let db = demo_store(store_dir.path())?;
        staff::add_helper(&db, "3001", "Cai Morgan", "Visitor Centre Trust", "470215")?;
        let display = Display::start(1280, 800)?;
        let driver = Driver::start(&display, &out.join("tauri-driver.log"))?;
        let mut w = Window::new(driver.kiosk_session(&db, "CDF").await?, out.clone());
        w.find_text(journey::FIRST_SCREEN, "HMP Cardiff").await?;

        // The helper signs in and books for someone who asked by email.
        staff::long_press_header(&w).await?;
        staff::first_sign_in_to(&mut w, "3001", "470215", "902417", "helper-home").await?;
        w.find_text("main h1", "Visitor Centre Trust")
            .await
            .context("the helper's home does not name their organisation")?;
        w.tap("book a visit", "[data-action=book]", "main[data-screen=helper-who]")
            .await?;
        w.tap("who-3", "label[for=who-3]", "#who-3:checked").await?;
        w.tap("who-how-2", "label[for=who-how-2]", "#who-how-2:checked").await?;
        w.screenshot("helper-who").await?;
        next(&mut w, "who to prisoner", "main[data-screen=prisoner] #prisoner-number").await?;
        journey::prisoner_party_and_time(&mut w).await?;
        next(&mut w, "time to contact", "main[data-screen=contact]").await?;
        // The main contact: Siân, the visitor on the prisoner's list, on her mobile, in Welsh.
        w.screenshot("helper-contact-empty").await?;
        w.tap("contact-pick", "label[for=contact-pick]", "#contact-pick:checked").await?;
        w.fill("#contact-phone", "07911 123456").await?;
        w.close_keyboard().await?;
        w.tap("contact-language-2", "label[for=contact-language-2]", "#contact-language-2:checked").await?;
        w.screenshot("helper-contact").await?;
        next(&mut w, "contact to support", "main[data-screen=support]").await?;
        w.tap("support-needs", "label[for=support-needs]", "#support-needs:checked").await?;
        w.screenshot("helper-support").await?;
        next(&mut w, "support to check answers", "main[data-screen=check] dl").await?;
        w.screenshot("helper-check").await?;
        next(&mut w, "check answers to confirmation (helper_book)", "main[data-screen=done] #reference").await?;
        let reference = w.find("#reference").await?.text().await?.trim().to_string();
        w.find_text("#booked-by", "Cai Morgan, Visitor Centre Trust")
            .await
            .context("the confirmation does not say who booked")?;
        w.screenshot("helper-done").await?;
        w.tap("sign out", "[data-action=sign-out]", "main[data-screen=start]")
            .await?;
        let page = w
            .client
            .execute("return document.documentElement.outerHTML", vec![])
            .await?
            .to_string();
        ensure!(
            !page.contains("Cai Morgan") && !page.contains(&reference) && !page.contains("07911"),
            "the helper's session left something in the page"
        );

        // The visitor comes back, finds the booking and cancels it.
        w.tap("already booked", "[data-action=manage]", "main[data-screen=manage-find]")
            .await?;
        w.fill("#manage-reference", &reference).await?;
        w.fill("#manage-dob-day", "14").await?;
        w.fill("#manage-dob-month", "03").await?;
        w.fill("#manage-dob-year", "1992").await?;
        w.screenshot("manage-find").await?;
        next(&mut w, "find the booking", "main[data-screen=manage-visit]").await?;
        w.screenshot("manage-visit").await?;
        w.tap("cancel", "[data-action=cancel]", "main[data-screen=manage-cancel]")
            .await?;
        w.tap("confirm", "[data-action=confirm]", "main[data-screen=manage-cancelled]")
            .await?;
        w.screenshot("manage-cancelled").await?;
        w.close().await?;

        let pool = SqlitePool::connect_with(SqliteConnectOptions::new().filename(&db)).await?;
        let row = sqlx::query(
            "SELECT status, status_reason, cancelled_by, booked_by, details FROM bookings WHERE reference = ?",
        )
        .bind(reference.replace('-', ""))
        .fetch_one(&pool)
        .await
        .context("the booking")?;
        ensure!(row.get::<String, _>("status") == "cancelled");
        ensure!(row.get::<Option<String>, _>("status_reason").as_deref() == Some("visitor_cancelled"));
        ensure!(row.get::<Option<String>, _>("cancelled_by").is_none());
        ensure!(row.get::<Option<String>, _>("booked_by").as_deref() == Some("3001"));
        let details: serde_json::Value =
            serde_json::from_str(&row.get::<Option<String>, _>("details").unwrap_or_default())?;
        ensure!(details["request_method"] == "email", "{details}");
        ensure!(details["main_contact"]["phone"] == "+447911123456", "{details}");
        ensure!(details["main_contact"]["language"] == "cy", "{details}");
        ensure!(details["support"]["needs"][0] == "wheelchair", "{details}");
        pool.close().await;
        let actions: Vec<String> = staff::audit(&db)?
            .into_iter()
            .filter(|(_, n)| n.as_deref() == Some("3001"))
            .map(|(a, _)| a)
            .collect();
        for expected in ["sign_in", "pin_changed", "book"] {
            ensure!(
                actions.iter().any(|a| a == expected),
                "no {expected} in the audit log: {actions:?}"
            );
        }
        drop(driver);
        drop(display);
        Ok(())
    })
    .await
    .context("the test timed out")?
}
