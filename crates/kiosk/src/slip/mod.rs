//! Confirmation slips: a booking laid out as a PDF for an 80 mm receipt roll or an A4 sheet, in
//! English or Welsh.
//!
//! The layout is done here, not by a layout engine: every line is measured with the embedded
//! font's own advance widths and wrapped to the column, so the longest names the rules allow
//! (50 characters each) never run off the roll. A receipt slip is exactly as tall as its content.
//!
//! The fonts (DejaVu Sans, regular and bold) are compiled into the binary so every kiosk prints
//! the same slip whatever fonts its system has; they cover the Welsh letters ŵ and ŷ.
//!
//! | file | job |
//! |---|---|
//! | `words.rs` | what the slip says, in English or Welsh: dates and times in words, every line's wording |
//! | `layout.rs` | where it goes: the embedded fonts, page geometry, measuring and wrapping lines, the QR code |
//! | `sheet.rs` | plain A4 sheets for reception: the day's list and visit passes |
//! | `test_page.rs` | the printer's test page from the health screen |
//! | this file | the slip's languages and papers, and `render_slip`, which puts the two together as a PDF |

mod layout;
mod sheet;
mod test_page;
mod words;

pub use sheet::{SheetLine, render_sheet};
pub use test_page::render_test_page;

pub(crate) use words::support_in_words;
pub use words::{date_in_words, day_and_date_in_words, prisoner_on_slip, time_in_words, visit_time_in_words};

use layout::{Geometry, Mark, PT_PER_MM, Weight, fonts, lay_out, qr_image};
use words::wording;

use crate::store::{BookingView, Prison};
use chrono::{DateTime, Datelike, Timelike, Utc};
use printpdf::{
    Color, FontId, Greyscale, Line, LinePoint, Mm, Op, PaintMode, PdfDocument, PdfFontHandle, PdfPage,
    PdfSaveOptions, Point, Pt, Rect, TextItem, XObjectTransform,
};
use std::fmt;
use std::str::FromStr;

/// The language a slip is printed in: the one the visitor chose at the kiosk.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize, ts_rs::TS,
)]
pub enum Language {
    #[default]
    #[serde(rename = "en")]
    English,
    #[serde(rename = "cy")]
    Welsh,
}

impl Language {
    /// The ISO 639-1 code, as the UI and the command line use it.
    pub fn code(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::Welsh => "cy",
        }
    }
}

impl FromStr for Language {
    type Err = SlipError;
    fn from_str(s: &str) -> Result<Self, SlipError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "en" | "english" => Ok(Language::English),
            "cy" | "welsh" | "cymraeg" => Ok(Language::Welsh),
            _ => Err(SlipError::UnknownLanguage(s.to_string())),
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The paper a printer takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Paper {
    /// An 80 mm thermal receipt roll, cut after each slip.
    #[default]
    Receipt,
    A4,
}

impl Paper {
    pub fn as_str(self) -> &'static str {
        match self {
            Paper::Receipt => "receipt",
            Paper::A4 => "a4",
        }
    }
}

impl FromStr for Paper {
    type Err = SlipError;
    fn from_str(s: &str) -> Result<Self, SlipError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "receipt" | "80mm" => Ok(Paper::Receipt),
            "a4" => Ok(Paper::A4),
            _ => Err(SlipError::UnknownPaper(s.to_string())),
        }
    }
}

impl fmt::Display for Paper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SlipError {
    #[error("unknown slip language {0:?}: use en or cy")]
    UnknownLanguage(String),
    #[error("unknown paper {0:?}: use receipt or a4")]
    UnknownPaper(String),
    #[error("the slip font {0} is missing or unreadable in this build")]
    Font(&'static str),
    #[error("cannot make the QR code: {0}")]
    QrCode(String),
}

impl SlipError {
    pub fn code(&self) -> &'static str {
        match self {
            SlipError::UnknownLanguage(_) => "unknown_language",
            SlipError::UnknownPaper(_) => "unknown_paper",
            SlipError::Font(_) | SlipError::QrCode(_) => "slip_failed",
        }
    }
}

/// A rendered slip.
#[derive(Debug, Clone)]
pub struct Slip {
    pub pdf: Vec<u8>,
    pub paper: Paper,
    pub width_mm: f32,
    pub height_mm: f32,
}

impl Slip {
    /// The CUPS `media` option that prints this slip at its own size: a receipt slip is as long as
    /// its content, so the roll is cut right after it.
    pub fn cups_media(&self) -> String {
        match self.paper {
            Paper::A4 => "A4".to_string(),
            Paper::Receipt => format!("Custom.{:.0}x{:.0}mm", self.width_mm, self.height_mm.ceil()),
        }
    }
}

/// Dates every PDF the kiosk makes with the caller's `now` and names the kiosk as its maker, so
/// the same input always gives the same file.
fn stamp(doc: &mut printpdf::PdfDocument, now: DateTime<Utc>) {
    doc.metadata.info.creation_date = pdf_date(now);
    doc.metadata.info.modification_date = pdf_date(now);
    doc.metadata.info.metadata_date = pdf_date(now);
    doc.metadata.info.creator = "visit-kiosk".to_string();
    doc.metadata.info.producer = "visit-kiosk".to_string();
}

/// The PDF's dates, in UTC, from the caller's `now` (never the system clock).
fn pdf_date(at: DateTime<Utc>) -> printpdf::OffsetDateTime {
    printpdf::OffsetDateTime {
        date: printpdf::Date {
            year: at.year(),
            month: at.month() as u8,
            day: at.day() as u8,
        },
        time: printpdf::Time {
            hour: at.hour() as u8,
            minute: at.minute() as u8,
            second: at.second() as u8,
            millisecond: 0,
        },
        offset: printpdf::Offset {
            hours: 0,
            minutes: 0,
            seconds: 0,
            milliseconds: 0,
        },
    }
}

/// Renders the slip for `booking` at `prison`. `now` is the printing time: it goes on the slip
/// and into the PDF's creation date.
pub fn render_slip(
    booking: &BookingView,
    prison: &Prison,
    lang: Language,
    paper: Paper,
    now: DateTime<Utc>,
) -> Result<Slip, SlipError> {
    let fonts = fonts()?;
    let words = wording(booking, prison, lang, now);
    let geometry = Geometry::of(paper);
    let margin = geometry.margin_mm * PT_PER_MM;
    let mut sheet = lay_out(fonts, &words, &geometry, geometry.scale);
    if let Some(height) = geometry.page_height_mm {
        // A4 is a fixed page: if six of the longest names push the slip past its foot, set
        // everything a little smaller rather than lose the end.
        let mut scale = geometry.scale;
        while sheet.y > height * PT_PER_MM - margin && scale > 0.8 {
            scale -= 0.1;
            sheet = lay_out(fonts, &words, &geometry, scale);
        }
    }

    let page_height = match geometry.page_height_mm {
        Some(h) => h * PT_PER_MM,
        None => sheet.y + margin,
    };
    let marks = std::mem::take(&mut sheet.marks);

    let mut doc = PdfDocument::new(&format!("Visit slip {}", words.reference));
    let regular = doc.add_font(&fonts.regular);
    let bold = doc.add_font(&fonts.bold);
    let qr_image = qr_image(&words.reference)?;
    let qr_pixels = qr_image.width;
    let qr = doc.add_image(&qr_image);
    let font_id = |w: Weight| -> FontId {
        match w {
            Weight::Regular => regular.clone(),
            Weight::Bold => bold.clone(),
        }
    };
    let black = Color::Greyscale(Greyscale {
        percent: 0.0,
        icc_profile: None,
    });
    let white = Color::Greyscale(Greyscale {
        percent: 1.0,
        icc_profile: None,
    });
    let mut ops = Vec::with_capacity(marks.len() * 6);
    for mark in marks {
        match mark {
            Mark::Text {
                text,
                weight,
                size,
                x,
                baseline,
                white: on_black,
            } => {
                ops.push(Op::SetFillColor {
                    col: if on_black { white.clone() } else { black.clone() },
                });
                ops.push(Op::StartTextSection);
                ops.push(Op::SetFont {
                    font: PdfFontHandle::External(font_id(weight)),
                    size: Pt(size),
                });
                ops.push(Op::SetTextCursor {
                    pos: Point {
                        x: Pt(x),
                        y: Pt(page_height - baseline),
                    },
                });
                ops.push(Op::ShowText {
                    items: vec![TextItem::Text(text)],
                });
                ops.push(Op::EndTextSection);
            }
            Mark::Box {
                x,
                top,
                width,
                height,
                filled,
            } => {
                ops.push(Op::SetFillColor { col: black.clone() });
                ops.push(Op::SetOutlineColor { col: black.clone() });
                ops.push(Op::SetOutlineThickness { pt: Pt(2.0) });
                let mut rect = Rect::from_xywh(Pt(x), Pt(page_height - top - height), Pt(width), Pt(height));
                rect.mode = Some(if filled {
                    PaintMode::Fill
                } else {
                    PaintMode::Stroke
                });
                ops.push(Op::DrawRectangle { rectangle: rect });
            }
            Mark::Rule { top } => {
                let y = Pt(page_height - top);
                ops.push(Op::SetOutlineColor { col: black.clone() });
                ops.push(Op::SetOutlineThickness { pt: Pt(0.75) });
                ops.push(Op::DrawLine {
                    line: Line {
                        points: vec![
                            LinePoint {
                                p: Point { x: Pt(margin), y },
                                bezier: false,
                            },
                            LinePoint {
                                p: Point {
                                    x: Pt(margin + sheet.width),
                                    y,
                                },
                                bezier: false,
                            },
                        ],
                        is_closed: false,
                    },
                });
            }
            Mark::Qr { x, top, size } => {
                // Choosing the image's dpi sets its printed size exactly.
                ops.push(Op::UseXobject {
                    id: qr.clone(),
                    transform: XObjectTransform {
                        translate_x: Some(Pt(x)),
                        translate_y: Some(Pt(page_height - top - size)),
                        dpi: Some(qr_pixels as f32 * 72.0 / size),
                        ..Default::default()
                    },
                });
            }
        }
    }
    stamp(&mut doc, now);
    let width_mm = geometry.page_width_mm;
    let height_mm = page_height / PT_PER_MM;
    let page = PdfPage::new(Mm(width_mm), Mm(height_mm), ops);
    let pdf = doc
        .with_pages(vec![page])
        .save(&PdfSaveOptions::default(), &mut Vec::new());
    Ok(Slip {
        pdf,
        paper,
        width_mm,
        height_mm,
    })
}

#[cfg(test)]
mod tests {
    use super::layout::*;
    use super::words::*;
    use super::*;
    use chrono::{NaiveDate, NaiveTime};

    #[test]
    fn dates_and_times_read_as_words_in_both_languages() {
        let date = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        let start = NaiveTime::from_hms_opt(14, 0, 0).unwrap();
        let end = NaiveTime::from_hms_opt(16, 0, 0).unwrap();
        assert_eq!(
            visit_time_in_words(date, start, end, Language::English),
            "Saturday 28 November 2026, 2:00pm to 4:00pm"
        );
        assert_eq!(
            visit_time_in_words(date, start, end, Language::Welsh),
            "Dydd Sadwrn 28 Tachwedd 2026, 2:00yp i 4:00yp"
        );
        let morning = NaiveTime::from_hms_opt(9, 30, 0).unwrap();
        assert_eq!(time_in_words(morning, Language::English), "9:30am");
        assert_eq!(time_in_words(morning, Language::Welsh), "9:30yb");
        let noon = NaiveTime::from_hms_opt(12, 15, 0).unwrap();
        assert_eq!(time_in_words(noon, Language::English), "12:15pm");
    }

    #[test]
    fn the_prisoner_is_shown_by_initial_and_surname() {
        assert_eq!(prisoner_on_slip("Rhys", "Evans"), "R. Evans");
        assert_eq!(prisoner_on_slip("llŷr", "ap Gruffudd"), "L. ap Gruffudd");
        assert_eq!(prisoner_on_slip("Élodie", "O'Connor"), "É. O'Connor");
    }

    #[test]
    fn language_and_paper_parse_from_their_codes() {
        assert_eq!("cy".parse::<Language>().unwrap(), Language::Welsh);
        assert_eq!("EN".parse::<Language>().unwrap(), Language::English);
        assert_eq!("fr".parse::<Language>().unwrap_err().code(), "unknown_language");
        assert_eq!("A4".parse::<Paper>().unwrap(), Paper::A4);
        assert_eq!("receipt".parse::<Paper>().unwrap(), Paper::Receipt);
        assert!("letter".parse::<Paper>().is_err());
    }

    #[test]
    fn wrapping_keeps_every_line_inside_the_width_and_loses_no_letters() {
        let fonts = fonts().unwrap();
        let long = "Abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwx Llŷr-Ŵyn ap Gruffudd";
        for width in [60.0, 120.0, 204.0] {
            let lines = wrap(&fonts.bold, long, 11.0, width);
            for line in &lines {
                assert!(
                    advance_width(&fonts.bold, line, 11.0) <= width + 0.01,
                    "{line} at {width}"
                );
            }
            let joined: String = lines.concat().chars().filter(|c| !c.is_whitespace()).collect();
            let expected: String = long.chars().filter(|c| !c.is_whitespace()).collect();
            assert_eq!(joined, expected);
        }
    }

    #[test]
    fn the_font_has_the_welsh_letters() {
        let fonts = fonts().unwrap();
        for c in "ŵŷŴŶâêîôûÂÊÎÔÛäëïöüáéíóú".chars() {
            assert!(
                fonts.regular.lookup_glyph_index(u32::from(c)).is_some(),
                "regular lacks {c}"
            );
            assert!(
                fonts.bold.lookup_glyph_index(u32::from(c)).is_some(),
                "bold lacks {c}"
            );
        }
    }
}
