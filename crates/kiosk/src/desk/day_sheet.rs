//! The day's list and the visit passes on A4, for reception to print: every session of the day
//! with its visits, and one pass per live visit for the officer at the gate.

use super::{DaySession, DeskError, DeskResult, day, entry};
use crate::printing::{self, PrintError, PrinterConfig};
use crate::slip::{Language, Paper, SheetLine, date_in_words, render_sheet};
use crate::staff::{SignedIn, audit};
use crate::store::{DeskVisit, Store};
use chrono::{DateTime, NaiveDate, Utc};
use domain::PrisonCode;
use protocol::{Attendance, AuditAction};

/// What to print for a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DaySheet {
    /// Every session and its visits.
    List,
    /// One pass per live visit, four to a page.
    Passes,
}

const PASSES_PER_PAGE: usize = 4;

fn pick(lang: Language, en: &str, cy: &str) -> String {
    match lang {
        Language::English => en.to_string(),
        Language::Welsh => cy.to_string(),
    }
}

fn party(visit: &DeskVisit, adult_age: u32, lang: Language) -> String {
    let date = visit.session.date();
    let adults = visit
        .visitors
        .iter()
        .filter(|p| date.years_since(p.date_of_birth).is_some_and(|a| a >= adult_age))
        .count();
    let children = visit.visitors.len() - adults;
    match lang {
        Language::English => format!(
            "{adults} adult{}, {children} child{}",
            if adults == 1 { "" } else { "s" },
            if children == 1 { "" } else { "ren" }
        ),
        Language::Welsh => format!("{adults} oedolyn, {children} plentyn"),
    }
}

fn lead(visit: &DeskVisit) -> String {
    visit
        .visitors
        .first()
        .map(|v| format!("{} {}", v.first_name, v.last_name))
        .unwrap_or_default()
}

fn prisoner(visit: &DeskVisit) -> String {
    match &visit.prisoner_name {
        Some((first, last)) => format!("{first} {last} ({})", visit.prisoner_number),
        None => visit.prisoner_number.clone(),
    }
}

/// "Support needed: Wheelchair access; Hearing loop", for the officer at the gate.
fn support(visit: &DeskVisit, lang: Language) -> Option<String> {
    crate::slip::support_in_words(&visit.details.support, lang).map(|needs| {
        format!(
            "{}: {needs}",
            pick(lang, "Support needed", "Cymorth sydd ei angen")
        )
    })
}

/// The lines of the day's list.
pub fn list_lines(
    prison: &str,
    date: NaiveDate,
    sessions: &[DaySession],
    adult_age: u32,
    lang: Language,
) -> Vec<SheetLine> {
    let mut lines = vec![
        SheetLine::Heading(format!("{} – {prison}", pick(lang, "Visits", "Ymweliadau"))),
        SheetLine::Text(date_in_words(date, lang)),
        SheetLine::Blank,
    ];
    for s in sessions {
        let live: Vec<&DeskVisit> = s.visits.iter().filter(|v| v.status.is_live()).collect();
        let arrived = live.iter().filter(|v| v.visitors_arrived()).count();
        let mut heading = format!(
            "{}–{}  {}  ({} {}, {} {})",
            s.session.start.format("%H:%M"),
            s.session.end.format("%H:%M"),
            s.session.room,
            live.len(),
            pick(lang, "booked", "wedi'u trefnu"),
            arrived,
            pick(lang, "arrived", "wedi cyrraedd"),
        );
        if let Some(reason) = &s.closed {
            heading.push_str(&format!(" – {}: {reason}", pick(lang, "CLOSED", "AR GAU")));
        }
        lines.push(SheetLine::Heading(heading));
        if s.visits.is_empty() {
            lines.push(SheetLine::Text(pick(lang, "No visits", "Dim ymweliadau")));
        }
        for v in &s.visits {
            let attendance = match v.attendance {
                Some(Attendance::Arrived) => pick(lang, "  ARRIVED", "  WEDI CYRRAEDD"),
                Some(Attendance::DidNotArrive) => pick(lang, "  did not arrive", "  heb gyrraedd"),
                None => String::new(),
            };
            lines.push(SheetLine::Text(format!(
                "{}  {}  {}  →  {}  [{}]{attendance}",
                v.reference,
                lead(v),
                party(v, adult_age, lang),
                prisoner(v),
                v.status.as_str(),
            )));
            if let Some(needs) = support(v, lang) {
                lines.push(SheetLine::Text(format!("    {needs}")));
            }
        }
        lines.push(SheetLine::Blank);
    }
    lines
}

/// The lines of the day's visit passes: one block per live visit.
pub fn pass_lines(prison: &str, sessions: &[DaySession], adult_age: u32, lang: Language) -> Vec<SheetLine> {
    let mut lines = Vec::new();
    let mut on_page = 0;
    for s in sessions {
        for v in s.visits.iter().filter(|v| v.status.is_live()) {
            if on_page == PASSES_PER_PAGE {
                lines.push(SheetLine::PageBreak);
                on_page = 0;
            }
            on_page += 1;
            lines.push(SheetLine::Heading(format!(
                "{} {}  –  {prison}",
                pick(lang, "Visit pass", "Tocyn ymweld"),
                v.reference
            )));
            lines.push(SheetLine::Text(format!(
                "{}, {}–{}, {}",
                date_in_words(v.session.date(), lang),
                s.session.start.format("%H:%M"),
                s.session.end.format("%H:%M"),
                s.session.room
            )));
            lines.push(SheetLine::Text(format!(
                "{}: {}",
                pick(lang, "Visiting", "Yn ymweld â"),
                prisoner(v)
            )));
            lines.push(SheetLine::Text(format!(
                "{} ({}):",
                pick(lang, "Visitors", "Ymwelwyr"),
                party(v, adult_age, lang)
            )));
            for visitor in &v.visitors {
                lines.push(SheetLine::Text(format!(
                    "    {} {}",
                    visitor.first_name, visitor.last_name
                )));
            }
            if let Some(needs) = support(v, lang) {
                lines.push(SheetLine::Text(needs));
            }
            lines.push(SheetLine::Blank);
        }
    }
    if lines.is_empty() {
        lines.push(SheetLine::Text(pick(lang, "No visits", "Dim ymweliadau")));
    }
    lines
}

/// Prints the day's list or its passes on A4, on the kiosk's printer queue. Answers how many
/// visits it covered.
pub async fn print_day(
    store: &Store,
    who: &SignedIn,
    prison: &PrisonCode,
    date: NaiveDate,
    what: DaySheet,
    lang: Language,
    now: DateTime<Utc>,
) -> DeskResult<u32> {
    let printer = printing::printer_config(store)
        .await?
        .ok_or(PrintError::NotConfigured)?;
    let printer = PrinterConfig::new(printer.queue.clone(), Paper::A4);
    let sessions = day(store, prison, date).await?;
    let kept = store.prison(prison).await?;
    let adult_age = u32::from(kept.rules.party().adult_age());
    let name = match lang {
        Language::English => kept.name.clone(),
        Language::Welsh => kept.name_cy.clone(),
    };
    let (lines, title) = match what {
        DaySheet::List => (
            list_lines(&name, date, &sessions, adult_age, lang),
            format!("visits-{date}"),
        ),
        DaySheet::Passes => (
            pass_lines(&name, &sessions, adult_age, lang),
            format!("passes-{date}"),
        ),
    };
    let covered = sessions
        .iter()
        .flat_map(|s| &s.visits)
        .filter(|v| what == DaySheet::List || v.status.is_live())
        .count() as u32;
    let sheet = render_sheet(&title, &lines, now).map_err(PrintError::from)?;
    printing::print_pdf(&printer, &sheet, &title).await?;
    let detail = format!(
        "{}:{date}",
        if what == DaySheet::List {
            "day_list"
        } else {
            "visit_passes"
        }
    );
    let mut tx = store.begin().await.map_err(DeskError::Kiosk)?;
    audit(&mut tx, &entry(who, AuditAction::Print, None, Some(&detail), now)).await?;
    tx.commit().await?;
    Ok(covered)
}
