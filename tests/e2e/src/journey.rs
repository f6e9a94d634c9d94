//! The visitor's journey in the kiosk UI, screen by screen.

use crate::{Result, Transition, Window};
use anyhow::ensure;

/// The start screen, once `kiosk_info` has answered and the prison's name is showing.
pub const FIRST_SCREEN: &str = "main[data-screen=start] h1";

pub struct Booked {
    /// As shown on the confirmation screen: `ABCD-EFGH`.
    pub reference: String,
    pub transitions: Vec<Transition>,
}

/// Books a visit to Rhys Evans (A1234BC, born 1990-05-05) for Siân Evans, picked from his
/// contact list, at the first session offered.
pub async fn book_a_visit(w: &mut Window) -> Result<Booked> {
    let mut transitions = Vec::new();
    let mut timed = |t: Option<Transition>| transitions.extend(t);

    w.find_text(FIRST_SCREEN, "HMP Cardiff").await?;
    w.screenshot("start").await?;
    timed(
        w.tap(
            "start to prisoner",
            "button[data-action=start]",
            "main[data-screen=prisoner] #prisoner-number",
        )
        .await?,
    );

    for t in prisoner_party_and_time(w).await? {
        timed(Some(t));
    }
    timed(
        w.tap(
            "time to check answers",
            "form[data-form=time] button[type=submit]",
            "main[data-screen=check] dl",
        )
        .await?,
    );

    w.screenshot("check-answers").await?;
    timed(
        w.tap(
            "check answers to confirmation (book)",
            "form[data-form=check] button[type=submit]",
            "main[data-screen=done] #reference",
        )
        .await?,
    );
    let reference = w.find("#reference").await?.text().await?.trim().to_string();
    w.screenshot("confirmation").await?;
    Ok(Booked {
        reference,
        transitions,
    })
}

/// The prisoner (Rhys Evans, A1234BC, born 1990-05-05), Siân Evans picked from his contact
/// list, and the first session offered chosen: the part of the journey a visitor and a helper
/// share. Ends on the time screen with the session chosen.
pub async fn prisoner_party_and_time(w: &mut Window) -> Result<Vec<Transition>> {
    let mut transitions = Vec::new();
    let mut timed = |t: Option<Transition>| transitions.extend(t);
    w.fill("#prisoner-number", "A1234BC").await?;
    w.fill("#prisoner-dob-day", "05").await?;
    w.fill("#prisoner-dob-month", "05").await?;
    w.fill("#prisoner-dob-year", "1990").await?;
    w.fill("#prisoner-surname", "Evans").await?;
    w.screenshot("prisoner").await?;
    // As a visitor does: Done closes the on-screen keyboard, which otherwise covers Continue
    // on a landscape screen.
    w.close_keyboard().await?;
    timed(
        w.tap(
            "prisoner to visitors (check_prisoner)",
            "form[data-form=prisoner] button[type=submit]",
            "main[data-screen=visitors] button[data-action=pick]",
        )
        .await?,
    );

    w.screenshot("visitors").await?;
    timed(
        w.tap(
            "pick a contact",
            "button[data-action=pick][data-id=C000001]",
            "main[data-screen=visitors] .kiosk-visitor__name",
        )
        .await?,
    );
    let picked = w
        .find("main[data-screen=visitors] .kiosk-visitor__name")
        .await?
        .text()
        .await?;
    // A public screen shows a listed contact as first name and last initial.
    ensure!(picked.contains("Siân E."), "picked {picked:?}");
    w.screenshot("visitor-picked").await?;
    timed(
        w.tap(
            "visitors to times (check_visitors, available_sessions)",
            "form[data-form=visitors] button[type=submit]",
            "main[data-screen=time] label[for=session-group]",
        )
        .await?,
    );

    // The first session offered. The radio itself is drawn under its label, as in GOV.UK.
    w.find("label[for=session-group]").await?.click().await?;
    w.screenshot("time").await?;
    Ok(transitions)
}

/// "Print slip" on the confirmation screen: true when the page says the slip printed,
/// false when it shows the printing error instead.
pub async fn print_slip(w: &mut Window) -> Result<bool> {
    w.tap(
        "print slip",
        "button[data-action=print]",
        "main[data-screen=done] [role=status], main[data-screen=done] #print-error",
    )
    .await?;
    let printed = w
        .client
        .find(fantoccini::Locator::Css("main[data-screen=done] [role=status]"))
        .await
        .is_ok();
    w.screenshot(if printed {
        "slip-printed"
    } else {
        "slip-not-printed"
    })
    .await?;
    Ok(printed)
}

/// "Finish": back to the start screen, with nothing of the visitor's left in the page.
pub async fn finish(w: &mut Window) -> Result<Option<Transition>> {
    let t = w
        .tap(
            "finish to start (reset)",
            "button[data-action=finish]",
            "main[data-screen=start] button[data-action=start]",
        )
        .await?;
    let text = w.client.execute("return document.body.innerText", vec![]).await?;
    let text = text.as_str().unwrap_or_default();
    ensure!(
        !text.contains("Siân") && !text.contains("A1234BC"),
        "personal data left on screen after Finish"
    );
    Ok(t)
}
