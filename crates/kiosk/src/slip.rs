//! Confirmation slips: a booking laid out as a PDF for an 80 mm receipt roll or an A4 sheet, in
//! English or Welsh.
//!
//! The layout is done here, not by a layout engine: every line is measured with the embedded
//! font's own advance widths and wrapped to the column, so the longest names the rules allow
//! (50 characters each) never run off the roll. A receipt slip is exactly as tall as its content.
//!
//! The fonts (DejaVu Sans, regular and bold) are compiled into the binary so every kiosk prints
//! the same slip whatever fonts its system has; they cover the Welsh letters ŵ and ŷ.

use crate::store::{BookingStatus, BookingView, Prison};
use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Timelike, Utc, Weekday};
use domain::VisitKind;
use printpdf::{
    Color, FontId, Greyscale, Line, LinePoint, Mm, Op, PaintMode, ParsedFont, PdfDocument, PdfFontHandle,
    PdfPage, PdfSaveOptions, Point, Pt, RawImage, Rect, TextItem, XObjectTransform,
};
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

#[derive(rust_embed::RustEmbed)]
#[folder = "assets/fonts/"]
struct FontFiles;

const REGULAR_FONT: &str = "DejaVuSans.ttf";
const BOLD_FONT: &str = "DejaVuSans-Bold.ttf";

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

struct Fonts {
    regular: ParsedFont,
    bold: ParsedFont,
}

/// Parsing a 750 KB font takes milliseconds: do it once per process.
fn fonts() -> Result<&'static Fonts, SlipError> {
    static FONTS: OnceLock<Result<Fonts, &'static str>> = OnceLock::new();
    fn load(name: &'static str) -> Result<ParsedFont, &'static str> {
        let file = FontFiles::get(name).ok_or(name)?;
        ParsedFont::from_bytes(&file.data, 0, &mut Vec::new()).ok_or(name)
    }
    FONTS
        .get_or_init(|| {
            Ok(Fonts {
                regular: load(REGULAR_FONT)?,
                bold: load(BOLD_FONT)?,
            })
        })
        .as_ref()
        .map_err(|name| SlipError::Font(name))
}

// ---------------------------------------------------------------------------------------------
// Words
// ---------------------------------------------------------------------------------------------

fn day_name(day: Weekday, lang: Language) -> &'static str {
    use Weekday::*;
    match lang {
        Language::English => match day {
            Mon => "Monday",
            Tue => "Tuesday",
            Wed => "Wednesday",
            Thu => "Thursday",
            Fri => "Friday",
            Sat => "Saturday",
            Sun => "Sunday",
        },
        Language::Welsh => match day {
            Mon => "Dydd Llun",
            Tue => "Dydd Mawrth",
            Wed => "Dydd Mercher",
            Thu => "Dydd Iau",
            Fri => "Dydd Gwener",
            Sat => "Dydd Sadwrn",
            Sun => "Dydd Sul",
        },
    }
}

fn month_name(month: u32, lang: Language) -> &'static str {
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    const CY: [&str; 12] = [
        "Ionawr",
        "Chwefror",
        "Mawrth",
        "Ebrill",
        "Mai",
        "Mehefin",
        "Gorffennaf",
        "Awst",
        "Medi",
        "Hydref",
        "Tachwedd",
        "Rhagfyr",
    ];
    let names = match lang {
        Language::English => &EN,
        Language::Welsh => &CY,
    };
    names[(month.clamp(1, 12) - 1) as usize]
}

/// "28 November 2026" / "28 Tachwedd 2026".
pub fn date_in_words(date: NaiveDate, lang: Language) -> String {
    format!(
        "{} {} {}",
        date.day(),
        month_name(date.month(), lang),
        date.year()
    )
}

/// "Saturday 28 November 2026" / "Dydd Sadwrn 28 Tachwedd 2026".
pub fn day_and_date_in_words(date: NaiveDate, lang: Language) -> String {
    format!("{} {}", day_name(date.weekday(), lang), date_in_words(date, lang))
}

/// "2:00pm" / "2:00yp": the 12-hour clock people read on GOV.UK letters (Welsh: yb = y bore,
/// yp = y prynhawn).
pub fn time_in_words(time: NaiveTime, lang: Language) -> String {
    let (pm, hour) = time.hour12();
    let suffix = match (lang, pm) {
        (Language::English, false) => "am",
        (Language::English, true) => "pm",
        (Language::Welsh, false) => "yb",
        (Language::Welsh, true) => "yp",
    };
    format!("{hour}:{:02}{suffix}", time.minute())
}

/// "Saturday 28 November 2026, 2:00pm to 4:00pm".
pub fn visit_time_in_words(date: NaiveDate, start: NaiveTime, end: NaiveTime, lang: Language) -> String {
    let to = match lang {
        Language::English => "to",
        Language::Welsh => "i",
    };
    format!(
        "{}, {} {to} {}",
        day_and_date_in_words(date, lang),
        time_in_words(start, lang),
        time_in_words(end, lang)
    )
}

/// The prisoner as a slip shows them: initial and surname only ("R. Evans"), because a slip left
/// on a bus should not name someone in prison.
pub fn prisoner_on_slip(first_name: &str, last_name: &str) -> String {
    match first_name.trim().chars().next() {
        Some(initial) => format!("{}. {}", initial.to_uppercase(), last_name.trim()),
        None => last_name.trim().to_string(),
    }
}

/// Everything a slip says, in one language, before it is laid out.
struct Wording {
    prison_name: String,
    prison_address: String,
    status: String,
    /// Whether the visit will happen as things stand (confirmed or requested): only then does
    /// the slip tell people when to arrive, what to bring and how to cancel.
    live: bool,
    confirmed: bool,
    reference_label: &'static str,
    reference: String,
    show_slip: &'static str,
    when_label: &'static str,
    when: String,
    arrive_label: &'static str,
    arrive: String,
    arrive_why: String,
    room_label: &'static str,
    room: String,
    visiting_label: &'static str,
    visiting: String,
    visitors_label: &'static str,
    visitors: Vec<String>,
    next: Option<(&'static str, &'static str)>,
    bring: (&'static str, String),
    cancel: (&'static str, &'static str),
    /// When it was booked and when this copy was printed (a reprint shows both).
    footer: [String; 2],
}

fn wording(booking: &BookingView, prison: &Prison, lang: Language, now: DateTime<Utc>) -> Wording {
    let en = lang == Language::English;
    let pick = |english: &'static str, welsh: &'static str| if en { english } else { welsh };
    let tz = prison.rules.timezone();
    let (arrive_at, _) = booking
        .start
        .overflowing_sub_signed(chrono::Duration::minutes(i64::from(prison.arrive_minutes_before)));
    let status = match booking.status {
        BookingStatus::Booked => pick("Confirmed", "Wedi'i gadarnhau"),
        BookingStatus::Requested => pick("Request: not yet confirmed", "Cais: heb ei gadarnhau eto"),
        BookingStatus::Rejected => pick(
            "Not accepted: this visit will not take place",
            "Heb ei dderbyn: ni fydd yr ymweliad hwn yn digwydd",
        ),
        BookingStatus::Cancelled => pick(
            "Cancelled: this visit will not take place",
            "Wedi'i ganslo: ni fydd yr ymweliad hwn yn digwydd",
        ),
        BookingStatus::Withdrawn => pick(
            "Withdrawn: this visit will not take place",
            "Wedi'i dynnu'n ôl: ni fydd yr ymweliad hwn yn digwydd",
        ),
    };
    let live = matches!(booking.status, BookingStatus::Booked | BookingStatus::Requested);
    let kind = match (booking.kind, en) {
        (VisitKind::Open, true) => "open visit",
        (VisitKind::Closed, true) => "closed visit (through a screen)",
        (VisitKind::Open, false) => "ymweliad agored",
        (VisitKind::Closed, false) => "ymweliad caeedig (drwy sgrin)",
    };
    let minutes = prison.arrive_minutes_before;
    let adult_age = prison.rules.party().adult_age();
    let stamp = |at: DateTime<Utc>| {
        let local = at.with_timezone(&tz);
        format!(
            "{}, {}",
            date_in_words(local.date_naive(), lang),
            time_in_words(local.time(), lang)
        )
    };
    Wording {
        prison_name: if en {
            prison.name.clone()
        } else {
            prison.name_cy.clone()
        },
        prison_address: if en { &prison.address } else { &prison.address_cy }.join(", "),
        status: status.to_string(),
        live,
        confirmed: booking.status == BookingStatus::Booked,
        reference_label: pick("Booking reference", "Cyfeirnod archebu"),
        reference: booking.reference.to_string(),
        show_slip: pick(
            "Show this slip when you arrive.",
            "Dangoswch y slip hwn pan fyddwch yn cyrraedd.",
        ),
        when_label: pick("Date and time", "Dyddiad ac amser"),
        when: visit_time_in_words(booking.date, booking.start, booking.end, lang),
        arrive_label: pick("Arrive by", "Cyrhaeddwch erbyn"),
        arrive: time_in_words(arrive_at, lang),
        arrive_why: if en {
            format!("{minutes} minutes before the visit, to allow time for security checks.")
        } else {
            format!("{minutes} munud cyn yr ymweliad, i roi amser ar gyfer gwiriadau diogelwch.")
        },
        room_label: pick("Room", "Ystafell"),
        room: format!("{}, {kind}", booking.room),
        visiting_label: pick("Visiting", "Ymweld â"),
        visiting: prisoner_on_slip(&booking.prisoner_first_name, &booking.prisoner_last_name),
        visitors_label: pick("Visitors", "Ymwelwyr"),
        visitors: booking
            .visitors
            .iter()
            .map(|v| format!("{} {}", v.first_name.trim(), v.last_name.trim()))
            .collect(),
        next: (booking.status == BookingStatus::Requested).then_some(if en {
            (
                "What happens next",
                "The prison has not confirmed this visit yet. Staff will check it and decide soon. \
                     Before you travel, ask at the visitors' centre or phone the prison with your \
                     reference to make sure it is confirmed.",
            )
        } else {
            (
                "Beth sy'n digwydd nesaf",
                "Nid yw'r carchar wedi cadarnhau'r ymweliad hwn eto. Bydd staff yn ei wirio ac yn \
                     penderfynu cyn bo hir. Cyn i chi deithio, gofynnwch yn y ganolfan ymwelwyr neu \
                     ffoniwch y carchar gyda'ch cyfeirnod i wneud yn siŵr ei fod wedi'i gadarnhau.",
            )
        }),
        bring: if en {
            (
                "What to bring",
                format!(
                    "Every visitor aged {adult_age} or over must bring photo ID, such as a passport or \
                     driving licence. Without it you cannot go in."
                ),
            )
        } else {
            (
                "Beth i ddod gyda chi",
                format!(
                    "Rhaid i bob ymwelydd {adult_age} oed neu hŷn ddod â dogfen adnabod â llun, fel \
                     pasbort neu drwydded yrru. Hebddi, ni allwch fynd i mewn."
                ),
            )
        },
        cancel: if en {
            (
                "How to cancel",
                "Use this kiosk or ask staff at the visitors' centre, and give your booking reference. \
                 Please cancel if you cannot come, so another family can have the table.",
            )
        } else {
            (
                "Sut i ganslo",
                "Defnyddiwch y ciosg hwn neu gofynnwch i staff y ganolfan ymwelwyr, a rhowch eich \
                 cyfeirnod archebu. Canslwch os na allwch ddod, er mwyn i deulu arall gael y bwrdd.",
            )
        },
        footer: if en {
            [
                format!("Booked {}", stamp(booking.created_at)),
                format!("Printed {}", stamp(now)),
            ]
        } else {
            [
                format!("Archebwyd {}", stamp(booking.created_at)),
                format!("Argraffwyd {}", stamp(now)),
            ]
        },
    }
}

// ---------------------------------------------------------------------------------------------
// Layout
// ---------------------------------------------------------------------------------------------

const PT_PER_MM: f32 = 72.0 / 25.4;

/// Page geometry and type sizes for one paper.
struct Geometry {
    page_width_mm: f32,
    /// `None`: as tall as the content (a receipt roll).
    page_height_mm: Option<f32>,
    margin_mm: f32,
    /// Multiplies every type size and gap: A4 is read at arm's length, a receipt in the hand.
    scale: f32,
    qr_mm: f32,
}

impl Geometry {
    fn of(paper: Paper) -> Self {
        match paper {
            // 80 mm rolls print about 72 mm wide: keep 4 mm clear each side.
            Paper::Receipt => Geometry {
                page_width_mm: 80.0,
                page_height_mm: None,
                margin_mm: 4.0,
                scale: 1.0,
                qr_mm: 30.0,
            },
            Paper::A4 => Geometry {
                page_width_mm: 210.0,
                page_height_mm: Some(297.0),
                margin_mm: 20.0,
                scale: 1.45,
                qr_mm: 40.0,
            },
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Weight {
    Regular,
    Bold,
}

#[derive(Clone, Copy, PartialEq)]
enum Align {
    Left,
    Centre,
}

/// Something placed on the page, with `top`/`baseline` measured down from the top edge in points
/// (the page height of a receipt is only known at the end).
enum Mark {
    Text {
        text: String,
        weight: Weight,
        size: f32,
        x: f32,
        baseline: f32,
        white: bool,
    },
    Box {
        x: f32,
        top: f32,
        width: f32,
        height: f32,
        filled: bool,
    },
    Rule {
        top: f32,
    },
    Qr {
        x: f32,
        top: f32,
        size: f32,
    },
}

fn advance_width(font: &ParsedFont, text: &str, size: f32) -> f32 {
    let units_per_em = f32::from(font.pdf_font_metrics.units_per_em.max(1));
    let units: u32 = text
        .chars()
        .map(|c| u32::from(font.get_horizontal_advance(font.lookup_glyph_index(u32::from(c)).unwrap_or(0))))
        .sum();
    units as f32 * size / units_per_em
}

/// Greedy word wrap to `width` points; a word wider than the whole line (a 50-letter surname at
/// A4 sizes, say) is broken between letters rather than clipped.
fn wrap(font: &ParsedFont, text: &str, size: f32, width: f32) -> Vec<String> {
    let space = advance_width(font, " ", size);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut line_width = 0.0;
    for word in text.split_whitespace() {
        let word_width = advance_width(font, word, size);
        if !line.is_empty() && line_width + space + word_width <= width {
            line.push(' ');
            line.push_str(word);
            line_width += space + word_width;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if word_width <= width {
            line.push_str(word);
            line_width = word_width;
            continue;
        }
        // Too wide for a line of its own: break after a hyphen where one fits ("Llewelyn-" /
        // "Bartholomew"), and between letters only inside a piece that is itself too wide.
        line_width = 0.0;
        for piece in word.split_inclusive('-') {
            let piece_width = advance_width(font, piece, size);
            if line_width + piece_width <= width {
                line.push_str(piece);
                line_width += piece_width;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                line_width = 0.0;
            }
            for ch in piece.chars() {
                let w = advance_width(font, ch.encode_utf8(&mut [0; 4]), size);
                if !line.is_empty() && line_width + w > width {
                    lines.push(std::mem::take(&mut line));
                    line_width = 0.0;
                }
                line.push(ch);
                line_width += w;
            }
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

struct Sheet<'a> {
    fonts: &'a Fonts,
    left: f32,
    width: f32,
    scale: f32,
    /// How far down the page the next thing goes, in points.
    y: f32,
    marks: Vec<Mark>,
}

impl Sheet<'_> {
    fn font(&self, weight: Weight) -> &ParsedFont {
        match weight {
            Weight::Regular => &self.fonts.regular,
            Weight::Bold => &self.fonts.bold,
        }
    }

    fn gap(&mut self, pt: f32) {
        self.y += pt * self.scale;
    }

    /// Wrapped text; `inset` narrows the column on both sides (text inside a box), `indent` on
    /// the left only (a list item's hanging indent).
    #[allow(clippy::too_many_arguments)]
    fn text_in(
        &mut self,
        text: &str,
        weight: Weight,
        size: f32,
        align: Align,
        inset: f32,
        indent: f32,
        white: bool,
    ) {
        let size = size * self.scale;
        let left = self.left + inset + indent;
        let width = self.width - 2.0 * inset - indent;
        let line_height = size * 1.22;
        for line in wrap(self.font(weight), text, size, width) {
            let x = match align {
                Align::Left => left,
                Align::Centre => {
                    left + ((width - advance_width(self.font(weight), &line, size)) / 2.0).max(0.0)
                }
            };
            // DejaVu's ascender is 0.93 em: the baseline sits that far below the line's top.
            self.marks.push(Mark::Text {
                text: line,
                weight,
                size,
                x,
                baseline: self.y + size * 0.93,
                white,
            });
            self.y += line_height;
        }
    }

    fn text(&mut self, text: &str, weight: Weight, size: f32, align: Align) {
        self.text_in(text, weight, size, align, 0.0, 0.0, false);
    }

    /// A small label above its value: the pattern of a receipt, easy to scan.
    fn labelled(&mut self, label: &str, value: &str) {
        self.text(label, Weight::Regular, 8.5, Align::Left);
        self.gap(0.5);
        self.text(value, Weight::Bold, 11.0, Align::Left);
        self.gap(5.0);
    }

    /// One of a list, after a bullet, wrapped lines indented under the first: a long name that
    /// wraps still reads as one person.
    fn list_item(&mut self, text: &str, weight: Weight, size: f32) {
        let indent = advance_width(self.font(weight), "•  ", size * self.scale);
        let top = self.y;
        self.text_in("•", weight, size, Align::Left, 0.0, 0.0, false);
        self.y = top;
        self.text_in(text, weight, size, Align::Left, 0.0, indent, false);
    }

    fn heading_and_text(&mut self, heading: &str, text: &str) {
        self.text(heading, Weight::Bold, 10.0, Align::Left);
        self.gap(1.0);
        self.text(text, Weight::Regular, 9.0, Align::Left);
        self.gap(6.0);
    }

    fn rule(&mut self) {
        self.gap(4.0);
        self.marks.push(Mark::Rule { top: self.y });
        self.gap(6.0);
    }

    /// The status in a box: solid black for confirmed, an outline for anything else, so the two
    /// cannot be mistaken for each other at a glance.
    fn banner(&mut self, text: &str, filled: bool) {
        let pad = 5.0 * self.scale;
        let top = self.y;
        // The box goes under the text, so it must be drawn first; its height is known only after
        // the text is wrapped.
        let under = self.marks.len();
        self.y += pad;
        self.text_in(text, Weight::Bold, 13.0, Align::Centre, pad, 0.0, filled);
        self.y += pad - 13.0 * self.scale * 0.22;
        self.marks.insert(
            under,
            Mark::Box {
                x: self.left,
                top,
                width: self.width,
                height: self.y - top,
                filled,
            },
        );
    }

    fn qr(&mut self, size: f32) {
        self.marks.push(Mark::Qr {
            x: self.left + (self.width - size) / 2.0,
            top: self.y,
            size,
        });
        self.y += size;
    }
}

fn qr_image(reference: &str) -> Result<RawImage, SlipError> {
    // The hyphenated form is in the QR alphanumeric set, and BookingReference::parse accepts it.
    let code = qrcode::QrCode::with_error_correction_level(reference, qrcode::EcLevel::M)
        .map_err(|e| SlipError::QrCode(e.to_string()))?;
    let image = code
        .render::<::image::Luma<u8>>()
        .module_dimensions(8, 8)
        .quiet_zone(true)
        .build();
    RawImage::from_dynamic_image(::image::DynamicImage::ImageLuma8(image)).map_err(SlipError::QrCode)
}

/// Places everything on the page at type scale `scale`, top to bottom.
fn lay_out<'a>(fonts: &'a Fonts, words: &Wording, geometry: &Geometry, scale: f32) -> Sheet<'a> {
    let margin = geometry.margin_mm * PT_PER_MM;
    let mut sheet = Sheet {
        fonts,
        left: margin,
        width: (geometry.page_width_mm - 2.0 * geometry.margin_mm) * PT_PER_MM,
        scale,
        y: margin,
        marks: Vec::new(),
    };
    sheet.text(&words.prison_name, Weight::Bold, 14.0, Align::Centre);
    sheet.gap(1.0);
    sheet.text(&words.prison_address, Weight::Regular, 9.0, Align::Centre);
    sheet.gap(6.0);
    sheet.banner(&words.status, words.confirmed);
    sheet.gap(8.0);
    sheet.text(words.reference_label, Weight::Regular, 9.0, Align::Centre);
    sheet.gap(1.0);
    sheet.text(&words.reference, Weight::Bold, 28.0, Align::Centre);
    sheet.gap(3.0);
    sheet.qr(geometry.qr_mm * PT_PER_MM);
    sheet.gap(2.0);
    sheet.text(words.show_slip, Weight::Regular, 9.0, Align::Centre);
    sheet.rule();

    sheet.labelled(words.when_label, &words.when);
    if words.live {
        sheet.labelled(words.arrive_label, &words.arrive);
        sheet.gap(-4.0);
        sheet.text(&words.arrive_why, Weight::Regular, 8.5, Align::Left);
        sheet.gap(5.0);
    }
    sheet.labelled(words.room_label, &words.room);
    sheet.labelled(words.visiting_label, &words.visiting);
    sheet.text(words.visitors_label, Weight::Regular, 8.5, Align::Left);
    sheet.gap(0.5);
    for visitor in &words.visitors {
        sheet.list_item(visitor, Weight::Bold, 11.0);
        sheet.gap(2.0);
    }

    if words.live {
        sheet.rule();
        if let Some((heading, text)) = words.next {
            sheet.heading_and_text(heading, text);
        }
        sheet.heading_and_text(words.bring.0, &words.bring.1);
        sheet.heading_and_text(words.cancel.0, words.cancel.1);
        sheet.gap(-6.0);
    }
    sheet.rule();
    for line in &words.footer {
        sheet.text(line, Weight::Regular, 7.5, Align::Left);
    }

    sheet
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
    doc.metadata.info.creation_date = pdf_date(now);
    doc.metadata.info.modification_date = pdf_date(now);
    doc.metadata.info.metadata_date = pdf_date(now);
    doc.metadata.info.creator = "visit-kiosk".to_string();
    doc.metadata.info.producer = "visit-kiosk".to_string();
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
    use super::*;

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
