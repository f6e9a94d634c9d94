//! The visitor's journey in the kiosk UI, screen by screen.

use crate::{Result, Transition, Window};
use anyhow::ensure;

/// The start screen, once `kiosk_info` has answered and the prison's name is showing.
pub const FIRST_SCREEN: &str = "main[data-screen=start] h1";

/// Who books: the prisoner as the visitor identifies them, and the contact picked from their
/// list.
#[derive(Debug, Clone)]
pub struct Party {
    pub prisoner_number: String,
    /// `YYYY-MM-DD`.
    pub prisoner_born: String,
    pub prisoner_surname: String,
    pub contact_id: String,
    pub contact_first_name: String,
    pub contact_last_name: String,
}

impl Party {
    /// Rhys Evans (A1234BC, born 1990-05-05), visited by Siân Evans (C000001): the demo data's
    /// first prisoner at Cardiff, with 4 visiting orders.
    pub fn rhys_evans() -> Self {
        Self {
            prisoner_number: "A1234BC".into(),
            prisoner_born: "1990-05-05".into(),
            prisoner_surname: "Evans".into(),
            contact_id: "C000001".into(),
            contact_first_name: "Siân".into(),
            contact_last_name: "Evans".into(),
        }
    }

    /// A listed contact as a public screen shows them: first name and last initial.
    fn contact_as_shown(&self) -> String {
        let initial: String = self
            .contact_last_name
            .chars()
            .take(1)
            .flat_map(char::to_uppercase)
            .collect();
        format!("{} {initial}.", self.contact_first_name)
    }
}

pub struct Booked {
    /// As shown on the confirmation screen: `ABCD-EFGH`.
    pub reference: String,
    pub transitions: Vec<Transition>,
}

/// Books a visit to Rhys Evans (A1234BC, born 1990-05-05) for Siân Evans, picked from his
/// contact list, at the first session offered.
pub async fn book_a_visit(w: &mut Window) -> Result<Booked> {
    book_a_visit_for(w, &Party::rhys_evans()).await
}

/// Books a visit for `party` at the first session offered.
pub async fn book_a_visit_for(w: &mut Window, party: &Party) -> Result<Booked> {
    let mut transitions = Vec::new();
    let mut timed = |t: Option<Transition>| transitions.extend(t);

    w.wait_text(FIRST_SCREEN, "HMP Cardiff").await?;
    w.screenshot("start").await?;
    timed(
        w.tap(
            "start to prisoner",
            "button[data-action=start]",
            "main[data-screen=prisoner] #prisoner-number",
        )
        .await?,
    );

    for t in party_and_time(w, party).await? {
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
    let reference = w.text_of("#reference").await?.trim().to_string();
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
    party_and_time(w, &Party::rhys_evans()).await
}

/// [`prisoner_party_and_time`] for any party.
pub async fn party_and_time(w: &mut Window, party: &Party) -> Result<Vec<Transition>> {
    let mut transitions = Vec::new();
    let mut timed = |t: Option<Transition>| transitions.extend(t);
    let mut born = party.prisoner_born.splitn(3, '-');
    let (Some(year), Some(month), Some(day)) = (born.next(), born.next(), born.next()) else {
        anyhow::bail!("a date of birth is YYYY-MM-DD, not {:?}", party.prisoner_born);
    };
    w.fill("#prisoner-number", &party.prisoner_number).await?;
    w.fill("#prisoner-dob-day", day).await?;
    w.fill("#prisoner-dob-month", month).await?;
    w.fill("#prisoner-dob-year", year).await?;
    w.fill("#prisoner-surname", &party.prisoner_surname).await?;
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
    let pick = format!("button[data-action=pick][data-id={}]", party.contact_id);
    timed(
        w.tap(
            "pick a contact",
            &pick,
            "main[data-screen=visitors] .kiosk-visitor__name",
        )
        .await?,
    );
    let picked = w
        .text_of("main[data-screen=visitors] .kiosk-visitor__name")
        .await?;
    ensure!(picked.contains(&party.contact_as_shown()), "picked {picked:?}");
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
    w.click("label[for=session-group]").await?;
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

/// Finish on a kiosk whose renewal is due: the tap's own answer is lost with the web process it
/// ends (and WebKitWebDriver's session with it), so the button is clicked by a script whose
/// answer is not needed. See `web_process_replaced` for what follows.
pub async fn finish_renewing_the_page(w: &Window) -> Result<()> {
    w.find("button[data-action=finish]").await?;
    let _ = w
        .client
        .execute(
            "setTimeout(() => document.querySelector('button[data-action=finish]').click(), 0)",
            vec![],
        )
        .await;
    Ok(())
}

/// "Finish": back to the start screen, with nothing of the visitor's left in the page.
pub async fn finish(w: &mut Window) -> Result<Option<Transition>> {
    finish_for(w, &Party::rhys_evans()).await
}

/// [`finish`] after a visit booked for `party`.
pub async fn finish_for(w: &mut Window, party: &Party) -> Result<Option<Transition>> {
    let t = w
        .tap(
            "finish to start (reset)",
            "button[data-action=finish]",
            "main[data-screen=start] button[data-action=start]",
        )
        .await?;
    let text = w.client.execute("return document.body.innerText", vec![]).await?;
    let text = text.as_str().unwrap_or_default();
    // The names as the journey showed them and the number typed: a first name alone could be
    // part of the start screen's own words.
    let full_name = format!("{} {}", party.contact_first_name, party.contact_last_name);
    ensure!(
        !text.contains(&party.contact_as_shown())
            && !text.contains(&full_name)
            && !text.contains(&party.prisoner_number),
        "personal data left on screen after Finish"
    );
    Ok(t)
}
