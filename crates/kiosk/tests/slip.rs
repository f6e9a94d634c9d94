//! Confirmation slips rendered for real and read back with the tools a person would use:
//! pdftoppm (the page as a 203 dpi thermal printer would see it), pdftotext (what it says) and
//! zbarimg (what the QR code says). Needs poppler-utils and zbar-tools.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use domain::{BookingReference, IssuerNumber, PersonName, SessionId, VisitKind};
use kiosk::booking::book;
use kiosk::printing::booking_slip;
use kiosk::slip::{Language, Paper, Slip, render_slip};
use kiosk::{BookedVisitor, BookingStatus, BookingView, Prison};
use kiosk_test_support::pdf::{qr, text, tool};
use kiosk_test_support::{at, demo_store_in, prison_code, rhys_request};
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// When the slips here are printed: two minutes after the visits were booked.
fn now() -> DateTime<Utc> {
    at("2026-11-25T10:02:00Z")
}

async fn cardiff(dir: &TempDir) -> Prison {
    demo_store_in(dir.path())
        .await
        .prison(&prison_code("CDF"))
        .await
        .unwrap()
}

fn visitor(first: &str, last: &str) -> BookedVisitor {
    BookedVisitor {
        first_name: first.into(),
        last_name: last.into(),
        date_of_birth: NaiveDate::from_ymd_opt(1992, 3, 14).unwrap(),
    }
}

/// Rhys Evans's visit on Saturday 28 November 2026, 2pm to 4pm, as the store would give it.
fn booking(status: BookingStatus, visitors: Vec<BookedVisitor>) -> BookingView {
    let date = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
    BookingView {
        reference: BookingReference::issue(
            IssuerNumber::new(7).unwrap(),
            42,
            &domain::ReferenceScramble::Unkeyed,
        )
        .unwrap(),
        status,
        status_reason: None,
        prison_code: prison_code("CDF"),
        prisoner_number: "A1234BC".into(),
        prisoner_first_name: "Rhys".into(),
        prisoner_last_name: "Evans".into(),
        session: SessionId::new("CDF-SAT-PM", date).unwrap(),
        date,
        start: NaiveTime::from_hms_opt(14, 0, 0).unwrap(),
        end: NaiveTime::from_hms_opt(16, 0, 0).unwrap(),
        room: "Visits hall".into(),
        kind: VisitKind::Open,
        visitors,
        created_at: at("2026-11-25T10:00:00Z"),
        details: Default::default(),
    }
}

/// Writes the slip where the tools can read it; with SLIP_TEST_KEEP=DIR, keeps a copy there to
/// look at.
fn write(dir: &Path, name: &str, slip: &Slip) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, &slip.pdf).unwrap();
    if let Some(keep) = std::env::var_os("SLIP_TEST_KEEP") {
        std::fs::create_dir_all(&keep).unwrap();
        std::fs::write(Path::new(&keep).join(name), &slip.pdf).unwrap();
    }
    path
}

/// The slip as a 203 dpi PNG beside the PDF, and its width and height in pixels.
fn raster(pdf: &Path) -> (PathBuf, u32, u32) {
    kiosk_test_support::pdf::raster(pdf, &pdf.with_extension(""))
}

/// Letters only, for names wrapped across lines: pdftotext joins a line that ends in a hyphen to
/// the next and drops the hyphen.
fn without_spaces(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '-' && *c != '•')
        .collect()
}

/// Every word's box, from pdftotext -bbox: (xMin, xMax, yMax) in points, and the page size.
/// A word and where pdftotext found it: (word, xMin, xMax, yMax) in points.
type WordBox = (String, f32, f32, f32);

fn word_boxes(pdf: &Path) -> (f32, f32, Vec<WordBox>) {
    let html = tool("pdftotext", &["-bbox", pdf.to_str().unwrap(), "-"]);
    let attr = |tag: &str, name: &str| -> f32 {
        let start = tag.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        tag[start..].split('"').next().unwrap().parse().unwrap()
    };
    let page = html.split("<page ").nth(1).unwrap();
    let (page_width, page_height) = (attr(page, "width"), attr(page, "height"));
    let words = html
        .split("<word ")
        .skip(1)
        .map(|w| {
            let word = w
                .split('>')
                .nth(1)
                .unwrap()
                .split('<')
                .next()
                .unwrap()
                .to_string();
            (word, attr(w, "xMin"), attr(w, "xMax"), attr(w, "yMax"))
        })
        .collect();
    (page_width, page_height, words)
}

const MM: f32 = 72.0 / 25.4;

#[tokio::test]
async fn receipt_slips_are_80mm_wide_and_a4_slips_are_a4_in_both_languages() {
    let dir = TempDir::new().unwrap();
    let prison = cardiff(&dir).await;
    let view = booking(
        BookingStatus::Booked,
        vec![visitor("Siân", "Evans"), visitor("Megan", "Evans")],
    );
    for lang in [Language::English, Language::Welsh] {
        let receipt = render_slip(&view, &prison, lang, Paper::Receipt, now()).unwrap();
        let (png, width, height) = raster(&write(dir.path(), &format!("receipt-{lang}.pdf"), &receipt));
        // 80 mm at 203 dpi is 639.4 dots.
        assert!((639..=641).contains(&width), "receipt {lang} is {width} px wide");
        let expected_height = (receipt.height_mm / 25.4 * 203.0).round() as u32;
        assert!(
            height.abs_diff(expected_height) <= 1,
            "{height} vs {expected_height}"
        );
        assert!(
            (120.0..300.0).contains(&receipt.height_mm),
            "receipt is {} mm long",
            receipt.height_mm
        );
        assert_eq!(
            receipt.cups_media(),
            format!("Custom.80x{}mm", receipt.height_mm.ceil())
        );
        assert_eq!(qr(&png), view.reference.to_string());

        let a4 = render_slip(&view, &prison, lang, Paper::A4, now()).unwrap();
        let (png, width, height) = raster(&write(dir.path(), &format!("a4-{lang}.pdf"), &a4));
        // 210 x 297 mm at 203 dpi.
        assert!((1677..=1680).contains(&width), "A4 {lang} is {width} px wide");
        assert!((2373..=2376).contains(&height), "A4 {lang} is {height} px high");
        assert_eq!(a4.cups_media(), "A4");
        assert_eq!(qr(&png), view.reference.to_string());
    }
}

#[tokio::test]
async fn an_english_slip_says_everything_a_visitor_needs_and_hides_the_prisoners_first_name() {
    let dir = TempDir::new().unwrap();
    let prison = cardiff(&dir).await;
    let view = booking(
        BookingStatus::Booked,
        vec![visitor("Siân", "Evans"), visitor("Llŷr Ŵyn", "Evans")],
    );
    let slip = render_slip(&view, &prison, Language::English, Paper::Receipt, now()).unwrap();
    let said = text(&write(dir.path(), "en.pdf", &slip));
    for expected in [
        "HMP Cardiff",
        "Knox Road, Cardiff, CF24 0UG",
        "Confirmed",
        "Booking reference",
        &view.reference.to_string(),
        "Saturday 28 November 2026, 2:00pm to 4:00pm",
        "Arrive by 1:15pm",
        "45 minutes before the visit",
        "Visits hall, open visit",
        "Visiting R. Evans",
        "Visitors • Siân Evans • Llŷr Ŵyn Evans",
        "photo ID",
        "How to cancel",
        "Booked 25 November 2026, 10:00am",
        "Printed 25 November 2026, 10:02am",
    ] {
        assert!(said.contains(expected), "missing {expected:?} in {said:?}");
    }
    assert!(
        !said.contains("Rhys"),
        "the prisoner's first name is on the slip: {said}"
    );
    assert!(!said.contains("not yet confirmed"));
    assert!(!said.contains("A1234BC"), "the prisoner number is on the slip");
    let info = tool("pdfinfo", &[dir.path().join("en.pdf").to_str().unwrap()]);
    assert!(
        info.contains("Nov 25 10:02:00 2026"),
        "creation date is not `now`: {info}"
    );
}

#[tokio::test]
async fn a_welsh_slip_is_in_welsh_with_welsh_letters() {
    let dir = TempDir::new().unwrap();
    let prison = cardiff(&dir).await;
    let mut view = booking(
        BookingStatus::Requested,
        vec![visitor("Siân", "Evans"), visitor("Llŷr", "ap Gruffudd")],
    );
    view.kind = VisitKind::Closed;
    let slip = render_slip(&view, &prison, Language::Welsh, Paper::Receipt, now()).unwrap();
    let said = text(&write(dir.path(), "cy.pdf", &slip));
    for expected in [
        "CEF Caerdydd",
        "Heol Knox, Caerdydd, CF24 0UG",
        "Cais: heb ei gadarnhau eto",
        "Cyfeirnod archebu",
        &view.reference.to_string(),
        "Dydd Sadwrn 28 Tachwedd 2026, 2:00yp i 4:00yp",
        "Cyrhaeddwch erbyn 1:15yp",
        "Visits hall, ymweliad caeedig",
        "Ymweld â R. Evans",
        "Ymwelwyr • Siân Evans • Llŷr ap Gruffudd",
        "Beth sy'n digwydd nesaf",
        "siŵr",
        "18 oed neu hŷn",
        "Sut i ganslo",
        "Argraffwyd 25 Tachwedd 2026, 10:02yb",
    ] {
        assert!(said.contains(expected), "missing {expected:?} in {said:?}");
    }
    for english in ["Confirmed", "Saturday", "November", "Visitors", "Arrive by"] {
        assert!(!said.contains(english), "English {english:?} on a Welsh slip");
    }
}

#[tokio::test]
async fn a_request_says_it_is_not_confirmed_and_what_happens_next() {
    let dir = TempDir::new().unwrap();
    let prison = cardiff(&dir).await;
    let view = booking(BookingStatus::Requested, vec![visitor("Siân", "Evans")]);
    let slip = render_slip(&view, &prison, Language::English, Paper::A4, now()).unwrap();
    let said = text(&write(dir.path(), "request.pdf", &slip));
    assert!(said.contains("Request: not yet confirmed"), "{said}");
    assert!(said.contains("What happens next"), "{said}");
    assert!(said.contains("make sure it is confirmed"), "{said}");
    assert!(!said.contains("Confirmed "), "{said}");

    let cancelled = booking(BookingStatus::Cancelled, vec![visitor("Siân", "Evans")]);
    let slip = render_slip(&cancelled, &prison, Language::English, Paper::Receipt, now()).unwrap();
    let said = text(&write(dir.path(), "cancelled.pdf", &slip));
    assert!(
        said.contains("Cancelled: this visit will not take place"),
        "{said}"
    );
    assert!(
        !said.contains("Arrive by"),
        "a cancelled visit tells people when to arrive: {said}"
    );
}

#[tokio::test]
async fn the_longest_names_the_rules_allow_fit_inside_the_margins() {
    let dir = TempDir::new().unwrap();
    let prison = cardiff(&dir).await;
    let max = domain::person::NAME_MAX_CHARS;
    // Fifty characters each: one made of words, one a single unbreakable word, one full of
    // the widest capitals.
    let names = [
        (
            "Gwenllian Angharad Myfanwy Eluned Tegwen Ceridwenŵ",
            "Featherstonehaugh-Llewelyn-Bartholomew Ŵynne-Ŷsgol",
        ),
        (
            "Wolfeschlegelsteinhausenbergerdorffvoralternwarenn",
            "Maximilianbartholomewchristopherfitzwilliamsonnnnn",
        ),
        (
            "MMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMW",
            "WWWWWWWWWWWW WWWWWWWWWWWW WWWWWWWWWWWW WWWWWWWWWWW",
        ),
    ];
    let mut visitors = Vec::new();
    for (first, last) in names {
        for name in [first, last] {
            assert_eq!(name.chars().count(), max, "{name:?} is not {max} characters");
            PersonName::parse(name).unwrap_or_else(|e| panic!("{name:?} is not a name the rules allow: {e}"));
        }
        visitors.push(visitor(first, last));
    }
    let mut view = booking(BookingStatus::Booked, visitors.clone());
    view.prisoner_last_name = names[1].1.to_string();
    for paper in [Paper::Receipt, Paper::A4] {
        for lang in [Language::English, Language::Welsh] {
            let slip = render_slip(&view, &prison, lang, paper, now()).unwrap();
            let pdf = write(dir.path(), &format!("long-{paper}-{lang}.pdf"), &slip);
            let said = without_spaces(&text(&pdf));
            for v in &visitors {
                let full = without_spaces(&format!("{}{}", v.first_name, v.last_name));
                assert!(said.contains(&full), "{paper} {lang}: {full:?} is not all there");
            }
            let (page_width, page_height, words) = word_boxes(&pdf);
            let margin = if paper == Paper::Receipt {
                4.0 * MM
            } else {
                20.0 * MM
            };
            for (word, x_min, x_max, y_max) in &words {
                assert!(
                    *x_min >= margin - 0.5,
                    "{paper} {lang}: {word:?} starts in the margin at {x_min}"
                );
                assert!(
                    *x_max <= page_width - margin + 0.5,
                    "{paper} {lang}: {word:?} runs into the margin ({x_max} > {})",
                    page_width - margin
                );
                assert!(
                    *y_max <= page_height,
                    "{paper} {lang}: {word:?} is below the page"
                );
            }
            let (png, width, _) = raster(&pdf);
            assert!(width == 640 || width > 1600);
            assert_eq!(qr(&png), view.reference.to_string());
        }
    }
}

#[tokio::test]
async fn a_saved_booking_has_a_slip_and_an_unknown_reference_has_none() {
    let dir = TempDir::new().unwrap();
    let store = demo_store_in(dir.path()).await;
    let request = rhys_request("CDF-SAT-PM/2026-11-28");
    let booked = book(&store, &request, at("2026-11-25T10:00:00Z")).await.unwrap();
    let (view, slip) = booking_slip(
        &store,
        &booked.reference,
        Language::English,
        Paper::Receipt,
        now(),
    )
    .await
    .unwrap();
    assert_eq!(view, booked);
    let pdf = write(dir.path(), "saved.pdf", &slip);
    let said = text(&pdf);
    assert!(said.contains(&booked.reference.to_string()), "{said}");
    assert!(said.contains("Siân Evans") && said.contains("R. Evans"), "{said}");
    assert_eq!(qr(&raster(&pdf).0), booked.reference.to_string());

    let never = BookingReference::issue(
        IssuerNumber::new(7).unwrap(),
        999,
        &domain::ReferenceScramble::Unkeyed,
    )
    .unwrap();
    let err = booking_slip(&store, &never, Language::English, Paper::Receipt, now())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "booking_not_found");
}

/// A helper's booking for someone who is not there, with support needs: both as JSON, the
/// shape the store keeps, so the test goes through the same parse.
fn on_behalf() -> domain::VisitDetails {
    serde_json::from_str(
        r#"{"request_method":"by_prisoner",
            "booked_by":{"staff_number":"1003","name":"Cai Morgan","organisation":"Visitor Centre Trust"},
            "main_contact":{"name":"Siân Evans","phone":"+447911123456","language":"cy"},
            "support":{"needs":["wheelchair","hearing_loop","other"],"other":"A seat near the door"}}"#,
    )
    .unwrap()
}

#[tokio::test]
async fn a_helpers_booking_names_the_helper_and_the_support_in_both_languages() {
    let dir = TempDir::new().unwrap();
    let prison = cardiff(&dir).await;
    let mut view = booking(BookingStatus::Booked, vec![visitor("Siân", "Evans")]);
    view.details = on_behalf();
    for (lang, paper, expected) in [
        (
            Language::English,
            Paper::Receipt,
            [
                "Support needed",
                "Wheelchair access; Hearing loop; Other: A seat near the door",
                "Booked for you by Cai Morgan, Visitor Centre Trust",
            ],
        ),
        (
            Language::Welsh,
            Paper::A4,
            [
                "Cymorth sydd ei angen",
                "Mynediad i gadair olwyn; Dolen sain; Arall: A seat near the door",
                "Archebwyd ar eich rhan gan Cai Morgan, Visitor Centre Trust",
            ],
        ),
    ] {
        let slip = render_slip(&view, &prison, lang, paper, now()).unwrap();
        let said = without_spaces(&text(&write(dir.path(), &format!("helper-{lang}.pdf"), &slip)));
        for line in expected {
            assert!(
                said.contains(&without_spaces(line)),
                "missing {line:?} in {said:?}"
            );
        }
        // The main contact's phone number is for the prison, not printed on a slip.
        assert!(!said.contains("7911"), "{said}");
    }
    // A visitor's own booking with no support says neither.
    let own = booking(BookingStatus::Booked, vec![visitor("Siân", "Evans")]);
    let slip = render_slip(&own, &prison, Language::English, Paper::Receipt, now()).unwrap();
    let said = text(&write(dir.path(), "own.pdf", &slip));
    assert!(
        !said.contains("Booked for you") && !said.contains("Support needed"),
        "{said}"
    );
}
