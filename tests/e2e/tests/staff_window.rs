//! Reception at the real kiosk window, driven through tauri-driver and WebKitWebDriver under a
//! private Xvfb: a visitor books a visit, then a member of staff signs in (a long press on the
//! header, a first PIN chosen), finds the visit, which offers no arrival before its day, cancels
//! it and signs out; the kiosk's SQLite file and audit log show each step. (Arrivals on the
//! visit's day are marked in the browser test `ui/tests/staff-desk.test.mjs`, whose kiosk runs
//! on a chosen date: this window runs on the machine's.)
//!
//! Run with `tests/e2e/run.sh`. Screenshots go to `test-output/e2e/staff-1280x800/`.

use anyhow::{Context, Result, ensure};
use sqlx::Row;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool};
use std::time::Duration;
use visit_e2e::{Display, Driver, Window, demo_store, fresh_output_dir, journey, staff};

const TEST_TIMEOUT: Duration = Duration::from_secs(150);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reception_signs_in_finds_a_visit_cancels_it_and_signs_out_in_the_real_window() -> Result<()> {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let run = "staff-1280x800";
        let out = fresh_output_dir(run)?;
        let store_dir = tempfile::tempdir()?;
        let db = demo_store(store_dir.path())?;
        staff::add_staff(&db, "1002", "Bryn Price", "reception", "470215")?;
        let display = Display::start(1280, 800)?;
        let driver = Driver::start(&display, &out.join("tauri-driver.log"))?;
        let mut w = Window::new(driver.kiosk_session(&db, "CDF").await?, out.clone());

        let reference = journey::book_a_visit(&mut w).await?.reference;
        journey::finish(&mut w).await?;

        staff::long_press_header(&w).await?;
        staff::first_sign_in(&mut w, "1002", "470215", "902417").await?;
        staff::open_booking(&mut w, &reference).await?;
        // The visit is days away: nobody can have arrived for it yet.
        w.find("main[data-screen=staff-booking] .govuk-summary-list")
            .await?;
        let offered = w
            .client
            .execute(
                "return document.querySelectorAll('main [data-action=attendance]').length",
                vec![],
            )
            .await?;
        ensure!(
            offered.as_u64() == Some(0),
            "a visit days away offers arrivals: {offered}"
        );
        w.screenshot("staff-booking").await?;
        w.tap(
            "cancel",
            "main [data-action=cancel]",
            "main[data-screen=staff-cancel]",
        )
        .await?;
        // The prisoner cancelled: no "how did they ask" needed.
        w.find("label[for=cancel-reason-3]").await?.click().await?;
        w.screenshot("staff-cancel").await?;
        w.tap(
            "confirm cancel",
            "main button[type=submit]",
            "main[data-screen=staff-booking]",
        )
        .await?;
        w.screenshot("staff-cancelled").await?;
        w.tap("sign out", "[data-action=sign-out]", "main[data-screen=start]")
            .await?;
        let page = w
            .client
            .execute("return document.documentElement.outerHTML", vec![])
            .await?;
        ensure!(
            !page.to_string().contains("Bryn Price") && !page.to_string().contains(&reference),
            "the staff session left something in the page"
        );
        w.screenshot("after-sign-out").await?;
        w.close().await?;

        let pool = SqlitePool::connect_with(SqliteConnectOptions::new().filename(&db)).await?;
        let row = sqlx::query(
            "SELECT status, status_reason, attendance, cancelled_by FROM bookings WHERE reference = ?",
        )
        .bind(reference.replace('-', ""))
        .fetch_one(&pool)
        .await
        .context("the booking")?;
        ensure!(row.get::<String, _>("status") == "cancelled");
        ensure!(row.get::<Option<String>, _>("status_reason").as_deref() == Some("prisoner_cancelled"));
        ensure!(row.get::<Option<String>, _>("attendance").is_none());
        ensure!(row.get::<Option<String>, _>("cancelled_by").as_deref() == Some("1002"));
        pool.close().await;
        // The sign-out is written as the page goes back to the start: give it a moment.
        let mut actions = Vec::new();
        for _ in 0..30 {
            actions = staff::audit(&db)?
                .into_iter()
                .filter(|(_, n)| n.as_deref() == Some("1002"))
                .map(|(a, _)| a)
                .collect();
            if actions.last().map(String::as_str) == Some("sign_out") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        ensure!(
            !actions.iter().any(|a| a == "arrival"),
            "an arrival in the audit log: {actions:?}"
        );
        for expected in ["sign_in", "pin_changed", "search", "view", "cancel", "sign_out"] {
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
